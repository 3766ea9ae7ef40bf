/**
 * Speech to text for voice notes. The dialogue depends on this port only; the implementation speaks
 * the OpenAI audio transcription protocol to any compatible server from config.
 */
export interface Transcriber {
  /** The words in the audio file, or "" when there are none it could make out. Throws on failure. */
  transcribe(file: { path: string; mime: string; name?: string }, options: { signal: AbortSignal; language?: string }): Promise<string>;
  /** Asks the server whether it is there (a model listing: no audio sent). Throws when it is not. */
  ping?(signal: AbortSignal): Promise<void>;
}

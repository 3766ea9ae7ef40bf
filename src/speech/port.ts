/**
 * Speech to text for voice notes. The dialogue depends on this port only; the implementation speaks
 * the OpenAI audio transcription protocol to any compatible server from config.
 */
export interface Transcriber {
  /** The words in the audio file, or "" when there are none it could make out. Throws on failure. */
  transcribe(file: { path: string; mime: string; name?: string }, options: { signal: AbortSignal; language?: string }): Promise<string>;
}

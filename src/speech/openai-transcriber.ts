// Speech to text through the `openai` SDK's audio.transcriptions, against any OpenAI-compatible server
// from config (OpenAI, a self-hosted Whisper or SenseVoice behind vLLM, a local faster-whisper server).
// The only file that imports the SDK for speech.
import fs from "node:fs";
import OpenAI, { toFile } from "openai";
import type { Transcriber } from "./port.js";

export interface SpeechSettings {
  apiKey: string;
  baseUrl?: string;
  model: string;
  timeoutMs: number;
}

/** Telegram voice notes are OGG/Opus; browsers record WebM or MP4. The server wants a file name it can read. */
function fileName(mime: string, name?: string): string {
  if (name && /\.[a-z0-9]{2,4}$/i.test(name)) return name;
  if (mime.includes("ogg")) return "voice.ogg";
  if (mime.includes("webm")) return "voice.webm";
  if (mime.includes("mp4") || mime.includes("m4a") || mime.includes("aac")) return "voice.m4a";
  if (mime.includes("mpeg") || mime.includes("mp3")) return "voice.mp3";
  if (mime.includes("wav")) return "voice.wav";
  return "voice.ogg";
}

export function createOpenAiTranscriber(settings: SpeechSettings): Transcriber {
  const client = new OpenAI({
    apiKey: settings.apiKey,
    ...(settings.baseUrl ? { baseURL: settings.baseUrl } : {}),
    timeout: settings.timeoutMs,
    // The dialogue holds the time budget; a retry would not fit in it.
    maxRetries: 0,
  });
  return {
    async transcribe(file, { signal, language }) {
      const bytes = await fs.promises.readFile(file.path);
      const upload = await toFile(bytes, fileName(file.mime, file.name), { type: file.mime });
      const result = await client.audio.transcriptions.create(
        { file: upload, model: settings.model, ...(language ? { language } : {}), response_format: "json" },
        { signal },
      );
      return typeof result === "string" ? result : (result.text ?? "");
    },
    async ping(signal) {
      await client.models.list({ signal });
    },
  };
}

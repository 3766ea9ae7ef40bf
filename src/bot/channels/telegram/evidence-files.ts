import fs from "node:fs";
import path from "node:path";
import type { Message } from "grammy/types";
import type { InboundFile } from "../../messages.js";
import { MAX_FILE_BYTES, normalizeMime, refuseBeforeReading, storeEvidence, type StoredEvidence } from "../../../files/evidence-store.js";

export { MAX_FILE_BYTES };

/** What a message offers as a file, before anything is downloaded. */
export interface OfferedFile {
  fileId: string;
  kind: InboundFile["kind"];
  mime: string;
  size?: number;
  name?: string;
}

export function offeredFile(message: Message): OfferedFile | undefined {
  if (message.photo?.length) {
    // Sizes come smallest first: the largest one under the limit.
    const fitting = message.photo.filter((p) => (p.file_size ?? 0) <= MAX_FILE_BYTES);
    const p = fitting[fitting.length - 1] ?? message.photo[message.photo.length - 1]!;
    return { fileId: p.file_id, kind: "photo", mime: "image/jpeg", size: p.file_size, name: "photo.jpg" };
  }
  if (message.voice) {
    const v = message.voice;
    return { fileId: v.file_id, kind: "voice", mime: v.mime_type ?? "audio/ogg", size: v.file_size, name: "voice.ogg" };
  }
  if (message.audio) {
    const a = message.audio;
    return { fileId: a.file_id, kind: "voice", mime: a.mime_type ?? "audio/mpeg", size: a.file_size, name: a.file_name };
  }
  if (message.document) {
    const d = message.document;
    const mime = d.mime_type ?? "application/octet-stream";
    return { fileId: d.file_id, kind: mime.startsWith("image/") ? "photo" : mime.startsWith("audio/") ? "voice" : "document", mime, size: d.file_size, name: d.file_name };
  }
  return undefined;
}

export type FetchedFile = StoredEvidence;

/**
 * The file's bytes. A local Bot API server started with --local answers getFile with an absolute path on
 * its own disk and serves no download: the bytes are read from there (OneDoor runs beside it, with the
 * folder shared). The Bot API server is configured by us, so its paths are trusted like its answers.
 */
async function openFile(downloadUrl: (filePath: string) => string, filePath: string): Promise<AsyncIterable<Uint8Array>> {
  if (path.isAbsolute(filePath)) return fs.createReadStream(filePath);
  const res = await fetch(downloadUrl(filePath));
  if (!res.ok || !res.body) throw new Error(`file download failed with HTTP ${res.status}`);
  return res.body as unknown as AsyncIterable<Uint8Array>;
}

/**
 * Checks type and size before downloading (as far as Telegram tells them), then stores the bytes by the
 * shared evidence rules (src/files/evidence-store.ts).
 */
export async function fetchEvidence(
  io: {
    getFile(fileId: string): Promise<{ file_path?: string; file_size?: number }>;
    downloadUrl(filePath: string): string;
    dataDir: string;
    maxBytes?: number;
  },
  offer: OfferedFile,
): Promise<FetchedFile> {
  const max = io.maxBytes ?? MAX_FILE_BYTES;
  const mime = normalizeMime(offer.mime);
  const early = refuseBeforeReading({ mime, size: offer.size }, max);
  if (early) return { rejected: early };
  const info = await io.getFile(offer.fileId);
  if ((info.file_size ?? 0) > max || !info.file_path) return { rejected: "too_large" };
  const source = await openFile(io.downloadUrl, info.file_path);
  return storeEvidence({ dataDir: io.dataDir, maxBytes: max, kind: offer.kind, mime, ...(offer.name ? { name: offer.name } : {}) }, source);
}

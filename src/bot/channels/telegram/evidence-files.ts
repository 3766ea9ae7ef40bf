import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Message } from "grammy/types";
import { newId } from "../../../lib/ids.js";
import type { InboundFile } from "../../messages.js";

/** getFile serves files up to 20 MB on the public Bot API. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

const DOCUMENT_TYPES = new Set([
  "application/pdf",
  "application/msword",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "image/jpeg",
  "image/png",
  "image/webp",
  "image/heic",
  "image/heif",
  "image/gif",
]);

export function acceptedMime(mime: string): boolean {
  return DOCUMENT_TYPES.has(mime) || mime.startsWith("audio/");
}

/** Leading bytes of the types that have a fixed signature: a renamed .exe does not pass as a PDF. */
const SIGNATURES: Record<string, number[][]> = {
  "application/pdf": [[0x25, 0x50, 0x44, 0x46]],
  "image/jpeg": [[0xff, 0xd8, 0xff]],
  "image/png": [[0x89, 0x50, 0x4e, 0x47]],
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": [[0x50, 0x4b, 0x03, 0x04]],
  "application/msword": [[0xd0, 0xcf, 0x11, 0xe0]],
  "audio/ogg": [[0x4f, 0x67, 0x67, 0x53]],
};

function signatureMatches(mime: string, head: Buffer): boolean {
  const sigs = SIGNATURES[mime];
  return !sigs || sigs.some((sig) => sig.every((byte, i) => head[i] === byte));
}

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

export type FetchedFile = { file: InboundFile } | { rejected: "too_large" | "bad_type" };

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
 * Checks type and size before downloading (as far as Telegram tells them), then streams the bytes to
 * `${dataDir}/evidence/<sha256>` while hashing and counting, and checks the signature of what arrived.
 * Same bytes, same path: a repeated delivery stores nothing twice.
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
  if (!acceptedMime(offer.mime)) return { rejected: "bad_type" };
  if (offer.size !== undefined && offer.size > max) return { rejected: "too_large" };
  const info = await io.getFile(offer.fileId);
  if ((info.file_size ?? 0) > max || !info.file_path) return { rejected: "too_large" };

  const source = await openFile(io.downloadUrl, info.file_path);
  const dir = path.join(io.dataDir, "evidence");
  await fs.promises.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${newId()}.part`);
  const hash = createHash("sha256");
  let size = 0;
  let head = Buffer.alloc(0);
  const out = fs.createWriteStream(tmp);
  try {
    for await (const chunk of source) {
      size += chunk.byteLength;
      if (size > max) {
        out.destroy();
        await fs.promises.rm(tmp, { force: true });
        return { rejected: "too_large" };
      }
      if (head.length < 16) head = Buffer.concat([head, Buffer.from(chunk.subarray(0, 16))]);
      hash.update(chunk);
      if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  } catch (err) {
    out.destroy();
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  if (!signatureMatches(offer.mime, head)) {
    await fs.promises.rm(tmp, { force: true });
    return { rejected: "bad_type" };
  }
  const sha256 = hash.digest("hex");
  const storagePath = path.join(dir, sha256);
  await fs.promises.rename(tmp, storagePath);
  return { file: { kind: offer.kind, mime: offer.mime, size, sha256, storagePath, ...(offer.name ? { name: offer.name } : {}) } };
}

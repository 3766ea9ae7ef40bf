import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { newId } from "../lib/ids.js";
import type { InboundFile } from "../bot/messages.js";

/**
 * The evidence rules every channel applies the same way: which types are taken, what their first bytes
 * must be, how large a file may be, and where its bytes go (`${dataDir}/evidence/<sha256>`).
 */

/** getFile serves files up to 20 MB on the public Bot API; the web chat takes the same. */
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

/** Names some phones and browsers use for the same types. */
const ALIASES: Record<string, string> = { "image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg" };

/** "Image/JPEG; charset=binary" → "image/jpeg"; absent → application/octet-stream (not taken). */
export function normalizeMime(mime: string | undefined): string {
  const bare = (mime ?? "").split(";")[0]!.trim().toLowerCase();
  return ALIASES[bare] ?? (bare || "application/octet-stream");
}

export function acceptedMime(mime: string): boolean {
  return DOCUMENT_TYPES.has(mime) || mime.startsWith("audio/");
}

/** Leading bytes of the types that have a fixed signature: a renamed .exe does not pass as a PDF. */
const SIGNATURES: Record<string, number[][]> = {
  "application/pdf": [[0x25, 0x50, 0x44, 0x46]],
  "image/jpeg": [[0xff, 0xd8, 0xff]],
  "image/png": [[0x89, 0x50, 0x4e, 0x47]],
  "image/gif": [[0x47, 0x49, 0x46, 0x38]],
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": [[0x50, 0x4b, 0x03, 0x04]],
  "application/msword": [[0xd0, 0xcf, 0x11, 0xe0]],
  "audio/ogg": [[0x4f, 0x67, 0x67, 0x53]],
  // What browsers' MediaRecorder writes (Chromium, Firefox): a Matroska/EBML header.
  "audio/webm": [[0x1a, 0x45, 0xdf, 0xa3]],
};

function signatureMatches(mime: string, head: Buffer): boolean {
  const sigs = SIGNATURES[mime];
  return !sigs || sigs.some((sig) => sig.every((byte, i) => head[i] === byte));
}

export type FileRefusal = "too_large" | "bad_type";
export type StoredEvidence = { file: InboundFile } | { rejected: FileRefusal };

/** What is known of a file before its bytes are read: a refusal now, or undefined to go on and read them. */
export function refuseBeforeReading(offer: { mime: string; size?: number }, maxBytes = MAX_FILE_BYTES): FileRefusal | undefined {
  if (!acceptedMime(offer.mime)) return "bad_type";
  if (offer.size !== undefined && offer.size > maxBytes) return "too_large";
  return undefined;
}

/**
 * Streams the bytes to `${dataDir}/evidence/<sha256>` while hashing and counting, through a temporary
 * file renamed into place only once the size and the signature passed; nothing is left behind otherwise.
 * Past `maxBytes` it stops reading (the iterator is returned) and answers `too_large`. Same bytes, same
 * path: a repeated delivery stores nothing twice. The type and declared size are checked first.
 */
export async function storeEvidence(
  opts: { dataDir: string; maxBytes?: number; kind: InboundFile["kind"]; mime: string; name?: string; size?: number },
  source: AsyncIterable<Uint8Array>,
): Promise<StoredEvidence> {
  const max = opts.maxBytes ?? MAX_FILE_BYTES;
  const early = refuseBeforeReading(opts, max);
  if (early) return { rejected: early };

  const dir = path.join(opts.dataDir, "evidence");
  await fs.promises.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${newId()}.part`);
  const hash = createHash("sha256");
  let size = 0;
  let head = Buffer.alloc(0);
  const out = fs.createWriteStream(tmp);
  const discard = async () => {
    out.destroy();
    await fs.promises.rm(tmp, { force: true });
  };
  try {
    for await (const chunk of source) {
      size += chunk.byteLength;
      if (size > max) {
        await discard();
        return { rejected: "too_large" };
      }
      if (head.length < 16) head = Buffer.concat([head, Buffer.from(chunk.subarray(0, 16))]);
      hash.update(chunk);
      if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  } catch (err) {
    await discard();
    throw err;
  }
  // An empty file is no evidence (a recording that caught nothing, a failed pick on the phone).
  if (size === 0 || !signatureMatches(opts.mime, head)) {
    await fs.promises.rm(tmp, { force: true });
    return { rejected: "bad_type" };
  }
  const sha256 = hash.digest("hex");
  const storagePath = path.join(dir, sha256);
  await fs.promises.rename(tmp, storagePath);
  return { file: { kind: opts.kind, mime: opts.mime, size, sha256, storagePath, ...(opts.name ? { name: opts.name } : {}) } };
}

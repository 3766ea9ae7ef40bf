import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { AppError } from "../lib/errors.js";

/**
 * Port: the bytes of files the centre holds (evidence, documents), named by references such as
 * "evidence/<sha256>". Messages carry the reference, never a URL the server would fetch back from
 * itself; a channel adapter reads the bytes from here. Local disk under DATA_DIR by default.
 */
export interface FileStore {
  /** The bytes; NOT_FOUND when the store has no such file. */
  read(ref: string): Promise<Buffer>;
  /**
   * Keeps bytes the centre made (a QR code, a PDF) and returns their reference, "documents/<sha256>".
   * The same bytes twice are one file: saving again (a job run twice) changes nothing.
   */
  save(bytes: Buffer): Promise<string>;
}

/** "evidence/3f…" or "documents/3f…": a folder and a SHA-256; nothing else can name a file. */
const REF = /^(evidence|documents)\/[0-9a-f]{64}$/;

export function createLocalFileStore(dataDir: string): FileStore {
  const resolve = (ref: string) => {
    if (!REF.test(ref)) throw new AppError("BAD_INPUT", `not a file reference: ${ref.slice(0, 80)}`);
    return path.join(dataDir, ref);
  };
  return {
    async read(ref) {
      try {
        return await fs.promises.readFile(resolve(ref));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new AppError("NOT_FOUND", `no file ${ref}`);
        throw err;
      }
    },
    async save(bytes) {
      const ref = `documents/${createHash("sha256").update(bytes).digest("hex")}`;
      const file = resolve(ref);
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      // Written aside and renamed into place: a reader never sees half a file.
      const tmp = `${file}.${process.pid}.${Date.now()}.part`;
      await fs.promises.writeFile(tmp, bytes);
      await fs.promises.rename(tmp, file);
      return ref;
    },
  };
}

import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { AppError } from "../lib/errors.js";

const run = promisify(execFile);

/**
 * Applies the committed migrations with Prisma's own `migrate deploy`, so Prisma's migration history
 * stays the single source of truth. It runs the JS schema engine: nothing is downloaded.
 */
export async function migrateDatabase(databaseUrl: string, cwd = process.cwd()): Promise<void> {
  if (databaseUrl.startsWith("file:")) {
    fs.mkdirSync(path.dirname(path.resolve(cwd, databaseUrl.replace(/^file:/, ""))), { recursive: true });
  }
  const prismaBin = path.join(cwd, "node_modules", "prisma", "build", "index.js");
  try {
    await run(process.execPath, [prismaBin, "migrate", "deploy"], {
      cwd,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      timeout: 120_000,
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new AppError("CONFIG", `Database migration failed: ${(e.stderr || e.stdout || String(err)).trim()}`, {
      cause: err,
    });
  }
}

import fs from "node:fs";
import path from "node:path";
import { AppError } from "../lib/errors.js";
import { PrismaClient } from "./generated/client.js";
import type { Sql } from "./sql.js";
import { createSqliteConnection, createSqliteSql } from "./sqlite.js";

/** Prisma's model API: reads and single-row writes off the per-message path. */
export type Db = InstanceType<typeof PrismaClient>;

/** What the rest of the code gets from the database layer. */
export interface Database {
  db: Db;
  /** Plain SQL and every transaction (see `Sql`). */
  sql: Sql;
  close(): Promise<void>;
}

/** Path of the SQLite file behind a `file:` URL, relative to the working directory. */
export function sqliteFile(databaseUrl: string): string {
  return path.resolve(databaseUrl.replace(/^file:/, ""));
}

const BUSY_TIMEOUT_MS = 5000;

/**
 * The database for DATABASE_URL. SQLite runs in WAL mode so readers do not wait for the writer, with
 * synchronous=NORMAL (durable across a process crash; an OS crash may lose the last commits) and a
 * busy timeout so a second process waits for the write lock instead of failing.
 */
export async function openDatabase(databaseUrl: string): Promise<Database> {
  if (!databaseUrl.startsWith("file:")) {
    // The PostgreSQL client is generated from a second schema (roadmap step 6, scale-out).
    throw new AppError("CONFIG", "PostgreSQL support is not built yet: use a file: DATABASE_URL");
  }
  const file = sqliteFile(databaseUrl);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = createSqliteConnection(file, { busyTimeoutMs: BUSY_TIMEOUT_MS });
  const db = new PrismaClient({ adapter: sqlite.adapter });
  await db.$connect();
  const conn = sqlite.connection();
  conn.pragma("journal_mode = WAL");
  conn.pragma("synchronous = NORMAL");
  conn.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // 16 MB of page cache instead of SQLite's 2 MB: the hot rows (conversations, recent transcript) stay
  // in memory instead of being read back from the file on every message.
  conn.pragma("cache_size = -16000");
  return {
    db,
    sql: createSqliteSql(conn, sqlite.gate),
    close: () => db.$disconnect(),
  };
}

import fs from "node:fs";
import path from "node:path";
import { AppError } from "../lib/errors.js";
import { isPostgresUrl, openPostgres } from "./postgres.js";
import type { DatabaseKind, Sql } from "./sql.js";
import { createSqliteConnection, createSqliteSql } from "./sqlite.js";

/** What the rest of the code gets from the database layer. */
export interface Database {
  kind: DatabaseKind;
  /** Plain SQL and every transaction (see `Sql`). */
  sql: Sql;
  close(): Promise<void>;
}

/** Path of the SQLite file behind a `file:` URL, relative to the working directory. */
export function sqliteFile(databaseUrl: string): string {
  return path.resolve(databaseUrl.replace(/^file:/, ""));
}

export function databaseKind(databaseUrl: string): DatabaseKind {
  if (databaseUrl.startsWith("file:")) return "sqlite";
  if (isPostgresUrl(databaseUrl)) return "postgres";
  throw new AppError("CONFIG", "DATABASE_URL must be a SQLite file: URL or a postgres:// URL");
}

const BUSY_TIMEOUT_MS = 5000;
/** WAL pages (4 KB each) before a commit checkpoints them into the database file. */
const WAL_CHECKPOINT_PAGES = 10_000;

/**
 * The database for DATABASE_URL: a `file:` URL is SQLite, `postgres://` / `postgresql://` PostgreSQL.
 *
 * SQLite runs in WAL mode so readers do not wait for the writer, with synchronous=NORMAL (durable
 * across a process crash; an OS crash may lose the last commits) and a busy timeout so a second
 * process waits for the write lock instead of failing.
 */
export async function openDatabase(databaseUrl: string): Promise<Database> {
  return databaseKind(databaseUrl) === "postgres" ? openPostgresDatabase(databaseUrl) : openSqliteDatabase(databaseUrl);
}

async function openSqliteDatabase(databaseUrl: string): Promise<Database> {
  const file = sqliteFile(databaseUrl);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const { connection: conn, gate } = createSqliteConnection(file, { busyTimeoutMs: BUSY_TIMEOUT_MS });
  conn.pragma("journal_mode = WAL");
  conn.pragma("synchronous = NORMAL");
  conn.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // 16 MB of page cache instead of SQLite's 2 MB: the hot rows (conversations, recent transcript) stay
  // in memory instead of being read back from the file on every message.
  conn.pragma("cache_size = -16000");
  // A checkpoint (the WAL's pages copied back into the file, then an fsync) runs inside the commit that
  // crosses the threshold, on the one thread that serves every request. A web-chat message writes about
  // 30 WAL pages (its turn, its rate windows, its share of the intake's jobs): at SQLite's 1,000 a busy
  // server checkpointed about 20 times a second, stalling everyone each time; at 10,000 (a WAL of up to
  // 40 MB) a page rewritten by many turns is copied once, and the server does 30-40 % more messages a
  // second (bench, 2026-12-02). What is committed is as durable either way.
  conn.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
  let closed = false;
  return {
    kind: "sqlite",
    sql: createSqliteSql(conn, gate),
    // Waits for an open transaction to end, so nothing is cut off half-way.
    close: async () => {
      if (closed) return;
      closed = true;
      await gate.run(async () => void conn.close());
    },
  };
}

async function openPostgresDatabase(databaseUrl: string): Promise<Database> {
  const { pool, sql } = await openPostgres(databaseUrl);
  let closed: Promise<void> | undefined;
  return { kind: "postgres", sql, close: () => (closed ??= pool.end()) };
}

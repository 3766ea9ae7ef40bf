import fs from "node:fs";
import path from "node:path";
import { AppError } from "../lib/errors.js";
import { PrismaClient } from "./generated/client.js";
import { describePostgresUrl, isPostgresUrl, openPostgres } from "./postgres.js";
import type { DatabaseKind, Sql } from "./sql.js";
import { createSqliteConnection, createSqliteSql } from "./sqlite.js";

/** Prisma's model API: reads and single-row writes off the per-message path. SQLite only; being replaced. */
export type Db = InstanceType<typeof PrismaClient>;

/** What the rest of the code gets from the database layer. */
export interface Database {
  kind: DatabaseKind;
  /** On PostgreSQL a stand-in that throws: the model API is being replaced by repositories over `sql`. */
  db: Db;
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
    kind: "sqlite",
    db,
    sql: createSqliteSql(conn, sqlite.gate),
    close: () => db.$disconnect(),
  };
}

async function openPostgresDatabase(databaseUrl: string): Promise<Database> {
  const { pool, sql } = await openPostgres(databaseUrl);
  let closed: Promise<void> | undefined;
  return {
    kind: "postgres",
    db: modelApiUnavailable(describePostgresUrl(databaseUrl)),
    sql,
    close: () => (closed ??= pool.end()),
  };
}

/**
 * Prisma's client is generated for SQLite only. Code still on the model API fails on PostgreSQL with
 * this line rather than with a driver error somewhere inside Prisma.
 */
function modelApiUnavailable(where: string): Db {
  const fail = (name: string | symbol): never => {
    throw new AppError("INTERNAL", `Prisma's model API (db.${String(name)}) is SQLite-only; ${where} is PostgreSQL: use a repository over the Sql port`);
  };
  return new Proxy({} as Db, {
    get(_target, name) {
      // Promise resolution and inspection probe these; answering them is not a use of the model API.
      if (name === "then" || typeof name === "symbol") return undefined;
      if (name === "$disconnect") return async () => undefined;
      return new Proxy(() => undefined, { get: (_t, method) => (method === "then" ? undefined : () => fail(name)), apply: () => fail(name) });
    },
  });
}

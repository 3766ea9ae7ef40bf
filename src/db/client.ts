import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient, type Prisma } from "./generated/client.js";

export type Db = InstanceType<typeof PrismaClient>;

/** Path of the SQLite file behind a `file:` URL, relative to the working directory. */
export function sqliteFile(databaseUrl: string): string {
  return path.resolve(databaseUrl.replace(/^file:/, ""));
}

/**
 * The database client for DATABASE_URL. SQLite runs in WAL mode so readers do not wait for the writer,
 * with synchronous=NORMAL (durable across a process crash; an OS crash may lose the last commits) and a
 * busy timeout so a second process waits for the write lock instead of failing.
 */
export async function createDb(databaseUrl: string): Promise<Db> {
  if (!databaseUrl.startsWith("file:")) {
    // The PostgreSQL client is generated from a second schema (roadmap step 6, scale-out).
    throw new Error("PostgreSQL support is not built yet: use a file: DATABASE_URL");
  }
  const file = sqliteFile(databaseUrl);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const adapter = new PrismaBetterSQLite3({ url: file, timeout: 5000 });
  const db = new PrismaClient({ adapter });
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await db.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
  await db.$queryRawUnsafe("PRAGMA busy_timeout = 5000");
  // 16 MB of page cache instead of SQLite's 2 MB: the hot rows (conversations, recent transcript) stay
  // in memory instead of being read back from the file on every message.
  await db.$queryRawUnsafe("PRAGMA cache_size = -16000");
  return db;
}

/** What a use case receives inside `db.$transaction(async (tx) => …)`. */
export type Tx = Prisma.TransactionClient;
/** Either the client or a transaction: for writes that may join the caller's transaction. */
export type DbOrTx = Db | Tx;

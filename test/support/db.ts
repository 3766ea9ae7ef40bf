import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { seedReferenceData } from "../../src/cases/seed.js";
import { openDatabase, type Database } from "../../src/db/client.js";
import type { DatabaseKind } from "../../src/db/sql.js";
import { adminQuery, databaseUrl, dropDatabase, quoteIdent } from "./postgres-admin.js";

export interface TestDb extends Database {
  url: string;
  /** A folder of the test's own (DATA_DIR: evidence files); the SQLite file lives in it too. */
  dir: string;
  /** Closes the database, drops it (PostgreSQL) and deletes its folder. */
  cleanup(): Promise<void>;
}

/** What the suite runs on: SQLite unless TEST_DATABASE_URL names a PostgreSQL server (test/global-setup.ts). */
export function testDatabaseKind(): DatabaseKind {
  return inject("testDatabase").kind;
}

/** An empty database of the selected kind (nothing migrated): its URL, and how to get rid of it. */
export async function createEmptyDb(): Promise<{ url: string; dir: string; cleanup(): Promise<void> }> {
  const selected = inject("testDatabase");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onedoor-test-"));
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  if (selected.kind === "sqlite") return { url: `file:${path.join(dir, "test.db")}`, dir, cleanup: async () => removeDir() };
  const name = `${selected.prefix}${randomBytes(5).toString("hex")}`;
  await adminQuery(selected.adminUrl, `CREATE DATABASE ${quoteIdent(name)}`);
  return {
    url: databaseUrl(selected.adminUrl, name),
    dir,
    async cleanup() {
      await dropDatabase(selected.adminUrl, name);
      removeDir();
    },
  };
}

/**
 * A fresh, migrated, seeded database of the selected kind for one test: a copy of the template
 * global-setup migrated (a file copy on SQLite; on PostgreSQL `CREATE DATABASE … TEMPLATE`, 0.05–0.5 s
 * with this machine's disk, dropped by `cleanup`).
 */
export async function createTestDb(options: { seed?: boolean } = {}): Promise<TestDb> {
  const selected = inject("testDatabase");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onedoor-test-"));
  let url: string;
  let drop = async () => undefined as unknown;
  if (selected.kind === "sqlite") {
    const file = path.join(dir, "test.db");
    fs.copyFileSync(selected.template, file);
    url = `file:${file}`;
  } else {
    const name = `${selected.prefix}${randomBytes(5).toString("hex")}`;
    await adminQuery(selected.adminUrl, `CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(selected.template)}`);
    url = databaseUrl(selected.adminUrl, name);
    drop = () => dropDatabase(selected.adminUrl, name);
  }
  const database = await openDatabase(url);
  if (options.seed !== false) await seedReferenceData(database.sql);
  const t: TestDb = {
    ...database,
    url,
    dir,
    async cleanup() {
      await t.close();
      await drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { seedReferenceData } from "../../src/cases/seed.js";
import { openDatabase, type Database } from "../../src/db/client.js";

export interface TestDb extends Database {
  url: string;
  dir: string;
  /** Closes the database and deletes its folder. */
  cleanup(): Promise<void>;
}

/** A fresh, migrated, seeded SQLite file for one test: a copy of the template global-setup migrated. */
export async function createTestDb(options: { seed?: boolean } = {}): Promise<TestDb> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onedoor-test-"));
  const file = path.join(dir, "test.db");
  fs.copyFileSync(inject("templateDb"), file);
  const url = `file:${file}`;
  const database = await openDatabase(url);
  if (options.seed !== false) await seedReferenceData(database.sql);
  const t: TestDb = {
    ...database,
    url,
    dir,
    async cleanup() {
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { seedReferenceData } from "../../src/cases/seed.js";
import { createDb, type Db } from "../../src/db/client.js";

export interface TestDb {
  db: Db;
  url: string;
  dir: string;
  cleanup(): Promise<void>;
}

/** A fresh, migrated, seeded SQLite file for one test: a copy of the template global-setup migrated. */
export async function createTestDb(options: { seed?: boolean } = {}): Promise<TestDb> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onedoor-test-"));
  const file = path.join(dir, "test.db");
  fs.copyFileSync(inject("templateDb"), file);
  const url = `file:${file}`;
  const db = await createDb(url);
  if (options.seed !== false) await seedReferenceData(db);
  return {
    db,
    url,
    dir,
    async cleanup() {
      await db.$disconnect();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { migrateDatabase } from "../src/db/migrate.js";
import { adminQuery, databaseUrl, dropDatabases, quoteIdent } from "./support/postgres-admin.js";

/** Which database the integration suite runs on: SQLite by default, PostgreSQL with TEST_DATABASE_URL. */
export type TestDatabase =
  | { kind: "sqlite"; template: string }
  | {
      kind: "postgres";
      /** TEST_DATABASE_URL: where the suite connects to create and drop its own databases. */
      adminUrl: string;
      /** The migrated template every test's database is created from. */
      template: string;
      /** Prefix of every database this run creates (dropped at the end, whatever is left). */
      prefix: string;
    };

declare module "vitest" {
  export interface ProvidedContext {
    /** A migrated SQLite file (src/db/sqlite.test.ts copies it whatever the suite runs on). */
    templateDb: string;
    testDatabase: TestDatabase;
  }
}

/**
 * Migrates one template database once with the service's own runner; each test gets a copy of it
 * (test/support/db.ts): a file copy on SQLite, `CREATE DATABASE … TEMPLATE …` on PostgreSQL.
 */
export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onedoor-template-"));
  const file = path.join(dir, "template.db");
  await migrateDatabase(`file:${file}`);
  project.provide("templateDb", file);

  const adminUrl = process.env.TEST_DATABASE_URL?.trim();
  if (!adminUrl) {
    project.provide("testDatabase", { kind: "sqlite", template: file });
    return () => fs.rmSync(dir, { recursive: true, force: true });
  }
  if (!/^postgres(ql)?:\/\//.test(adminUrl)) throw new Error("TEST_DATABASE_URL must be a postgres:// URL (unset it to test on SQLite)");
  // Short and unique per run: two runs on one server (two developers, CI beside a developer) never meet.
  const prefix = `od_${randomBytes(4).toString("hex")}_`;
  const template = `${prefix}template`;
  await adminQuery(adminUrl, `CREATE DATABASE ${quoteIdent(template)}`);
  try {
    await migrateDatabase(databaseUrl(adminUrl, template));
  } catch (err) {
    await dropDatabases(adminUrl, prefix);
    throw err;
  }
  project.provide("testDatabase", { kind: "postgres", adminUrl, template, prefix });
  return async () => {
    await dropDatabases(adminUrl, prefix);
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

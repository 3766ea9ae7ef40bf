// One schema, two providers: prisma/postgres/schema.prisma is prisma/schema.prisma converted (never
// edited by hand), and the migrations of the database the suite runs on build exactly the schema Prisma
// describes, hand-edited backfills included.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { POSTGRES_SCHEMA_FILE, SQLITE_SCHEMA_FILE, toPostgresSchema } from "../scripts/postgres-schema.js";
import { openDatabase, sqliteFile } from "../src/db/client.js";
import { sql, type Sql } from "../src/db/sql.js";
import { createEmptyDb, createTestDb, testDatabaseKind } from "./support/db.js";

const run = promisify(execFile);
const kind = testDatabaseKind();
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** Tables, columns, indexes and foreign keys, in an order that does not depend on how they were made. */
async function shape(db: Sql): Promise<unknown> {
  if (db.kind === "sqlite") {
    const tables = await db.query<{ name: string }>(sql`
      SELECT "name" FROM "sqlite_master" WHERE "type" = 'table' AND "name" NOT LIKE 'sqlite_%' AND "name" <> '_prisma_migrations' ORDER BY "name"`);
    const out: Record<string, unknown> = {};
    for (const { name } of tables) {
      const indexes = await db.query<{ name: string; unique: number }>(sql`SELECT "name", "unique" FROM pragma_index_list(${name}) ORDER BY "name"`);
      out[name] = {
        columns: await db.query(sql`SELECT "name", "type", "notnull", "dflt_value", "pk" FROM pragma_table_info(${name}) ORDER BY "name"`),
        foreignKeys: await db.query(sql`SELECT "table", "from", "to", "on_update", "on_delete" FROM pragma_foreign_key_list(${name}) ORDER BY "from"`),
        indexes: await Promise.all(
          indexes.map(async (i) => ({ ...i, columns: (await db.query<{ name: string }>(sql`SELECT "name" FROM pragma_index_info(${i.name}) ORDER BY "seqno"`)).map((c) => c.name) })),
        ),
      };
    }
    return out;
  }
  return {
    columns: await db.query(sql`
      SELECT "table_name", "column_name", "data_type", "is_nullable", "column_default", "datetime_precision"
      FROM "information_schema"."columns" WHERE "table_schema" = 'public' AND "table_name" <> '_prisma_migrations' ORDER BY 1, 2`),
    indexes: await db.query(sql`SELECT "indexdef" FROM "pg_indexes" WHERE "schemaname" = 'public' AND "tablename" <> '_prisma_migrations' ORDER BY 1`),
    constraints: await db.query(sql`
      SELECT c."conname", pg_get_constraintdef(c."oid") AS "def" FROM "pg_constraint" AS c
      JOIN "pg_class" AS t ON t."oid" = c."conrelid"
      WHERE c."connamespace" = 'public'::regnamespace AND t."relname" <> '_prisma_migrations' ORDER BY 1`),
  };
}

/** Runs a script of several statements on the database at `url` (not through the port: it is one statement at a time). */
async function runScript(url: string, script: string): Promise<void> {
  if (kind === "sqlite") {
    const conn = new Sqlite(sqliteFile(url));
    try {
      conn.exec(script);
    } finally {
      conn.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(script);
  } finally {
    await client.end();
  }
}

describe("one schema, two providers", () => {
  it("keeps prisma/postgres/schema.prisma in step with prisma/schema.prisma (regenerate: npm run db:migration -- <name>)", () => {
    const generated = toPostgresSchema(fs.readFileSync(SQLITE_SCHEMA_FILE, "utf8"));
    expect(fs.readFileSync(POSTGRES_SCHEMA_FILE, "utf8")).toBe(generated);
    expect(generated).toMatch(/provider = "postgresql"/);
    expect(generated).not.toMatch(/^generator /m);
    // Every DateTime is an instant.
    const dateTimes = generated.split("\n").filter((l) => /^\s+\w+\s+DateTime\b/.test(l));
    expect(dateTimes.length).toBeGreaterThan(20);
    expect(dateTimes.filter((l) => !l.includes("@db.Timestamptz(3)"))).toEqual([]);
  });

  it(`builds, through the ${kind} migrations, the schema Prisma describes`, async () => {
    const migrated = await createTestDb({ seed: false });
    cleanups.push(() => migrated.cleanup());
    const empty = await createEmptyDb();
    cleanups.push(() => empty.cleanup());

    const schema = kind === "sqlite" ? SQLITE_SCHEMA_FILE : POSTGRES_SCHEMA_FILE;
    const { stdout: script } = await run(
      process.execPath,
      [path.resolve("node_modules/prisma/build/index.js"), "migrate", "diff", "--from-empty", "--to-schema-datamodel", schema, "--script"],
      { encoding: "utf8" },
    );
    await runScript(empty.url, script);
    const described = await openDatabase(empty.url);
    try {
      const built = await shape(migrated.sql);
      expect(JSON.stringify(built)).toContain("ChatMessage_conversationId_seq_key");
      expect(built).toEqual(await shape(described.sql));
    } finally {
      await described.close();
    }
  }, 60_000);
});

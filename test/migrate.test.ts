// The migration runner (src/db/migrate.ts) on the database the suite runs on, SQLite by default or
// PostgreSQL with TEST_DATABASE_URL; and whole instances, each its own process, started beside each other
// (both cases on both databases: a second instance beside a running one, two starting at once on an
// empty database). Only the test of the amended SQLite migration is SQLite's alone.
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client.js";
import { migrateDatabase, migrationsDir, readMigrations } from "../src/db/migrate.js";
import { sql, type Sql } from "../src/db/sql.js";
import { isAppError } from "../src/lib/errors.js";
import { startChild, type RunningChild } from "./support/child.js";
import { createEmptyDb, testDatabaseKind } from "./support/db.js";
import { WebResident } from "./support/web-client.js";

const kind = testDatabaseKind();
const shipped = readMigrations(migrationsDir(kind));
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function emptyDb() {
  const db = await createEmptyDb();
  cleanups.push(db.cleanup);
  return db;
}

/** A working directory with its own copy of the first `count` shipped migrations, to add to or edit. */
function migrationsFolder(count = shipped.length): { cwd: string; dir: string; write(name: string, script: string): void } {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "onedoor-migrations-"));
  cleanups.push(async () => fs.rmSync(cwd, { recursive: true, force: true }));
  const dir = migrationsDir(kind, cwd);
  const write = (name: string, script: string) => {
    fs.mkdirSync(path.join(dir, name), { recursive: true });
    fs.writeFileSync(path.join(dir, name, "migration.sql"), script);
  };
  for (const m of shipped.slice(0, count)) write(m.name, m.script);
  return { cwd, dir, write };
}

async function withDb<T>(url: string, work: (sql: Sql) => Promise<T>): Promise<T> {
  const d = await openDatabase(url);
  try {
    return await work(d.sql);
  } finally {
    await d.close();
  }
}

type History = { migration_name: string; checksum: string; finished_at: unknown; rolled_back_at: unknown; logs: string | null; applied_steps_count: number };
const history = (url: string) =>
  withDb(url, (s) =>
    s.query<History>(sql`
      SELECT "migration_name", "checksum", "finished_at", "rolled_back_at", "logs", "applied_steps_count" FROM "_prisma_migrations"
      ORDER BY "started_at", "migration_name"`),
  );

const tableExists = (url: string, table: string) =>
  withDb(url, async (s) =>
    kind === "sqlite"
      ? (await s.query(sql`SELECT 1 FROM "sqlite_master" WHERE "type" = 'table' AND "name" = ${table}`)).length > 0
      : (await s.query(sql`SELECT 1 FROM "information_schema"."tables" WHERE "table_schema" = 'public' AND "table_name" = ${table}`)).length > 0,
  );

/** The line start-up would print. */
async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isAppError(err, "CONFIG")).toBe(true);
  return (err as Error).message;
}

describe(`migrations on ${kind}`, () => {
  it("applies each migration once, recorded in Prisma's history table with the file's sha256", async () => {
    const { url } = await emptyDb();
    expect((await migrateDatabase(url)).applied).toEqual(shipped.map((m) => m.name));
    expect((await migrateDatabase(url)).applied).toEqual([]);
    const rows = await history(url);
    expect(rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count, r.rolled_back_at])).toEqual(
      shipped.map((m) => [m.name, createHash("sha256").update(fs.readFileSync(path.join(migrationsDir(kind), m.name, "migration.sql"))).digest("hex"), 1, null]),
    );
    expect(rows.every((r) => r.finished_at != null && r.logs == null)).toBe(true);
  });

  it("applies only the new migration on a database that has the others", async () => {
    const { url } = await emptyDb();
    const folder = migrationsFolder();
    await migrateDatabase(url, folder.cwd);
    folder.write("29991231000000_later", `CREATE TABLE "Later" ("id" INTEGER NOT NULL PRIMARY KEY);`);
    expect((await migrateDatabase(url, folder.cwd)).applied).toEqual(["29991231000000_later"]);
    expect(await tableExists(url, "Later")).toBe(true);
  });

  it("refuses to start, in one line, when an applied migration's file has changed", async () => {
    const { url } = await emptyDb();
    const folder = migrationsFolder();
    await migrateDatabase(url, folder.cwd);
    const edited = shipped[0]!;
    folder.write(edited.name, `${edited.script}\n-- an afterthought\n`);
    folder.write("29991231000000_later", `CREATE TABLE "Later" ("id" INTEGER NOT NULL PRIMARY KEY);`);
    const line = await refusal(migrateDatabase(url, folder.cwd));
    expect(line).toMatch(new RegExp(`^Migration ${edited.name} was changed after this database applied it`));
    expect(line).not.toContain("\n");
    expect(await tableExists(url, "Later")).toBe(false);
  });

  it("rolls a failing migration back whole, records the attempt, refuses to start, and applies the fixed file next time", async () => {
    const { url } = await emptyDb();
    const folder = migrationsFolder();
    await migrateDatabase(url, folder.cwd);
    const name = "29991231000000_broken";
    folder.write(name, `CREATE TABLE "Half" ("id" INTEGER NOT NULL PRIMARY KEY);\nINSERT INTO "NoSuchTable" ("id") VALUES (1);`);
    const line = await refusal(migrateDatabase(url, folder.cwd));
    expect(line).toMatch(new RegExp(`^Migration ${name} failed and was rolled back: .*NoSuchTable`));
    expect(line).not.toContain("\n");
    expect(await tableExists(url, "Half")).toBe(false);
    const attempt = (await history(url)).find((r) => r.migration_name === name);
    expect(attempt).toMatchObject({ finished_at: null, applied_steps_count: 0 });
    expect(attempt!.rolled_back_at).not.toBeNull();
    expect(attempt!.logs).toMatch(/NoSuchTable/);

    folder.write(name, `CREATE TABLE "Half" ("id" INTEGER NOT NULL PRIMARY KEY);`);
    expect((await migrateDatabase(url, folder.cwd)).applied).toEqual([name]);
    expect(await tableExists(url, "Half")).toBe(true);
  });

  it("refuses to start on a failed migration Prisma's CLI left unresolved", async () => {
    const { url } = await emptyDb();
    await migrateDatabase(url);
    const last = shipped[shipped.length - 1]!.name;
    await withDb(url, (s) => s.execute(sql`UPDATE "_prisma_migrations" SET "finished_at" = NULL WHERE "migration_name" = ${last}`));
    expect(await refusal(migrateDatabase(url))).toMatch(new RegExp(`^Migration ${last} failed earlier .* prisma migrate resolve --rolled-back ${last}$`));
  });

  it.runIf(kind === "sqlite")("accepts conversation_flows as first released (with the duty-desk INSERT) and records the file's checksum", async () => {
    const { url } = await emptyDb();
    await migrateDatabase(url);
    const name = "20261201215626_conversation_flows";
    const before = "1eaefab45e4d53fec3cd8b35054825a7fa7ed188cb5ca70a2eb74248c0e5efa4";
    await withDb(url, (s) => s.execute(sql`UPDATE "_prisma_migrations" SET "checksum" = ${before} WHERE "migration_name" = ${name}`));
    expect((await migrateDatabase(url)).applied).toEqual([]);
    expect((await history(url)).find((r) => r.migration_name === name)!.checksum).toBe(shipped.find((m) => m.name === name)!.checksum);
  });

  it("numbers the transcript rows a database already has when conversation_seq adds ChatMessage.seq", async () => {
    const { url } = await emptyDb();
    const at = shipped.findIndex((m) => m.name.endsWith("_conversation_seq"));
    await migrateDatabase(url, migrationsFolder(at).cwd);
    const now = new Date();
    await withDb(url, async (s) => {
      for (const c of ["a", "b"]) {
        await s.execute(sql`INSERT INTO "Conversation" ("id", "channel", "userId", "state", "createdAt", "updatedAt") VALUES (${c}, 'web', ${c}, '{}', ${now}, ${now})`);
      }
      for (const c of ["a", "b", "a", "a", "b"]) {
        await s.execute(sql`INSERT INTO "ChatMessage" ("conversationId", "direction", "payload", "createdAt") VALUES (${c}, 'out', '{}', ${now})`);
      }
    });
    await migrateDatabase(url);
    await withDb(url, async (s) => {
      expect(await s.query(sql`SELECT "conversationId", "seq" FROM "ChatMessage" ORDER BY "id"`)).toEqual([
        { conversationId: "a", seq: 1 },
        { conversationId: "b", seq: 1 },
        { conversationId: "a", seq: 2 },
        { conversationId: "a", seq: 3 },
        { conversationId: "b", seq: 2 },
      ]);
      expect(await s.query(sql`SELECT "id", "lastSeq" FROM "Conversation" ORDER BY "id"`)).toEqual([
        { id: "a", lastSeq: 3 },
        { id: "b", lastSeq: 2 },
      ]);
    });
  });

  it("gives each flag a cases already carry its own row when case_risk_flags adds CaseRiskFlag", async () => {
    const { url } = await emptyDb();
    const at = shipped.findIndex((m) => m.name.endsWith("_case_risk_flags"));
    await migrateDatabase(url, migrationsFolder(at).cwd);
    const now = new Date();
    await withDb(url, async (s) => {
      for (const [id, flags] of [["c1", '["violence","self_harm"]'], ["c2", "[]"], ["c3", '["large_sum"]']] as const) {
        await s.execute(sql`
          INSERT INTO "Case" ("id", "code", "status", "disputeType", "tier", "complexity", "riskFlags", "description",
            "triageDueAt", "createdAt", "updatedAt")
          VALUES (${id}, ${`OD-20261201-000${id.slice(1)}`}, 'received', 'neighbor', 'village', 'general', ${flags}, 'x', ${now}, ${now}, ${now})`);
      }
    });
    await migrateDatabase(url);
    await withDb(url, async (s) => {
      expect(await s.query(sql`SELECT "caseId", "flag" FROM "CaseRiskFlag" ORDER BY "caseId", "flag"`)).toEqual([
        { caseId: "c1", flag: "self_harm" },
        { caseId: "c1", flag: "violence" },
        { caseId: "c3", flag: "large_sum" },
      ]);
    });
  });
});

describe(`instances side by side on ${kind}`, () => {
  const children: RunningChild[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.stop()));
  });

  function startInstance(url: string, dir: string): RunningChild {
    const child = startChild("test/support/server-child.ts", [url, dir]);
    children.push(child);
    return child;
  }

  async function serving(child: RunningChild): Promise<string> {
    const line = JSON.parse(await child.firstLine) as { url?: string; error?: string };
    expect(line.error).toBeUndefined();
    const base = line.url!;
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok", checks: { database: "ok" }, dependencies: { database: { status: "ok" } } });
    const resident = await WebResident.open(base);
    expect((await resident.say("你好")).length).toBeGreaterThan(0);
    return base;
  }

  // Before the runner, the second process failed inside `prisma migrate deploy` (WASM_ERROR: unknown
  // variant SocketTimeout) and exited: a restart while the old process was still alive did not start.
  it("starts a second instance, and it serves, while the first is running on the same database", async () => {
    const { url, dir } = await emptyDb();
    const first = startInstance(url, dir);
    await serving(first);
    const second = startInstance(url, dir);
    await serving(second);
    await serving(first);
  });

  it("starts two instances at once on a fresh database: one migrates, both serve, each migration recorded once", async () => {
    const { url, dir } = await emptyDb();
    const both = [startInstance(url, dir), startInstance(url, dir)];
    await Promise.all(both.map(serving));
    const rows = await history(url);
    expect(rows.map((r) => r.migration_name)).toEqual(shipped.map((m) => m.name));
    // Both seeded the empty database at once: the reference data is there once.
    const seed = JSON.parse(fs.readFileSync("prisma/seed/routing.json", "utf8")) as { rooms: unknown[]; staff: unknown[] };
    expect(await withDb(url, (s) => s.query(sql`SELECT (SELECT COUNT(*) FROM "Room") AS "rooms", (SELECT COUNT(*) FROM "Staff") AS "staff"`))).toEqual([
      { rooms: seed.rooms.length, staff: seed.staff.length },
    ]);
  });
});

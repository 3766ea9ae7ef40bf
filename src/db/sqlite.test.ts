import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { isAppError } from "../lib/errors.js";
import { openDatabase, type Database as OneDoorDatabase } from "./client.js";
import { sql } from "./sql.js";
import { createSqliteSql, Gate } from "./sqlite.js";

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

// About SQLite itself (the gate, the shared connection, Prisma's encoding): run only when the suite runs
// on SQLite; with TEST_DATABASE_URL the same files are skipped (test/db-port.test.ts covers both).
const onSqlite = inject("testDatabase").kind === "sqlite";

function tempCopy(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onedoor-sqlite-"));
  const file = path.join(dir, "t.db");
  fs.copyFileSync(inject("templateDb"), file);
  return { dir, file };
}

const notice = (id: string) => sql`
  INSERT INTO "Notification" ("id", "dedupeKey", "kind", "text", "createdAt") VALUES (${id}, ${id}, 'test', '', ${new Date()})`;

describe.runIf(onSqlite)("SQLite database layer", () => {
  let dir: string;
  let d: OneDoorDatabase & { file: string };
  beforeEach(async () => {
    const copy = tempCopy();
    dir = copy.dir;
    d = Object.assign(await openDatabase(`file:${copy.file}`), { file: copy.file });
  });
  afterEach(async () => {
    await d.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const ids = async () => (await d.sql.query<{ id: string }>(sql`SELECT "id" FROM "Notification" ORDER BY "id"`)).map((n) => n.id);

  // Before the gate, the outside writes joined the open transaction on the shared connection and were
  // rolled back with it, after their callers had been told they were stored (a Telegram update answered
  // 200, then lost).
  it("keeps another request's write when a transaction open at the same time rolls back", async () => {
    let inside!: () => void;
    const entered = new Promise<void>((r) => (inside = r));
    let finish!: () => void;
    const release = new Promise<void>((r) => (finish = r));
    const failing = d.sql
      .transaction(async (tx) => {
        await tx.execute(notice("inside"));
        inside();
        await release;
        throw new Error("rolled back");
      })
      .catch((e: Error) => e.message);
    await entered;
    // Issued while the transaction is open: it waits for the gate instead of joining the transaction.
    const outside = d.sql.execute(notice("outside"));
    finish();
    await outside;
    expect(await failing).toBe("rolled back");
    expect(await ids()).toEqual(["outside"]);
  });

  it("commits a transaction that returns, joins nested ones, and refuses a transaction used after it ended", async () => {
    let leaked: Parameters<Parameters<typeof d.sql.transaction>[0]>[0] | undefined;
    const result = await d.sql.transaction(async (tx) => {
      leaked = tx;
      await tx.execute(notice("a"));
      await tx.transaction(async (inner) => inner.execute(notice("b")));
      return "done";
    });
    expect(result).toBe("done");
    expect(await ids()).toEqual(["a", "b"]);
    await expect(leaked!.execute(notice("late"))).rejects.toSatisfy((e) => isAppError(e, "INTERNAL"));
    expect(await ids()).toEqual(["a", "b"]);
  });

  it("runs many transactions and plain statements at once without losing or mixing any", async () => {
    const work = Array.from({ length: 60 }, (_, i) =>
      i % 3 === 0
        ? d.sql.execute(notice(`plain-${i}`))
        : d.sql.transaction(async (tx) => {
            await tx.execute(notice(`tx-${i}`));
            await pause(1);
            if (i % 3 === 2) throw new Error("no");
            await tx.execute(notice(`tx-${i}-second`));
          }),
    );
    const settled = await Promise.allSettled(work);
    expect(settled.filter((s) => s.status === "rejected")).toHaveLength(20);
    const stored = new Set(await ids());
    for (let i = 0; i < 60; i++) {
      if (i % 3 === 0) expect(stored.has(`plain-${i}`)).toBe(true);
      if (i % 3 === 1) expect(stored.has(`tx-${i}`) && stored.has(`tx-${i}-second`)).toBe(true);
      if (i % 3 === 2) expect(stored.has(`tx-${i}`)).toBe(false);
    }
    expect(stored.size).toBe(20 + 40);
  });

  it("reads rows written the way earlier releases (through Prisma) wrote them, and writes them alike", async () => {
    const at = new Date("2026-11-25T08:30:00.123Z");
    // Prisma's SQLite encoding, as rows from before this release hold it.
    await d.sql.execute(sql`
      INSERT INTO "Staff" ("id", "name", "role", "roomId", "active", "createdAt")
      VALUES ('s1', '调解员甲', 'mediator', NULL, 0, '2026-11-25T08:30:00.123+00:00')`);
    await d.sql.execute(sql`
      INSERT INTO "Staff" ("id", "name", "role", "active", "createdAt") VALUES ('s2', 'B', 'staff', ${true}, ${at})`);
    const rows = await d.sql.query<{ id: string; active: boolean; createdAt: Date; n: number }>(
      sql`SELECT "id", "active", "createdAt", 41 + 1 AS "n" FROM "Staff" WHERE "id" IN ('s1', 's2') ORDER BY "id"`,
    );
    expect(rows).toEqual([
      { id: "s1", active: false, createdAt: at, n: 42 },
      { id: "s2", active: true, createdAt: at, n: 42 },
    ]);
    const raw = new Database(d.file, { readonly: true });
    try {
      expect(raw.prepare(`SELECT "createdAt" FROM "Staff" WHERE "id" = 's2'`).get()).toEqual({ createdAt: "2026-11-25T08:30:00.123+00:00" });
    } finally {
      raw.close();
    }
    // A Date parameter compares with stored dates.
    const later = await d.sql.query(sql`SELECT "id" FROM "Staff" WHERE "createdAt" >= ${at} AND "id" IN ('s1', 's2') ORDER BY "id"`);
    expect(later).toEqual([{ id: "s1" }, { id: "s2" }]);
  });

  it("counts rows changed, and rows returned by RETURNING", async () => {
    expect(await d.sql.execute(notice("x"))).toBe(1);
    expect(await d.sql.execute(sql`UPDATE "Notification" SET "text" = 'y' WHERE "id" = 'nobody'`)).toBe(0);
    expect(await d.sql.execute(sql`UPDATE "Notification" SET "text" = 'y' WHERE "id" = 'x' RETURNING "id"`)).toBe(1);
  });
});

describe.runIf(onSqlite)("the gate", () => {
  it("turns a statement on the outer runner inside a transaction into an INTERNAL error instead of a hang", async () => {
    const { dir, file } = tempCopy();
    const conn = new Database(file);
    try {
      const runner = createSqliteSql(conn, new Gate(50));
      const misuse = runner.transaction(async () => runner.execute(notice("deadlock")));
      await expect(misuse).rejects.toSatisfy((e) => isAppError(e, "INTERNAL"));
      // Rolled back, and the gate is free again.
      expect(await runner.query(sql`SELECT "id" FROM "Notification"`)).toEqual([]);
      expect(await runner.execute(notice("after"))).toBe(1);
    } finally {
      conn.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lets holders in one at a time, in the order they came", async () => {
    const gate = new Gate();
    const order: string[] = [];
    const hold = (name: string, ms: number) =>
      gate.run(async () => {
        order.push(`${name}:in`);
        await pause(ms);
        order.push(`${name}:out`);
      });
    await Promise.all([hold("a", 10), hold("b", 1), hold("c", 1)]);
    expect(order).toEqual(["a:in", "a:out", "b:in", "b:out", "c:in", "c:out"]);
    expect(gate.free).toBe(true);
  });
});

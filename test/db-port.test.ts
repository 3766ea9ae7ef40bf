// The Sql port's contract (src/db/sql.ts), run against whichever database the suite runs on: SQLite by
// default, PostgreSQL with TEST_DATABASE_URL. Both implementations must pass it unchanged.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isUniqueViolation, join, sql, type Sql } from "../src/db/sql.js";
import { isAppError } from "../src/lib/errors.js";
import { createTestDb, testDatabaseKind, type TestDb } from "./support/db.js";

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const notice = (id: string, text = "") => sql`
  INSERT INTO "Notification" ("id", "dedupeKey", "kind", "text", "createdAt") VALUES (${id}, ${id}, 'test', ${text}, ${new Date()})`;

describe(`the Sql port on ${testDatabaseKind()}`, () => {
  let t: TestDb;
  let db: Sql;
  beforeEach(async () => {
    t = await createTestDb({ seed: false });
    db = t.sql;
  });
  afterEach(() => t.cleanup());

  const ids = async () => (await db.query<{ id: string }>(sql`SELECT "id" FROM "Notification" ORDER BY "createdAt", "id"`)).map((n) => n.id);

  it("says which database it is", () => {
    expect(db.kind).toBe(testDatabaseKind());
    expect(t.kind).toBe(testDatabaseKind());
  });

  it("round-trips dates, booleans, numbers, text and nulls, and counts as numbers", async () => {
    const at = new Date("2026-11-25T08:30:00.123Z");
    const name = "调解员甲 “引号” \\ ? $1 '";
    await db.execute(sql`
      INSERT INTO "Staff" ("id", "name", "role", "phone", "roomId", "active", "createdAt")
      VALUES ('s1', ${name}, 'mediator', ${null}, ${undefined}, ${false}, ${at}), ('s2', 'B', 'staff', '0571-1234', NULL, ${true}, ${new Date(at.getTime() + 1)})`);
    const rows = await db.query(sql`SELECT "id", "name", "phone", "roomId", "active", "createdAt" FROM "Staff" ORDER BY "id"`);
    expect(rows).toEqual([
      { id: "s1", name, phone: null, roomId: null, active: false, createdAt: at },
      { id: "s2", name: "B", phone: "0571-1234", roomId: null, active: true, createdAt: new Date(at.getTime() + 1) },
    ]);
    expect(rows[0]!.createdAt).toBeInstanceOf(Date);

    await db.execute(sql`INSERT INTO "CaseCounter" ("key", "seq") VALUES ('k', ${2147483647})`);
    const [n] = await db.query(sql`
      SELECT COUNT(*) AS "count", 41 + 1 AS "answer", 0.25 * 2 AS "half",
        (SELECT SUM("seq") FROM "CaseCounter") AS "sum", (SELECT AVG("seq") FROM "CaseCounter") AS "avg",
        (SELECT SUM("seq") FROM "CaseCounter" WHERE "key" = 'none') AS "nothing"
      FROM "Staff"`);
    expect(n).toEqual({ count: 2, answer: 42, half: 0.5, sum: 2147483647, avg: 2147483647, nothing: null });

    // A Date parameter compares with stored instants; a placeholder-looking literal stays text.
    expect(await db.query(sql`SELECT "id" FROM "Staff" WHERE "createdAt" > ${at} ORDER BY "id"`)).toEqual([{ id: "s2" }]);
    expect(await db.query(sql`SELECT '? $1' AS "literal", "id" FROM "Staff" WHERE "id" = ${"s1"}`)).toEqual([{ literal: "? $1", id: "s1" }]);
  });

  it("nests fragments and joins lists, values always bound", async () => {
    const where = sql`"role" IN (${join(["mediator", "staff"])}) AND "active" = ${true}`;
    await db.execute(sql`INSERT INTO "Staff" ("id", "name", "role", "active", "createdAt") VALUES ${join(
      ["a", "b", "c"].map((id, i) => sql`(${id}, ${`name ${id}`}, ${["mediator", "staff", "duty"][i]!}, ${true}, ${new Date()})`),
    )}`);
    expect(await db.query(sql`SELECT "id" FROM "Staff" WHERE ${where} ORDER BY "id"`)).toEqual([{ id: "a" }, { id: "b" }]);
    const injected = "x'); DROP TABLE \"Staff\"; --";
    expect(await db.query(sql`SELECT "id" FROM "Staff" WHERE "name" = ${injected}`)).toEqual([]);
  });

  it("counts rows changed, and rows returned by INSERT … ON CONFLICT … RETURNING", async () => {
    const bump = sql`
      INSERT INTO "CaseCounter" ("key", "seq") VALUES ('OD-1', 1)
      ON CONFLICT ("key") DO UPDATE SET "seq" = "CaseCounter"."seq" + 1
      RETURNING "seq"`;
    expect(await db.query(bump)).toEqual([{ seq: 1 }]);
    expect(await db.query(bump)).toEqual([{ seq: 2 }]);
    expect(await db.execute(bump)).toBe(1);
    const once = sql`INSERT INTO "CaseCounter" ("key", "seq") VALUES ('OD-1', 1) ON CONFLICT ("key") DO NOTHING RETURNING "seq"`;
    expect(await db.query(once)).toEqual([]);
    expect(await db.execute(notice("x"))).toBe(1);
    expect(await db.execute(sql`UPDATE "Notification" SET "text" = 'y' WHERE "id" = 'nobody'`)).toBe(0);
    expect(await db.execute(sql`UPDATE "Notification" SET "text" = 'y' WHERE "id" = 'x' RETURNING "id"`)).toBe(1);
  });

  it("commits a transaction that returns, rolls back one that throws, and passes its error on", async () => {
    expect(await db.transaction(async (tx) => (await tx.execute(notice("kept")), "done"))).toBe("done");
    const boom = new Error("no");
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(notice("lost-1"));
        await tx.execute(notice("lost-2"));
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await ids()).toEqual(["kept"]);
  });

  it("joins nested transactions to the outer one: committed together, rolled back together", async () => {
    await db.transaction(async (tx) => {
      await tx.execute(notice("outer"));
      await tx.transaction(async (inner) => {
        await inner.execute(notice("inner"));
        // The inner one sees the outer's writes: one transaction.
        expect((await inner.query(sql`SELECT "id" FROM "Notification"`)).length).toBe(2);
      });
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.transaction((inner) => inner.execute(notice("inner-lost")));
        throw new Error("outer fails");
      }),
    ).rejects.toThrow("outer fails");
    expect((await ids()).sort()).toEqual(["inner", "outer"]);
  });

  it("refuses a transaction's handle once the transaction has ended", async () => {
    let leaked: Sql | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.execute(notice("late"))).rejects.toSatisfy((e) => isAppError(e, "INTERNAL"));
    expect(await ids()).toEqual([]);
  });

  it("reports a duplicate key as a unique violation, and rolls its transaction back", async () => {
    await db.execute(notice("dup"));
    const plain = await db.execute(notice("dup")).catch((e: unknown) => e);
    expect(isUniqueViolation(plain)).toBe(true);
    expect(isAppError(plain, "CONFLICT")).toBe(true);

    const inTx = await db
      .transaction(async (tx) => {
        await tx.execute(notice("before-dup"));
        await tx.execute(notice("dup"));
      })
      .catch((e: unknown) => e);
    expect(isUniqueViolation(inTx)).toBe(true);
    expect(await ids()).toEqual(["dup"]);
    // The runner is still good.
    expect(await db.execute(notice("after"))).toBe(1);
    expect(isUniqueViolation(new Error("duplicate"))).toBe(false);
  });

  it("hides a transaction's writes from everyone else until it commits", async () => {
    let inside = false;
    const open = db.transaction(async (tx) => {
      await tx.execute(notice("uncommitted"));
      inside = true;
      await pause(50);
      throw new Error("rolled back");
    });
    while (!inside) await pause(1);
    // SQLite: this waits for the transaction to end; PostgreSQL: it reads the last committed state.
    expect(await db.query(sql`SELECT "id" FROM "Notification"`)).toEqual([]);
    await expect(open).rejects.toThrow("rolled back");
    expect(await ids()).toEqual([]);
  });

  it("runs concurrent transactions so that a counter bumped inside them hands out each number once, to committed ones only", async () => {
    await db.execute(sql`INSERT INTO "CaseCounter" ("key", "seq") VALUES ('c', 0)`);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        db.transaction(async (tx) => {
          const [row] = await tx.query<{ seq: number }>(sql`UPDATE "CaseCounter" SET "seq" = "seq" + 1 WHERE "key" = 'c' RETURNING "seq"`);
          await pause(i % 4);
          await tx.execute(notice(`n-${row!.seq}`, String(i)));
          if (i % 3 === 2) throw new Error("changed its mind");
          return row!.seq;
        }),
      ),
    );
    const committed = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
    expect(committed).toHaveLength(20);
    // Numbers of rolled-back transactions are rolled back with them: the committed ones have 1 … 20.
    expect([...committed].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await ids()).sort()).toEqual(committed.map((n) => `n-${n}`).sort());
    expect(await db.query(sql`SELECT "seq" FROM "CaseCounter" WHERE "key" = 'c'`)).toEqual([{ seq: 20 }]);
  });

  it("lets exactly one of many concurrent conditional updates claim a row", async () => {
    const now = new Date();
    await db.execute(sql`
      INSERT INTO "Job" ("id", "kind", "payload", "dueAt", "attempts", "createdAt") VALUES ('j', 'test', '{}', ${now}, 0, ${now})`);
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        db.transaction(async (tx) => {
          const changed = await tx.execute(sql`
            UPDATE "Job" SET "claimedBy" = ${`w${i}`}, "claimedAt" = ${now}, "attempts" = "attempts" + 1
            WHERE "id" = 'j' AND "claimedBy" IS NULL`);
          await pause(2);
          return changed;
        }),
      ),
    );
    expect(claims.filter((c) => c === 1)).toHaveLength(1);
    expect(await db.query(sql`SELECT "attempts" FROM "Job" WHERE "id" = 'j'`)).toEqual([{ attempts: 1 }]);
  });
});

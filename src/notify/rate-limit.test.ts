import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sql, type Sql } from "../db/sql.js";
import { ManualClock, MINUTE } from "../lib/clock.js";
import { createTestDb, type TestDb } from "../../test/support/db.js";
import { createBufferedRateLimiter, createRateLimiter } from "./rate-limit.js";

/** The database as a limiter sees it, counting its statements, and failing them while `down`. */
function watched(db: Sql) {
  const seen = { statements: 0, down: false };
  const check = () => {
    seen.statements++;
    if (seen.down) throw new Error("database unreachable");
  };
  const wrapped: Sql = {
    kind: db.kind,
    query: async (q) => (check(), db.query(q)),
    execute: async (q) => (check(), db.execute(q)),
    transaction: (work) => db.transaction(work),
  };
  return { sql: wrapped, seen };
}

describe("web-chat limits counted in the process first (createBufferedRateLimiter)", () => {
  let t: TestDb;
  const clock = new ManualClock("2026-11-23T02:00:10Z");
  // Written only when a test says so: no timer decides what a test sees.
  const never = 3_600_000;
  beforeEach(async () => {
    t = await createTestDb({ seed: false });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const perMinute = (key: string, limit: number) => [{ key, limit: { limit, windowMs: MINUTE } }];
  const stored = async (key: string) =>
    (await t.sql.query<{ count: number }>(sql`SELECT "count" FROM "RateWindow" WHERE "key" = ${key}`)).map((r) => r.count);

  it("decides as the database would, on one instance: the same takes allowed and refused as the unbuffered limiter", async () => {
    const direct = createRateLimiter(t.sql);
    const buffered = createBufferedRateLimiter(t.sql, { clock, flushMs: never });
    const limit = 10;
    const want: boolean[] = [];
    const got: boolean[] = [];
    for (let i = 0; i < 25; i++) {
      want.push((await direct.take(clock.now(), perMinute("direct", limit))) === null);
      got.push((await buffered.take(clock.now(), perMinute("buffered", limit))) === null);
      if (i === 12) await buffered.flush();
    }
    expect(got).toEqual(want);
    expect(got.filter(Boolean)).toHaveLength(limit);
    // Refused takes count too, as they do unbuffered: once written, the stored counts agree.
    await buffered.flush();
    expect(await stored("buffered")).toEqual(await stored("direct"));
    expect(await stored("buffered")).toEqual([25]);
  });

  it("writes a hundred residents' takes behind one address in a few statements, not one each", async () => {
    const db = watched(t.sql);
    const buffered = createBufferedRateLimiter(db.sql, { clock, flushMs: never });
    const address = { key: "web:addr:198.51.100.0", limit: { limit: 1000, windowMs: MINUTE } };
    // The address is seen for the first time: the database counts it at once.
    expect(await buffered.take(clock.now(), [address])).toBeNull();
    expect(db.seen.statements).toBe(1);
    for (let i = 0; i < 100; i++) expect(await buffered.take(clock.now(), [address])).toBeNull();
    expect(db.seen.statements).toBe(1);
    await buffered.flush();
    expect(db.seen.statements).toBe(2);
    expect(await stored(address.key)).toEqual([101]);
  });

  it("asks the database near the limit, so the take that fills a window is decided there", async () => {
    const db = watched(t.sql);
    const buffered = createBufferedRateLimiter(db.sql, { clock, flushMs: never });
    const results: boolean[] = [];
    for (let i = 0; i < 12; i++) results.push((await buffered.take(clock.now(), perMinute("s", 10))) === null);
    expect(results).toEqual([...Array(10).fill(true), false, false]);
    // The first (unknown), then local up to half (2 … 5), then the database for 6 … 10; past the limit, no statement.
    expect(db.seen.statements).toBe(1 + 5);
    expect(Number((await buffered.take(clock.now(), perMinute("s", 10)))?.getTime())).toBe(Date.parse("2026-11-23T02:01:00Z"));
  });

  it("shares the count between two instances: a flood spread over both gets the limit and at most half a window more", async () => {
    const a = createBufferedRateLimiter(t.sql, { clock, flushMs: never });
    const b = createBufferedRateLimiter(t.sql, { clock, flushMs: never });
    let allowed = 0;
    for (let i = 0; i < 60; i++) {
      if ((await (i % 2 ? b : a).take(clock.now(), perMinute("flood", 20))) === null) allowed++;
      // Each writes now and then, as its timer would.
      if (i % 7 === 0) await (i % 2 ? a : b).flush();
    }
    expect(allowed).toBeGreaterThanOrEqual(20);
    expect(allowed).toBeLessThanOrEqual(30);
    // Once both have written, either refuses at once.
    await Promise.all([a.flush(), b.flush()]);
    expect(await a.take(clock.now(), perMinute("flood", 20))).not.toBeNull();
    expect(await b.take(clock.now(), perMinute("flood", 20))).not.toBeNull();
  });

  it("keeps what it counted while the database is unreachable, and writes it when it is back; close writes the rest", async () => {
    const db = watched(t.sql);
    const buffered = createBufferedRateLimiter(db.sql, { clock, flushMs: never });
    await buffered.take(clock.now(), perMinute("k", 100));
    for (let i = 0; i < 9; i++) await buffered.take(clock.now(), perMinute("k", 100));
    db.seen.down = true;
    await expect(buffered.flush()).rejects.toThrow("database unreachable");
    // Decided here meanwhile, far from the limit: the resident is answered.
    expect(await buffered.take(clock.now(), perMinute("k", 100))).toBeNull();
    db.seen.down = false;
    await buffered.close();
    expect(await stored("k")).toEqual([11]);
  });

  it("starts a new window when the minute turns; what the old one counted last is still written", async () => {
    const buffered = createBufferedRateLimiter(t.sql, { clock, flushMs: never });
    for (let i = 0; i < 3; i++) await buffered.take(clock.now(), perMinute("w", 4));
    expect(await buffered.take(clock.now(), perMinute("w", 4))).toBeNull();
    expect(await buffered.take(clock.now(), perMinute("w", 4))).not.toBeNull();
    clock.advance(MINUTE);
    expect(await buffered.take(clock.now(), perMinute("w", 4))).toBeNull();
    await buffered.flush();
    const rows = await t.sql.query<{ count: number }>(sql`SELECT "count" FROM "RateWindow" WHERE "key" = 'w' ORDER BY "windowStart"`);
    expect(rows.map((r) => r.count)).toEqual([5, 1]);
  });
});

// The web session repository on a real database: what is looked up when, and what a miss costs.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createWebSessionRepository, webUserIdOf } from "../src/bot/channels/web/web-session.repository.js";
import { HOUR, MINUTE } from "../src/lib/clock.js";
import { createTestDb, type TestDb } from "./support/db.js";
import { one, sql } from "./support/query.js";

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(async () => {
  await t.cleanup();
});

describe("web sessions", () => {
  it("refreshes lastSeenAt at most hourly, and a process trusts a session it saw for that hour only", async () => {
    const sessions = createWebSessionRepository(t.sql);
    const start = new Date("2026-11-23T02:00:00Z");
    const { token, userId } = await sessions.issue(start);
    expect(await sessions.resolve(token, new Date(start.getTime() + MINUTE))).toBe(userId);
    // Gone from the database (as no real session ever is while in use): this process still knows it
    // within the hour it looked it up, and asks again after it.
    await t.sql.execute(sql`DELETE FROM "WebSession" WHERE "id" = ${userId}`);
    expect(await sessions.resolve(token, new Date(start.getTime() + 30 * MINUTE))).toBe(userId);
    expect(await sessions.resolve(token, new Date(start.getTime() + MINUTE + HOUR))).toBeNull();

    // A session this process issued is known without a lookup, for the hour after it was issued.
    const fresh = await sessions.issue(start);
    await t.sql.execute(sql`DELETE FROM "WebSession" WHERE "id" = ${fresh.userId}`);
    expect(await sessions.resolve(fresh.token, new Date(start.getTime() + 59 * MINUTE))).toBe(fresh.userId);
    expect(await sessions.resolve(fresh.token, new Date(start.getTime() + HOUR))).toBeNull();

    const again = await sessions.issue(start);
    await sessions.resolve(again.token, new Date(start.getTime() + 2 * HOUR));
    expect(await one(t.sql, sql`SELECT "lastSeenAt" FROM "WebSession" WHERE "id" = ${again.userId}`)).toEqual({
      lastSeenAt: new Date(start.getTime() + 2 * HOUR),
    });
  });

  it("never remembers a miss: a session written a moment later (by another instance) is known at once", async () => {
    const here = createWebSessionRepository(t.sql);
    const now = new Date("2026-11-23T02:00:00Z");
    const token = "token-from-another-instance-0123456789";
    expect(await here.resolve(token, now)).toBeNull();
    await t.sql.execute(sql`INSERT INTO "WebSession" ("id", "createdAt", "lastSeenAt") VALUES (${webUserIdOf(token)}, ${now}, ${now})`);
    expect(await here.resolve(token, now)).toBe(webUserIdOf(token));
  });
});

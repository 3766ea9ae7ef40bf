import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createOutageAlerts } from "../src/jobs/outage-alerts.js";
import { createOutageRepository } from "../src/jobs/outage.repository.js";
import { createBreaker, type CircuitBreaker } from "../src/lib/breaker.js";
import { createHealthRegistry } from "../src/lib/health.js";
import { silentLogger } from "../src/lib/logger.js";
import { createTestDb, type TestDb } from "./support/db.js";

/**
 * Staff hear of an outage once and of its end once, however many instances see it: which instance
 * speaks is settled by one statement on the shared database (on SQLite and on PostgreSQL).
 */
describe("outage alerts with several instances", () => {
  let t: TestDb;
  let at: number;
  const told: { key: string; kind: string; text: string }[] = [];
  beforeEach(async () => {
    t = await createTestDb();
    at = Date.parse("2026-12-02T08:00:00Z");
    told.length = 0;
  });
  afterEach(async () => {
    await t.cleanup();
  });

  /** An instance: its own breaker for Telegram, its own alerts, the shared database. */
  function instance(): { breaker: CircuitBreaker; check: () => Promise<void> } {
    const breaker = createBreaker({ name: "telegram", failureThreshold: 1, now: () => at });
    const health = createHealthRegistry();
    health.watch(breaker);
    const alerts = createOutageAlerts({
      health,
      outages: createOutageRepository(t.sql),
      alertAfterMs: 10 * 60_000,
      notify: async (n) => void told.push(n),
      logger: silentLogger,
      now: () => at,
    });
    return { breaker, check: alerts.check };
  }
  const minutes = (m: number) => void (at += m * 60_000);

  it("two instances see Telegram down and back: one alert and one recovery, then a second outage is told again", async () => {
    const a = instance();
    const b = instance();
    a.breaker.success();
    b.breaker.success();
    a.breaker.failure(new Error("ECONNREFUSED"));
    minutes(1);
    b.breaker.failure(new Error("ECONNREFUSED"));
    minutes(5);
    await Promise.all([a.check(), b.check()]);
    expect(told).toEqual([]); // not yet 10 minutes
    minutes(10);
    // Both at the same moment: one wins.
    await Promise.all([a.check(), b.check()]);
    await Promise.all([a.check(), b.check()]);
    expect(told.map((n) => n.kind)).toEqual(["outage"]);
    expect(told[0]!.text).toContain("Telegram 已中断");

    minutes(2);
    b.breaker.success();
    a.breaker.success();
    await Promise.all([a.check(), b.check()]);
    await Promise.all([a.check(), b.check()]);
    expect(told.map((n) => n.kind)).toEqual(["outage", "outage_recovered"]);
    expect(told[1]!.text).toMatch(/Telegram 已恢复（中断约 1[78] 分钟）/); // from whichever instance told: down since 08:00 or 08:01

    // A new outage is a new alert.
    minutes(60);
    a.breaker.failure(new Error("timeout"));
    b.breaker.failure(new Error("timeout"));
    minutes(11);
    await Promise.all([a.check(), b.check()]);
    expect(told.map((n) => n.kind)).toEqual(["outage", "outage_recovered", "outage"]);
  });

  it("the instance that told staff went away during the outage: one started later that reaches Telegram says it is back", async () => {
    const gone = instance();
    gone.breaker.failure(new Error("ECONNREFUSED"));
    minutes(11);
    await gone.check();
    expect(told.map((n) => n.kind)).toEqual(["outage"]);

    // A new instance starts: before it has reached Telegram it says nothing (its breaker is only "not failed yet").
    minutes(5);
    const next = instance();
    await next.check();
    expect(told).toHaveLength(1);
    next.breaker.success();
    await next.check();
    expect(told.map((n) => n.kind)).toEqual(["outage", "outage_recovered"]);
    // And the next outage is told, not swallowed by a row left open.
    minutes(30);
    next.breaker.failure(new Error("ECONNRESET"));
    minutes(11);
    await next.check();
    expect(told.map((n) => n.kind)).toEqual(["outage", "outage_recovered", "outage"]);
  });
});

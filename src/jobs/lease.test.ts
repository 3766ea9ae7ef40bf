import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sql } from "../db/sql.js";
import { ManualClock, SECOND } from "../lib/clock.js";
import { silentLogger } from "../lib/logger.js";
import { createTestDb, type TestDb } from "../../test/support/db.js";
import { enqueueJob } from "./job.repository.js";
import { createLeaseKeeper, LEASE_MS } from "./lease.js";
import { createJobWorker, type JobHandler } from "./worker.js";

/** Two instances on one database: each a worker with its own claim name, on a shared clock. */
describe("job claims across instances", () => {
  let t: TestDb;
  const clock = new ManualClock("2026-11-23T02:00:00Z");
  beforeEach(async () => {
    t = await createTestDb({ seed: false });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const worker = (owner: string, handlers: Record<string, JobHandler>) =>
    createJobWorker({ sql: t.sql, clock, logger: silentLogger, owner, handlers, maxAttempts: 3 });
  const job = (kind: string) => enqueueJob(t.sql, { kind, payload: {}, dueAt: clock.now(), dedupeKey: `${kind}:1` }, clock.now());
  const row = async (kind: string) =>
    (await t.sql.query<{ claimedBy: string | null; doneAt: Date | null; failedAt: Date | null; attempts: number }>(
      sql`SELECT "claimedBy", "doneAt", "failedAt", "attempts" FROM "Job" WHERE "dedupeKey" = ${`${kind}:1`}`,
    ))[0]!;

  it("claims only the kinds it can run: an instance without Telegram leaves Telegram's jobs alone", async () => {
    await job("telegram.update");
    const webOnly = worker("b", { "case.assigned": async () => undefined });
    expect(await webOnly.sweep()).toBe(0);
    expect(await row("telegram.update")).toMatchObject({ claimedBy: null, attempts: 0, failedAt: null });
    const withTelegram = worker("a", { "telegram.update": async () => undefined });
    expect(await withTelegram.sweep()).toBe(1);
    expect((await row("telegram.update")).doneAt).not.toBeNull();
  });

  it("lets another instance take over the work of one that died, once its lease has run out", async () => {
    await job("slow");
    // Instance a claims the job and dies in the middle of it (its handler never returns).
    const a = worker("a", { slow: () => new Promise<void>(() => undefined) });
    void a.sweep();
    await expect.poll(async () => (await row("slow")).claimedBy).toBe("a");
    const b = worker("b", { slow: async () => undefined });
    clock.advance(LEASE_MS - SECOND);
    expect(await b.sweep()).toBe(0); // a may still be alive
    clock.advance(2 * SECOND);
    expect(await b.sweep()).toBe(1); // seconds after a stopped renewing, not minutes
    expect(await row("slow")).toMatchObject({ claimedBy: "b", attempts: 2 });
    expect((await row("slow")).doneAt).not.toBeNull();
  });

  it("does not run a job twice while its holder renews the lease, however long it runs", async () => {
    await job("long");
    let release!: () => void;
    let runs = 0;
    const a = worker("a", { long: () => ((runs++), new Promise<void>((r) => (release = r))) });
    const keeper = createLeaseKeeper({ sql: t.sql, clock, logger: silentLogger, owner: "a" });
    const running = a.sweep();
    await expect.poll(() => runs).toBe(1);
    const b = worker("b", { long: async () => void runs++ });
    for (let i = 0; i < 5; i++) {
      clock.advance(LEASE_MS - SECOND);
      expect(await keeper.renew()).toBe(1); // a's heartbeat
      expect(await b.sweep()).toBe(0);
      expect(await a.sweep()).toBe(0); // and a never takes over its own claim
    }
    release();
    await running;
    expect(runs).toBe(1);
    expect((await row("long")).doneAt).not.toBeNull();
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sql } from "../db/sql.js";
import { ManualClock } from "../lib/clock.js";
import { silentLogger } from "../lib/logger.js";
import { createTestDb, testDatabaseKind, type TestDb } from "../../test/support/db.js";
import { enqueueJobs } from "./job.repository.js";
import { createJobWorker, type JobHandler } from "./worker.js";

describe("job claims on one database shared by several workers", () => {
  let t: TestDb;
  const clock = new ManualClock("2026-11-23T02:00:00Z");
  beforeEach(async () => {
    t = await createTestDb({ seed: false });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const worker = (owner: string, handlers: Record<string, JobHandler>) =>
    createJobWorker({ sql: t.sql, clock, logger: silentLogger, owner, handlers, batchSize: 5 });
  const enqueue = (n: number) =>
    enqueueJobs(
      t.sql,
      Array.from({ length: n }, (_, i) => ({ kind: "work", payload: { i }, dueAt: clock.now(), dedupeKey: `work:${i}` })),
      clock.now(),
    );

  it("runs every job once when two workers sweep at the same time", async () => {
    await enqueue(40);
    const ran: number[] = [];
    const by = { a: 0, b: 0 };
    const handler = (who: "a" | "b"): JobHandler => async (payload) => {
      ran.push(payload.i as number);
      by[who]++;
      await new Promise((r) => setImmediate(r));
    };
    const [na, nb] = await Promise.all([worker("a", { work: handler("a") }).sweep(), worker("b", { work: handler("b") }).sweep()]);
    expect(ran.sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    if (t.kind === "postgres") {
      // Each claimed its own jobs: what each says it ran is what it ran, and both took a share.
      expect([na, nb]).toEqual([by.a, by.b]);
      expect(by.a).toBeGreaterThan(0);
      expect(by.b).toBeGreaterThan(0);
    }
    const open = await t.sql.query(sql`SELECT "id" FROM "Job" WHERE "doneAt" IS NULL`);
    expect(open).toEqual([]);
  });

  it.runIf(testDatabaseKind() === "postgres")("skips a job row another worker has locked instead of waiting for it (SKIP LOCKED)", async () => {
    await enqueue(2);
    const ran: number[] = [];
    const w = worker("b", { work: async (p) => void ran.push(p.i as number) });
    const started = Date.now();
    // Another instance's claim of job 0 is in flight (its row lock held): a plain conditional UPDATE
    // would wait for that lock (up to the 10 s lock timeout); the claim goes on to the next job.
    await t.sql.transaction(async (tx) => {
      await tx.query(sql`SELECT "id" FROM "Job" WHERE "dedupeKey" = 'work:0' FOR UPDATE`);
      expect(await w.sweep()).toBe(1);
    });
    expect(ran).toEqual([1]);
    expect(Date.now() - started).toBeLessThan(2_000);
    // Once the other claim is gone, the job is there for the next sweep.
    expect(await w.sweep()).toBe(1);
    expect(ran).toEqual([1, 0]);
  });
});

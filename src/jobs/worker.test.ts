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

  it("runs different lanes side by side, each lane in order, and kinds without lanes one at a time", async () => {
    // Two chats with three updates each, and three plain jobs, all due at once.
    await enqueueJobs(
      t.sql,
      [
        ...[0, 1, 2].flatMap((i) => ["x", "y"].map((chat) => ({ kind: "update", payload: { chat, i }, dueAt: clock.now(), dedupeKey: `u:${chat}:${i}` }))),
        ...[0, 1, 2].map((i) => ({ kind: "plain", payload: { i }, dueAt: clock.now(), dedupeKey: `p:${i}` })),
      ],
      clock.now(),
    );
    const order: Record<string, number[]> = { x: [], y: [] };
    const running = { update: new Set<string>(), plain: 0, plainMax: 0, lanesAtOnce: 0 };
    let bothStarted!: () => void;
    const overlap = new Promise<void>((r) => (bothStarted = r));
    const w = createJobWorker({
      sql: t.sql,
      clock,
      logger: silentLogger,
      owner: "a",
      concurrency: 4,
      lanes: { update: (p) => p.chat as string },
      handlers: {
        update: async (p) => {
          const chat = p.chat as string;
          expect(running.update.has(chat)).toBe(false); // never two of one chat at once
          running.update.add(chat);
          running.lanesAtOnce = Math.max(running.lanesAtOnce, running.update.size);
          order[chat]!.push(p.i as number);
          if (running.update.size === 2) bothStarted();
          // The first update of each chat waits until the other chat's has begun: it only can side by side.
          if (p.i === 0) await Promise.race([overlap, new Promise((_, no) => setTimeout(() => no(new Error("lanes ran one at a time")), 5_000))]);
          await new Promise((r) => setImmediate(r));
          running.update.delete(chat);
        },
        plain: async () => {
          running.plain++;
          running.plainMax = Math.max(running.plainMax, running.plain);
          await new Promise((r) => setImmediate(r));
          running.plain--;
        },
      },
    });
    await w.sweep();
    expect(order).toEqual({ x: [0, 1, 2], y: [0, 1, 2] });
    expect(running.lanesAtOnce).toBe(2);
    expect(running.plainMax).toBe(1);
    expect(await t.sql.query(sql`SELECT "dedupeKey", "lastError" FROM "Job" WHERE "doneAt" IS NULL`)).toEqual([]);
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

import os from "node:os";
import type { Db } from "../db/client.js";
import type { Clock } from "../lib/clock.js";
import { MINUTE, HOUR } from "../lib/clock.js";
import type { Logger } from "../lib/logger.js";
import { newId } from "../lib/ids.js";

export interface JobContext {
  jobId: string;
  attempt: number;
  now: Date;
}

/** A job handler must be idempotent: a crash after its effect and before `doneAt` runs it again. */
export type JobHandler = (payload: Record<string, unknown>, ctx: JobContext) => Promise<void>;

export interface JobWorkerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  handlers: Record<string, JobHandler>;
  pollMs?: number;
  /** A claim older than this is presumed dead (its process crashed) and may be taken over. */
  leaseMs?: number;
  maxAttempts?: number;
  batchSize?: number;
}

export interface JobWorker {
  /** Claims and runs every job due now; returns how many ran. Safe to call concurrently and from several processes. */
  sweep(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
  /** Run a sweep soon (a job due now was just enqueued). */
  kick(): void;
}

export function backoffMs(attempt: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempt - 1), HOUR);
}

export function createJobWorker(deps: JobWorkerDeps): JobWorker {
  const { db, clock, logger, handlers } = deps;
  const workerId = `${os.hostname()}:${process.pid}:${newId().slice(0, 8)}`;
  const pollMs = deps.pollMs ?? 1000;
  const leaseMs = deps.leaseMs ?? 5 * MINUTE;
  const maxAttempts = deps.maxAttempts ?? 8;
  const batchSize = deps.batchSize ?? 20;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = true;

  // The worker's statements are raw SQL: they run for every job (several per case), and a model
  // query costs several times more in Prisma's query compiler. Portable to PostgreSQL as written.
  async function claim(id: string, now: Date): Promise<boolean> {
    // A conditional update is the claim: of two sweeps racing for a row, exactly one changes it.
    const changed = await db.$executeRaw`
      UPDATE "Job" SET "claimedAt" = ${now}, "claimedBy" = ${workerId}, "attempts" = "attempts" + 1
      WHERE "id" = ${id} AND "doneAt" IS NULL AND "failedAt" IS NULL AND "dueAt" <= ${now}
        AND ("claimedAt" IS NULL OR "claimedAt" < ${new Date(now.getTime() - leaseMs)})`;
    return changed === 1;
  }

  async function runOne(job: { id: string; kind: string; payload: string; attempts: number | bigint }): Promise<void> {
    const now = clock.now();
    if (!(await claim(job.id, now))) return;
    const attempt = Number(job.attempts) + 1;
    const handler = handlers[job.kind];
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      await handler(JSON.parse(job.payload) as Record<string, unknown>, { jobId: job.id, attempt, now });
      await db.$executeRaw`UPDATE "Job" SET "doneAt" = ${clock.now()}, "lastError" = NULL WHERE "id" = ${job.id}`;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const giveUp = attempt >= maxAttempts || !handler;
      logger.warn({ jobId: job.id, kind: job.kind, attempt, err: message, giveUp }, "job failed");
      await db.job.update({
        where: { id: job.id },
        data: giveUp
          ? { failedAt: clock.now(), lastError: message }
          : { claimedAt: null, claimedBy: null, lastError: message, dueAt: new Date(clock.now().getTime() + backoffMs(attempt)) },
      });
    }
  }

  async function sweepOnce(): Promise<number> {
    const now = clock.now();
    const due = await db.$queryRaw<{ id: string; kind: string; payload: string; attempts: number | bigint }[]>`
      SELECT "id", "kind", "payload", "attempts" FROM "Job"
      WHERE "doneAt" IS NULL AND "failedAt" IS NULL AND "dueAt" <= ${now}
        AND ("claimedAt" IS NULL OR "claimedAt" < ${new Date(now.getTime() - leaseMs)})
      ORDER BY "dueAt" LIMIT ${batchSize}`;
    for (const job of due) await runOne(job);
    return due.length;
  }

  async function sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await sweepOnce();
      total += n;
      if (n < batchSize) return total;
    }
  }

  function schedule(delay: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(tick, delay);
    timer.unref?.();
  }

  function tick(): void {
    if (running) return;
    running = sweep()
      .catch((err) => {
        logger.error({ err }, "job sweep failed");
        return 0;
      })
      .finally(() => {
        running = undefined;
        schedule(pollMs);
      });
  }

  return {
    sweep,
    start() {
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
    kick() {
      if (!stopped && !running) schedule(0);
    },
  };
}

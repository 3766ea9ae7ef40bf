import { join, sql, type Sql } from "../db/sql.js";
import type { Clock } from "../lib/clock.js";
import { HOUR } from "../lib/clock.js";
import type { Logger } from "../lib/logger.js";
import { LEASE_MS, processOwner } from "./lease.js";

export interface JobContext {
  jobId: string;
  attempt: number;
  now: Date;
}

/** A job handler must be idempotent: a crash after its effect and before `doneAt` runs it again. */
export type JobHandler = (payload: Record<string, unknown>, ctx: JobContext) => Promise<void>;

export interface JobWorkerDeps {
  sql: Sql;
  clock: Clock;
  logger: Logger;
  /** The kinds this worker can run; it claims no other (an instance without Telegram leaves Telegram's jobs). */
  handlers: Record<string, JobHandler>;
  /** This process's claim name (see lease.ts); its LeaseKeeper renews the claims while they run. */
  owner?: string;
  pollMs?: number;
  /** A claim not renewed for this long belongs to a process that died and may be taken over. */
  leaseMs?: number;
  maxAttempts?: number;
  batchSize?: number;
  /**
   * Which jobs may run side by side. Jobs of one lane run one after another in the order they were
   * claimed; different lanes run at once, up to `concurrency`. Every kind without an entry shares one
   * lane (one job at a time, in due order). Telegram updates: a lane per chat, so a dead instance's
   * backlog drains several chats at a time and each chat's messages stay in order.
   */
  lanes?: Record<string, (payload: Record<string, unknown>) => string | undefined>;
  /** Jobs running at once, across lanes (default 4). */
  concurrency?: number;
}

export interface JobWorker {
  /** Claims and runs every job due now; returns how many ran. Safe to call concurrently and from several processes. */
  sweep(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
  /** Run a sweep soon (a job due now was just enqueued). */
  kick(): void;
}

interface JobRow {
  id: string;
  kind: string;
  payload: string;
  attempts: number;
}

export function backoffMs(attempt: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempt - 1), HOUR);
}

export async function markJobDone(db: Sql, jobId: string, now: Date): Promise<void> {
  await db.execute(sql`UPDATE "Job" SET "doneAt" = ${now}, "lastError" = NULL WHERE "id" = ${jobId}`);
}

/** Gives a failed job back to the sweep, to run again at `dueAt`. */
export async function releaseJob(db: Sql, jobId: string, error: string, dueAt: Date): Promise<void> {
  await db.execute(sql`
    UPDATE "Job" SET "claimedAt" = NULL, "claimedBy" = NULL, "lastError" = ${error}, "dueAt" = ${dueAt}
    WHERE "id" = ${jobId}`);
}

export function createJobWorker(deps: JobWorkerDeps): JobWorker {
  const { sql: db, clock, logger, handlers } = deps;
  const workerId = deps.owner ?? processOwner("worker");
  const pollMs = deps.pollMs ?? 1000;
  const leaseMs = deps.leaseMs ?? LEASE_MS;
  const kinds = Object.keys(handlers);
  const maxAttempts = deps.maxAttempts ?? 8;
  const batchSize = deps.batchSize ?? 20;
  const concurrency = Math.max(1, deps.concurrency ?? 4);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = true;

  // Plain SQL: these run for every job (several per case).
  async function claim(id: string, now: Date): Promise<boolean> {
    // A conditional update is the claim: of two sweeps racing for a row, exactly one changes it. A lease
    // of our own is never taken over: that work is still running here (its lease keeper renews it).
    const changed = await db.execute(sql`
      UPDATE "Job" SET "claimedAt" = ${now}, "claimedBy" = ${workerId}, "attempts" = "attempts" + 1
      WHERE "id" = ${id} AND "doneAt" IS NULL AND "failedAt" IS NULL AND "dueAt" <= ${now}
        AND ("claimedAt" IS NULL OR ("claimedAt" < ${new Date(now.getTime() - leaseMs)} AND "claimedBy" <> ${workerId}))`);
    return changed === 1;
  }


  async function run(job: JobRow, now: Date): Promise<void> {
    const attempt = job.attempts;
    const handler = handlers[job.kind];
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      await handler(JSON.parse(job.payload) as Record<string, unknown>, { jobId: job.id, attempt, now });
      await markJobDone(db, job.id, clock.now());
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const giveUp = attempt >= maxAttempts || !handler;
      logger.warn({ jobId: job.id, kind: job.kind, attempt, err: message, giveUp }, "job failed");
      if (giveUp) await db.execute(sql`UPDATE "Job" SET "failedAt" = ${clock.now()}, "lastError" = ${message} WHERE "id" = ${job.id}`);
      else await releaseJob(db, job.id, message, new Date(clock.now().getTime() + backoffMs(attempt)));
    }
  }

  /**
   * PostgreSQL: the next due job, claimed in one statement. Rows another worker is claiming are skipped,
   * not waited for (`SKIP LOCKED`), so workers on several instances each take a different job instead
   * of queueing on the same row. Returns the row as claimed (`attempts` already counts this run).
   */
  async function claimNext(now: Date): Promise<JobRow | undefined> {
    const rows = await db.query<JobRow>(sql`
      UPDATE "Job" SET "claimedAt" = ${now}, "claimedBy" = ${workerId}, "attempts" = "attempts" + 1
      WHERE "id" = (
        SELECT "id" FROM "Job"
        WHERE "doneAt" IS NULL AND "failedAt" IS NULL AND "dueAt" <= ${now} AND "kind" IN (${join(kinds)})
          AND ("claimedAt" IS NULL OR ("claimedAt" < ${new Date(now.getTime() - leaseMs)} AND "claimedBy" <> ${workerId}))
        ORDER BY "dueAt" LIMIT 1
        FOR UPDATE SKIP LOCKED)
      RETURNING "id", "kind", "payload", "attempts"`);
    return rows[0];
  }

  function laneOf(job: JobRow): string {
    const lane = deps.lanes?.[job.kind];
    if (!lane) return "";
    try {
      return `${job.kind}:${lane(JSON.parse(job.payload) as Record<string, unknown>) ?? job.id}`;
    } catch {
      return "";
    }
  }

  type Claimed = { job: JobRow };

  /**
   * Runs claimed jobs with up to `concurrency` runners. Claims are taken one at a time, and each is
   * queued behind its lane's last job in the same step, so a lane's jobs start in claim (due) order.
   */
  async function runClaimed(take: () => Promise<Claimed | undefined>): Promise<void> {
    const tails = new Map<string, Promise<void>>();
    let claiming: Promise<unknown> = Promise.resolve();
    const next = (): Promise<{ done: Promise<void> } | undefined> => {
      const step = claiming.then(async () => {
        const claimed = await take();
        if (!claimed) return undefined;
        const lane = laneOf(claimed.job);
        const done = (tails.get(lane) ?? Promise.resolve()).then(() => run(claimed.job, clock.now()));
        const tail = done.catch(() => undefined);
        tails.set(lane, tail);
        void tail.finally(() => tails.get(lane) === tail && tails.delete(lane));
        return { done };
      });
      claiming = step.catch(() => undefined);
      return step;
    };
    const runners = await Promise.allSettled(
      Array.from({ length: concurrency }, async () => {
        for (let claimed = await next(); claimed; claimed = await next()) {
          await claimed.done;
          // On SQLite every statement resolves at once, so a sweep of thousands of jobs would never give
          // timers and sockets a turn: the dispatcher's sends waited until the whole sweep was over.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }),
    );
    const failed = runners.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  async function sweepOnce(): Promise<number> {
    if (kinds.length === 0) return 0;
    if (db.kind === "postgres") {
      let taken = 0;
      let drained = false;
      await runClaimed(async () => {
        if (drained || taken >= batchSize) return undefined;
        const job = await claimNext(clock.now());
        if (!job) {
          drained = true;
          return undefined;
        }
        taken++;
        return { job };
      });
      return taken;
    }
    // SQLite has one writer: read the due jobs, then claim each with a conditional update.
    const now = clock.now();
    const due = await db.query<JobRow>(sql`
      SELECT "id", "kind", "payload", "attempts" FROM "Job"
      WHERE "doneAt" IS NULL AND "failedAt" IS NULL AND "dueAt" <= ${now} AND "kind" IN (${join(kinds)})
        AND ("claimedAt" IS NULL OR ("claimedAt" < ${new Date(now.getTime() - leaseMs)} AND "claimedBy" <> ${workerId}))
      ORDER BY "dueAt" LIMIT ${batchSize}`);
    let i = 0;
    await runClaimed(async () => {
      for (let job = due[i++]; job; job = due[i++]) {
        const at = clock.now();
        if (await claim(job.id, at)) return { job: { ...job, attempts: job.attempts + 1 } };
      }
      return undefined;
    });
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

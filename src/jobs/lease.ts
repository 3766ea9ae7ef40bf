import os from "node:os";
import { sql, type Sql } from "../db/sql.js";
import type { Clock } from "../lib/clock.js";
import { newId } from "../lib/ids.js";
import type { Logger } from "../lib/logger.js";

/**
 * A claim on a job (a sweep's, or a webhook update being handled) is a lease: its holder renews it
 * while the work runs, and a lease not renewed for this long belongs to a process that died, so
 * another may take the work over. Seconds, not minutes: a crashed instance's updates are picked up
 * almost at once.
 */
export const LEASE_MS = 15_000;
export const HEARTBEAT_MS = 5_000;

/** Who holds a claim: unique per process start, so a restarted process never mistakes old claims for its own. */
export function processOwner(role = "onedoor"): string {
  return `${role}:${os.hostname()}:${process.pid}:${newId().slice(-12)}`;
}

export interface LeaseKeeper {
  owner: string;
  /** Renews every lease this process holds (one statement a table, whatever the number of claims). */
  renew(): Promise<number>;
  start(): void;
  stop(): void;
}

export function createLeaseKeeper(deps: { sql: Sql; clock: Clock; logger: Logger; owner: string; heartbeatMs?: number }): LeaseKeeper {
  let timer: NodeJS.Timeout | undefined;
  const renew = async () => {
    const now = deps.clock.now();
    const jobs = await deps.sql.execute(sql`
      UPDATE "Job" SET "claimedAt" = ${now}
      WHERE "claimedBy" = ${deps.owner} AND "claimedAt" IS NOT NULL AND "doneAt" IS NULL AND "failedAt" IS NULL`);
    // Messages on their way (notify/dispatcher.ts): a send held up by the channel is not mistaken for a crash.
    const sending = await deps.sql.execute(sql`
      UPDATE "Delivery" SET "claimedAt" = ${now} WHERE "claimedBy" = ${deps.owner} AND "state" = 'sending'`);
    return jobs + sending;
  };
  return {
    owner: deps.owner,
    renew,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        renew().catch((err: unknown) => deps.logger.warn({ err: (err as Error).message }, "could not renew job leases"));
      }, deps.heartbeatMs ?? HEARTBEAT_MS);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

/**
 * On stop, after the grace period: the jobs this process still holds go back to the queue at once
 * (their handlers are idempotent, so one cut off half-way runs again safely), rather than wait out a
 * lease; a delivery still marked as being sent may have arrived, so it is recorded as failed, as after
 * a crash, never sent twice.
 */
export async function releaseClaims(db: Sql, owner: string, now: Date): Promise<number> {
  const jobs = await db.execute(sql`
    UPDATE "Job" SET "claimedAt" = NULL, "claimedBy" = NULL, "attempts" = "attempts" - 1
    WHERE "claimedBy" = ${owner} AND "claimedAt" IS NOT NULL AND "doneAt" IS NULL AND "failedAt" IS NULL`);
  const sends = await db.execute(sql`
    UPDATE "Delivery" SET "state" = 'failed', "error" = 'interrupted while sending (process stopped); may have arrived',
      "retryable" = ${false}, "failedAt" = ${now}, "claimedBy" = NULL, "claimedAt" = NULL
    WHERE "claimedBy" = ${owner} AND "state" = 'sending'`);
  return jobs + sends;
}

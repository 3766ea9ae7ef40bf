import { sql, type Sql } from "../db/sql.js";
import { DAY, HOUR } from "../lib/clock.js";
import { endOfLocalDay, localDateStamp } from "../lib/time.js";
import { enqueueJob } from "./job.repository.js";
import type { JobHandler } from "./worker.js";

export const PRUNE = "maintenance.prune";

/** How long finished jobs are kept: long enough to recognise a redelivered update and to look into a run. */
export const RETENTION = {
  doneJobsMs: 30 * DAY,
  /** A web chat session never used for a message: a page opened and left (or a flood's). */
  unusedWebSessionsMs: 2 * DAY,
  /** Rate windows: longer than the longest window anyone counts in (a day). */
  rateWindowsMs: 2 * DAY,
};

/** The next run: 03:00 in the centre's zone, after the night's traffic. */
function nextRun(zone: string, now: Date): Date {
  return new Date(endOfLocalDay(zone, now).getTime() + 1 + 3 * HOUR);
}

/** Schedules the nightly clean-up if it is not scheduled yet (safe to call at every start). */
export async function schedulePrune(db: Sql, zone: string, now: Date): Promise<void> {
  const at = nextRun(zone, now);
  await enqueueJob(db, { kind: PRUNE, payload: {}, dueAt: at, dedupeKey: `prune:${localDateStamp(zone, at)}` }, now);
}

/**
 * Deletes finished jobs past their retention, web sessions never used, and rate windows long over,
 * then schedules tomorrow's run. Failed jobs wait for a person; cases, audit events, notifications,
 * deliveries and transcripts are records of the centre, never pruned.
 */
export function createPruneHandler(deps: { sql: Sql; zone: string }): JobHandler {
  return async (_payload, ctx) => {
    const cutoff = new Date(ctx.now.getTime() - RETENTION.doneJobsMs);
    await deps.sql.execute(sql`DELETE FROM "Job" WHERE "doneAt" < ${cutoff}`);
    // A session is the web resident's identity once it has a conversation: those are kept.
    const unused = new Date(ctx.now.getTime() - RETENTION.unusedWebSessionsMs);
    await deps.sql.execute(sql`
      DELETE FROM "WebSession" WHERE "createdAt" < ${unused}
        AND NOT EXISTS (SELECT 1 FROM "Conversation" AS c WHERE c."channel" = 'web' AND c."userId" = "WebSession"."id")`);
    await deps.sql.execute(sql`DELETE FROM "RateWindow" WHERE "windowStart" < ${new Date(ctx.now.getTime() - RETENTION.rateWindowsMs)}`);
    await schedulePrune(deps.sql, deps.zone, ctx.now);
  };
}

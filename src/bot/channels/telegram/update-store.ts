import { sql, type Sql } from "../../../db/sql.js";
import type { Clock } from "../../../lib/clock.js";
import { newId } from "../../../lib/ids.js";
import { backoffMs, markJobDone, releaseJob } from "../../../jobs/worker.js";

export const TELEGRAM_UPDATE_JOB = "telegram.update";

/**
 * Updates are written down before Telegram is answered: a Job row keyed by the update id, so a
 * redelivery is recognised, and a crash after the answer loses nothing (the job sweep finishes the row).
 * The row is written already claimed by this process when it will handle the update at once, so the
 * sweep leaves it alone unless this process dies (the worker's lease then lets another take it over).
 */
export function createUpdateStore(deps: { sql: Sql; clock: Clock; botId: string; owner: string }) {
  const { sql: db, clock } = deps;
  return {
    /** The job id, or null when this update was stored before (a redelivery). */
    async persist(update: { update_id: number }, claim: boolean): Promise<string | null> {
      const now = clock.now();
      const id = newId();
      // ON CONFLICT makes a redelivery a no-op, not an error.
      const inserted = await db.execute(sql`
        INSERT INTO "Job" ("id", "kind", "payload", "dedupeKey", "dueAt", "claimedAt", "claimedBy", "attempts", "createdAt")
        VALUES (${id}, ${TELEGRAM_UPDATE_JOB}, ${JSON.stringify({ update })}, ${`telegram:${deps.botId}:${update.update_id}`},
                ${now}, ${claim ? now : null}, ${claim ? deps.owner : null}, ${claim ? 1 : 0}, ${now})
        ON CONFLICT ("dedupeKey") DO NOTHING`);
      return inserted === 1 ? id : null;
    },

    done: (jobId: string): Promise<void> => markJobDone(db, jobId, clock.now()),

    /** Hands a failed update to the job sweep, which retries it with back-off. */
    release: (jobId: string, error: string): Promise<void> =>
      releaseJob(db, jobId, error, new Date(clock.now().getTime() + backoffMs(1))),
  };
}

export type UpdateStore = ReturnType<typeof createUpdateStore>;

import type { Db } from "../../../db/client.js";
import type { Clock } from "../../../lib/clock.js";
import { newId } from "../../../lib/ids.js";
import { backoffMs } from "../../../jobs/worker.js";

export const TELEGRAM_UPDATE_JOB = "telegram.update";

/**
 * Updates are written down before Telegram is answered: a Job row keyed by the update id, so a
 * redelivery is recognised, and a crash after the answer loses nothing (the job sweep finishes the row).
 * The row is written already claimed by this process when it will handle the update at once, so the
 * sweep leaves it alone unless this process dies (the worker's lease then lets another take it over).
 */
export function createUpdateStore(deps: { db: Db; clock: Clock; botId: string; owner: string }) {
  const { db, clock } = deps;
  return {
    /** The job id, or null when this update was stored before (a redelivery). */
    async persist(update: { update_id: number }, claim: boolean): Promise<string | null> {
      const now = clock.now();
      const id = newId();
      // Raw SQL: this is on every webhook call, and ON CONFLICT makes a redelivery a no-op, not an error.
      const inserted = await db.$executeRaw`
        INSERT INTO "Job" ("id", "kind", "payload", "dedupeKey", "dueAt", "claimedAt", "claimedBy", "attempts", "createdAt")
        VALUES (${id}, ${TELEGRAM_UPDATE_JOB}, ${JSON.stringify({ update })}, ${`telegram:${deps.botId}:${update.update_id}`},
                ${now}, ${claim ? now : null}, ${claim ? deps.owner : null}, ${claim ? 1 : 0}, ${now})
        ON CONFLICT ("dedupeKey") DO NOTHING`;
      return inserted === 1 ? id : null;
    },

    async done(jobId: string): Promise<void> {
      await db.$executeRaw`UPDATE "Job" SET "doneAt" = ${clock.now()}, "lastError" = NULL WHERE "id" = ${jobId}`;
    },

    /** Hands a failed update to the job sweep, which retries it with back-off. */
    async release(jobId: string, error: string): Promise<void> {
      await db.job.update({
        where: { id: jobId },
        data: { claimedAt: null, claimedBy: null, lastError: error, dueAt: new Date(clock.now().getTime() + backoffMs(1)) },
      });
    },
  };
}

export type UpdateStore = ReturnType<typeof createUpdateStore>;

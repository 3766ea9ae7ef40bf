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
      try {
        await db.job.create({
          data: {
            id,
            kind: TELEGRAM_UPDATE_JOB,
            payload: JSON.stringify({ update }),
            dedupeKey: `telegram:${deps.botId}:${update.update_id}`,
            dueAt: now,
            claimedAt: claim ? now : null,
            claimedBy: claim ? deps.owner : null,
            attempts: claim ? 1 : 0,
            createdAt: now,
          },
        });
        return id;
      } catch (err) {
        if ((err as { code?: string }).code === "P2002") return null;
        throw err;
      }
    },

    async done(jobId: string): Promise<void> {
      await db.job.update({ where: { id: jobId }, data: { doneAt: clock.now(), lastError: null } });
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

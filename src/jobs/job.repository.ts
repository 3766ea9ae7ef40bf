import type { DbOrTx } from "../db/client.js";
import { newId } from "../lib/ids.js";

export interface JobInput {
  kind: string;
  payload: Record<string, unknown>;
  dueAt: Date;
  /** Same key twice → one job. Use it for anything a retry or a second process might schedule again. */
  dedupeKey?: string;
}

/**
 * Schedules a job, joining the caller's transaction when given one, so a case and the reminders it
 * needs are committed together or not at all.
 */
export async function enqueueJob(db: DbOrTx, job: JobInput, now: Date): Promise<void> {
  const data = {
    id: newId(),
    kind: job.kind,
    payload: JSON.stringify(job.payload),
    dueAt: job.dueAt,
    dedupeKey: job.dedupeKey ?? null,
    createdAt: now,
  };
  if (!job.dedupeKey) {
    await db.job.create({ data });
    return;
  }
  await db.job.upsert({ where: { dedupeKey: job.dedupeKey }, create: data, update: {} });
}

import { join, sql, type Sql } from "../db/sql.js";
import { newId } from "../lib/ids.js";
import { JOBS_CHANNEL, notifyJobsDue } from "./wake-up.js";

export interface JobInput {
  kind: string;
  payload: Record<string, unknown>;
  dueAt: Date;
  /** Same key twice → one job. Use it for anything a retry or a second process might schedule again. */
  dedupeKey?: string;
}

/**
 * Schedules jobs in one statement, joining the caller's transaction when given one, so a case and
 * the reminders it needs are committed together or not at all. A job whose dedupe key exists already
 * is skipped (ON CONFLICT DO NOTHING: the same in SQLite and PostgreSQL).
 */
export async function enqueueJobs(db: Sql, jobs: JobInput[], now: Date): Promise<void> {
  if (jobs.length === 0) return;
  const values = join(
    jobs.map(
      (j) =>
        sql`(${newId()}, ${j.kind}, ${JSON.stringify(j.payload)}, ${j.dedupeKey ?? null}, ${j.dueAt}, 0, ${now})`,
    ),
  );
  const insert = sql`
    INSERT INTO "Job" ("id", "kind", "payload", "dedupeKey", "dueAt", "attempts", "createdAt")
    VALUES ${values}
    ON CONFLICT ("dedupeKey") DO NOTHING`;
  // Another instance may be the one that runs them (it has the channel this one has not).
  const due = jobs.some((j) => j.dueAt.getTime() <= now.getTime());
  if (due && db.kind === "postgres") {
    // The rows and the wake-up in one round trip (a data-modifying CTE runs whether or not it is read).
    await db.query(sql`WITH "inserted" AS (${insert}) SELECT pg_notify(${JOBS_CHANNEL}, '') AS "notified"`);
    return;
  }
  await db.execute(insert);
  if (due) await notifyJobsDue(db);
}

export function enqueueJob(db: Sql, job: JobInput, now: Date): Promise<void> {
  return enqueueJobs(db, [job], now);
}

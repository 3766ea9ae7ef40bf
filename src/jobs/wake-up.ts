import pg from "pg";
import { sql, type Sql } from "../db/sql.js";
import type { Logger } from "../lib/logger.js";

/**
 * PostgreSQL only: a job enqueued on one instance wakes the workers of every instance at once, instead
 * of waiting for their next poll (JOB_POLL_MS). The poll stays: a notification missed while a listener
 * reconnects only costs that wait.
 */
export const JOBS_CHANNEL = "onedoor_jobs";

/** Tells the listeners that jobs are due; inside a transaction, they hear it when it commits. */
export async function notifyJobsDue(db: Sql): Promise<void> {
  if (db.kind !== "postgres") return;
  await db.execute(sql`SELECT pg_notify(${JOBS_CHANNEL}, '')`);
}

export interface JobListener {
  close(): Promise<void>;
}

/** One connection of its own (LISTEN holds it), reopened with back-off when it drops. */
export function listenForJobs(deps: { url: string; logger: Logger; onWake: () => void }): JobListener {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let failures = 0;

  async function connect(): Promise<void> {
    if (closed) return;
    const c = new pg.Client({ connectionString: deps.url, application_name: "onedoor-listen" });
    client = c;
    c.on("notification", () => deps.onWake());
    c.on("error", (err) => reconnect(c, err));
    c.on("end", () => reconnect(c));
    try {
      await c.connect();
      await c.query(`LISTEN ${JOBS_CHANNEL}`);
      failures = 0;
      // Jobs may have been enqueued while no one listened.
      deps.onWake();
    } catch (err) {
      reconnect(c, err as Error);
    }
  }

  function reconnect(c: pg.Client, err?: Error): void {
    if (closed || client !== c) return;
    client = undefined;
    c.end().catch(() => undefined);
    failures++;
    deps.logger.warn({ err: err?.message }, "job wake-up connection lost; polling until it is back");
    retry = setTimeout(() => void connect(), Math.min(500 * 2 ** failures, 30_000));
    retry.unref();
  }

  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}

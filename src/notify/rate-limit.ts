import { join, sql, type Sql } from "../db/sql.js";

/** At most `limit` events per window of `windowMs`. */
export interface WindowLimit {
  limit: number;
  windowMs: number;
}

/**
 * Fixed-window counters in the database, so every instance counts against the same limit: two instances
 * together still send Telegram at most 30 messages a second. One upsert an event, whatever the number of
 * limits, portable to SQLite and PostgreSQL; a refused event still counts (the window is full anyway),
 * and old windows are pruned.
 */
export function createRateLimiter(db: Sql) {
  return {
    /**
     * Takes `n` events under every limit at once, in one statement (each limit its own counter row).
     * Returns null when all allowed them, or the time the last full window ends (wait until then and
     * try again). `refundRefused`: a refused take is given back to every window, so a sender that
     * waits its turn (the dispatcher) does not use up a chat's allowance while the global one is full;
     * without it, a refused request still counts (a client hammering a limit stays refused).
     */
    async take(now: Date, limits: { key: string; limit: WindowLimit }[], n = 1, opts: { refundRefused?: boolean } = {}): Promise<Date | null> {
      if (limits.length === 0) return null;
      const windows = limits.map(({ key, limit }) => ({ key, limit, start: Math.floor(now.getTime() / limit.windowMs) * limit.windowMs }));
      const rows = await db.query<{ key: string; count: number }>(sql`
        INSERT INTO "RateWindow" ("key", "windowStart", "count")
        VALUES ${join(windows.map((w) => sql`(${w.key}, ${new Date(w.start)}, ${n})`))}
        ON CONFLICT ("key", "windowStart") DO UPDATE SET "count" = "RateWindow"."count" + excluded."count"
        RETURNING "key", "count"`);
      const counts = new Map(rows.map((r) => [r.key, r.count]));
      let until: number | null = null;
      for (const w of windows) {
        if ((counts.get(w.key) ?? 0) > w.limit.limit) until = Math.max(until ?? 0, w.start + w.limit.windowMs);
      }
      if (until === null) return null;
      if (opts.refundRefused) {
        await db.execute(sql`
          UPDATE "RateWindow" SET "count" = "count" - ${n}
          WHERE ${join(windows.map((w) => sql`("key" = ${w.key} AND "windowStart" = ${new Date(w.start)})`), " OR ")}`);
      }
      return new Date(until);
    },
    /** Windows that ended before `before`: nothing reads them again. */
    prune: (before: Date) => db.execute(sql`DELETE FROM "RateWindow" WHERE "windowStart" < ${before}`),
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

import { sql, type Sql } from "../db/sql.js";

/** At most `limit` events per window of `windowMs`. */
export interface WindowLimit {
  limit: number;
  windowMs: number;
}

/**
 * Fixed-window counters in the database, so every instance counts against the same limit: two instances
 * together still send Telegram at most 30 messages a second. One upsert an event, portable to SQLite
 * and PostgreSQL; a refused event still counts (the window is full anyway), and old windows are pruned.
 */
export function createRateLimiter(db: Sql) {
  async function count(key: string, windowStart: Date, by: number): Promise<number> {
    const [row] = await db.query<{ count: number }>(sql`
      INSERT INTO "RateWindow" ("key", "windowStart", "count") VALUES (${key}, ${windowStart}, ${by})
      ON CONFLICT ("key", "windowStart") DO UPDATE SET "count" = "RateWindow"."count" + ${by}
      RETURNING "count"`);
    return row!.count;
  }

  return {
    /**
     * Takes `n` events under every limit in order. Returns null when all allowed them, or the time the
     * first full window ends (wait until then and try again).
     */
    async take(now: Date, limits: { key: string; limit: WindowLimit }[], n = 1): Promise<Date | null> {
      for (const { key, limit } of limits) {
        const start = Math.floor(now.getTime() / limit.windowMs) * limit.windowMs;
        const total = await count(key, new Date(start), n);
        if (total > limit.limit) return new Date(start + limit.windowMs);
      }
      return null;
    },
    /** Windows that ended before `before`: nothing reads them again. */
    prune: (before: Date) => db.execute(sql`DELETE FROM "RateWindow" WHERE "windowStart" < ${before}`),
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

import { join, sql, type Sql } from "../db/sql.js";

/** At most `limit` events per window of `windowMs`. */
export interface WindowLimit {
  limit: number;
  windowMs: number;
}

const windowStart = (at: number, windowMs: number) => Math.floor(at / windowMs) * windowMs;

/** Adds to each window's counter in one statement (the keys distinct); the counts after it, by key. */
async function addToWindows(db: Sql, windows: { key: string; start: number; n: number }[]): Promise<Map<string, number>> {
  const rows = await db.query<{ key: string; count: number }>(sql`
    INSERT INTO "RateWindow" ("key", "windowStart", "count")
    VALUES ${join(windows.map((w) => sql`(${w.key}, ${new Date(w.start)}, ${w.n})`))}
    ON CONFLICT ("key", "windowStart") DO UPDATE SET "count" = "RateWindow"."count" + excluded."count"
    RETURNING "key", "count"`);
  return new Map(rows.map((r) => [r.key, r.count]));
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
      const windows = limits.map(({ key, limit }) => ({ key, limit, start: windowStart(now.getTime(), limit.windowMs) }));
      const counts = await addToWindows(db, windows.map((w) => ({ key: w.key, start: w.start, n })));
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

/** One window of one key, as this process knows it. */
interface Counter {
  key: string;
  start: number;
  end: number;
  limit: number;
  /** The database's count when it last answered for this window (ours up to then included); undefined until it has. */
  known: number | undefined;
  /** Ours since, not written yet. */
  pending: number;
  /** Ours in a statement that has not answered yet. */
  writing: number;
}

export interface BufferedRateLimiter {
  /** As `RateLimiter.take` (a refused take still counts), decided here when the count is known to be far from the limit. */
  take(now: Date, limits: { key: string; limit: WindowLimit }[], n?: number): Promise<Date | null>;
  prune: RateLimiter["prune"];
  /** Writes what is counted here and not yet in the database. */
  flush(): Promise<void>;
  /** Flushes and stops counting (the process is stopping). */
  close(): Promise<void>;
}

/**
 * The same shared counters, with a process's own counts written a few at a time: for limits on what
 * residents send (the web chat's per-address and per-session ones), checked on every message.
 *
 * Counted in the database on every message, every resident behind one address (a dormitory's NAT, a
 * proxy not trusted for X-Forwarded-For, the benchmark's 127.0.0.1) wrote the same row, and the row's lock
 * was held to the commit: messages queued behind each other there (1.25 ms a message on PostgreSQL).
 * Here a take is decided without the database when this process knows the window is far from full —
 * the database's count when it last answered, plus this process's since, at most half the limit — and
 * the counts are written every `flushMs` in one statement. A window not seen yet, or one near its limit,
 * is counted in the database at once, with what is pending for it, so on one instance every decision is
 * the one the database would make. With several instances, one instance does not see what another has
 * counted and not yet written: a flood spread over them may get up to half a window more through each
 * other instance before it is refused everywhere; a resident, far below every limit, never notices.
 */
export function createBufferedRateLimiter(
  db: Sql,
  opts: { clock: { now(): Date }; flushMs?: number; maxCounters?: number; onError?: (err: unknown) => void },
): BufferedRateLimiter {
  const flushMs = opts.flushMs ?? 250;
  const maxCounters = opts.maxCounters ?? 50_000;
  const counters = new Map<string, Counter>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let lastSweep = 0;

  function counterFor(key: string, limit: WindowLimit, at: number): Counter {
    const start = windowStart(at, limit.windowMs);
    const id = `${start}|${key}`;
    let c = counters.get(id);
    if (!c) {
      c = { key, start, end: start + limit.windowMs, limit: limit.limit, known: undefined, pending: 0, writing: 0 };
      counters.set(id, c);
    }
    return c;
  }

  /** Forgets windows that ended (and, past the bound, the oldest known ones) once nothing of them is unwritten. */
  function sweep(at: number, full = false): void {
    if (!full && at - lastSweep < 1000) return;
    lastSweep = at;
    for (const [id, c] of counters) {
      if (c.pending !== 0 || c.writing !== 0) continue;
      if (c.end <= at || (full && counters.size > maxCounters / 2)) counters.delete(id);
    }
  }

  function schedule(): void {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      flush().catch((err: unknown) => opts.onError?.(err));
    }, flushMs);
    timer.unref();
  }

  /** Writes `parts` (distinct keys) and learns the counts; on failure what was pending is pending again. */
  async function write(parts: { c: Counter; n: number; carried: number }[]): Promise<Map<string, number>> {
    for (const p of parts) {
      p.c.pending -= p.carried;
      p.c.writing += p.n;
    }
    try {
      const counts = await addToWindows(db, parts.map((p) => ({ key: p.c.key, start: p.c.start, n: p.n })));
      for (const p of parts) p.c.known = Math.max(p.c.known ?? 0, counts.get(p.c.key) ?? 0);
      return counts;
    } catch (err) {
      for (const p of parts) p.c.pending += p.carried;
      throw err;
    } finally {
      for (const p of parts) p.c.writing -= p.n;
    }
  }

  async function flush(): Promise<void> {
    let due = [...counters.values()].filter((c) => c.pending !== 0);
    // A key's old and new windows (a minute that just turned) go in separate statements.
    while (due.length > 0) {
      const keys = new Set<string>();
      const batch = due.filter((c) => !keys.has(c.key) && keys.add(c.key));
      await write(batch.map((c) => ({ c, n: c.pending, carried: c.pending })));
      // A take may have written some of the rest meanwhile.
      due = due.filter((c) => !batch.includes(c) && c.pending !== 0);
    }
    sweep(opts.clock.now().getTime());
  }

  return {
    async take(now, limits, n = 1) {
      if (limits.length === 0) return null;
      const at = now.getTime();
      sweep(at, counters.size > maxCounters);
      const cs = limits.map(({ key, limit }) => counterFor(key, limit, at));
      // Past a limit for certain: the database had this much already, and this process counted more since.
      const over = cs.filter((c) => c.known !== undefined && c.known + c.pending + n > c.limit);
      if (over.length > 0) {
        for (const c of cs) c.pending += n;
        schedule();
        return new Date(Math.max(...over.map((c) => c.end)));
      }
      if (cs.every((c) => c.known !== undefined && c.known + c.writing + c.pending + n <= c.limit / 2)) {
        for (const c of cs) c.pending += n;
        schedule();
        return null;
      }
      // Unknown, or near a limit: the database decides now, with what this process has pending for these windows.
      const counts = await write(cs.map((c) => ({ c, n: n + c.pending, carried: c.pending })));
      const refused = cs.filter((c) => (counts.get(c.key) ?? 0) > c.limit);
      return refused.length > 0 ? new Date(Math.max(...refused.map((c) => c.end))) : null;
    },
    prune: createRateLimiter(db).prune,
    flush,
    async close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      await flush();
    },
  };
}

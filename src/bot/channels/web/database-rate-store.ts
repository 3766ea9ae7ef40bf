import type { ClientRateLimitInfo, Options, Store } from "express-rate-limit";
import { DAY, HOUR, type Clock } from "../../../lib/clock.js";
import type { BufferedRateLimiter } from "../../../notify/rate-limit.js";

/** Windows long over are deleted now and then (at most hourly per pruner), so the table stays small. */
export function createPruner(limiter: Pick<BufferedRateLimiter, "prune">): (now: Date) => void {
  let lastPrune = 0;
  return (now) => {
    if (now.getTime() - lastPrune < HOUR) return;
    lastPrune = now.getTime();
    // Two days back: older than any window anyone keeps (a day at most), Telegram's one-second ones included.
    void limiter.prune(new Date(now.getTime() - 2 * DAY)).catch(() => undefined);
  };
}

/**
 * express-rate-limit's Store over the shared fixed-window counters (table RateWindow), so every
 * instance counts against one limit: two instances behind a load balancer still give a flood the
 * limit once, not once each.
 *
 * The counters answer "allowed, or refused until T", not a running count, so an allowed hit reports
 * one hit and a refused one `limit + 1`; the limiter is used with its RateLimit headers off (the 429
 * carries Retry-After from the window's end).
 */
export function createDatabaseRateStore(deps: { limiter: Pick<BufferedRateLimiter, "take" | "prune">; clock: Clock; prefix: string }): Store {
  let limit = 0;
  let windowMs = 0;
  const windowEnd = (now: Date) => new Date(Math.floor(now.getTime() / windowMs) * windowMs + windowMs);
  const take = (key: string, n: number) =>
    deps.limiter.take(deps.clock.now(), [{ key: `${deps.prefix}${key}`, limit: { limit, windowMs } }], n);

  const pruneNowAndThen = createPruner(deps.limiter);

  return {
    prefix: deps.prefix,
    localKeys: false,
    init(options: Options) {
      if (typeof options.limit !== "number") throw new Error("the database rate store needs a fixed limit");
      limit = options.limit;
      windowMs = options.windowMs;
    },
    async increment(key: string): Promise<ClientRateLimitInfo> {
      const now = deps.clock.now();
      pruneNowAndThen(now);
      const refusedUntil = await take(key, 1);
      return refusedUntil ? { totalHits: limit + 1, resetTime: refusedUntil } : { totalHits: 1, resetTime: windowEnd(now) };
    },
    async decrement(key: string): Promise<void> {
      await take(key, -1);
    },
    // Fixed windows end by themselves; nothing here resets a client early.
    resetKey: () => undefined,
  };
}

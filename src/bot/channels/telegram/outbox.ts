import { KeyedLock } from "../../../lib/keyed-lock.js";

/**
 * Telegram's published limits: about one message a second in one chat (short bursts are tolerated) and
 * about 30 a second overall. https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this
 */
export interface RateLimits {
  perChatPerSecond: number;
  /** Messages a chat may get back to back before the per-second pace applies (a reply is often 2–3). */
  perChatBurst: number;
  globalPerSecond: number;
  globalBurst: number;
}

export const TELEGRAM_LIMITS: RateLimits = { perChatPerSecond: 1, perChatBurst: 3, globalPerSecond: 30, globalBurst: 30 };

/** A token bucket that hands out reservations: the caller is told how long to wait for its token. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly perSecond: number,
    private readonly capacity: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Takes one token (possibly not yet there) and returns the milliseconds until it is. */
  reserve(now: number): number {
    this.refill(now);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.perSecond) * 1000;
  }

  /** Full and idle: safe to forget. */
  idle(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
  }
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

/**
 * Paces outgoing calls: one queue per chat (order kept, a chat waiting out a 429 holds only itself) and
 * one global bucket shared fairly in arrival order. The call itself (with its 429 retry) runs inside the
 * chat's turn, so the next message of that chat goes after it and no other chat waits for it.
 */
export class Outbox {
  private readonly limits: RateLimits;
  private readonly chats = new Map<string, TokenBucket>();
  private readonly global: TokenBucket;
  private readonly lock = new KeyedLock();

  constructor(
    limits: Partial<RateLimits> = {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.limits = { ...TELEGRAM_LIMITS, ...limits };
    this.global = new TokenBucket(this.limits.globalPerSecond, this.limits.globalBurst, this.now());
  }

  run<T>(chatId: string, call: () => Promise<T>): Promise<T> {
    return this.lock.run(chatId, async () => {
      await sleep(this.bucket(chatId).reserve(this.now()));
      await sleep(this.global.reserve(this.now()));
      return call();
    });
  }

  private bucket(chatId: string): TokenBucket {
    let b = this.chats.get(chatId);
    if (!b) {
      if (this.chats.size > 10_000) {
        const now = this.now();
        for (const [id, bucket] of this.chats) if (bucket.idle(now)) this.chats.delete(id);
      }
      b = new TokenBucket(this.limits.perChatPerSecond, this.limits.perChatBurst, this.now());
      this.chats.set(chatId, b);
    }
    return b;
  }
}

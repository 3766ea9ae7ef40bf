import { setMaxListeners } from "node:events";
import type { Sql } from "../db/sql.js";
import { within, type Clock } from "../lib/clock.js";
import { isAppError } from "../lib/errors.js";
import { KeyedLock } from "../lib/keyed-lock.js";
import type { Logger } from "../lib/logger.js";
import { LEASE_MS } from "../jobs/lease.js";
import type { ChannelSender, SendFailure } from "./channels.js";
import { createDeliveryRepository, type Delivery } from "./delivery.repository.js";
import { createRateLimiter } from "./rate-limit.js";

export interface DispatcherDeps {
  sql: Sql;
  clock: Clock;
  logger: Logger;
  /** This process's claim name (jobs/lease.ts): its lease keeper renews the deliveries being sent. */
  owner: string;
  /** How often to look for deliveries that became due (a back-off, a retry_after, another instance's). */
  pollMs?: number;
  /** A claim not renewed for this long was cut off by a crash (jobs/lease.ts; tests shorten it). */
  leaseMs?: number;
  /** A rate window never makes a sender wait longer than this in place; a longer wait goes back to the queue. */
  maxInlineWaitMs?: number;
  /** Recipients drained at once on `drain` calls; past it the sweep takes them, 50 at a time. */
  maxDrains?: number;
}

export interface Dispatcher {
  /** Adds a channel this process can send on. */
  register(channel: string, sender: ChannelSender): void;
  /**
   * Sends the recipient's due deliveries, in order, until none is left or one must wait. Never throws:
   * what could not go out stays queued for a later sweep (here or on another instance).
   */
  drain(channel: string, recipient: string): Promise<void>;
  /** Drains every recipient with something due; returns how many deliveries went out. */
  sweep(): Promise<number>;
  /** A delivery was queued: sweep soon. */
  kick(): void;
  start(): void;
  /**
   * Takes no new work; lets the sends in hand finish for up to `graceMs`, then aborts them (one cut off
   * may have arrived, so it is recorded as failed, not sent again).
   */
  stop(graceMs?: number): Promise<void>;
}

const MAX_ATTEMPTS = 10;
/** 5 s, 10 s, 20 s … capped at 30 minutes: a Bot API outage of an hour loses nothing. */
export function deliveryBackoffMs(attempt: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 30 * 60_000);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));


/**
 * The delivery ledger's sender. Every message to a person is a Delivery row written with what caused
 * it (a turn, a job) in one transaction; this sends the rows and records what became of each. A
 * chat's messages go out one at a time, in order, whichever instance sends them; the channel's rate
 * limits are counted in the database, so instances together keep to them.
 */
export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const { clock, logger } = deps;
  const deliveries = createDeliveryRepository(deps.sql);
  const rates = createRateLimiter(deps.sql);
  const senders = new Map<string, ChannelSender>();
  const recipientLock = new KeyedLock();
  const maxInlineWaitMs = deps.maxInlineWaitMs ?? 5_000;
  const maxDrains = deps.maxDrains ?? 50;
  let drainsRunning = 0;
  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let closing = false;
  /** Aborts the sends in hand when the grace period of a stop is over. */
  const abort = new AbortController();
  // One signal for every send in hand (a drain of a backlog has dozens at once): no listener cap.
  setMaxListeners(0, abort.signal);
  const inHand = new Set<Promise<unknown>>();

  /** Sends one claimed delivery and records the outcome; false when the recipient's queue must wait. */
  async function sendOne(d: Delivery, sender: ChannelSender): Promise<boolean> {
    try {
      const { channelMessageId } = await sender.send(d.recipient, d.message, abort.signal);
      await deliveries.markSent(d.id, channelMessageId, clock.now());
      return true;
    } catch (err) {
      if (abort.signal.aborted) {
        await deliveries.markFailed(d.id, "interrupted while sending (process stopped); may have arrived", false, clock.now()).catch(() => undefined);
        return false;
      }
      const kind = (isAppError(err, "UPSTREAM") ? err.details?.delivery : undefined) as SendFailure | undefined;
      const reason = err instanceof Error ? err.message : String(err);
      const ctx = { deliveryId: d.id, channel: d.channel, kind: d.kind, attempt: d.attempts };
      if (kind === "refused") {
        logger.warn({ ...ctx, err: reason }, "recipient cannot be reached on this channel; delivery failed");
        await deliveries.markFailed(d.id, reason, false, clock.now());
        return true;
      }
      if (kind === "rejected") {
        // The channel refused the message itself: a message we built wrong. An engineer must look.
        logger.error({ ...ctx, err: reason }, "channel rejected a message we sent; delivery failed");
        await deliveries.markFailed(d.id, reason, false, clock.now());
        return true;
      }
      if (kind === "rate_limited") {
        const retryAfterMs = Number((err as { details?: { retryAfterMs?: number } }).details?.retryAfterMs ?? 1000);
        logger.warn({ ...ctx, retryAfterMs }, "channel asked us to slow down; delivery waits");
        await deliveries.retryLater(d.id, reason, new Date(clock.now().getTime() + retryAfterMs), false);
        return false;
      }
      // Temporary (or unknown): the network or the service; back off, then fail for good with a record.
      if (d.attempts >= MAX_ATTEMPTS) {
        logger.error({ ...ctx, err: reason }, "delivery failed after every retry");
        await deliveries.markFailed(d.id, reason, true, clock.now());
        return true;
      }
      logger.warn({ ...ctx, err: reason }, "delivery failed; retried later");
      await deliveries.retryLater(d.id, reason, new Date(clock.now().getTime() + deliveryBackoffMs(d.attempts)), true);
      return false;
    }
  }

  /**
   * Waits for room under the channel's limits; false when the wait is too long to hold the queue here.
   * Pace is wall-clock time, whatever clock the domain runs on: it is about the channel's servers.
   */
  async function paced(recipient: string, sender: ChannelSender): Promise<boolean> {
    for (;;) {
      const until = await rates.take(new Date(), sender.limits(recipient), 1, { refundRefused: true });
      if (!until) return true;
      const wait = until.getTime() - Date.now();
      if (wait > maxInlineWaitMs || closing) return false;
      await sleep(Math.max(wait, 1));
    }
  }

  async function drainLocked(channel: string, recipient: string): Promise<number> {
    const sender = senders.get(channel);
    if (!sender) return 0;
    let sent = 0;
    for (;;) {
      // Nothing due, no permit: a permit taken for a recipient with nothing to send (after its last
      // message, or one another drain sent) is a message the channel's limit did not carry.
      if (closing) return sent;
      // The channel's service is down (its breaker is open): everything waits in the ledger.
      if ((sender.availableInMs?.() ?? 0) > 0) return sent;
      if (!(await deliveries.hasDue(channel, recipient, clock.now()))) return sent;
      // Pace before claiming: a claim is held only while the message is actually on its way.
      if (!(await paced(recipient, sender))) {
        kick();
        return sent;
      }
      const d = await deliveries.claimNext(channel, recipient, deps.owner, clock.now());
      if (!d) return sent;
      if (!(await sendOne(d, sender))) return sent;
      sent++;
    }
  }

  async function drain(channel: string, recipient: string): Promise<number> {
    try {
      return await recipientLock.run(`${channel}:${recipient}`, () => drainLocked(channel, recipient));
    } catch (err) {
      logger.error({ err, channel }, "sending deliveries failed; they stay queued");
      return 0;
    }
  }

  const leaseMs = deps.leaseMs ?? LEASE_MS;
  /** Sends cut off by a crash and deliveries past their time are looked for a few times a lease, not every poll. */
  const upkeepEveryMs = Math.min(5_000, leaseMs / 2);
  let lastUpkeep = -Infinity;

  async function sweepOnce(): Promise<number> {
    const now = clock.now();
    if (Math.abs(now.getTime() - lastUpkeep) >= upkeepEveryMs) {
      lastUpkeep = now.getTime();
      await deliveries.failInterrupted(new Date(now.getTime() - leaseMs), now);
      await deliveries.expire(now);
    }
    const channels = [...senders.keys()];
    let sent = 0;
    for (;;) {
      const due = await deliveries.dueRecipients(channels, clock.now(), 50);
      if (due.length === 0) break;
      const counts = await Promise.all(due.map((r) => drain(r.channel, r.recipient)));
      const round = counts.reduce((a, b) => a + b, 0);
      sent += round;
      // Everything due is waiting on a limit or a back-off: the timer comes back for it.
      if (round === 0) break;
    }
    return sent;
  }

  /**
   * A sweep that starts after this call (what a caller that just moved time or queued work needs):
   * queued behind the one running, and shared by every caller until it starts.
   */
  let tail: Promise<number> | undefined;
  let waiting = false;
  function sweep(): Promise<number> {
    if (waiting && tail) return tail;
    const before = tail;
    waiting = true;
    const mine = (async () => {
      if (before) await before.catch(() => 0);
      waiting = false;
      return sweepOnce();
    })();
    tail = mine;
    return mine;
  }

  function kick(): void {
    if (!started) return;
    void sweep().catch((err: unknown) => logger.error({ err }, "delivery sweep failed"));
  }

  return {
    register(channel, sender) {
      senders.set(channel, sender);
    },
    drain: async (channel, recipient) => {
      // A burst (10,000 reminders queued in a minute) must not become 10,000 senders each polling the
      // rate window: they starve the database and the event loop, and permits taken on time turn into
      // sends arriving late and all at once. Past the bound, the sweep sends them in turn.
      if (drainsRunning >= maxDrains) {
        kick();
        return;
      }
      if (closing) return;
      drainsRunning++;
      const running = drain(channel, recipient);
      inHand.add(running);
      try {
        await running;
      } finally {
        inHand.delete(running);
        drainsRunning--;
      }
    },
    sweep,
    kick,
    start() {
      started = true;
      if (timer) return;
      timer = setInterval(kick, deps.pollMs ?? 1_000);
      timer.unref();
      kick();
    },
    async stop(graceMs = 10_000) {
      started = false;
      closing = true;
      clearInterval(timer);
      timer = undefined;
      const all = () => Promise.all([tail?.catch(() => undefined), ...inHand]);
      if (!(await within(all(), graceMs))) {
        logger.warn({ graceMs }, "sends still in hand at the end of the grace period; aborting them");
        abort.abort();
        await within(all(), 1_000);
      }
    },
  };
}

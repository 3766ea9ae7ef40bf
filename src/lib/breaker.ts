/**
 * A circuit breaker for one outside service (the Telegram Bot API, the model server, speech, LiveKit):
 * after a few failures in a row it opens, and while open nobody waits on the service — deliveries stay
 * in the ledger, the classifier answers locally, a booking offers a phone session. When the pause is
 * over one call goes through as a probe; its success closes the breaker, its failure opens it again for
 * twice as long (up to a cap). A service that answers at all (a 4xx, a 429) counts as up: only network
 * errors, timeouts and 5xx are failures.
 */
export type BreakerState = "closed" | "open" | "half_open";

/** What /healthz says of a dependency: ok; degraded (failing, not yet given up on); down (the breaker is open). */
export type DependencyStatus = "ok" | "degraded" | "down";

export interface BreakerView {
  name: string;
  status: DependencyStatus;
  state: BreakerState;
  /** Since when it has been in this status. */
  since: Date;
  /** The last failure's message (kept after recovery, with its time). */
  lastError: string | null;
  lastErrorAt: Date | null;
  /** The last time a call found the service there (null: none yet, whatever the status says). */
  lastOkAt: Date | null;
  /** While open: when the next probe may go. */
  retryAt: Date | null;
}

export interface CircuitBreaker {
  readonly name: string;
  /** May a call go now? Closed: yes. Open: no, until the pause is over; then one caller (the probe) gets yes. */
  allow(): boolean;
  success(): void;
  failure(err: unknown): void;
  /** Milliseconds until a call may go (0 when it may now). */
  waitMs(): number;
  view(): BreakerView;
}

export interface BreakerOptions {
  name: string;
  /** Failures in a row that open it. */
  failureThreshold?: number;
  /** The first pause; doubled after each failed probe, up to `maxOpenMs`. */
  openMs?: number;
  maxOpenMs?: number;
  /** Wall-clock milliseconds (an outside service's time is real time, whatever clock the domain runs on). */
  now?: () => number;
  /** Told when the status changes (ok ↔ degraded ↔ down). */
  onChange?: (view: BreakerView) => void;
}

export function createBreaker(o: BreakerOptions): CircuitBreaker {
  const now = o.now ?? Date.now;
  const threshold = o.failureThreshold ?? 3;
  const firstPause = o.openMs ?? 5_000;
  const maxPause = o.maxOpenMs ?? 60_000;
  let state: BreakerState = "closed";
  let failures = 0;
  let pause = firstPause;
  let openedAt = 0;
  let probing = false;
  let status: DependencyStatus = "ok";
  let since = now();
  let lastError: string | null = null;
  let lastErrorAt: number | null = null;
  let lastOkAt: number | null = null;

  const statusOf = (): DependencyStatus => (state !== "closed" ? "down" : failures > 0 ? "degraded" : "ok");
  const view = (): BreakerView => ({
    name: o.name,
    status,
    state,
    since: new Date(since),
    lastError,
    lastErrorAt: lastErrorAt === null ? null : new Date(lastErrorAt),
    lastOkAt: lastOkAt === null ? null : new Date(lastOkAt),
    retryAt: state === "closed" ? null : new Date(openedAt + pause),
  });
  function settle(): void {
    const next = statusOf();
    if (next === status) return;
    status = next;
    since = now();
    o.onChange?.(view());
  }

  return {
    name: o.name,
    allow() {
      if (state === "closed") return true;
      if (state === "open" && now() >= openedAt + pause) {
        state = "half_open";
        probing = false;
      }
      if (state === "half_open" && !probing) {
        probing = true;
        return true;
      }
      return false;
    },
    success() {
      lastOkAt = now();
      failures = 0;
      pause = firstPause;
      probing = false;
      state = "closed";
      settle();
    },
    failure(err) {
      lastError = err instanceof Error ? err.message : String(err);
      lastErrorAt = now();
      failures++;
      if (state === "half_open") {
        pause = Math.min(pause * 2, maxPause);
        state = "open";
        openedAt = now();
        probing = false;
      } else if (state === "closed" && failures >= threshold) {
        state = "open";
        openedAt = now();
      }
      settle();
    },
    waitMs() {
      if (state === "closed") return 0;
      return Math.max(0, openedAt + pause - now());
    },
    view,
  };
}

/**
 * A call to an HTTP service ended in `err`: did the service answer? An HTTP status below 500 (a 4xx,
 * a 429) means it is there; no status (refused, reset, timed out, a body that is not the protocol) or
 * a 5xx means it is not. The SDKs we use put the status on the error as `status`.
 */
export function answered(err: unknown): boolean {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === "number" && status < 500;
}

/** Runs `call` and tells `breaker` whether the service was there (see `answered`); rethrows its error. */
export async function guarded<T>(breaker: CircuitBreaker, call: () => Promise<T>, describe: (err: unknown) => unknown = (e) => e): Promise<T> {
  try {
    const result = await call();
    breaker.success();
    return result;
  } catch (err) {
    if (answered(err)) breaker.success();
    else breaker.failure(describe(err));
    throw err;
  }
}

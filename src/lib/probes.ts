import type { CircuitBreaker } from "./breaker.js";

/** One outside service's health check: `ping` asks it whether it is there and tells `breaker` (it throws when not). */
export interface Probe {
  breaker: CircuitBreaker;
  ping: (signal: AbortSignal) => Promise<unknown>;
  /**
   * Also ask while all is well, this often: a service nothing else calls on a quiet night (the model,
   * speech, LiveKit between sessions) would otherwise look fine until a resident needs it. Unset: only
   * while its breaker is open (the Telegram poll loop calls the Bot API all the time anyway).
   */
  everyMs?: number;
}

/**
 * Runs the health checks: a breaker left open gets its probe as soon as its pause is over, even when
 * no resident's message happens to call the service, and a quiet one is asked now and then. One check
 * per service at a time; `stop` cuts off those in hand.
 */
export function startProbes(probes: Probe[], o: { tickMs: number; now?: () => number }): { stop(): void } {
  const now = o.now ?? Date.now;
  // One signal per check (an SDK's listener on it goes with it), each cut off by `stop`.
  const inHand = new Set<AbortController>();
  const state = probes.map(() => ({ busy: false, lastAt: now() }));
  const run = (p: Probe, s: (typeof state)[number]) => {
    s.busy = true;
    s.lastAt = now();
    const abort = new AbortController();
    inHand.add(abort);
    void p
      .ping(abort.signal)
      .catch(() => undefined) // the breaker has it
      .finally(() => {
        s.busy = false;
        inHand.delete(abort);
      });
  };
  const timer = setInterval(() => {
    probes.forEach((p, i) => {
      const s = state[i]!;
      if (s.busy) return;
      const { state: breakerState } = p.breaker.view();
      if (breakerState !== "closed") {
        if (p.breaker.waitMs() === 0 && p.breaker.allow()) run(p, s);
      } else if (p.everyMs !== undefined && now() - s.lastAt >= p.everyMs) run(p, s);
    });
  }, o.tickMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      for (const abort of inHand) abort.abort(new Error("stopping"));
    },
  };
}

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createBreaker } from "./breaker.js";
import { startProbes } from "./probes.js";

describe("startProbes", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("asks a quiet service every `everyMs`, one check at a time, and an open breaker's service once its pause is over", async () => {
    const now = () => Date.now();
    const breaker = createBreaker({ name: "model", failureThreshold: 1, openMs: 1_000, now });
    let up = true;
    let calls = 0;
    const ping = async () => {
      calls++;
      if (up) breaker.success();
      else breaker.failure(new Error("refused"));
      if (!up) throw new Error("refused");
    };
    const checks = startProbes([{ breaker, ping, everyMs: 500 }], { tickMs: 100, now });
    await vi.advanceTimersByTimeAsync(1_050);
    expect(calls).toBe(2); // at 500 and 1,000 ms
    up = false;
    await vi.advanceTimersByTimeAsync(500);
    expect(breaker.view().status).toBe("down");
    const atDown = calls;
    // Open: not asked again until the pause (1 s) is over, then at once.
    await vi.advanceTimersByTimeAsync(900);
    expect(calls).toBe(atDown);
    up = true;
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toBe(atDown + 1);
    expect(breaker.view().status).toBe("ok");
    checks.stop();
  });

  it("never runs two checks of one service at once, and stop cuts off the one in hand", async () => {
    const breaker = createBreaker({ name: "livekit" });
    const signals: AbortSignal[] = [];
    const ping = (signal: AbortSignal) => {
      signals.push(signal);
      return new Promise<void>((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason as Error)));
    };
    const checks = startProbes([{ breaker, ping, everyMs: 100 }], { tickMs: 50 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(signals).toHaveLength(1); // the first still hangs
    checks.stop();
    expect(signals[0]!.aborted).toBe(true);
  });

  it("leaves a service without `everyMs` alone while its breaker is closed", async () => {
    const breaker = createBreaker({ name: "telegram" });
    let calls = 0;
    const checks = startProbes([{ breaker, ping: async () => void calls++ }], { tickMs: 50 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(0);
    checks.stop();
  });
});

import { describe, expect, it } from "vitest";
import { createBreaker, type BreakerView } from "./breaker.js";

describe("circuit breaker", () => {
  it("opens after the threshold, lets one probe through after the pause, doubles the pause when the probe fails, closes on success", () => {
    let t = 1_000;
    const changes: BreakerView["status"][] = [];
    const b = createBreaker({ name: "telegram", failureThreshold: 3, openMs: 1_000, maxOpenMs: 3_000, now: () => t, onChange: (v) => changes.push(v.status) });
    expect(b.view()).toMatchObject({ status: "ok", state: "closed", retryAt: null });
    b.failure(new Error("ECONNREFUSED"));
    expect(b.view()).toMatchObject({ status: "degraded", lastError: "ECONNREFUSED" });
    b.failure(new Error("ECONNREFUSED"));
    expect(b.allow()).toBe(true);
    b.failure(new Error("timeout"));
    expect(b.view()).toMatchObject({ status: "down", state: "open", retryAt: new Date(2_000) });
    expect(b.allow()).toBe(false);
    expect(b.waitMs()).toBe(1_000);

    t = 2_000; // the pause is over: one probe, not two
    expect(b.allow()).toBe(true);
    expect(b.allow()).toBe(false);
    b.failure(new Error("timeout"));
    expect(b.view()).toMatchObject({ state: "open", retryAt: new Date(4_000) });
    t = 4_000;
    expect(b.allow()).toBe(true);
    b.failure(new Error("timeout"));
    expect(b.view().retryAt).toEqual(new Date(7_000)); // capped at 3 s
    t = 7_000;
    expect(b.allow()).toBe(true);
    b.success();
    expect(b.view()).toMatchObject({ status: "ok", state: "closed", since: new Date(7_000), lastError: "timeout" });
    expect(changes).toEqual(["degraded", "down", "ok"]);
  });

  it("a success resets the count: scattered failures never open it", () => {
    const b = createBreaker({ name: "model", failureThreshold: 2, now: () => 0 });
    for (let i = 0; i < 10; i++) {
      b.failure(new Error("500"));
      b.success();
    }
    expect(b.view().state).toBe("closed");
  });
});

import type { BreakerView, CircuitBreaker } from "./breaker.js";

/** What one component says of itself: `ok` false makes /healthz say "degraded", with `detail` as the reason. */
export interface HealthCheck {
  ok: boolean;
  detail: string;
}

/**
 * The health of this instance: its long-running parts (a channel's poll loop, …) as they report it,
 * the outside services it depends on (their circuit breakers, read when asked), and whether it is
 * draining (stopping: it takes no new work). The HTTP layer reads it for /healthz and /readyz;
 * components only write. One per instance, handed in through deps.
 */
export interface HealthRegistry {
  /** Replaces what `name` reported before. */
  report(name: string, check: HealthCheck): void;
  /** A reporter bound to one name, for a component's deps. */
  reporter(name: string): HealthReporter;
  checks(): Record<string, HealthCheck>;
  /** An outside service, by its breaker. */
  watch(breaker: CircuitBreaker): void;
  dependencies(): BreakerView[];
  /** Set when the process starts stopping: readiness fails from then on. */
  drain(): void;
  readonly draining: boolean;
}

export type HealthReporter = (check: HealthCheck) => void;

export function createHealthRegistry(): HealthRegistry {
  const checks = new Map<string, HealthCheck>();
  const breakers = new Map<string, CircuitBreaker>();
  let draining = false;
  const registry: HealthRegistry = {
    report(name, check) {
      checks.set(name, { ok: check.ok, detail: check.detail });
    },
    reporter: (name) => (check) => registry.report(name, check),
    checks: () => Object.fromEntries(checks),
    watch(breaker) {
      breakers.set(breaker.name, breaker);
    },
    dependencies: () => [...breakers.values()].map((b) => b.view()),
    drain() {
      draining = true;
    },
    get draining() {
      return draining;
    },
  };
  return registry;
}

/** What one component says of itself: `ok` false makes /healthz answer 503 "degraded" with `detail` as the reason. */
export interface HealthCheck {
  ok: boolean;
  detail: string;
}

/**
 * The health of this instance's long-running parts (a channel's poll loop, …), as they report it. The
 * HTTP layer reads it for /healthz; components only write. One per instance, handed in through deps.
 */
export interface HealthRegistry {
  /** Replaces what `name` reported before. */
  report(name: string, check: HealthCheck): void;
  /** A reporter bound to one name, for a component's deps. */
  reporter(name: string): HealthReporter;
  checks(): Record<string, HealthCheck>;
}

export type HealthReporter = (check: HealthCheck) => void;

export function createHealthRegistry(): HealthRegistry {
  const checks = new Map<string, HealthCheck>();
  const registry: HealthRegistry = {
    report(name, check) {
      checks.set(name, { ok: check.ok, detail: check.detail });
    },
    reporter: (name) => (check) => registry.report(name, check),
    checks: () => Object.fromEntries(checks),
  };
  return registry;
}

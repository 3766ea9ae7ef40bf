import { HOUR } from "../lib/clock.js";
import { endOfLocalDay, toLocal } from "../lib/time.js";
import type { Complexity } from "./types.js";

/** Time limits from the seeds; a centre may change them. */
export interface SlaPolicy {
  triageMs: number;
  acceptMs: number;
  /** Calendar days to resolve, by complexity; 0 means the same local day (即来即办). */
  resolveDays: Record<Complexity, number>;
  /** A "same day" case received at or after this local hour is due at the end of the next day. */
  sameDayCutoffHour: number;
  /** How far past a deadline 督办 goes to the supervisor. */
  escalationMarginMs: number;
}

export const DEFAULT_SLA: SlaPolicy = {
  triageMs: HOUR,
  acceptMs: HOUR,
  resolveDays: { simple: 0, general: 3, complex: 10, difficult: 30 },
  sameDayCutoffHour: 17,
  escalationMarginMs: HOUR,
};

export function triageDeadline(policy: SlaPolicy, receivedAt: Date): Date {
  return new Date(receivedAt.getTime() + policy.triageMs);
}

export function acceptDeadline(policy: SlaPolicy, routedAt: Date): Date {
  return new Date(routedAt.getTime() + policy.acceptMs);
}

/** End of the centre's local day N days after receipt; a late same-day case rolls to the next day. */
export function resolveDeadline(policy: SlaPolicy, zone: string, receivedAt: Date, complexity: Complexity): Date {
  let days = policy.resolveDays[complexity];
  if (days === 0 && toLocal(zone, receivedAt).hour >= policy.sameDayCutoffHour) days = 1;
  return endOfLocalDay(zone, receivedAt, days);
}

export function escalationTime(policy: SlaPolicy, deadline: Date): Date {
  return new Date(deadline.getTime() + policy.escalationMarginMs);
}

import { endOfLocalDay, toLocal } from "../lib/time.js";
import { endOfWorkday, replyBy, type WorkingHours } from "../lib/working-hours.js";
import type { Complexity } from "./types.js";

/**
 * The centre's time limits (a row of SlaSetting, edited through the staff API). Triage, acceptance
 * and the escalation margin count working minutes within the centre's hours and calendar.
 */
export interface SlaPolicy {
  triageMinutes: number;
  acceptMinutes: number;
  /** Calendar days to resolve, by complexity; 0 means the same local day (即来即办). */
  resolveDays: Record<Complexity, number>;
  /** A "same day" case received at or after this local hour is due at the end of the next day. */
  sameDayCutoffHour: number;
  /** How many working minutes past a deadline 督办 goes to the supervisor. */
  escalationMarginMinutes: number;
  /** Opening hours in the centre's zone ("08:30", "17:30") and working weekdays (1 = Monday). */
  hours: { open: string; close: string; days: number[] };
}

/** The seeds' limits: the first SlaSetting row of a new database (seed.ts). */
export const DEFAULT_SLA: SlaPolicy = {
  triageMinutes: 60,
  acceptMinutes: 60,
  resolveDays: { simple: 0, general: 3, complex: 10, difficult: 30 },
  sameDayCutoffHour: 17,
  escalationMarginMinutes: 60,
  hours: { open: "08:30", close: "17:30", days: [1, 2, 3, 4, 5] },
};

/** What deadlines are computed from: the policy, the centre's zone and its calendar of holidays and make-up days. */
export interface SlaTerms {
  policy: SlaPolicy;
  zone: string;
  /** Local date → working day or not, for the dates off the usual weekdays. */
  calendar: ReadonlyMap<string, boolean>;
}

export function workingHoursOf(terms: SlaTerms): WorkingHours {
  return { zone: terms.zone, ...terms.policy.hours, calendar: terms.calendar };
}

const withinWorkingMinutes = (terms: SlaTerms, from: Date, minutes: number) => replyBy(workingHoursOf(terms), from, minutes).by;

export function triageDeadline(terms: SlaTerms, receivedAt: Date): Date {
  return withinWorkingMinutes(terms, receivedAt, terms.policy.triageMinutes);
}

export function acceptDeadline(terms: SlaTerms, routedAt: Date): Date {
  return withinWorkingMinutes(terms, routedAt, terms.policy.acceptMinutes);
}

/**
 * End of the centre's local day N days after receipt; a late same-day case rolls to the next day, and
 * a last day that is not a working day (a weekend, a holiday) to the end of the next working day.
 */
export function resolveDeadline(terms: SlaTerms, receivedAt: Date, complexity: Complexity): Date {
  let days = terms.policy.resolveDays[complexity];
  if (days === 0 && toLocal(terms.zone, receivedAt).hour >= terms.policy.sameDayCutoffHour) days = 1;
  return endOfWorkday(workingHoursOf(terms), endOfLocalDay(terms.zone, receivedAt, days));
}

export function escalationTime(terms: SlaTerms, deadline: Date): Date {
  return withinWorkingMinutes(terms, deadline, terms.policy.escalationMarginMinutes);
}

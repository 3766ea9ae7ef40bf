import type { CaseDeps } from "../cases/deps.js";
import type { SchedulingRepository } from "./scheduling.repository.js";

/** What scheduling use cases need; built once in main.ts. */
export interface SchedulingDeps {
  cases: CaseDeps;
  scheduling: SchedulingRepository;
  /** LiveKit is configured: sessions are held by video; otherwise by phone (remote parties) or on site. */
  video: boolean;
  /** The video service is unreachable now (its breaker is open): sessions booked meanwhile are by phone. */
  videoDown?: () => boolean;
}

/** How far ahead slots are offered. */
export const HORIZON_DAYS = 14;
/** How long the first party's choice holds a slot while the other party confirms. */
export const HOLD_MINUTES = 30;
/** Slots start on the hour and half hour. */
export const STEP_MINUTES = 30;
/** Reminders before a session, in minutes: 24 hours, 1 hour, 10 minutes. */
export const REMINDER_OFFSETS = [24 * 60, 60, 10] as const;

/** Jobs the scheduling use cases enqueue; the booking flow's handlers (bot/flows/booking) message people. */
export const SESSION_JOBS = {
  /** {caseId, after?, reason?}: offer both parties the next slots. */
  offer: "booking.offer",
  /** {sessionId, version}: the first party chose; ask the others to confirm. */
  held: "session.held",
  /** {sessionId, version}: the hold lapsed unconfirmed? then release it and offer again. */
  holdLapse: "session.hold_lapse",
  /** {sessionId, version}: everyone confirmed: tell all, with the ICS. */
  booked: "session.booked",
  /** {sessionId, version, reason, by}: cancelled: tell all. */
  cancelled: "session.cancelled",
  /** {sessionId, version, offset}: a reminder, unless the session moved or was cancelled since. */
  remind: "session.remind",
  /** {sessionId, version}: the session's time is over: mark attendance, ask the mediator for the outcome. */
  ended: "session.ended",
} as const;

/** {sessionId, outcome}: tell the parties what the mediator recorded. */
export const SESSION_OUTCOME_JOB = "session.outcome";

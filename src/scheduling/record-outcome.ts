import { recordEvent } from "../cases/audit.js";
import { changeCaseStatus } from "../cases/change-status.js";
import { enqueueJobs, type JobInput } from "../jobs/job.repository.js";
import { AppError } from "../lib/errors.js";
import { SESSION_JOBS, SESSION_OUTCOME_JOB, type SchedulingDeps } from "./deps.js";
import type { SessionRecord } from "./scheduling.repository.js";

export type SessionOutcome = "resolved" | "failed" | "another";

/** Only the session's mediator, or a supervisor or the duty desk, speaks for a session. */
async function assertMediates(deps: SchedulingDeps, s: SessionRecord, staffId: string): Promise<void> {
  if (s.staffId === staffId) return;
  const staff = await deps.cases.repos.staff.byId(staffId);
  if (staff?.active && (staff.role === "supervisor" || staff.role === "duty")) return;
  throw new AppError("FORBIDDEN", `staff:${staffId} does not mediate session ${s.id}`);
}

/** The mediator says the session took place (before recording how it ended). */
export async function markHeld(deps: SchedulingDeps, input: { sessionId: string; staffId: string }): Promise<SessionRecord> {
  const now = deps.cases.clock.now();
  const s = await deps.scheduling.byId(input.sessionId);
  if (!s) throw new AppError("NOT_FOUND", `No session ${input.sessionId}`);
  await assertMediates(deps, s, input.staffId);
  if (s.state === "done") return s;
  if (s.state !== "booked") throw new AppError("ILLEGAL_TRANSITION", `Session ${s.id} is ${s.state}`);
  if (s.startsAt > now) throw new AppError("TOO_LATE", `Session ${s.id} has not started yet`, { details: { reason: "not_started" } });
  await deps.cases.sql.transaction(async (tx) => {
    if (!(await deps.scheduling.transition(tx, s.id, { from: ["booked"], to: "done", now }))) throw new AppError("CONFLICT", `Session ${s.id} changed`);
    await recordEvent(tx, { caseId: s.caseId, at: now, actor: `staff:${input.staffId}`, action: "session_held_done", data: { sessionId: s.id } });
  });
  return { ...s, state: "done" };
}

/**
 * How the session ended, which moves the case: resolved → the agreement is drafted next (the case stays
 * in mediation); failed → the case closes as failed (the parties are told, with the other routes);
 * another → the parties are offered times for a further session.
 */
export async function recordOutcome(
  deps: SchedulingDeps,
  input: { sessionId: string; staffId: string; outcome: SessionOutcome; note?: string },
): Promise<SessionRecord> {
  const held = await markHeld(deps, input);
  if (held.outcome) {
    if (held.outcome === input.outcome) return held;
    throw new AppError("CONFLICT", `Session ${held.id} has an outcome already (${held.outcome})`);
  }
  const now = deps.cases.clock.now();
  await deps.cases.sql.transaction(async (tx) => {
    const ok = await deps.scheduling.transition(tx, held.id, { from: ["done"], to: "done", now, set: { outcome: input.outcome, note: input.note ?? null } });
    if (!ok) throw new AppError("CONFLICT", `Session ${held.id} changed`);
    const jobs: JobInput[] = [
      { kind: SESSION_OUTCOME_JOB, payload: { sessionId: held.id, outcome: input.outcome }, dueAt: now, dedupeKey: `session.outcome:${held.id}` },
    ];
    if (input.outcome === "another") {
      jobs.push({ kind: SESSION_JOBS.offer, payload: { caseId: held.caseId, reason: "another" }, dueAt: now, dedupeKey: `booking.offer:${held.id}:another` });
    }
    await enqueueJobs(tx, jobs, now);
    await recordEvent(tx, {
      caseId: held.caseId,
      at: now,
      actor: `staff:${input.staffId}`,
      action: "session_outcome",
      data: { sessionId: held.id, outcome: input.outcome, ...(input.note ? { note: input.note } : {}) },
    });
  });
  if (input.outcome === "failed") {
    const c = await deps.cases.repos.cases.byId(held.caseId);
    if (c?.status === "in_mediation") {
      await changeCaseStatus(deps.cases, { caseId: c.id, to: "closed", outcome: "failed", actor: `staff:${input.staffId}`, reason: "mediation_failed" });
    }
  }
  deps.cases.onJobsDue?.();
  return { ...held, outcome: input.outcome };
}

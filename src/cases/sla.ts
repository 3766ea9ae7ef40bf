import type { Sql } from "../db/sql.js";
import { enqueueJobs, type JobInput } from "../jobs/job.repository.js";
import { escalationTime, type SlaPolicy } from "./deadlines.js";

export type SlaStage = "accept" | "resolve";

export const SLA_REMIND = "sla.remind";
export const SLA_ESCALATE = "sla.escalate";
export const RISK_PAGE = "risk.page";

/**
 * At a deadline the owner is reminded (催办); past it by the margin the supervisor is told (督办).
 * The handlers check the case again when they fire, so a case that moved on in time gets nothing.
 * The deadline is part of the key: a new deadline (re-routing) schedules anew, a retry does not.
 */
export function slaJobs(policy: SlaPolicy, input: { caseId: string; stage: SlaStage; deadline: Date }): JobInput[] {
  const base = `sla:${input.caseId}:${input.stage}:${input.deadline.toISOString()}`;
  const payload = { caseId: input.caseId, stage: input.stage, deadline: input.deadline.toISOString() };
  return [
    { kind: SLA_REMIND, payload, dueAt: input.deadline, dedupeKey: `${base}:remind` },
    { kind: SLA_ESCALATE, payload, dueAt: escalationTime(policy, input.deadline), dedupeKey: `${base}:escalate` },
  ];
}

export function scheduleSla(
  db: Sql,
  policy: SlaPolicy,
  input: { caseId: string; stage: SlaStage; deadline: Date; now: Date },
): Promise<void> {
  return enqueueJobs(db, slaJobs(policy, input), input.now);
}

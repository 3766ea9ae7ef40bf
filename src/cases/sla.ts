import type { Sql } from "../db/sql.js";
import { enqueueJobs, type JobInput } from "../jobs/job.repository.js";
import type { CaseRecord } from "./case.repository.js";
import { escalationTime, type SlaTerms } from "./deadlines.js";
import type { CaseStatus } from "./types.js";

/** The waits with a deadline: 研判 triage (received), 受理 acceptance (routed), 办结 resolution (in mediation). */
export type SlaStage = "triage" | "accept" | "resolve";

export const SLA_REMIND = "sla.remind";
export const SLA_ESCALATE = "sla.escalate";
export const RISK_PAGE = "risk.page";

/** The status a case waits in during each stage, and the deadline it waits for. */
const STAGES: Record<SlaStage, { status: CaseStatus; deadline: (c: CaseRecord) => Date | null }> = {
  triage: { status: "received", deadline: (c) => c.triageDueAt },
  accept: { status: "routed", deadline: (c) => c.acceptDueAt },
  resolve: { status: "in_mediation", deadline: (c) => c.resolveDueAt },
};

/** What an SLA job carries: the stage and the deadline it was scheduled for. */
export interface SlaPayload {
  caseId: string;
  stage: SlaStage;
  deadline: string;
}

/**
 * Is this reminder still about the case as it is? Only while the case waits in the stage, for the same
 * deadline: after a re-route (a new acceptance deadline), a return to triage or a move on, the jobs of
 * the old deadline are moot.
 */
export function slaJobIsCurrent(c: CaseRecord, payload: SlaPayload): boolean {
  const stage = STAGES[payload.stage];
  if (!stage || c.status !== stage.status) return false;
  return stage.deadline(c)?.toISOString() === payload.deadline;
}

/**
 * At a deadline the owner is reminded (催办); past it by the margin the supervisor is told (督办).
 * The handlers check the case again when they fire (slaJobIsCurrent). The deadline is part of the
 * key: a new deadline (re-routing) schedules anew, a retry does not.
 */
export function slaJobs(terms: SlaTerms, input: { caseId: string; stage: SlaStage; deadline: Date }): JobInput[] {
  const base = `sla:${input.caseId}:${input.stage}:${input.deadline.toISOString()}`;
  const payload: SlaPayload = { caseId: input.caseId, stage: input.stage, deadline: input.deadline.toISOString() };
  return [
    { kind: SLA_REMIND, payload: { ...payload }, dueAt: input.deadline, dedupeKey: `${base}:remind` },
    { kind: SLA_ESCALATE, payload: { ...payload }, dueAt: escalationTime(terms, input.deadline), dedupeKey: `${base}:escalate` },
  ];
}

export function scheduleSla(
  db: Sql,
  terms: SlaTerms,
  input: { caseId: string; stage: SlaStage; deadline: Date; now: Date },
): Promise<void> {
  return enqueueJobs(db, slaJobs(terms, input), input.now);
}

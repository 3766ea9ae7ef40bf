import { enqueueJob } from "../jobs/job.repository.js";
import { AppError } from "../lib/errors.js";
import { recordEvent } from "./audit.js";
import { caseAssignedJob } from "./case-assigned.js";
import type { StatusChange } from "./case.repository.js";
import { acceptDeadline, triageDeadline } from "./deadlines.js";
import type { CaseDeps } from "./deps.js";
import { assertTransition } from "./lifecycle.js";
import { RESIDENT_NOTIFY, residentHearsOf } from "./notify-residents.js";
import { scheduleSla } from "./sla.js";
import type { CaseStatus, Outcome } from "./types.js";

export interface ChangeStatusInput {
  caseId: string;
  to: CaseStatus;
  outcome?: Outcome;
  actor: string;
  reason?: string;
  /** Accepting assigns the mediator; re-routing names the new room. */
  mediatorId?: string;
  roomId?: string;
}

/**
 * The one place a case changes status. The update is conditional on the status it was read with, so
 * two staff acting at once cannot both win; the loser gets CONFLICT. Deadlines and reminders of the
 * new stage are set in the same transaction.
 */
export async function changeCaseStatus(deps: CaseDeps, input: ChangeStatusInput): Promise<{ from: CaseStatus }> {
  const { clock } = deps;
  const { cases } = deps.repos;
  const now = clock.now();
  const current = await cases.byId(input.caseId);
  if (!current) throw new AppError("NOT_FOUND", `No case ${input.caseId}`);
  const from = current.status;
  assertTransition(from, input.to, input.outcome);

  // What changes with the status.
  const roomId = input.roomId ?? current.roomId;
  const acceptDueAt = acceptDeadline(deps.sla, now);
  const change: StatusChange =
    input.to === "in_mediation"
      ? { mediatorId: input.mediatorId ?? current.mediatorId }
      : input.to === "routed"
        ? { roomId, acceptDueAt }
        : input.to === "received"
          ? { mediatorId: null, triageDueAt: triageDeadline(deps.sla, now) }
          : input.to === "closed"
            ? { outcome: input.outcome ?? null, closedAt: now }
            : {};

  const result = await deps.sql.transaction(async (tx) => {
    // Optimistic: the write is conditional on the status we validated.
    if (!(await cases.changeStatus(tx, input.caseId, from, input.to, now, change))) {
      throw new AppError("CONFLICT", `Case ${current.code} changed meanwhile; reload and retry`);
    }

    await recordEvent(tx, {
      caseId: input.caseId,
      at: now,
      actor: input.actor,
      action: input.to === "closed" ? `closed:${input.outcome}` : `status:${input.to}`,
      from,
      to: input.to,
      reason: input.reason,
      data: input.mediatorId || input.roomId ? { mediatorId: input.mediatorId, roomId: input.roomId } : undefined,
    });
    if (residentHearsOf(input.to)) {
      await enqueueJob(
        tx,
        {
          kind: RESIDENT_NOTIFY,
          payload: { caseId: input.caseId, to: input.to, outcome: input.outcome },
          dueAt: now,
          dedupeKey: `resident:${input.caseId}:${input.to}:${now.toISOString()}`,
        },
        now,
      );
    }
    if (input.to === "in_mediation" && current.resolveDueAt) {
      await scheduleSla(tx, deps.sla, { caseId: input.caseId, stage: "resolve", deadline: current.resolveDueAt, now });
    }
    if (input.to === "routed") {
      await scheduleSla(tx, deps.sla, { caseId: input.caseId, stage: "accept", deadline: acceptDueAt, now });
      if (roomId) await enqueueJob(tx, caseAssignedJob({ caseId: input.caseId, roomId, now }), now);
    }
    return { from };
  });
  if (residentHearsOf(input.to) || input.to === "routed") deps.onJobsDue?.();
  return result;
}

export const acceptCase = (deps: CaseDeps, o: { caseId: string; mediatorId: string; actor: string }) =>
  changeCaseStatus(deps, { caseId: o.caseId, to: "in_mediation", mediatorId: o.mediatorId, actor: o.actor });

export const declineCase = (deps: CaseDeps, o: { caseId: string; actor: string; reason: string }) =>
  changeCaseStatus(deps, { caseId: o.caseId, to: "received", actor: o.actor, reason: o.reason });

export const closeCase = (deps: CaseDeps, o: { caseId: string; outcome: Outcome; actor: string; reason?: string }) =>
  changeCaseStatus(deps, { caseId: o.caseId, to: "closed", outcome: o.outcome, actor: o.actor, reason: o.reason });

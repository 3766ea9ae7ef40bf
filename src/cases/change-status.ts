import { join, sql, type Query } from "../db/sql.js";
import { enqueueJob } from "../jobs/job.repository.js";
import { AppError } from "../lib/errors.js";
import { recordEvent } from "./audit.js";
import { caseAssignedJob } from "./case-assigned.js";
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
  const { db, clock } = deps;
  const now = clock.now();
  const current = await db.case.findUnique({ where: { id: input.caseId } });
  if (!current) throw new AppError("NOT_FOUND", `No case ${input.caseId}`);
  const from = current.status as CaseStatus;
  assertTransition(from, input.to, input.outcome);

  // What changes with the status; the column names are fixed here, only values are bound.
  const set: Query[] = [sql`"status" = ${input.to}`, sql`"updatedAt" = ${now}`];
  const roomId = input.roomId ?? current.roomId;
  const acceptDueAt = acceptDeadline(deps.sla, now);
  if (input.to === "in_mediation") set.push(sql`"mediatorId" = ${input.mediatorId ?? current.mediatorId}`);
  if (input.to === "routed") set.push(sql`"roomId" = ${roomId}`, sql`"acceptDueAt" = ${acceptDueAt}`);
  if (input.to === "received") set.push(sql`"mediatorId" = NULL`, sql`"triageDueAt" = ${triageDeadline(deps.sla, now)}`);
  if (input.to === "closed") set.push(sql`"outcome" = ${input.outcome ?? null}`, sql`"closedAt" = ${now}`);

  const result = await deps.sql.transaction(async (tx) => {
    // Optimistic: the write is conditional on the status we validated.
    const updated = await tx.execute(sql`UPDATE "Case" SET ${join(set)} WHERE "id" = ${input.caseId} AND "status" = ${from}`);
    if (updated !== 1) throw new AppError("CONFLICT", `Case ${current.code} changed meanwhile; reload and retry`);

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

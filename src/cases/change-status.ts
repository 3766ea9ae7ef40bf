import { enqueueJob } from "../jobs/job.repository.js";
import { AppError } from "../lib/errors.js";
import { recordEvent } from "./audit.js";
import { authorise, isSupervisor, ROOM_ROLES, type CaseAction } from "./authorise.js";
import { caseAssignedJob } from "./case-assigned.js";
import type { StatusChange } from "./case.repository.js";
import { acceptDeadline, triageDeadline } from "./deadlines.js";
import { slaTerms, type CaseDeps } from "./deps.js";
import { caseNoticeJob, noticeFor } from "../documents/case-documents.js";
import { assertTransition } from "./lifecycle.js";
import { RESIDENT_NOTIFY, residentHearsOf } from "./notify-residents.js";
import { roomExists } from "./routing.js";
import { scheduleSla } from "./sla.js";
import type { CaseStatus, Outcome } from "./types.js";

export interface ChangeStatusInput {
  caseId: string;
  to: CaseStatus;
  outcome?: Outcome;
  /** Who acts: "staff:<id>", "resident:<channel>:<user>" or "system"; authorised here, and kept in the audit log. */
  actor: string;
  reason?: string;
  /** Accepting assigns the mediator; routing names the room. */
  mediatorId?: string;
  roomId?: string;
  /** What the parties are told beside the new status (a referral after the other side declined: the routes). */
  notice?: string;
  /** The caller tells the parties itself (a booking's notice already names the mediator and the time). */
  partiesTold?: boolean;
}

function actionOf(from: CaseStatus, to: CaseStatus): CaseAction {
  if (to === "in_mediation") return "accept";
  if (to === "routed") return "route";
  if (to === "received" && from === "routed") return "decline";
  if (to === "followed_up") return "follow_up";
  return "close";
}

/**
 * The one place a case changes status. The actor is authorised first (FORBIDDEN), then the step
 * (ILLEGAL_TRANSITION). The update is conditional on the status it was read with, so two staff acting
 * at once cannot both win; the loser gets CONFLICT. Deadlines and reminders of the new stage are set
 * in the same transaction: a case back in triage (declined) gets a triage deadline with its 催办 and
 * 督办, a routed one a fresh acceptance deadline with its own.
 */
export async function changeCaseStatus(deps: CaseDeps, input: ChangeStatusInput): Promise<{ from: CaseStatus }> {
  const { clock } = deps;
  const { cases, staff } = deps.repos;
  const current = await cases.byId(input.caseId);
  if (!current) throw new AppError("NOT_FOUND", `No case ${input.caseId}`);
  const from = current.status;
  const action = actionOf(from, input.to);
  const who = await authorise(deps, { actor: input.actor, action, case: current, outcome: input.outcome });
  assertTransition(from, input.to, input.outcome);

  if (action === "accept") {
    // A mediator accepts for themselves; only a supervisor assigns someone else, and only someone who
    // can mediate the case (staff of its room) or themselves.
    const mediatorId = input.mediatorId ?? (who.kind === "staff" ? who.staff.id : undefined);
    if (!mediatorId) throw new AppError("BAD_INPUT", `Accepting ${current.code} needs a mediator`);
    if (who.kind === "staff" && mediatorId !== who.staff.id) {
      const m = await staff.byId(mediatorId);
      const mediates = m?.active && (ROOM_ROLES as readonly string[]).includes(m.role) && m.roomId === current.roomId;
      if (!isSupervisor(who.staff) || !mediates) {
        throw new AppError("FORBIDDEN", `${input.actor} may not assign ${mediatorId} to case ${current.code}`, {
          details: { action, code: current.code },
        });
      }
    }
    input = { ...input, mediatorId };
  }
  if (action === "route" && input.roomId !== undefined && !(await roomExists(deps.sql, input.roomId))) {
    throw new AppError("BAD_INPUT", `No room ${input.roomId}`);
  }

  // What changes with the status.
  const terms = await slaTerms(deps);
  const now = clock.now();
  const roomId = input.roomId ?? current.roomId;
  const acceptDueAt = acceptDeadline(terms, now);
  const triageDueAt = triageDeadline(terms, now);
  const change: StatusChange =
    input.to === "in_mediation"
      ? { mediatorId: input.mediatorId }
      : input.to === "routed"
        ? { roomId, acceptDueAt }
        : input.to === "received"
          ? { mediatorId: null, triageDueAt }
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
    if (residentHearsOf(input.to) && !input.partiesTold) {
      await enqueueJob(
        tx,
        {
          kind: RESIDENT_NOTIFY,
          payload: { caseId: input.caseId, to: input.to, outcome: input.outcome, ...(input.notice ? { notice: input.notice } : {}) },
          dueAt: now,
          dedupeKey: `resident:${input.caseId}:${input.to}:${now.toISOString()}`,
        },
        now,
      );
    }
    // The notice this step issues (受理, 终止调解, 不予受理), served to the parties as a document.
    const notice = noticeFor(from, input.to, input.outcome);
    if (notice) await enqueueJob(tx, caseNoticeJob({ caseId: input.caseId, kind: notice, at: now, reason: input.notice ?? input.reason }), now);
    if (input.to === "in_mediation" && current.resolveDueAt) {
      await scheduleSla(tx, terms, { caseId: input.caseId, stage: "resolve", deadline: current.resolveDueAt, now });
    }
    if (input.to === "received") {
      await scheduleSla(tx, terms, { caseId: input.caseId, stage: "triage", deadline: triageDueAt, now });
    }
    if (input.to === "routed") {
      await scheduleSla(tx, terms, { caseId: input.caseId, stage: "accept", deadline: acceptDueAt, now });
      if (roomId) await enqueueJob(tx, caseAssignedJob({ caseId: input.caseId, roomId, acceptDueAt, now }), now);
    }
    return { from };
  });
  if (residentHearsOf(input.to) || input.to === "routed") deps.onJobsDue?.();
  return result;
}

export const acceptCase = (deps: CaseDeps, o: { caseId: string; mediatorId: string; actor: string }) =>
  changeCaseStatus(deps, { caseId: o.caseId, to: "in_mediation", mediatorId: o.mediatorId, actor: o.actor });

/** 退回: the room returns the case to the triage queue. */
export const declineCase = (deps: CaseDeps, o: { caseId: string; actor: string; reason: string }) =>
  changeCaseStatus(deps, { caseId: o.caseId, to: "received", actor: o.actor, reason: o.reason });

export const closeCase = (deps: CaseDeps, o: { caseId: string; outcome: Outcome; actor: string; reason?: string; notice?: string }) =>
  changeCaseStatus(deps, { caseId: o.caseId, to: "closed", outcome: o.outcome, actor: o.actor, reason: o.reason, notice: o.notice });

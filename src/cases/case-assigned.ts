import type { JobInput } from "../jobs/job.repository.js";

export const CASE_ASSIGNED = "case.assigned";

/**
 * The "case assigned" notice to the mediators of the room a case was routed to, scheduled in the same
 * transaction as the routing. The key makes a repeat schedule nothing twice; a later re-routing to
 * another room gets its own notice.
 */
export function caseAssignedJob(input: { caseId: string; roomId: string; now: Date }): JobInput {
  return {
    kind: CASE_ASSIGNED,
    payload: { caseId: input.caseId, roomId: input.roomId },
    dueAt: input.now,
    dedupeKey: `case-assigned:${input.caseId}:${input.roomId}`,
  };
}

import type { JobInput } from "../jobs/job.repository.js";

export const CASE_ASSIGNED = "case.assigned";

/**
 * The "case assigned" notice to the mediators of the room a case was routed to, scheduled in the same
 * transaction as the routing. The key makes a repeat schedule nothing twice; each routing (a new
 * acceptance deadline) gets its own notice, even back to a room that had the case before. The handler
 * sends nothing once the case is no longer waiting in that room for that deadline.
 */
export function caseAssignedJob(input: { caseId: string; roomId: string; acceptDueAt: Date; now: Date }): JobInput {
  const acceptDueAt = input.acceptDueAt.toISOString();
  return {
    kind: CASE_ASSIGNED,
    payload: { caseId: input.caseId, roomId: input.roomId, acceptDueAt },
    dueAt: input.now,
    dedupeKey: `case-assigned:${input.caseId}:${input.roomId}:${acceptDueAt}`,
  };
}

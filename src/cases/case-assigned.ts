import type { DbOrTx } from "../db/client.js";
import { enqueueJob } from "../jobs/job.repository.js";

export const CASE_ASSIGNED = "case.assigned";

/**
 * Schedules the "case assigned" notice to the mediators of the room a case was routed to. The key makes
 * a repeat (a re-run turn, a retried request) schedule nothing twice; a later re-routing to another room
 * gets its own notice.
 */
export async function enqueueCaseAssigned(db: DbOrTx, input: { caseId: string; roomId: string; now: Date }): Promise<void> {
  await enqueueJob(
    db,
    { kind: CASE_ASSIGNED, payload: { caseId: input.caseId, roomId: input.roomId }, dueAt: input.now, dedupeKey: `case-assigned:${input.caseId}:${input.roomId}` },
    input.now,
  );
}

import type { QueueRow } from "./case.repository.js";
import type { CaseDeps } from "./deps.js";
import type { CaseStatus, DisputeType } from "./types.js";

export interface QueueItem {
  id: string;
  code: string;
  type: DisputeType;
  status: CaseStatus;
  summary: string | null;
  description: string;
  riskFlags: string[];
  acceptDueAt: Date | null;
  resolveDueAt: Date | null;
  remote: boolean;
}

export interface MediatorQueue {
  /** Routed to the mediator's room and waiting for someone to accept (risk-flagged first, then oldest). */
  waiting: QueueItem[];
  /** Accepted by this mediator and still in mediation. */
  mine: QueueItem[];
}

function item(c: QueueRow): QueueItem {
  const { disputeType, ...rest } = c;
  return { ...rest, type: disputeType };
}

/** A mediator's queue: what waits in their room, and what they carry. */
export async function listMediatorQueue(
  deps: Pick<CaseDeps, "repos">,
  staff: { id: string; roomId: string | null; role: string },
  limit = 20,
): Promise<MediatorQueue> {
  const { cases } = deps.repos;
  // A supervisor has no room: they see everything waiting. Anyone else without a room sees nothing waiting.
  const [waiting, mine] = await Promise.all([
    staff.role === "supervisor" ? cases.waiting(null, limit) : staff.roomId !== null ? cases.waiting(staff.roomId, limit) : [],
    cases.carriedBy(staff.id, limit),
  ]);
  const items = waiting.map(item);
  items.sort((a, b) => Number(b.riskFlags.length > 0) - Number(a.riskFlags.length > 0));
  return { waiting: items, mine: mine.map(item) };
}

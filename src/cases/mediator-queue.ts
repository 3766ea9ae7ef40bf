import type { Db } from "../db/client.js";
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

const select = {
  id: true, code: true, disputeType: true, status: true, summary: true, description: true,
  riskFlags: true, acceptDueAt: true, resolveDueAt: true, remote: true, createdAt: true,
} as const;

function item(c: { id: string; code: string; disputeType: string; status: string; summary: string | null; description: string; riskFlags: string; acceptDueAt: Date | null; resolveDueAt: Date | null; remote: boolean }): QueueItem {
  return {
    id: c.id,
    code: c.code,
    type: c.disputeType as DisputeType,
    status: c.status as CaseStatus,
    summary: c.summary,
    description: c.description,
    riskFlags: JSON.parse(c.riskFlags) as string[],
    acceptDueAt: c.acceptDueAt,
    resolveDueAt: c.resolveDueAt,
    remote: c.remote,
  };
}

/** A mediator's queue: what waits in their room, and what they carry. */
export async function listMediatorQueue(db: Db, staff: { id: string; roomId: string | null; role: string }, limit = 20): Promise<MediatorQueue> {
  // A supervisor has no room: they see everything waiting.
  const roomFilter = staff.role === "supervisor" ? {} : { roomId: staff.roomId ?? "__none__" };
  const [waiting, mine] = await Promise.all([
    db.case.findMany({ where: { status: "routed", ...roomFilter }, orderBy: { createdAt: "asc" }, take: limit, select }),
    db.case.findMany({ where: { status: "in_mediation", mediatorId: staff.id }, orderBy: { createdAt: "asc" }, take: limit, select }),
  ]);
  const items = waiting.map(item);
  items.sort((a, b) => Number(b.riskFlags.length > 0) - Number(a.riskFlags.length > 0));
  return { waiting: items, mine: mine.map(item) };
}

import type { Db } from "../db/client.js";
import type { CaseStatus, DisputeType, Outcome } from "./types.js";

export interface CaseSummary {
  id: string;
  code: string;
  type: DisputeType;
  status: CaseStatus;
  outcome: Outcome | null;
  roomNameZh: string | null;
  roomNameEn: string | null;
  /** The mediator who accepted the case, with a phone when the centre recorded one. */
  mediator: { name: string; phone: string | null } | null;
  triageDueAt: Date;
  acceptDueAt: Date | null;
  resolveDueAt: Date | null;
  createdAt: Date;
  /** This user's role in the case. */
  role: string;
}

/** Cases in which this chat user is a party, newest first. */
export async function listCasesForUser(db: Db, channel: string, userId: string, limit = 10): Promise<CaseSummary[]> {
  const rows = await db.case.findMany({
    where: { parties: { some: { channel, channelUserId: userId } } },
    orderBy: { createdAt: "desc" },
    take: limit,
    include: {
      room: { select: { nameZh: true, nameEn: true } },
      mediator: { select: { name: true, phone: true } },
      parties: { where: { channel, channelUserId: userId }, select: { role: true }, take: 1 },
    },
  });
  return rows.map((c) => ({
    id: c.id,
    code: c.code,
    type: c.disputeType as DisputeType,
    status: c.status as CaseStatus,
    outcome: (c.outcome as Outcome | null) ?? null,
    roomNameZh: c.room?.nameZh ?? null,
    roomNameEn: c.room?.nameEn ?? null,
    mediator: c.mediator ? { name: c.mediator.name, phone: c.mediator.phone } : null,
    triageDueAt: c.triageDueAt,
    acceptDueAt: c.acceptDueAt,
    resolveDueAt: c.resolveDueAt,
    createdAt: c.createdAt,
    role: c.parties[0]?.role ?? "claimant",
  }));
}

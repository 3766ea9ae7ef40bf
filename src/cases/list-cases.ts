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
  acceptDueAt: Date | null;
  resolveDueAt: Date | null;
  createdAt: Date;
}

/** Cases in which this chat user is a party, newest first. */
export async function listCasesForUser(db: Db, channel: string, userId: string, limit = 10): Promise<CaseSummary[]> {
  const rows = await db.case.findMany({
    where: { parties: { some: { channel, channelUserId: userId } } },
    orderBy: { createdAt: "desc" },
    take: limit,
    include: { room: { select: { nameZh: true, nameEn: true } } },
  });
  return rows.map((c) => ({
    id: c.id,
    code: c.code,
    type: c.disputeType as DisputeType,
    status: c.status as CaseStatus,
    outcome: (c.outcome as Outcome | null) ?? null,
    roomNameZh: c.room?.nameZh ?? null,
    roomNameEn: c.room?.nameEn ?? null,
    acceptDueAt: c.acceptDueAt,
    resolveDueAt: c.resolveDueAt,
    createdAt: c.createdAt,
  }));
}

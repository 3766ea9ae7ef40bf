import type { DbOrTx } from "../db/client.js";
import { newId } from "../lib/ids.js";
import type { CaseStatus } from "./types.js";

export interface CaseEventInput {
  caseId: string;
  at: Date;
  /** "system", "staff:<id>", "resident:<channel>:<user>". */
  actor: string;
  action: string;
  from?: CaseStatus | null;
  to?: CaseStatus | null;
  reason?: string;
  data?: Record<string, unknown>;
}

/** Every change to a case is an audit event, written in the same transaction as the change. */
export async function recordEvents(db: DbOrTx, events: CaseEventInput[]): Promise<void> {
  await db.caseEvent.createMany({
    data: events.map((e) => ({
      id: newId(),
      caseId: e.caseId,
      at: e.at,
      actor: e.actor,
      action: e.action,
      fromStatus: e.from ?? null,
      toStatus: e.to ?? null,
      reason: e.reason ?? null,
      data: e.data ? JSON.stringify(e.data) : null,
    })),
  });
}

export function recordEvent(db: DbOrTx, event: CaseEventInput): Promise<void> {
  return recordEvents(db, [event]);
}

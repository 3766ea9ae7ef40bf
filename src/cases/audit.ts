import { join, sql, type Sql } from "../db/sql.js";
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

/**
 * Every change to a case is an audit event, written in the same transaction as the change. One
 * multi-row INSERT in raw SQL: events are written on every case change, several at a time.
 */
export async function recordEvents(db: Sql, events: CaseEventInput[]): Promise<void> {
  if (events.length === 0) return;
  const values = join(
    // ord keeps the order of events written at the same instant (opened, then routed).
    events.map(
      (e, ord) => sql`(${newId()}, ${e.caseId}, ${e.at}, ${e.actor}, ${e.action}, ${e.from ?? null}, ${e.to ?? null},
        ${e.reason ?? null}, ${e.data ? JSON.stringify(e.data) : null}, ${ord})`,
    ),
  );
  await db.execute(sql`
    INSERT INTO "CaseEvent" ("id", "caseId", "at", "actor", "action", "fromStatus", "toStatus", "reason", "data", "ord")
    VALUES ${values}`);
}

export function recordEvent(db: Sql, event: CaseEventInput): Promise<void> {
  return recordEvents(db, [event]);
}

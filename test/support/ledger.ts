import { transcriptWriter } from "../../src/bot/conversation.repository.js";
import type { Outbound } from "../../src/bot/messages.js";
import { sql, type Sql } from "../../src/db/sql.js";
import type { Clock } from "../../src/lib/clock.js";
import { createMessenger } from "../../src/notify/messenger.js";

export interface LedgerEntry {
  channel: string;
  userId: string;
  text: string;
  state: string;
  kind: string;
}

/** What the delivery ledger holds, oldest first: every message handed to a person. */
export async function ledger(db: Sql): Promise<LedgerEntry[]> {
  const rows = await db.query<{ channel: string; recipient: string; content: string; state: string; kind: string }>(sql`
    SELECT "channel", "recipient", "content", "state", "kind" FROM "Delivery" ORDER BY "createdAt", "id"`);
  return rows.map((r) => {
    const m = JSON.parse(r.content) as Outbound;
    return { channel: r.channel, userId: r.recipient, text: m.kind === "file" ? m.name : m.text, state: r.state, kind: r.kind };
  });
}

/** The real messenger on a test database, with what it handed to the ledger (no channel sends here). */
export function ledgerMessenger(db: Sql, clock: Clock) {
  return { ...createMessenger({ sql: db, clock, transcript: transcriptWriter }), sent: () => ledger(db) };
}

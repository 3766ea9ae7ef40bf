import { sql, type Sql } from "../db/sql.js";
import type { Clock } from "../lib/clock.js";
import { newId } from "../lib/ids.js";

/** A choice offered under a message; the same shape as the dialogue's buttons. */
export interface NoticeButton {
  label: string;
  data: string;
}

/** Port: sends a text (with buttons, if any) to a person on a chat channel. The bot layer implements it per channel. */
export interface Messenger {
  sendText(channel: string, userId: string, text: string, buttons?: NoticeButton[][]): Promise<void>;
}

export interface StaffRecipient {
  id: string;
  roomId?: string | null;
  channel?: string | null;
  channelUserId?: string | null;
}

/**
 * Records a notification for a staff member and sends it on their channel when they have one; until
 * then it waits in the notifications list the web API serves. The dedupe key makes a re-run (two sweeps,
 * a retry after a crash) write nothing twice and send nothing already sent.
 */
export async function notifyStaff(
  deps: { sql: Sql; clock: Clock; messenger: Messenger },
  n: { dedupeKey: string; staff: StaffRecipient; kind: string; text: string; caseId?: string; buttons?: NoticeButton[][] },
): Promise<void> {
  const { sql: db, clock, messenger } = deps;
  // Insert-or-ignore: a re-run writes nothing twice.
  await db.execute(sql`
    INSERT INTO "Notification" ("id", "dedupeKey", "staffId", "roomId", "caseId", "kind", "text", "createdAt")
    VALUES (${newId()}, ${n.dedupeKey}, ${n.staff.id}, ${n.staff.roomId ?? null}, ${n.caseId ?? null}, ${n.kind}, ${n.text}, ${clock.now()})
    ON CONFLICT ("dedupeKey") DO NOTHING`);
  if (!n.staff.channel || !n.staff.channelUserId) return;
  const [row] = await db.query<{ id: string; deliveredAt: Date | null }>(sql`
    SELECT "id", "deliveredAt" FROM "Notification" WHERE "dedupeKey" = ${n.dedupeKey}`);
  if (!row || row.deliveredAt) return;
  await messenger.sendText(n.staff.channel, n.staff.channelUserId, n.text, n.buttons);
  await db.execute(sql`UPDATE "Notification" SET "deliveredAt" = ${clock.now()} WHERE "id" = ${row.id}`);
}

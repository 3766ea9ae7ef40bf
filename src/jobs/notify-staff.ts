import type { Clock } from "../lib/clock.js";
import type { NotificationRepository } from "./notification.repository.js";

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
  deps: { repos: { notifications: NotificationRepository }; clock: Clock; messenger: Messenger },
  n: { dedupeKey: string; staff: StaffRecipient; kind: string; text: string; caseId?: string; buttons?: NoticeButton[][] },
): Promise<void> {
  const { clock, messenger } = deps;
  const { notifications } = deps.repos;
  await notifications.record({
    dedupeKey: n.dedupeKey,
    staffId: n.staff.id,
    roomId: n.staff.roomId ?? null,
    caseId: n.caseId ?? null,
    kind: n.kind,
    text: n.text,
    at: clock.now(),
  });
  if (!n.staff.channel || !n.staff.channelUserId) return;
  const pending = await notifications.undelivered(n.dedupeKey);
  if (!pending) return;
  await messenger.sendText(n.staff.channel, n.staff.channelUserId, n.text, n.buttons);
  await notifications.markDelivered(pending.id, clock.now());
}

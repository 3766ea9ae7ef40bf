import type { Clock } from "../lib/clock.js";
import type { NotificationRepository } from "./notification.repository.js";

import type { Messenger } from "../notify/messenger.js";

export type { Messenger };

/** A choice offered under a message; the same shape as the dialogue's buttons. */
export interface NoticeButton {
  label: string;
  data: string;
}

export interface StaffRecipient {
  id: string;
  roomId?: string | null;
  channel?: string | null;
  channelUserId?: string | null;
}

/**
 * Records a notification for a staff member and hands it to the delivery ledger for their chat when
 * they have one; until then it waits in the notifications list the web API serves. The dedupe key makes
 * a re-run (two sweeps, a retry after a crash) write nothing twice and send nothing twice.
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
  await messenger.sendText(n.staff.channel, n.staff.channelUserId, n.text, n.buttons, {
    kind: "staff_notice",
    caseId: n.caseId ?? null,
    dedupeKey: `staff:${n.dedupeKey}:${n.staff.channel}:${n.staff.channelUserId}`,
  });
  // Handed to the ledger: the Delivery row says when it reached the chat.
  await notifications.markDelivered(pending.id, clock.now());
}

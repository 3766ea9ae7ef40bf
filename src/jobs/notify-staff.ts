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
}

/** The chats a staff member linked (cases/staff.repository.ts), each of which gets their notices. */
export interface StaffChats {
  channelsOf(staffId: string): Promise<{ channel: string; channelUserId: string }[]>;
}

/**
 * Records a notification for a staff member and hands it to the delivery ledger for each chat they
 * linked; with none, it waits in the notifications list the web API serves. The dedupe key makes
 * a re-run (two sweeps, a retry after a crash) write nothing twice and send nothing twice.
 */
export async function notifyStaff(
  deps: { repos: { notifications: NotificationRepository; staff: StaffChats }; clock: Clock; messenger: Messenger },
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
  const chats = await deps.repos.staff.channelsOf(n.staff.id);
  if (chats.length === 0) return;
  const pending = await notifications.undelivered(n.dedupeKey);
  if (!pending) return;
  for (const chat of chats) {
    await messenger.sendText(chat.channel, chat.channelUserId, n.text, n.buttons, {
      kind: "staff_notice",
      caseId: n.caseId ?? null,
      dedupeKey: `staff:${n.dedupeKey}:${chat.channel}:${chat.channelUserId}`,
    });
  }
  // Handed to the ledger: its Delivery rows say when each chat got it.
  await notifications.markDelivered(pending.id, clock.now());
}

import type { Messenger } from "../../jobs/notify-staff.js";
import { AppError } from "../../lib/errors.js";
import type { Outbound } from "../messages.js";

/** How a channel delivers messages that are not replies (reminders, notices, pages). */
export type ChannelSender = (userId: string, messages: Outbound[]) => Promise<void>;

/** One Messenger over every channel the process runs; a channel that is not configured is an error the job retries. */
export function createMessenger(senders: Map<string, ChannelSender>): Messenger & { send(channel: string, userId: string, messages: Outbound[]): Promise<void> } {
  async function send(channel: string, userId: string, messages: Outbound[]): Promise<void> {
    const sender = senders.get(channel);
    if (!sender) throw new AppError("UPSTREAM", `Channel ${channel} is not running in this process`);
    await sender(userId, messages);
  }
  return {
    send,
    sendText: (channel, userId, text, buttons) => send(channel, userId, [{ kind: "text", text, ...(buttons ? { buttons } : {}) }]),
  };
}

import type { Update } from "grammy/types";
import type { Inbound } from "../../messages.js";

export const TELEGRAM_CHANNEL = "telegram";

/** The private chat an update belongs to, or undefined for anything else (groups, channels, inline). */
export function privateChatOf(update: Update): string | undefined {
  const chat = update.message?.chat ?? update.callback_query?.message?.chat;
  return chat?.type === "private" ? String(chat.id) : undefined;
}

/**
 * The parts of an Inbound every update shares. userId is the chat id (in a private chat, the person);
 * messageId is the update id, so a redelivered update (message, button press or file) is one delivery.
 */
export function baseInbound(update: Update, chatId: string): Inbound {
  const from = update.message?.from ?? update.callback_query?.from;
  const name = from ? [from.first_name, from.last_name].filter(Boolean).join(" ") || from.username : undefined;
  return {
    channel: TELEGRAM_CHANNEL,
    userId: chatId,
    messageId: String(update.update_id),
    ...(from?.language_code ? { localeHint: from.language_code } : {}),
    ...(name ? { displayName: name } : {}),
  };
}

/** "/start c_OD-20261123-0007" → "c_OD-20261123-0007"; undefined for a plain /start or other text. */
export function startPayloadOf(text: string | undefined): string | undefined {
  return text?.match(/^\/start(?:@\w+)?\s+(\S{1,64})\s*$/)?.[1];
}

/** The label of the pressed button, from the keyboard it was pressed on (for the transcript). */
export function pressedLabel(update: Update, data: string): string | undefined {
  const markup = update.callback_query?.message && "reply_markup" in update.callback_query.message ? update.callback_query.message.reply_markup : undefined;
  for (const row of markup?.inline_keyboard ?? []) {
    for (const b of row) if ("callback_data" in b && b.callback_data === data) return b.text;
  }
  return undefined;
}

import type { InlineKeyboardButton, MessageEntity } from "grammy/types";
import type { Button, Outbound } from "../../messages.js";

/** Telegram's limits on what one message may carry. */
export const MAX_TEXT = 4096;
export const MAX_CAPTION = 1024;
export const MAX_CALLBACK_DATA_BYTES = 64;

export function fitsCallbackData(data: string): boolean {
  return Buffer.byteLength(data, "utf8") <= MAX_CALLBACK_DATA_BYTES;
}

/** Our buttons as an inline keyboard. A button whose data Telegram would refuse is left out (and reported). */
export function inlineKeyboard(rows: Button[][], onTooLong: (data: string) => void): InlineKeyboardButton[][] {
  return rows
    .map((row) =>
      row.flatMap((b) => {
        if (fitsCallbackData(b.data)) return [{ text: b.label, callback_data: b.data }];
        onTooLong(b.data);
        return [];
      }),
    )
    .filter((row) => row.length > 0);
}

/** Splits a long text at line breaks where it can, so no part is over Telegram's limit. */
export function splitText(text: string, max = MAX_TEXT): string[] {
  if (text.length <= max) return [text];
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const cut = rest.lastIndexOf("\n", max);
    const at = cut > max / 2 ? cut : max;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^\n/, "");
  }
  if (rest) parts.push(rest);
  return parts;
}

/** One Bot API call per part of an Outbound; buttons sit under the last part. */
export type TelegramSend =
  | { method: "sendMessage"; text: string; keyboard?: InlineKeyboardButton[][]; entities?: MessageEntity[] }
  | { method: "sendDocument"; ref: string; name: string; mime: string; caption?: string };

export function renderOutbound(o: Outbound, onTooLong: (data: string) => void): TelegramSend[] {
  switch (o.kind) {
    case "text": {
      const parts = splitText(o.text);
      const keyboard = o.buttons?.length ? inlineKeyboard(o.buttons, onTooLong) : undefined;
      return parts.map((text, i) => {
        // The case code as a code span: shown whole, and copied with one tap in Telegram's apps.
        const at = o.copyText ? text.indexOf(o.copyText) : -1;
        return {
          method: "sendMessage" as const,
          text,
          ...(at >= 0 ? { entities: [{ type: "code" as const, offset: at, length: o.copyText!.length }] } : {}),
          ...(i === parts.length - 1 && keyboard?.length ? { keyboard } : {}),
        };
      });
    }
    case "link":
      return splitText(`${o.text}\n${o.url}`).map((text) => ({ method: "sendMessage" as const, text }));
    case "file":
      return [{ method: "sendDocument", ref: o.ref, name: o.name, mime: o.mime, ...(o.caption ? { caption: o.caption.slice(0, MAX_CAPTION) } : {}) }];
  }
}

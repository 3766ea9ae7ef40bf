/**
 * Telegram's published limits: about one message a second in one chat (short bursts are tolerated) and
 * about 30 a second overall. https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this
 * The dispatcher counts them in shared fixed windows (notify/rate-limit.ts): `perChatBurst` messages per
 * `perChatBurst / perChatPerSecond` seconds in a chat, so a reply of 2–3 bubbles goes out at once.
 */
export interface RateLimits {
  perChatPerSecond: number;
  /** Messages a chat may get back to back before the per-second pace applies (a reply is often 2–3). */
  perChatBurst: number;
  globalPerSecond: number;
  globalBurst: number;
}

export const TELEGRAM_LIMITS: RateLimits = { perChatPerSecond: 1, perChatBurst: 3, globalPerSecond: 30, globalBurst: 30 };

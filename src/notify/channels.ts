import type { Outbound } from "../bot/messages.js";
import { AppError } from "../lib/errors.js";
import type { WindowLimit } from "./rate-limit.js";

/** What a channel can carry. Flows write one Outbound; the messenger fits it to the channel. */
export interface ChannelCapabilities {
  buttons: boolean;
  files: boolean;
  /**
   * The transcript is the delivery (the web chat reads it): a message is sent once it is written,
   * with its transcript number as the channel's id, and no sender runs.
   */
  transcriptIsDelivery: boolean;
  /**
   * How long after the person's last message the channel lets us write to them at all (WeChat
   * Customer Service: 48 hours). Outside it a delivery fails at once, not retried, so the caller can
   * reach the person another way.
   */
  replyWindowMs?: number;
}

export const CHANNEL_CAPABILITIES: Record<string, ChannelCapabilities> = {
  web: { buttons: true, files: true, transcriptIsDelivery: true },
  telegram: { buttons: true, files: true, transcriptIsDelivery: false },
  // WeChat Customer Service (微信客服): replies within 48 hours of the customer's last message.
  wecom_kf: { buttons: false, files: true, transcriptIsDelivery: false, replyWindowMs: 48 * 3600_000 },
  wecom: { buttons: false, files: true, transcriptIsDelivery: false },
};

export function capabilitiesOf(channel: string): ChannelCapabilities {
  const c = CHANNEL_CAPABILITIES[channel];
  if (!c) throw new AppError("INTERNAL", `unknown channel ${channel}`);
  return c;
}

/**
 * Why a send failed, as the channel adapter tells the dispatcher (AppError "UPSTREAM" with these in
 * `details.delivery`):
 * - `rate_limited`: wait `retryAfterMs` and send the same message again (nothing was sent);
 * - `temporary`: the service is down or the network failed; retried with back-off;
 * - `refused`: the person blocked us or the chat is gone; not retried;
 * - `rejected`: the service refused the message itself (a 400): our bug; logged as an error.
 */
export type SendFailure = "rate_limited" | "temporary" | "refused" | "rejected";

export function sendFailure(kind: SendFailure, message: string, retryAfterMs?: number, cause?: unknown): AppError {
  return new AppError("UPSTREAM", message, { details: { delivery: kind, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) }, cause });
}

/** A channel adapter's half of delivery: one message to one recipient; returns the channel's message id. */
export interface ChannelSender {
  /** `signal` aborts the call (the process is stopping). */
  send(recipient: string, message: Outbound, signal?: AbortSignal): Promise<{ channelMessageId: string }>;
  /** Milliseconds until the channel's service may be called again (its breaker is open); 0 or absent: now. */
  availableInMs?(): number;
  /** The channel's own pace, per recipient and overall; counted in the database so instances share it. */
  limits(recipient: string): { key: string; limit: WindowLimit }[];
}

/**
 * A message as this channel can show it: without buttons, the choices become numbered lines under
 * the text; without files, the caption and name.
 */
export function fitToChannel(message: Outbound, caps: ChannelCapabilities): Outbound {
  if (message.kind === "text" && message.buttons?.length && !caps.buttons) {
    const labels = message.buttons.flat().map((b, i) => `${i + 1}. ${b.label}`);
    return { kind: "text", text: `${message.text}\n${labels.join("\n")}`, ...(message.copyText ? { copyText: message.copyText } : {}) };
  }
  if (message.kind === "file" && !caps.files) {
    return { kind: "text", text: [message.caption, message.name].filter(Boolean).join("\n") };
  }
  return message;
}

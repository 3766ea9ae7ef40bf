import type { Sql } from "../db/sql.js";
import type { Button, Outbound } from "../bot/messages.js";
import type { Clock } from "../lib/clock.js";
import { capabilitiesOf, fitToChannel } from "./channels.js";
import { deliveryKeyExists, insertDeliveries, type DeliveryKind, type NewDelivery } from "./delivery.repository.js";

export interface SendOptions {
  kind?: DeliveryKind;
  caseId?: string | null;
  /**
   * The same key twice sends nothing twice (a job run again after a crash): use the job's id and the
   * recipient. Each message of a call is keyed `<key>#<n>`.
   */
  dedupeKey?: string;
  /** Not sent at all after this (a reminder for a session that has begun). */
  expiresAt?: Date;
  /**
   * The document a call serves: set on its file message only, where the document's arrival, opening
   * and acknowledgement are recorded; the messages around it (its link, the 收到 button) are notices.
   */
  documentId?: string;
}

/**
 * Port: how anything that is not a reply reaches a person (notices, reminders, a staff member's
 * answer, documents). A call writes the messages to the delivery ledger and the person's transcript in
 * one transaction and returns; the dispatcher of an instance running the channel sends them. So a job
 * never waits on Telegram, and an instance without the channel still hands the message on.
 */
export interface Messenger {
  send(channel: string, recipient: string, messages: Outbound[], options?: SendOptions): Promise<void>;
  sendText(channel: string, recipient: string, text: string, buttons?: Button[][], options?: SendOptions): Promise<void>;
}

/** The person's transcript, as the conversation repository keeps it (bot/conversation.repository.ts). */
export interface TranscriptWriter {
  /** Appends messages in the caller's transaction; returns the first one's number. */
  appendTranscript(tx: Sql, channel: string, recipient: string, messages: Outbound[], now: Date): Promise<number>;
  /** Whether the person wrote to us since `since` (a channel's reply window counts from their last message). */
  wroteSince(tx: Sql, channel: string, recipient: string, since: Date): Promise<boolean>;
}

export interface MessengerDeps {
  sql: Sql;
  clock: Clock;
  transcript: TranscriptWriter;
  /** Messages were queued for this recipient: a dispatcher may send them now. */
  onQueued?: (channel: string, recipient: string) => void;
}

export function createMessenger(deps: MessengerDeps): Messenger {
  const { appendTranscript, wroteSince } = deps.transcript;
  async function send(channel: string, recipient: string, messages: Outbound[], options: SendOptions = {}): Promise<void> {
    if (messages.length === 0) return;
    const caps = capabilitiesOf(channel);
    const fitted = messages.map((m) => fitToChannel(m, caps));
    const now = deps.clock.now();
    const queued = await deps.sql.transaction(async (tx) => {
      const outside = caps.replyWindowMs !== undefined && !(await wroteSince(tx, channel, recipient, new Date(now.getTime() - caps.replyWindowMs)));
      const items: NewDelivery[] = fitted.map((message, i) => ({
        channel,
        recipient,
        kind: options.kind ?? "notice",
        message,
        caseId: options.caseId ?? null,
        dedupeKey: options.dedupeKey ? `${options.dedupeKey}#${i}` : null,
        expiresAt: options.expiresAt ?? null,
        documentId: options.documentId && message.kind === "file" ? options.documentId : null,
        ...(outside ? { failed: "outside the channel's reply window" } : {}),
      }));
      if (caps.transcriptIsDelivery) {
        // Written is delivered: the transcript numbers are the channel's message ids. A dedupe key
        // already seen means the transcript has these messages too.
        if (options.dedupeKey && (await deliveryKeyExists(tx, `${options.dedupeKey}#0`))) return false;
        const first = await appendTranscript(tx, channel, recipient, fitted, now);
        await insertDeliveries(tx, items.map((d, i) => ({ ...d, sentAs: String(first + i) })), now);
        return false;
      }
      const added = await insertDeliveries(tx, items, now);
      // The transcript keeps a copy, so a person taking over reads notices and staff replies too.
      if (added > 0 && !outside) await appendTranscript(tx, channel, recipient, fitted, now);
      return added > 0 && !outside;
    });
    if (queued) deps.onQueued?.(channel, recipient);
  }

  return {
    send,
    sendText: (channel, recipient, text, buttons, options) =>
      send(channel, recipient, [{ kind: "text", text, ...(buttons?.length ? { buttons } : {}) }], options),
  };
}

import { join, sql, type Query, type Sql } from "../db/sql.js";
import { orderedId } from "../lib/ids.js";
import type { Outbound } from "../bot/messages.js";

/** What a delivery is for: a turn's reply, a notice to a party, a staff member's notice, a document. */
export type DeliveryKind = "reply" | "notice" | "staff_notice" | "reminder" | "document";

/**
 * queued → sending (claimed by one sender) → sent | failed | queued again (a retry later);
 * queued → expired when its time passed unsent. `sending` whose claim lapsed was cut off mid-send by a
 * crash: it may have arrived, so it is not sent again (see the dispatcher).
 */
export type DeliveryState = "queued" | "sending" | "sent" | "failed" | "expired";

export interface NewDelivery {
  channel: string;
  recipient: string;
  kind: DeliveryKind;
  message: Outbound;
  caseId?: string | null;
  turnId?: string | null;
  /** The same key twice makes one delivery: a job that runs again sends nothing twice. */
  dedupeKey?: string | null;
  expiresAt?: Date | null;
  /**
   * Delivered already as it was written (the web chat: the transcript is the delivery), under this id;
   * a fragment when the statement writing it hands the id out (a turn's transcript number, `saveTurn`).
   */
  sentAs?: string | Query;
  /** Cannot be sent at all (outside a channel's reply window): recorded as failed, not retried. */
  failed?: string;
  /** The document this message serves (电子送达): its opening and acknowledgement are recorded on this row. */
  documentId?: string | null;
}

export interface Delivery {
  id: string;
  channel: string;
  recipient: string;
  kind: DeliveryKind;
  message: Outbound;
  state: DeliveryState;
  attempts: number;
  caseId: string | null;
  documentId: string | null;
  channelMessageId: string | null;
  error: string | null;
  retryable: boolean | null;
  notBefore: Date;
  expiresAt: Date | null;
  createdAt: Date;
  sentAt: Date | null;
  failedAt: Date | null;
  openedAt: Date | null;
  acknowledgedAt: Date | null;
}

interface Row extends Omit<Delivery, "message"> {
  content: string;
}

const toDelivery = ({ content, ...r }: Row): Delivery => ({ ...r, message: JSON.parse(content) as Outbound });

/**
 * Writes deliveries in the caller's transaction (a turn's replies commit with its state, a notice with
 * its transcript copy). A chat's deliveries are sent in the order of ("createdAt", "id"): ids made by
 * `orderedId` keep the order of writing when two instants tie. Returns how many were new (a
 * dedupe key seen before adds nothing).
 */
export async function insertDeliveries(tx: Sql, items: readonly NewDelivery[], now: Date): Promise<number> {
  if (items.length === 0) return 0;
  return tx.execute(deliveriesInsert(items, now));
}

/** The INSERT that `insertDeliveries` runs, for a statement that writes deliveries with other rows (`saveTurn`). */
export function deliveriesInsert(items: readonly NewDelivery[], now: Date): Query {
  const rows = items.map((d, i) => {
    const state: DeliveryState = d.failed !== undefined ? "failed" : d.sentAs !== undefined ? "sent" : "queued";
    return sql`(${orderedId()}, ${d.channel}, ${d.recipient}, ${d.kind}, ${JSON.stringify(d.message)}, ${i}, ${state},
      ${d.dedupeKey ?? null}, ${d.caseId ?? null}, ${d.turnId ?? null}, ${now}, ${d.expiresAt ?? null}, ${d.sentAs ?? null},
      ${state === "sent" ? now : null}, ${d.failed ?? null}, ${state === "failed" ? false : null}, ${state === "failed" ? now : null}, ${now},
      ${d.documentId ?? null})`;
  });
  return sql`
    INSERT INTO "Delivery" ("id", "channel", "recipient", "kind", "content", "ord", "state", "dedupeKey", "caseId",
      "turnId", "notBefore", "expiresAt", "channelMessageId", "sentAt", "error", "retryable", "failedAt", "createdAt",
      "documentId")
    VALUES ${join(rows)}
    ON CONFLICT DO NOTHING`;
}

/** Whether a delivery with this dedupe key was written already (in the caller's transaction). */
export async function deliveryKeyExists(tx: Sql, dedupeKey: string): Promise<boolean> {
  const rows = await tx.query<{ id: string }>(sql`SELECT "id" FROM "Delivery" WHERE "dedupeKey" = ${dedupeKey}`);
  return rows.length > 0;
}

const COLUMNS = sql`"id", "channel", "recipient", "kind", "content", "state", "attempts", "caseId", "documentId", "channelMessageId",
  "error", "retryable", "notBefore", "expiresAt", "createdAt", "sentAt", "failedAt", "openedAt", "acknowledgedAt"`;

export function createDeliveryRepository(db: Sql) {
  return {
    /**
     * Claims the recipient's next delivery, if it is due: the oldest one not yet sent, and only when no
     * earlier one is queued or being sent (by this process or another). So a chat's messages go out in
     * order, one at a time, whichever instance sends them.
     */
    /** Whether the recipient has a delivery that could go now (read before taking a rate permit for it). */
    async hasDue(channel: string, recipient: string, now: Date): Promise<boolean> {
      const rows = await db.query(sql`
        SELECT 1 AS "due" FROM "Delivery"
        WHERE "channel" = ${channel} AND "recipient" = ${recipient} AND "state" = 'queued' AND "notBefore" <= ${now}
          AND ("expiresAt" IS NULL OR "expiresAt" > ${now})
        LIMIT 1`);
      return rows.length > 0;
    },

    async claimNext(channel: string, recipient: string, owner: string, now: Date): Promise<Delivery | null> {
      const [row] = await db.query<Row>(sql`
        UPDATE "Delivery" SET "state" = 'sending', "claimedBy" = ${owner}, "claimedAt" = ${now}, "attempts" = "attempts" + 1
        WHERE "id" = (
          SELECT "id" FROM "Delivery"
          WHERE "channel" = ${channel} AND "recipient" = ${recipient} AND "state" IN ('queued', 'sending')
            -- Past its time (a reminder for a session that began during an outage): never sent late;
            -- the sweep's upkeep records it as expired.
            AND NOT ("state" = 'queued' AND "expiresAt" IS NOT NULL AND "expiresAt" <= ${now})
          ORDER BY "createdAt", "id" LIMIT 1)
        AND "state" = 'queued' AND "notBefore" <= ${now}
        RETURNING ${COLUMNS}`);
      return row ? toDelivery(row) : null;
    },

    async markSent(id: string, channelMessageId: string, now: Date): Promise<void> {
      await db.execute(sql`
        UPDATE "Delivery" SET "state" = 'sent', "channelMessageId" = ${channelMessageId}, "sentAt" = ${now},
          "claimedBy" = NULL, "claimedAt" = NULL, "error" = NULL
        WHERE "id" = ${id}`);
    },

    async markFailed(id: string, error: string, retryable: boolean, now: Date): Promise<void> {
      await db.execute(sql`
        UPDATE "Delivery" SET "state" = 'failed', "error" = ${error.slice(0, 500)}, "retryable" = ${retryable},
          "failedAt" = ${now}, "claimedBy" = NULL, "claimedAt" = NULL
        WHERE "id" = ${id}`);
    },

    /** Back in the queue, not before `notBefore` (a channel's retry_after, a back-off). */
    async retryLater(id: string, error: string, notBefore: Date, countAttempt: boolean): Promise<void> {
      await db.execute(sql`
        UPDATE "Delivery" SET "state" = 'queued', "error" = ${error.slice(0, 500)}, "notBefore" = ${notBefore},
          "attempts" = "attempts" - ${countAttempt ? 0 : 1}, "claimedBy" = NULL, "claimedAt" = NULL
        WHERE "id" = ${id}`);
    },

    /** Recipients with a delivery due now on these channels: what a sweep drains. */
    async dueRecipients(channels: readonly string[], now: Date, limit: number): Promise<{ channel: string; recipient: string }[]> {
      if (channels.length === 0) return [];
      return db.query<{ channel: string; recipient: string }>(sql`
        SELECT DISTINCT "channel", "recipient" FROM "Delivery"
        WHERE "state" = 'queued' AND "channel" IN (${join(channels)}) AND "notBefore" <= ${now}
        LIMIT ${limit}`);
    },

    /**
     * Deliveries cut off mid-send by a process that died (their claim was not renewed): they may have
     * arrived, and the channel cannot say, so they are recorded as failed rather than sent twice.
     */
    async failInterrupted(staleBefore: Date, now: Date): Promise<number> {
      return db.execute(sql`
        UPDATE "Delivery" SET "state" = 'failed', "error" = 'interrupted while sending (process stopped); may have arrived',
          "retryable" = ${false}, "failedAt" = ${now}, "claimedBy" = NULL, "claimedAt" = NULL
        WHERE "state" = 'sending' AND "claimedAt" < ${staleBefore}`);
    },

    /** Queued deliveries whose time has passed are dropped with a record instead of sent late. */
    async expire(now: Date): Promise<number> {
      return db.execute(sql`
        UPDATE "Delivery" SET "state" = 'expired', "failedAt" = ${now}
        WHERE "state" = 'queued' AND "expiresAt" IS NOT NULL AND "expiresAt" <= ${now}`);
    },

    /**
     * The channel reported the message was read (or the web page showed it). Not for a document: one
     * counts as opened only when its file was fetched (`markDocumentOpened`).
     */
    async markOpened(channel: string, recipient: string, channelMessageIds: readonly string[], now: Date): Promise<number> {
      if (channelMessageIds.length === 0) return 0;
      return db.execute(sql`
        UPDATE "Delivery" SET "openedAt" = ${now}
        WHERE "channel" = ${channel} AND "recipient" = ${recipient} AND "openedAt" IS NULL AND "documentId" IS NULL
          AND "channelMessageId" IN (${join(channelMessageIds)})`);
    },

    /** The document's file was fetched by this recipient (its download link, or the web chat's file). The first time counts. */
    async markDocumentOpened(documentId: string, channel: string, recipient: string, now: Date): Promise<number> {
      return db.execute(sql`
        UPDATE "Delivery" SET "openedAt" = ${now}
        WHERE "documentId" = ${documentId} AND "channel" = ${channel} AND "recipient" = ${recipient} AND "openedAt" IS NULL`);
    },

    /** The recipient pressed 收到 for the document. Returns how many deliveries it acknowledged (0: pressed before). */
    async acknowledgeDocument(documentId: string, channel: string, recipient: string, now: Date): Promise<number> {
      return db.execute(sql`
        UPDATE "Delivery" SET "acknowledgedAt" = ${now}
        WHERE "documentId" = ${documentId} AND "channel" = ${channel} AND "recipient" = ${recipient} AND "acknowledgedAt" IS NULL`);
    },

    /** A document's deliveries, in the order written: what its proof of service (送达回证) lists. */
    async ofDocument(documentId: string): Promise<Delivery[]> {
      const rows = await db.query<Row>(sql`
        SELECT ${COLUMNS} FROM "Delivery" WHERE "documentId" = ${documentId} ORDER BY "createdAt", "id"`);
      return rows.map(toDelivery);
    },

    /** The documents this chat was served, newest first, with when each was first sent and acknowledged. */
    async documentsServedTo(channel: string, recipient: string, limit = 20): Promise<{ documentId: string; firstAt: Date; acknowledgedAt: Date | null }[]> {
      // Plain rows, grouped here: an aggregate's value loses the column's date type on SQLite.
      const rows = await db.query<{ documentId: string; createdAt: Date; acknowledgedAt: Date | null }>(sql`
        SELECT "documentId", "createdAt", "acknowledgedAt" FROM "Delivery"
        WHERE "channel" = ${channel} AND "recipient" = ${recipient} AND "documentId" IS NOT NULL
        ORDER BY "createdAt" DESC, "id" DESC LIMIT ${limit * 4}`);
      const byDocument = new Map<string, { documentId: string; firstAt: Date; acknowledgedAt: Date | null }>();
      for (const r of rows) {
        const seen = byDocument.get(r.documentId);
        if (!seen) byDocument.set(r.documentId, { documentId: r.documentId, firstAt: r.createdAt, acknowledgedAt: r.acknowledgedAt });
        else {
          seen.firstAt = r.createdAt; // older rows come later
          seen.acknowledgedAt ??= r.acknowledgedAt;
        }
      }
      return [...byDocument.values()].slice(0, limit);
    },

    /** Documents of this file held by this chat (the web chat's download marks them opened). */
    async documentsOfFile(channel: string, recipient: string, ref: string): Promise<string[]> {
      const rows = await db.query<{ documentId: string }>(sql`
        SELECT DISTINCT "documentId" FROM "Delivery"
        WHERE "channel" = ${channel} AND "recipient" = ${recipient} AND "documentId" IS NOT NULL
          AND "content" LIKE ${`%"ref":"${ref}"%`}`);
      return rows.map((r) => r.documentId);
    },

    /** Whether this chat was sent the file (a web page may fetch only files its own chat was given). */
    async holdsFile(channel: string, recipient: string, ref: string): Promise<boolean> {
      if (!/^documents\/[0-9a-f]{64}$/.test(ref)) return false;
      const rows = await db.query<{ one: number }>(sql`
        SELECT 1 AS "one" FROM "Delivery"
        WHERE "channel" = ${channel} AND "recipient" = ${recipient} AND "content" LIKE ${`%"ref":"${ref}"%`} LIMIT 1`);
      return rows.length > 0;
    },

    async ofCase(caseId: string): Promise<Delivery[]> {
      const rows = await db.query<Row>(sql`
        SELECT ${COLUMNS} FROM "Delivery" WHERE "caseId" = ${caseId} ORDER BY "createdAt", "id"`);
      return rows.map(toDelivery);
    },
  };
}

export type DeliveryRepository = ReturnType<typeof createDeliveryRepository>;

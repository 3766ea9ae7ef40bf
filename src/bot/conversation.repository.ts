import type { LinkedStaff } from "../cases/link-staff.js";
import { join, sql, type Sql } from "../db/sql.js";
import { AppError } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { CHANNEL_CAPABILITIES } from "../notify/channels.js";
import { deliveriesInsert, insertDeliveries, type NewDelivery } from "../notify/delivery.repository.js";
import type { Inbound, Outbound } from "./messages.js";

/**
 * A reply not sent within a day (the channel was down all that time) is dropped with a record: out of
 * its conversation it would only confuse; the person's next message gets a fresh answer.
 */
const REPLY_EXPIRES_MS = 24 * 3600_000;

export interface StoredConversation {
  id: string;
  locale: string;
  state: string;
  version: number;
}

export interface TranscriptEntry {
  id: number;
  /** Its number in the conversation (1, 2, …): the transcript's order, and what pages and polls count in. */
  seq: number;
  direction: "in" | "out";
  payload: Inbound | Outbound;
  createdAt: Date;
}

/**
 * Dialogue state, transcript and handled deliveries: everything a restart must not lose.
 *
 * Every message runs through here, so it is plain SQL (one query to load, one transaction to save),
 * portable to SQLite and PostgreSQL (quoted identifiers, INSERT … RETURNING).
 *
 * Transcript rows are numbered per conversation (`seq`) from `Conversation.lastSeq`, bumped by the
 * statement that also claims the conversation row, in the transaction that writes the rows: a later
 * number cannot commit before an earlier one, so a reader polling "after N" never skips a row (ids
 * from concurrent transactions can commit out of order on PostgreSQL).
 */
/**
 * Appends outbound messages to a person's transcript in the caller's transaction (creating the
 * conversation if it is their first); returns the first message's number.
 */
export async function appendTranscript(tx: Sql, channel: string, userId: string, outbound: Outbound[], now: Date): Promise<number> {
  // One statement creates the conversation or takes its row, and hands out the numbers.
  const [convo] = await tx.query<{ id: string; lastSeq: number }>(sql`
    INSERT INTO "Conversation" ("id", "channel", "userId", "state", "lastSeq", "createdAt", "updatedAt")
    VALUES (${newId()}, ${channel}, ${userId}, '{}', ${outbound.length}, ${now}, ${now})
    ON CONFLICT ("channel", "userId") DO UPDATE SET "lastSeq" = "Conversation"."lastSeq" + excluded."lastSeq"
    RETURNING "id", "lastSeq"`);
  const first = convo!.lastSeq - outbound.length + 1;
  await tx.execute(sql`
    INSERT INTO "ChatMessage" ("conversationId", "seq", "direction", "payload", "createdAt")
    VALUES ${join(outbound.map((o, i) => sql`(${convo!.id}, ${first + i}, 'out', ${JSON.stringify(o)}, ${now})`))}`);
  return first;
}

/** Whether the person wrote to us since `since` (in the caller's transaction). */
export async function wroteSince(tx: Sql, channel: string, userId: string, since: Date): Promise<boolean> {
  const rows = await tx.query<{ seq: number }>(sql`
    SELECT m."seq" FROM "Conversation" AS c JOIN "ChatMessage" AS m ON m."conversationId" = c."id"
    WHERE c."channel" = ${channel} AND c."userId" = ${userId} AND m."direction" = 'in' AND m."createdAt" >= ${since}
    LIMIT 1`);
  return rows.length > 0;
}

/** What the messenger writes to a person's transcript with each notice (notify/messenger.ts). */
export const transcriptWriter = { appendTranscript, wroteSince };

export function createConversationRepository(db: Sql) {
  async function repliesOfTurn(turnId: string): Promise<Outbound[]> {
    const rows = await db.query<{ payload: string }>(sql`
      SELECT "payload" FROM "ChatMessage" WHERE "turnId" = ${turnId} AND "direction" = 'out' ORDER BY "seq"`);
    return rows.map((r) => JSON.parse(r.payload) as Outbound);
  }

  return {
    /**
     * The conversation, the answer already given if this delivery was handled before, and the staff
     * member this chat is linked to, if any: one query for what every message needs.
     */
    async loadTurn(
      channel: string,
      userId: string,
      receiptKey?: string,
    ): Promise<{ conversation: StoredConversation | null; earlier: Outbound[] | null; staff: LinkedStaff | null }> {
      const rows = await db.query<{
        id: string | null;
        locale: string | null;
        state: string | null;
        version: number | null;
        earlierTurn: string | null;
        staffId: string | null;
        staffName: string | null;
        staffRole: string | null;
        staffRoomId: string | null;
      }>(sql`SELECT c."id", c."locale", c."state", c."version", d."turnId" AS "earlierTurn",
          s."id" AS "staffId", s."name" AS "staffName", s."role" AS "staffRole", s."roomId" AS "staffRoomId"
        FROM (SELECT 1 AS one) AS x
        LEFT JOIN "Conversation" AS c ON c."channel" = ${channel} AND c."userId" = ${userId}
        LEFT JOIN "ChatMessage" AS d ON d."externalKey" = ${receiptKey ?? ""}
        LEFT JOIN "StaffChannel" AS sc ON sc."channel" = ${channel} AND sc."channelUserId" = ${userId}
        LEFT JOIN "Staff" AS s ON s."id" = sc."staffId" AND s."active" = ${true}`);
      const row = rows[0];
      return {
        staff: row?.staffId
          ? { id: row.staffId, name: row.staffName ?? "", role: row.staffRole ?? "mediator", roomId: row.staffRoomId }
          : null,
        conversation:
          row?.id != null
            ? { id: row.id, locale: row.locale ?? "zh-CN", state: row.state ?? "{}", version: row.version ?? 0 }
            : null,
        earlier: receiptKey && row?.earlierTurn ? await repliesOfTurn(row.earlierTurn) : null,
      };
    },

    /** The answer given to a delivery already handled, or null if it was not. */
    async findReceipt(key: string): Promise<Outbound[] | null> {
      const rows = await db.query<{ turnId: string | null }>(sql`
        SELECT "turnId" FROM "ChatMessage" WHERE "externalKey" = ${key}`);
      return rows[0]?.turnId ? repliesOfTurn(rows[0].turnId) : null;
    },

    /**
     * Saves the turn in one transaction: the new state, only if nobody saved since we loaded it, and the
     * inbound and outbound messages, the inbound one marked with its delivery id. Returns the last
     * transcript number (`seq`) written. CONFLICT means: reload and run the turn again.
     */
    async saveTurn(t: {
      existing: StoredConversation | null;
      channel: string;
      userId: string;
      locale: string;
      state: string;
      inbound: Inbound;
      outbound: Outbound[];
      receiptKey?: string;
      now: Date;
      /** Writes that belong to the turn (a handoff row, its jobs), committed with its state or not at all. */
      effects?: ((tx: Sql) => Promise<void>)[];
    }): Promise<number> {
      const turnId = newId();
      const conversationId = t.existing?.id ?? newId();
      const count = 1 + t.outbound.length;
      // The claim (the version we loaded, or a new row) also hands out this turn's transcript numbers.
      const claim = t.existing
        ? sql`
            UPDATE "Conversation" SET "state" = ${t.state}, "locale" = ${t.locale}, "turnId" = ${turnId},
              "version" = "version" + 1, "lastSeq" = "lastSeq" + ${count}, "updatedAt" = ${t.now}
            WHERE "id" = ${conversationId} AND "version" = ${t.existing.version}
            RETURNING "id", "lastSeq"`
        : sql`
            INSERT INTO "Conversation" ("id", "channel", "userId", "locale", "state", "version", "turnId", "lastSeq", "createdAt", "updatedAt")
            VALUES (${conversationId}, ${t.channel}, ${t.userId}, ${t.locale}, ${t.state}, 0, ${turnId}, ${count}, ${t.now}, ${t.now})
            ON CONFLICT ("channel", "userId") DO NOTHING
            RETURNING "id", "lastSeq"`;
      // The inbound row carries the delivery id: a second delivery of it fails on the unique key and the
      // whole turn rolls back (the caller then answers with the first turn's replies).
      const messages = (conversation: unknown, seq: (k: number) => unknown) => sql`
        INSERT INTO "ChatMessage" ("conversationId", "seq", "direction", "payload", "turnId", "externalKey", "createdAt")
        VALUES ${join([
          sql`(${conversation}, ${seq(0)}, 'in', ${JSON.stringify(t.inbound)}, ${turnId}, ${t.receiptKey ?? null}, ${t.now})`,
          ...t.outbound.map((o, i) => sql`(${conversation}, ${seq(1 + i)}, 'out', ${JSON.stringify(o)}, ${turnId}, NULL, ${t.now})`),
        ])}`;
      // The replies are deliveries too, committed with the turn: on the web the transcript is their
      // delivery; elsewhere the channel's sender sends them, each once, after the commit.
      const written = CHANNEL_CAPABILITIES[t.channel]?.transcriptIsDelivery ?? false;
      const deliveries = (sentAs: (k: number) => NewDelivery["sentAs"]): NewDelivery[] =>
        t.outbound.map((message, i) => ({
          channel: t.channel,
          recipient: t.userId,
          kind: "reply" as const,
          message,
          turnId,
          expiresAt: written ? null : new Date(t.now.getTime() + REPLY_EXPIRES_MS),
          ...(written ? { sentAs: sentAs(1 + i) } : {}),
        }));

      if (db.kind === "postgres") {
        // One statement, one round trip instead of five (BEGIN, claim, transcript, deliveries, COMMIT),
        // atomic as a transaction is: the rows take the conversation's id and their numbers from the claim,
        // so a claim that found no row (another turn saved first) leaves them without a conversation, and
        // the NOT NULL constraint refuses the whole statement.
        const last = sql`(SELECT "lastSeq" FROM c)`;
        const seq = (k: number) => sql`${last} - ${count - 1 - k}`;
        const write = async (on: Sql): Promise<number> => {
          try {
            const [row] = await on.query<{ lastSeq: number }>(sql`
              WITH c AS (${claim}),
                m AS (${messages(sql`(SELECT "id" FROM c)`, seq)})
                ${t.outbound.length ? sql`, d AS (${deliveriesInsert(deliveries((k) => sql`CAST(${seq(k)} AS TEXT)`), t.now)})` : sql``}
              SELECT "lastSeq" FROM c`);
            return row!.lastSeq;
          } catch (err) {
            const e = err as { code?: unknown; column?: unknown };
            if (e.code === "23502" && e.column === "conversationId") throw new AppError("CONFLICT", "conversation changed meanwhile", { cause: err });
            throw err;
          }
        };
        if (!t.effects?.length) return write(db);
        return db.transaction(async (tx) => {
          const lastSeq = await write(tx);
          for (const effect of t.effects ?? []) await effect(tx);
          return lastSeq;
        });
      }

      return db.transaction(async (tx) => {
        const claimed = await tx.query<{ lastSeq: number }>(claim);
        if (claimed.length !== 1) throw new AppError("CONFLICT", "conversation changed meanwhile");
        const last = claimed[0]!.lastSeq;
        const first = last - count + 1;
        await tx.execute(messages(conversationId, (k) => first + k));
        await insertDeliveries(tx, deliveries((k) => String(first + k)), t.now);
        for (const effect of t.effects ?? []) await effect(tx);
        return last;
      });
    },

    /** The conversation's language, or null before its first turn (a channel's page chrome follows it). */
    async localeOf(channel: string, userId: string): Promise<string | null> {
      const rows = await db.query<{ locale: string }>(sql`
        SELECT "locale" FROM "Conversation" WHERE "channel" = ${channel} AND "userId" = ${userId}`);
      return rows[0]?.locale ?? null;
    },

    /** Messages that did not come from a reply join the transcript (the messenger does this for notices). */
    appendOutbound: (channel: string, userId: string, outbound: Outbound[], now: Date) =>
      outbound.length === 0 ? Promise.resolve(0) : db.transaction((tx) => appendTranscript(tx, channel, userId, outbound, now)),

    /** The last `limit` messages, oldest first: what a person taking over reads. */
    async recent(channel: string, userId: string, limit: number): Promise<TranscriptEntry[]> {
      const rows = await db.query<{ id: number; seq: number; direction: "in" | "out"; payload: string; createdAt: Date }>(sql`
        SELECT m."id", m."seq", m."direction", m."payload", m."createdAt"
        FROM "Conversation" AS c JOIN "ChatMessage" AS m ON m."conversationId" = c."id"
        WHERE c."channel" = ${channel} AND c."userId" = ${userId}
        ORDER BY m."seq" DESC LIMIT ${limit}`);
      return rows.reverse().map((r) => ({
        id: r.id,
        seq: r.seq,
        direction: r.direction,
        payload: JSON.parse(r.payload) as Inbound | Outbound,
        createdAt: r.createdAt,
      }));
    },

    /** The messages numbered after `afterSeq`, in order, at most `limit`. */
    async transcript(channel: string, userId: string, afterSeq = 0, limit = 200): Promise<TranscriptEntry[]> {
      const rows = await db.query<{ id: number; seq: number; direction: "in" | "out"; payload: string; createdAt: Date }>(sql`
        SELECT m."id", m."seq", m."direction", m."payload", m."createdAt"
        FROM "Conversation" AS c JOIN "ChatMessage" AS m ON m."conversationId" = c."id"
        WHERE c."channel" = ${channel} AND c."userId" = ${userId} AND m."seq" > ${afterSeq}
        ORDER BY m."seq" LIMIT ${limit}`);
      return rows.map((r) => ({
        id: r.id,
        seq: r.seq,
        direction: r.direction,
        payload: JSON.parse(r.payload) as Inbound | Outbound,
        createdAt: r.createdAt,
      }));
    },

    /**
     * A page of the transcript after `afterSeq`: at most `limit.messages` messages and about
     * `limit.bytes` of them (the message that crosses the budget is the page's last; the first is always
     * in, however large). `more` says there is more after the page. The payloads past the budget never
     * leave the database, so a transcript of any length costs one bounded read a page.
     */
    async transcriptPage(
      channel: string,
      userId: string,
      afterSeq: number,
      limit: { messages: number; bytes: number },
    ): Promise<{ entries: TranscriptEntry[]; more: boolean }> {
      // Bytes, not characters (a Chinese character is three): no portable spelling, so one for each kind.
      const size = db.kind === "postgres" ? sql`octet_length(m."payload")` : sql`LENGTH(CAST(m."payload" AS BLOB))`;
      const rows = await db.query<{ id: number; seq: number; direction: "in" | "out"; payload: string | null; createdAt: Date }>(sql`
        SELECT w."id", w."seq", w."direction", w."createdAt",
          CASE WHEN w."before" < ${limit.bytes} THEN w."payload" END AS "payload"
        FROM (
          SELECT p.*, SUM(p."size") OVER (ORDER BY p."seq") - p."size" AS "before"
          FROM (
            SELECT m."id", m."seq", m."direction", m."payload", m."createdAt", ${size} AS "size"
            FROM "Conversation" AS c JOIN "ChatMessage" AS m ON m."conversationId" = c."id"
            WHERE c."channel" = ${channel} AND c."userId" = ${userId} AND m."seq" > ${afterSeq}
            ORDER BY m."seq" LIMIT ${limit.messages + 1}
          ) AS p
        ) AS w
        ORDER BY w."seq"`);
      const shown = rows.slice(0, limit.messages).filter((r) => r.payload !== null);
      return {
        entries: shown.map((r) => ({
          id: r.id,
          seq: r.seq,
          direction: r.direction,
          payload: JSON.parse(r.payload!) as Inbound | Outbound,
          createdAt: r.createdAt,
        })),
        more: rows.length > shown.length,
      };
    },
  };
}

export type ConversationRepository = ReturnType<typeof createConversationRepository>;

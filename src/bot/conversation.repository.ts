import type { LinkedStaff } from "../cases/link-staff.js";
import { join, sql, type Sql } from "../db/sql.js";
import { AppError } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import type { Inbound, Outbound } from "./messages.js";

export interface StoredConversation {
  id: string;
  locale: string;
  state: string;
  version: number;
}

export interface TranscriptEntry {
  id: number;
  direction: "in" | "out";
  payload: Inbound | Outbound;
  createdAt: Date;
}

/**
 * Dialogue state, transcript and handled deliveries: everything a restart must not lose.
 *
 * Every message runs through here, so it is plain SQL (one query to load, one transaction to save),
 * portable to SQLite and PostgreSQL (quoted identifiers, INSERT … RETURNING).
 */
export function createConversationRepository(db: Sql) {
  async function repliesOfTurn(turnId: string): Promise<Outbound[]> {
    const rows = await db.query<{ payload: string }>(sql`
      SELECT "payload" FROM "ChatMessage" WHERE "turnId" = ${turnId} AND "direction" = 'out' ORDER BY "id"`);
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
        LEFT JOIN "Staff" AS s ON s."channel" = ${channel} AND s."channelUserId" = ${userId} AND s."active" = ${true}`);
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
     * transcript id written. CONFLICT means: reload and run the turn again.
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
      return db.transaction(async (tx) => {
        const claimed = t.existing
          ? await tx.execute(sql`
              UPDATE "Conversation" SET "state" = ${t.state}, "locale" = ${t.locale}, "turnId" = ${turnId},
                "version" = "version" + 1, "updatedAt" = ${t.now}
              WHERE "id" = ${conversationId} AND "version" = ${t.existing.version}`)
          : await tx.execute(sql`
              INSERT INTO "Conversation" ("id", "channel", "userId", "locale", "state", "version", "turnId", "createdAt", "updatedAt")
              VALUES (${conversationId}, ${t.channel}, ${t.userId}, ${t.locale}, ${t.state}, 0, ${turnId}, ${t.now}, ${t.now})
              ON CONFLICT ("channel", "userId") DO NOTHING`);
        if (claimed !== 1) throw new AppError("CONFLICT", "conversation changed meanwhile");
        // The inbound row carries the delivery id: a second delivery of it fails on the unique key here
        // and the whole turn rolls back (the caller then answers with the first turn's replies).
        const rows = [
          sql`(${conversationId}, 'in', ${JSON.stringify(t.inbound)}, ${turnId}, ${t.receiptKey ?? null}, ${t.now})`,
          ...t.outbound.map((o) => sql`(${conversationId}, 'out', ${JSON.stringify(o)}, ${turnId}, NULL, ${t.now})`),
        ];
        const ids = await tx.query<{ id: number }>(sql`
          INSERT INTO "ChatMessage" ("conversationId", "direction", "payload", "turnId", "externalKey", "createdAt")
          VALUES ${join(rows)} RETURNING "id"`);
        for (const effect of t.effects ?? []) await effect(tx);
        return Math.max(...ids.map((r) => r.id));
      });
    },

    /** The conversation's language, or null before its first turn (a channel's page chrome follows it). */
    async localeOf(channel: string, userId: string): Promise<string | null> {
      const rows = await db.query<{ locale: string }>(sql`
        SELECT "locale" FROM "Conversation" WHERE "channel" = ${channel} AND "userId" = ${userId}`);
      return rows[0]?.locale ?? null;
    },

    /** Messages that did not come from a reply (notices, reminders) join the transcript too. */
    async appendOutbound(channel: string, userId: string, outbound: Outbound[], now: Date): Promise<void> {
      if (outbound.length === 0) return;
      await db.transaction(async (tx) => {
        await tx.execute(sql`
          INSERT INTO "Conversation" ("id", "channel", "userId", "state", "createdAt", "updatedAt")
          VALUES (${newId()}, ${channel}, ${userId}, '{}', ${now}, ${now})
          ON CONFLICT ("channel", "userId") DO NOTHING`);
        const [convo] = await tx.query<{ id: string }>(
          sql`SELECT "id" FROM "Conversation" WHERE "channel" = ${channel} AND "userId" = ${userId}`,
        );
        await tx.execute(sql`
          INSERT INTO "ChatMessage" ("conversationId", "direction", "payload", "createdAt")
          VALUES ${join(outbound.map((o) => sql`(${convo!.id}, 'out', ${JSON.stringify(o)}, ${now})`))}`);
      });
    },

    /** The last `limit` messages, oldest first: what a person taking over reads. */
    async recent(channel: string, userId: string, limit: number): Promise<TranscriptEntry[]> {
      const rows = await db.query<{ id: number; direction: "in" | "out"; payload: string; createdAt: Date }>(sql`
        SELECT m."id", m."direction", m."payload", m."createdAt"
        FROM "Conversation" AS c JOIN "ChatMessage" AS m ON m."conversationId" = c."id"
        WHERE c."channel" = ${channel} AND c."userId" = ${userId}
        ORDER BY m."id" DESC LIMIT ${limit}`);
      return rows.reverse().map((r) => ({
        id: r.id,
        direction: r.direction,
        payload: JSON.parse(r.payload) as Inbound | Outbound,
        createdAt: r.createdAt,
      }));
    },

    async transcript(channel: string, userId: string, afterId = 0, limit = 200): Promise<TranscriptEntry[]> {
      const rows = await db.query<{ id: number; direction: "in" | "out"; payload: string; createdAt: Date }>(sql`
        SELECT m."id", m."direction", m."payload", m."createdAt"
        FROM "Conversation" AS c JOIN "ChatMessage" AS m ON m."conversationId" = c."id"
        WHERE c."channel" = ${channel} AND c."userId" = ${userId} AND m."id" > ${afterId}
        ORDER BY m."id" LIMIT ${limit}`);
      return rows.map((r) => ({
        id: r.id,
        direction: r.direction,
        payload: JSON.parse(r.payload) as Inbound | Outbound,
        createdAt: r.createdAt,
      }));
    },
  };
}

export type ConversationRepository = ReturnType<typeof createConversationRepository>;

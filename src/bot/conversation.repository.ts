import type { LinkedStaff } from "../cases/link-staff.js";
import type { Db } from "../db/client.js";
import { Prisma } from "../db/generated/client.js";
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
 * The per-message path (load, save) is written in plain SQL through Prisma's raw queries: a model
 * query costs about 0.6 ms in Prisma's query compiler against 0.2 ms raw, and this path runs for every
 * message. The SQL is portable (quoted identifiers, INSERT … RETURNING) to SQLite and PostgreSQL.
 */
export function createConversationRepository(db: Db) {
  async function repliesOfTurn(turnId: string): Promise<Outbound[]> {
    const rows = await db.$queryRaw<{ payload: string }[]>`
      SELECT "payload" FROM "ChatMessage" WHERE "turnId" = ${turnId} AND "direction" = 'out' ORDER BY "id"`;
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
      const rows = await db.$queryRaw<
        {
          id: string | null;
          locale: string | null;
          state: string | null;
          version: number | bigint | null;
          earlierTurn: string | null;
          staffId: string | null;
          staffName: string | null;
          staffRole: string | null;
          staffRoomId: string | null;
        }[]
      >`SELECT c."id", c."locale", c."state", c."version", d."turnId" AS "earlierTurn",
          s."id" AS "staffId", s."name" AS "staffName", s."role" AS "staffRole", s."roomId" AS "staffRoomId"
        FROM (SELECT 1 AS one) AS x
        LEFT JOIN "Conversation" AS c ON c."channel" = ${channel} AND c."userId" = ${userId}
        LEFT JOIN "ChatMessage" AS d ON d."externalKey" = ${receiptKey ?? ""}
        LEFT JOIN "Staff" AS s ON s."channel" = ${channel} AND s."channelUserId" = ${userId} AND s."active" = ${true}`;
      const row = rows[0];
      return {
        staff: row?.staffId
          ? { id: row.staffId, name: row.staffName ?? "", role: row.staffRole ?? "mediator", roomId: row.staffRoomId }
          : null,
        conversation:
          row?.id != null
            ? { id: row.id, locale: row.locale ?? "zh-CN", state: row.state ?? "{}", version: Number(row.version) }
            : null,
        earlier: receiptKey && row?.earlierTurn ? await repliesOfTurn(row.earlierTurn) : null,
      };
    },

    /** The answer given to a delivery already handled, or null if it was not. */
    async findReceipt(key: string): Promise<Outbound[] | null> {
      const rows = await db.$queryRaw<{ turnId: string | null }[]>`
        SELECT "turnId" FROM "ChatMessage" WHERE "externalKey" = ${key}`;
      return rows[0]?.turnId ? repliesOfTurn(rows[0].turnId) : null;
    },

    /**
     * Saves the turn in one transaction: new state (only if nobody saved since we loaded it), and the
     * inbound and outbound messages, the inbound one marked with its delivery id. Returns the last
     * transcript id written.
     * CONFLICT means: reload and run the turn again.
     *
     * A batch transaction (no round trips back to us in between) is about a third cheaper than an
     * interactive one, but cannot stop half-way. So the state write stamps the conversation with this
     * turn's id, and every other row is inserted only where that stamp is ours: if another process won
     * the race, the batch writes nothing at all.
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
    }): Promise<number> {
      const turnId = newId();
      const conversationId = t.existing?.id ?? newId();
      const claim = t.existing
        ? db.$executeRaw`
            UPDATE "Conversation" SET "state" = ${t.state}, "locale" = ${t.locale}, "turnId" = ${turnId},
              "version" = "version" + 1, "updatedAt" = ${t.now}
            WHERE "id" = ${conversationId} AND "version" = ${t.existing.version}`
        : db.$executeRaw`
            INSERT INTO "Conversation" ("id", "channel", "userId", "locale", "state", "version", "turnId", "createdAt", "updatedAt")
            VALUES (${conversationId}, ${t.channel}, ${t.userId}, ${t.locale}, ${t.state}, 0, ${turnId}, ${t.now}, ${t.now})
            ON CONFLICT ("channel", "userId") DO NOTHING`;
      const ours = Prisma.sql`EXISTS (SELECT 1 FROM "Conversation" WHERE "id" = ${conversationId} AND "turnId" = ${turnId})`;
      const rows = [
        { direction: "in", payload: JSON.stringify(t.inbound), externalKey: t.receiptKey ?? null },
        ...t.outbound.map((o) => ({ direction: "out", payload: JSON.stringify(o), externalKey: null })),
      ];
      const values = Prisma.join(
        rows.map(
          (r, i) =>
            Prisma.sql`SELECT ${i} AS "n", ${r.direction} AS "direction", ${r.payload} AS "payload", ${r.externalKey} AS "externalKey"`,
        ),
        " UNION ALL ",
      );
      // The inbound row carries the delivery id: a second delivery of it fails on the unique key here
      // (the caller then answers with the first turn's replies).
      const transcript = db.$queryRaw<{ id: number | bigint }[]>`
        INSERT INTO "ChatMessage" ("conversationId", "direction", "payload", "turnId", "externalKey", "createdAt")
        SELECT ${conversationId}, m."direction", m."payload", ${turnId}, m."externalKey", ${t.now}
        FROM (${values}) AS m WHERE ${ours} ORDER BY m."n"
        RETURNING "id"`;
      const [claimed, ids] = await db.$transaction([claim, transcript]);
      if (claimed !== 1) throw new AppError("CONFLICT", "conversation changed meanwhile");
      return Math.max(...(ids as { id: number | bigint }[]).map((r) => Number(r.id)));
    },

    /** Messages that did not come from a reply (notices, reminders) join the transcript too. */
    async appendOutbound(channel: string, userId: string, outbound: Outbound[], now: Date): Promise<void> {
      const convo = await db.conversation.upsert({
        where: { channel_userId: { channel, userId } },
        create: { id: newId(), channel, userId, state: "{}", createdAt: now, updatedAt: now },
        update: {},
        select: { id: true },
      });
      await db.chatMessage.createMany({
        data: outbound.map((o) => ({ conversationId: convo.id, direction: "out", payload: JSON.stringify(o), createdAt: now })),
      });
    },

    async transcript(channel: string, userId: string, afterId = 0, limit = 200): Promise<TranscriptEntry[]> {
      const convo = await db.conversation.findUnique({
        where: { channel_userId: { channel, userId } },
        select: { id: true },
      });
      if (!convo) return [];
      const rows = await db.chatMessage.findMany({
        where: { conversationId: convo.id, id: { gt: afterId } },
        orderBy: { id: "asc" },
        take: limit,
      });
      return rows.map((r) => ({
        id: r.id,
        direction: r.direction as "in" | "out",
        payload: JSON.parse(r.payload) as Inbound | Outbound,
        createdAt: r.createdAt,
      }));
    },
  };
}

export type ConversationRepository = ReturnType<typeof createConversationRepository>;

import type { Db } from "../db/client.js";
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

/** Dialogue state, transcript and handled deliveries: everything a restart must not lose. */
export function createConversationRepository(db: Db) {
  return {
    async load(channel: string, userId: string): Promise<StoredConversation | null> {
      return db.conversation.findUnique({
        where: { channel_userId: { channel, userId } },
        select: { id: true, locale: true, state: true, version: true },
      });
    },

    async findReceipt(key: string): Promise<Outbound[] | null> {
      const r = await db.inboundReceipt.findUnique({ where: { key } });
      return r?.response ? (JSON.parse(r.response) as Outbound[]) : null;
    },

    /**
     * Saves the turn in one transaction: new state (only if nobody saved since we loaded it), the
     * inbound and outbound messages, and the delivery receipt. CONFLICT means: reload and run again.
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
      return db.$transaction(async (tx) => {
        let conversationId: string;
        if (t.existing) {
          conversationId = t.existing.id;
          const res = await tx.conversation.updateMany({
            where: { id: t.existing.id, version: t.existing.version },
            data: { state: t.state, locale: t.locale, version: { increment: 1 }, updatedAt: t.now },
          });
          if (res.count !== 1) throw new AppError("CONFLICT", "conversation changed meanwhile");
        } else {
          conversationId = newId();
          try {
            await tx.conversation.create({
              data: {
                id: conversationId,
                channel: t.channel,
                userId: t.userId,
                locale: t.locale,
                state: t.state,
                createdAt: t.now,
                updatedAt: t.now,
              },
            });
          } catch (err) {
            throw new AppError("CONFLICT", "conversation created meanwhile", { cause: err });
          }
        }
        await tx.chatMessage.createMany({
          data: [
            { conversationId, direction: "in", payload: JSON.stringify(t.inbound), createdAt: t.now },
            ...t.outbound.map((o) => ({ conversationId, direction: "out", payload: JSON.stringify(o), createdAt: t.now })),
          ],
        });
        if (t.receiptKey) {
          await tx.inboundReceipt.create({
            data: { key: t.receiptKey, createdAt: t.now, response: JSON.stringify(t.outbound) },
          });
        }
        // Inside the transaction nothing can interleave, so this is exactly this turn's last row.
        const last = await tx.chatMessage.findFirst({
          where: { conversationId },
          orderBy: { id: "desc" },
          select: { id: true },
        });
        return last?.id ?? 0;
      });
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

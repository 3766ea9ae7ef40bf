import { join, sql, type Sql } from "../db/sql.js";

export interface StaffRecord {
  id: string;
  name: string;
  role: string;
  phone: string | null;
  roomId: string | null;
  /**
   * The chat this person linked last, if any: where notifications go until they are sent to every chat
   * of `channelsOf`. All their chats are StaffChannel rows.
   */
  channel: string | null;
  channelUserId: string | null;
  active: boolean;
}

/** A staff member whose chat is linked (what the dialogue knows of them). */
export interface LinkedStaff {
  id: string;
  name: string;
  role: string;
  roomId: string | null;
}

export interface StaffInvite {
  code: string;
  staffId: string;
  expiresAt: Date;
  usedAt: Date | null;
}

const STAFF_COLUMNS = sql`"id", "name", "role", "phone", "roomId", "channel", "channelUserId", "active"`;

/** A chat linked to a staff member; one person may have several (Telegram on the phone, WeCom at the desk). */
export interface StaffChat {
  channel: string;
  channelUserId: string;
}

/** Centre staff, the chats linked to them (StaffChannel) and the one-time codes that link them. Plain SQL on the port. */
export function createStaffRepository(db: Sql) {
  return {
    async byId(id: string): Promise<StaffRecord | null> {
      const [row] = await db.query<StaffRecord>(sql`SELECT ${STAFF_COLUMNS} FROM "Staff" WHERE "id" = ${id}`);
      return row ?? null;
    },

    /** Active staff with one of these roles; in one room when `roomId` is given. */
    async active(roles: readonly string[], roomId?: string): Promise<StaffRecord[]> {
      if (roles.length === 0) return [];
      return db.query<StaffRecord>(sql`
        SELECT ${STAFF_COLUMNS} FROM "Staff"
        WHERE "active" = ${true} AND "role" IN (${join(roles)})${roomId !== undefined ? sql` AND "roomId" = ${roomId}` : sql``}`);
    },

    async createInvite(invite: { code: string; staffId: string; expiresAt: Date }): Promise<void> {
      await db.execute(sql`
        INSERT INTO "InviteCode" ("code", "staffId", "expiresAt") VALUES (${invite.code}, ${invite.staffId}, ${invite.expiresAt})`);
    },

    async invite(code: string): Promise<StaffInvite | null> {
      const [row] = await db.query<StaffInvite>(sql`
        SELECT "code", "staffId", "expiresAt", "usedAt" FROM "InviteCode" WHERE "code" = ${code}`);
      return row ?? null;
    },

    /** Marks the code used if it is unused and unexpired: the staff id it is for, or null. Of two racing, one wins. */
    async useInvite(tx: Sql, code: string, now: Date): Promise<string | null> {
      const [row] = await tx.query<{ staffId: string }>(sql`
        UPDATE "InviteCode" SET "usedAt" = ${now}
        WHERE "code" = ${code} AND "usedAt" IS NULL AND "expiresAt" > ${now}
        RETURNING "staffId"`);
      return row?.staffId ?? null;
    },

    /**
     * Adds this chat to the staff member's chats, unless it is another person's: null then (or when
     * there is no such staff member). The StaffChannel key (channel, channelUserId) decides: of two
     * links of one chat racing, the second inserts nothing and reads the first's row. Linking a chat
     * again is a no-op. The chat also becomes the person's `Staff.channel` (their latest chat).
     */
    async linkChat(tx: Sql, staffId: string, chat: StaffChat, now: Date): Promise<LinkedStaff | null> {
      await tx.execute(sql`
        INSERT INTO "StaffChannel" ("channel", "channelUserId", "staffId", "createdAt")
        SELECT ${chat.channel}, ${chat.channelUserId}, s."id", ${now} FROM "Staff" AS s WHERE s."id" = ${staffId}
        ON CONFLICT ("channel", "channelUserId") DO NOTHING`);
      const [holder] = await tx.query<{ staffId: string }>(sql`
        SELECT "staffId" FROM "StaffChannel" WHERE "channel" = ${chat.channel} AND "channelUserId" = ${chat.channelUserId}`);
      if (holder?.staffId !== staffId) return null;
      const [row] = await tx.query<LinkedStaff>(sql`
        UPDATE "Staff" SET "channel" = ${chat.channel}, "channelUserId" = ${chat.channelUserId} WHERE "id" = ${staffId}
        RETURNING "id", "name", "role", "roomId"`);
      return row ?? null;
    },

    /** The staff member this chat is linked to, if any (active or not). */
    async chatHolder(channel: string, channelUserId: string): Promise<string | null> {
      const [row] = await db.query<{ staffId: string }>(sql`
        SELECT "staffId" FROM "StaffChannel" WHERE "channel" = ${channel} AND "channelUserId" = ${channelUserId}`);
      return row?.staffId ?? null;
    },

    /** The active staff member writing from this chat, if it is linked to one. */
    async byChat(channel: string, channelUserId: string): Promise<LinkedStaff | null> {
      const [row] = await db.query<LinkedStaff>(sql`
        SELECT s."id", s."name", s."role", s."roomId" FROM "StaffChannel" AS c JOIN "Staff" AS s ON s."id" = c."staffId"
        WHERE c."channel" = ${channel} AND c."channelUserId" = ${channelUserId} AND s."active" = ${true}`);
      return row ?? null;
    },

    /** Every chat linked to this staff member, the first linked first: where a notice reaches them. */
    channelsOf(staffId: string): Promise<StaffChat[]> {
      return db.query<StaffChat>(sql`
        SELECT "channel", "channelUserId" FROM "StaffChannel" WHERE "staffId" = ${staffId}
        ORDER BY "createdAt", "channel", "channelUserId"`);
    },
  };
}

export type StaffRepository = ReturnType<typeof createStaffRepository>;

import { join, sql, type Sql } from "../db/sql.js";

export interface StaffRecord {
  id: string;
  name: string;
  role: string;
  phone: string | null;
  roomId: string | null;
  /** The chat linked to this person, if any: where their notifications are sent. */
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

/** Centre staff and the one-time codes that link their chats. Plain SQL on the port. */
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
     * Gives the staff member this chat, unless it is another person's: null then (or when there is no
     * such staff member). On PostgreSQL two links of one chat racing are decided by the unique
     * (channel, channelUserId) key: the second fails, and `chatHolder` then names the winner.
     */
    async linkChat(tx: Sql, staffId: string, channel: string, channelUserId: string): Promise<LinkedStaff | null> {
      const [row] = await tx.query<LinkedStaff>(sql`
        UPDATE "Staff" SET "channel" = ${channel}, "channelUserId" = ${channelUserId}
        WHERE "id" = ${staffId} AND NOT EXISTS (
          SELECT 1 FROM "Staff" AS o WHERE o."channel" = ${channel} AND o."channelUserId" = ${channelUserId} AND o."id" <> ${staffId})
        RETURNING "id", "name", "role", "roomId"`);
      return row ?? null;
    },

    /** The staff member this chat is linked to, if any (active or not). */
    async chatHolder(channel: string, channelUserId: string): Promise<string | null> {
      const [row] = await db.query<{ id: string }>(sql`
        SELECT "id" FROM "Staff" WHERE "channel" = ${channel} AND "channelUserId" = ${channelUserId}`);
      return row?.id ?? null;
    },
  };
}

export type StaffRepository = ReturnType<typeof createStaffRepository>;

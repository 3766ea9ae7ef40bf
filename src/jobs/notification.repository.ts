import { join, sql, type Query, type Sql } from "../db/sql.js";
import { newId } from "../lib/ids.js";

export interface NotificationRecord {
  id: string;
  /** What makes a re-run write nothing twice ("job:<jobId>:<staffId>"): internal. */
  dedupeKey: string;
  staffId: string | null;
  roomId: string | null;
  caseId: string | null;
  kind: string;
  text: string;
  createdAt: Date;
  deliveredAt: Date | null;
  readAt: Date | null;
}

/** Notifications for staff (催办, 督办, pages, notices): written by notify-staff, listed by the staff API. */
export function createNotificationRepository(db: Sql) {
  return {
    /** Records a notification once per dedupe key; a second call with the key writes nothing. */
    async record(n: { dedupeKey: string; staffId: string; roomId: string | null; caseId: string | null; kind: string; text: string; at: Date }): Promise<void> {
      await db.execute(sql`
        INSERT INTO "Notification" ("id", "dedupeKey", "staffId", "roomId", "caseId", "kind", "text", "createdAt")
        VALUES (${newId()}, ${n.dedupeKey}, ${n.staffId}, ${n.roomId}, ${n.caseId}, ${n.kind}, ${n.text}, ${n.at})
        ON CONFLICT ("dedupeKey") DO NOTHING`);
    },

    /** The notification of this key if it has not been delivered yet. */
    async undelivered(dedupeKey: string): Promise<{ id: string } | null> {
      const [row] = await db.query<{ id: string; deliveredAt: Date | null }>(sql`
        SELECT "id", "deliveredAt" FROM "Notification" WHERE "dedupeKey" = ${dedupeKey}`);
      return row && !row.deliveredAt ? { id: row.id } : null;
    },

    async markDelivered(id: string, at: Date): Promise<void> {
      await db.execute(sql`UPDATE "Notification" SET "deliveredAt" = ${at} WHERE "id" = ${id}`);
    },

    /** Newest first, filtered by recipient, room and delivery. */
    async list(filter: { staffId?: string; roomId?: string; undelivered?: boolean; limit: number }): Promise<NotificationRecord[]> {
      const where: Query[] = [sql`1 = 1`];
      if (filter.staffId !== undefined) where.push(sql`"staffId" = ${filter.staffId}`);
      if (filter.roomId !== undefined) where.push(sql`"roomId" = ${filter.roomId}`);
      if (filter.undelivered) where.push(sql`"deliveredAt" IS NULL`);
      return db.query<NotificationRecord>(sql`
        SELECT "id", "dedupeKey", "staffId", "roomId", "caseId", "kind", "text", "createdAt", "deliveredAt", "readAt"
        FROM "Notification" WHERE ${join(where, " AND ")} ORDER BY "createdAt" DESC LIMIT ${filter.limit}`);
    },

    /** Marks it read if it was unread: the number of rows changed (0 or 1). */
    async markRead(id: string, at: Date): Promise<number> {
      return db.execute(sql`UPDATE "Notification" SET "readAt" = ${at} WHERE "id" = ${id} AND "readAt" IS NULL`);
    },
  };
}

export type NotificationRepository = ReturnType<typeof createNotificationRepository>;

import { sql, type Sql } from "../../../db/sql.js";

export type HandoffReason = "requested" | "misunderstood" | "safety";

export interface Handoff {
  id: string;
  channel: string;
  userId: string;
  reason: HandoffReason;
  riskFlags: string[];
  status: "open" | "closed";
  replyDueAt: Date;
  firstReplyAt: Date | null;
  staffId: string | null;
  createdAt: Date;
  closedAt: Date | null;
}

interface Row extends Omit<Handoff, "riskFlags"> {
  riskFlags: string;
}

const toHandoff = (r: Row): Handoff => ({ ...r, riskFlags: JSON.parse(r.riskFlags) as string[] });

/**
 * A conversation handed to a person (人工接待): opened by the dialogue, answered and closed by staff
 * through the staff API (and, later, the console). Plain SQL, portable to PostgreSQL.
 */
export function createHandoffRepository(db: Sql) {
  return {
    async insert(tx: Sql, h: Omit<Handoff, "status" | "firstReplyAt" | "staffId" | "closedAt">): Promise<void> {
      await tx.execute(sql`
        INSERT INTO "Handoff" ("id", "channel", "userId", "reason", "riskFlags", "status", "replyDueAt", "createdAt")
        VALUES (${h.id}, ${h.channel}, ${h.userId}, ${h.reason}, ${JSON.stringify(h.riskFlags)}, 'open', ${h.replyDueAt}, ${h.createdAt})`);
    },

    async get(id: string): Promise<Handoff | null> {
      const [row] = await db.query<Row>(sql`SELECT * FROM "Handoff" WHERE "id" = ${id}`);
      return row ? toHandoff(row) : null;
    },

    async list(status: "open" | "closed" | undefined, limit: number): Promise<Handoff[]> {
      const rows = status
        ? await db.query<Row>(sql`SELECT * FROM "Handoff" WHERE "status" = ${status} ORDER BY "createdAt" DESC LIMIT ${limit}`)
        : await db.query<Row>(sql`SELECT * FROM "Handoff" ORDER BY "createdAt" DESC LIMIT ${limit}`);
      return rows.map(toHandoff);
    },

    /** The first staff reply stamps the handoff (its promise is kept); later ones change nothing here. */
    async markReplied(tx: Sql, id: string, staffId: string | null, at: Date): Promise<void> {
      await tx.execute(sql`
        UPDATE "Handoff" SET "firstReplyAt" = ${at}, "staffId" = COALESCE("staffId", ${staffId})
        WHERE "id" = ${id} AND "firstReplyAt" IS NULL`);
    },

    /** Closes an open handoff; false if it was not open. */
    async close(id: string, staffId: string | null, at: Date): Promise<boolean> {
      const changed = await db.execute(sql`
        UPDATE "Handoff" SET "status" = 'closed', "closedAt" = ${at}, "staffId" = COALESCE("staffId", ${staffId})
        WHERE "id" = ${id} AND "status" = 'open'`);
      return changed === 1;
    },
  };
}

export type HandoffRepository = ReturnType<typeof createHandoffRepository>;

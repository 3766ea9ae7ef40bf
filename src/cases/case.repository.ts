import { join, sql, type Query, type Sql } from "../db/sql.js";
import type { CaseStatus, Complexity, DisputeType, Outcome, RiskFlag, Tier } from "./types.js";

/** A case as the use cases read it: risk flags parsed, its room's names joined in. */
export interface CaseRecord {
  id: string;
  code: string;
  status: CaseStatus;
  outcome: Outcome | null;
  disputeType: DisputeType;
  tier: Tier;
  roomId: string | null;
  mediatorId: string | null;
  complexity: Complexity;
  remote: boolean;
  claimantCount: number | null;
  riskFlags: RiskFlag[];
  description: string;
  summary: string | null;
  place: string | null;
  amountFen: number | null;
  since: string | null;
  language: string;
  classifierSource: string | null;
  classifierConfidence: number | null;
  triageDueAt: Date;
  acceptDueAt: Date | null;
  resolveDueAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  room: { id: string; nameZh: string; nameEn: string } | null;
}

/** A case as a party sees it in their list (list-cases.ts). */
export interface CaseSummary {
  id: string;
  code: string;
  type: DisputeType;
  status: CaseStatus;
  outcome: Outcome | null;
  roomNameZh: string | null;
  roomNameEn: string | null;
  /** The mediator who accepted the case, with a phone when the centre recorded one. */
  mediator: { name: string; phone: string | null } | null;
  triageDueAt: Date;
  acceptDueAt: Date | null;
  resolveDueAt: Date | null;
  createdAt: Date;
  /** This user's role in the case. */
  role: string;
}

/** A case in a mediator's queue (mediator-queue.ts). */
export interface QueueRow {
  id: string;
  code: string;
  disputeType: DisputeType;
  status: CaseStatus;
  summary: string | null;
  description: string;
  riskFlags: RiskFlag[];
  acceptDueAt: Date | null;
  resolveDueAt: Date | null;
  remote: boolean;
}

/** A case in the triage queue (list-triage-queue.ts): back in `received`, waiting for a room. */
export interface TriageRow {
  id: string;
  code: string;
  disputeType: DisputeType;
  summary: string | null;
  description: string;
  riskFlags: RiskFlag[];
  remote: boolean;
  /** The room that returned it (kept on the case until it is routed again). */
  roomId: string | null;
  /** Why it was returned, from the audit log. */
  returnReason: string | null;
  returnedAt: Date;
  triageDueAt: Date;
  createdAt: Date;
}

export interface CaseEventRecord {
  id: string;
  at: Date;
  actor: string;
  action: string;
  fromStatus: CaseStatus | null;
  toStatus: CaseStatus | null;
  reason: string | null;
  data: Record<string, unknown> | null;
}

/** The row open-case writes; the case starts routed (the system is the triager). */
export interface NewCase {
  id: string;
  code: string;
  intakeKey: string;
  disputeType: DisputeType;
  tier: Tier;
  roomId: string;
  complexity: Complexity;
  remote: boolean;
  riskFlags: readonly RiskFlag[];
  claimantCount: number | null;
  description: string;
  summary: string | null;
  place: string | null;
  amountFen: number | null;
  since: string | null;
  language: string;
  classifierSource: string | null;
  classifierConfidence: number | null;
  triageDueAt: Date;
  acceptDueAt: Date;
  resolveDueAt: Date;
  createdAt: Date;
}

/** What a status change writes besides the status; undefined = unchanged, null = cleared. */
export interface StatusChange {
  mediatorId?: string | null;
  roomId?: string | null;
  acceptDueAt?: Date;
  triageDueAt?: Date;
  outcome?: Outcome | null;
  closedAt?: Date;
}

/** What staff may filter cases by (search). */
export interface CaseFilter {
  statuses?: CaseStatus[];
  roomId?: string;
  disputeType?: DisputeType;
  risk?: RiskFlag;
  /** A page's last case code: the next page starts after it. */
  before?: string;
  limit: number;
}

type CaseRow = Omit<CaseRecord, "riskFlags" | "room"> & { riskFlags: string; roomNameZh: string | null; roomNameEn: string | null };

// Column names are fixed here; only values are ever bound.
const CASE_COLUMNS = sql`c."id", c."code", c."status", c."outcome", c."disputeType", c."tier", c."roomId", c."mediatorId",
  c."complexity", c."remote", c."claimantCount", c."riskFlags", c."description", c."summary", c."place", c."amountFen",
  c."since", c."language", c."classifierSource", c."classifierConfidence", c."triageDueAt", c."acceptDueAt",
  c."resolveDueAt", c."createdAt", c."updatedAt", c."closedAt", r."nameZh" AS "roomNameZh", r."nameEn" AS "roomNameEn"`;

function toCase(row: CaseRow): CaseRecord {
  const { roomNameZh, roomNameEn, riskFlags, ...c } = row;
  return {
    ...c,
    riskFlags: JSON.parse(riskFlags) as RiskFlag[],
    room: c.roomId && roomNameZh !== null ? { id: c.roomId, nameZh: roomNameZh, nameEn: roomNameEn ?? "" } : null,
  };
}

/**
 * The Case aggregate's reads and writes (its audit events are written by audit.ts). Plain SQL on the
 * port, portable to SQLite and PostgreSQL. Writes that belong to a use case's transaction take its `tx`.
 */
export function createCaseRepository(db: Sql) {
  async function findOne(where: Query): Promise<CaseRecord | null> {
    const [row] = await db.query<CaseRow>(sql`
      SELECT ${CASE_COLUMNS} FROM "Case" AS c LEFT JOIN "Room" AS r ON r."id" = c."roomId" WHERE ${where}`);
    return row ? toCase(row) : null;
  }

  async function queue(where: Query, limit: number): Promise<QueueRow[]> {
    const rows = await db.query<Omit<QueueRow, "riskFlags"> & { riskFlags: string }>(sql`
      SELECT "id", "code", "disputeType", "status", "summary", "description", "riskFlags", "acceptDueAt", "resolveDueAt", "remote"
      FROM "Case" WHERE ${where} ORDER BY "createdAt", "code" LIMIT ${limit}`);
    return rows.map((r) => ({ ...r, riskFlags: JSON.parse(r.riskFlags) as RiskFlag[] }));
  }

  return {
    byId: (id: string) => findOne(sql`c."id" = ${id}`),
    byCode: (code: string) => findOne(sql`c."code" = ${code}`),
    /** The case an intake opened, if it has (a repeated submit). */
    byIntakeKey: (intakeKey: string) => findOne(sql`c."intakeKey" = ${intakeKey}`),

    /**
     * Inserts the case unless its intake opened one already: false then, and nothing was written. The
     * unique intake key decides, so two submits racing (two processes, two instances) open one case.
     */
    async insert(tx: Sql, c: NewCase): Promise<boolean> {
      const rows = await tx.query<{ id: string }>(sql`
        INSERT INTO "Case" ("id", "code", "intakeKey", "status", "disputeType", "tier", "roomId", "complexity", "remote",
          "riskFlags", "claimantCount", "description", "summary", "place", "amountFen", "since", "language", "classifierSource",
          "classifierConfidence", "triageDueAt", "acceptDueAt", "resolveDueAt", "createdAt", "updatedAt")
        VALUES (${c.id}, ${c.code}, ${c.intakeKey}, 'routed', ${c.disputeType}, ${c.tier}, ${c.roomId}, ${c.complexity},
          ${c.remote}, ${JSON.stringify(c.riskFlags)}, ${c.claimantCount}, ${c.description}, ${c.summary}, ${c.place},
          ${c.amountFen}, ${c.since}, ${c.language}, ${c.classifierSource}, ${c.classifierConfidence}, ${c.triageDueAt},
          ${c.acceptDueAt}, ${c.resolveDueAt}, ${c.createdAt}, ${c.createdAt})
        ON CONFLICT ("intakeKey") DO NOTHING
        RETURNING "id"`);
      if (rows.length !== 1) return false;
      // One row a flag, so staff can list every case with a flag (the JSON column keeps the case whole).
      if (c.riskFlags.length > 0) {
        await tx.execute(sql`
          INSERT INTO "CaseRiskFlag" ("caseId", "flag") VALUES ${join(c.riskFlags.map((f) => sql`(${c.id}, ${f})`))}
          ON CONFLICT DO NOTHING`);
      }
      return true;
    },

    /**
     * Cases for staff to look through, newest first: by status, room, dispute type and risk flag (any of
     * the filters, all optional), at most `limit`, before the case `before` (a page's last code).
     */
    async search(filter: CaseFilter): Promise<CaseRecord[]> {
      const where: Query[] = [sql`1 = 1`];
      if (filter.statuses?.length) where.push(sql`c."status" IN (${join(filter.statuses)})`);
      if (filter.roomId) where.push(sql`c."roomId" = ${filter.roomId}`);
      if (filter.disputeType) where.push(sql`c."disputeType" = ${filter.disputeType}`);
      if (filter.risk) where.push(sql`EXISTS (SELECT 1 FROM "CaseRiskFlag" AS f WHERE f."caseId" = c."id" AND f."flag" = ${filter.risk})`);
      if (filter.before) where.push(sql`c."code" < ${filter.before}`);
      const rows = await db.query<CaseRow>(sql`
        SELECT ${CASE_COLUMNS} FROM "Case" AS c LEFT JOIN "Room" AS r ON r."id" = c."roomId"
        WHERE ${join(where, " AND ")}
        ORDER BY c."code" DESC LIMIT ${filter.limit}`);
      return rows.map(toCase);
    },

    /** Moves the case from `from` to `to`, only if it is still in `from`: false when someone else moved it first. */
    async changeStatus(tx: Sql, id: string, from: CaseStatus, to: CaseStatus, at: Date, change: StatusChange): Promise<boolean> {
      const set: Query[] = [sql`"status" = ${to}`, sql`"updatedAt" = ${at}`];
      if (change.mediatorId !== undefined) set.push(sql`"mediatorId" = ${change.mediatorId}`);
      if (change.roomId !== undefined) set.push(sql`"roomId" = ${change.roomId}`);
      if (change.acceptDueAt !== undefined) set.push(sql`"acceptDueAt" = ${change.acceptDueAt}`);
      if (change.triageDueAt !== undefined) set.push(sql`"triageDueAt" = ${change.triageDueAt}`);
      if (change.outcome !== undefined) set.push(sql`"outcome" = ${change.outcome}`);
      if (change.closedAt !== undefined) set.push(sql`"closedAt" = ${change.closedAt}`);
      return (await tx.execute(sql`UPDATE "Case" SET ${join(set)} WHERE "id" = ${id} AND "status" = ${from}`)) === 1;
    },

    /**
     * Marks the case changed. As the first statement of a transaction it also takes the case's row lock
     * on PostgreSQL (SQLite locks the whole file anyway), so that transaction's reads of the case's
     * parties see what an earlier one committed: changes to one case's parties happen one after another.
     */
    async touch(tx: Sql, id: string, at: Date): Promise<boolean> {
      return (await tx.execute(sql`UPDATE "Case" SET "updatedAt" = ${at} WHERE "id" = ${id}`)) === 1;
    },

    /** Cases in which this chat user is a party, newest first. */
    /** When the invited party must have answered (Case.consentDueAt); null = nobody is waited for. */
    async consentDue(id: string, tx: Sql = db): Promise<Date | null> {
      const [row] = await tx.query<{ consentDueAt: Date | null }>(sql`SELECT "consentDueAt" FROM "Case" WHERE "id" = ${id}`);
      return row?.consentDueAt ?? null;
    },

    /** Sets the consent deadline unless one is set already; returns the deadline in force. */
    async startConsentWait(tx: Sql, id: string, dueAt: Date): Promise<Date> {
      await tx.execute(sql`UPDATE "Case" SET "consentDueAt" = ${dueAt} WHERE "id" = ${id} AND "consentDueAt" IS NULL`);
      const [row] = await tx.query<{ consentDueAt: Date | null }>(sql`SELECT "consentDueAt" FROM "Case" WHERE "id" = ${id}`);
      return row?.consentDueAt ?? dueAt;
    },

    async ofParty(channel: string, userId: string, limit: number): Promise<CaseSummary[]> {
      const rows = await db.query<{
        id: string; code: string; disputeType: DisputeType; status: CaseStatus; outcome: Outcome | null;
        roomNameZh: string | null; roomNameEn: string | null; mediatorName: string | null; mediatorPhone: string | null;
        triageDueAt: Date; acceptDueAt: Date | null; resolveDueAt: Date | null; createdAt: Date; role: string | null;
      }>(sql`
        SELECT c."id", c."code", c."disputeType", c."status", c."outcome", r."nameZh" AS "roomNameZh", r."nameEn" AS "roomNameEn",
          s."name" AS "mediatorName", s."phone" AS "mediatorPhone", c."triageDueAt", c."acceptDueAt", c."resolveDueAt", c."createdAt",
          (SELECT p."role" FROM "Party" AS p WHERE p."caseId" = c."id" AND p."channel" = ${channel} AND p."channelUserId" = ${userId}
            ORDER BY p."createdAt" LIMIT 1) AS "role"
        FROM "Case" AS c
        LEFT JOIN "Room" AS r ON r."id" = c."roomId"
        LEFT JOIN "Staff" AS s ON s."id" = c."mediatorId"
        WHERE EXISTS (SELECT 1 FROM "Party" AS p WHERE p."caseId" = c."id" AND p."channel" = ${channel} AND p."channelUserId" = ${userId})
        ORDER BY c."createdAt" DESC, c."code" DESC
        LIMIT ${limit}`);
      return rows.map((c) => ({
        id: c.id,
        code: c.code,
        type: c.disputeType,
        status: c.status,
        outcome: c.outcome ?? null,
        roomNameZh: c.roomNameZh,
        roomNameEn: c.roomNameEn,
        mediator: c.mediatorName !== null ? { name: c.mediatorName, phone: c.mediatorPhone } : null,
        triageDueAt: c.triageDueAt,
        acceptDueAt: c.acceptDueAt,
        resolveDueAt: c.resolveDueAt,
        createdAt: c.createdAt,
        role: c.role ?? "claimant",
      }));
    },

    /** Routed cases waiting for a mediator, oldest first: in one room, or everywhere (roomId null). */
    waiting: (roomId: string | null, limit: number) =>
      queue(roomId === null ? sql`"status" = 'routed'` : sql`"status" = 'routed' AND "roomId" = ${roomId}`, limit),

    /** Cases waiting for triage (received), the oldest deadline first. */
    async inTriage(limit: number): Promise<TriageRow[]> {
      const rows = await db.query<Omit<TriageRow, "riskFlags"> & { riskFlags: string }>(sql`
        SELECT c."id", c."code", c."disputeType", c."summary", c."description", c."riskFlags", c."remote", c."roomId",
          c."updatedAt" AS "returnedAt", c."triageDueAt", c."createdAt",
          (SELECT e."reason" FROM "CaseEvent" AS e WHERE e."caseId" = c."id" AND e."toStatus" = 'received'
            ORDER BY e."at" DESC, e."ord" DESC LIMIT 1) AS "returnReason"
        FROM "Case" AS c WHERE c."status" = 'received'
        ORDER BY c."triageDueAt", c."code" LIMIT ${limit}`);
      return rows.map((r) => ({ ...r, riskFlags: JSON.parse(r.riskFlags) as RiskFlag[] }));
    },

    /** Cases this mediator accepted and still carries, oldest first. */
    carriedBy: (mediatorId: string, limit: number) => queue(sql`"status" = 'in_mediation' AND "mediatorId" = ${mediatorId}`, limit),

    /**
     * The case's audit trail, oldest first. Events written in one transaction share their time; SQLite
     * returns those in the order written (the index ends in the rowid), PostgreSQL in no set order.
     */
    async events(caseId: string): Promise<CaseEventRecord[]> {
      const rows = await db.query<Omit<CaseEventRecord, "data"> & { data: string | null }>(sql`
        SELECT "id", "at", "actor", "action", "fromStatus", "toStatus", "reason", "data"
        FROM "CaseEvent" WHERE "caseId" = ${caseId} ORDER BY "at", "ord"`);
      return rows.map((e) => ({ ...e, data: e.data ? (JSON.parse(e.data) as Record<string, unknown>) : null }));
    },
  };
}

export type CaseRepository = ReturnType<typeof createCaseRepository>;

import { join, sql, type Query, type Sql } from "../db/sql.js";
import type { Exception, WeeklyHours } from "./availability.js";

export type SessionMode = "video" | "phone" | "onsite";
export type SessionState = "held" | "booked" | "done" | "cancelled" | "expired";
export type ParticipantRole = "mediator" | "claimant" | "respondent" | "interpreter" | "observer";

export interface SessionType {
  id: string;
  nameZh: string;
  nameEn: string;
  minutes: number;
  bufferMinutes: number;
  minNoticeMinutes: number;
  dailyCap: number;
  maxParticipants: number;
}

export interface SessionRecord {
  id: string;
  caseId: string;
  staffId: string;
  sessionTypeId: string;
  startsAt: Date;
  endsAt: Date;
  mode: SessionMode;
  state: SessionState;
  version: number;
  heldByPartyId: string | null;
  holdExpiresAt: Date | null;
  roomName: string | null;
  outcome: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ParticipantRecord {
  id: string;
  sessionId: string;
  role: ParticipantRole;
  partyId: string | null;
  staffId: string | null;
  name: string | null;
  confirmedAt: Date | null;
  joinedAt: Date | null;
  attendance: string | null;
}

export interface MediatorRecord {
  id: string;
  name: string;
  roomId: string | null;
  types: string[];
  languages: string[];
}

/** A party of a case as booking sees them: who, where they chat, their answer, when they can meet. */
export interface MeetingPrefs {
  id: string;
  role: string;
  name: string | null;
  channel: string | null;
  channelUserId: string | null;
  mediationConsent: string | null;
  availability: string | null;
  timeZone: string | null;
  preferLanguage: string | null;
}

/** A session as the slot search sees it: what it takes of its mediator's time. */
export interface BusySpan {
  sessionId: string;
  staffId: string;
  startsAt: Date;
  endsAt: Date;
  bufferMinutes: number;
}

/** The minutes a busy block covers: sessions take whole 5-minute blocks, buffers included. */
export const BLOCK_MS = 5 * 60_000;

const SESSION_COLUMNS = sql`s."id", s."caseId", s."staffId", s."sessionTypeId", s."startsAt", s."endsAt", s."mode", s."state",
  s."version", s."heldByPartyId", s."holdExpiresAt", s."roomName", s."outcome", s."createdAt", s."updatedAt"`;

/**
 * Staff ids as a table to join, `(VALUES (…), …) AS v`, its one column `v."column1"` (the name both
 * databases give it), rather than an `IN (…)` list: on PostgreSQL a prepared statement's plan compares
 * each row read with every id of an IN list in turn, which for a search's sessions (read by time, then
 * sifted by mediator) was the slowest of its reads; a join hashes or looks up the ids. Padded with
 * NULLs (which join nothing) to a power of two: a search's list of mediators varies in length, and each
 * length would be another statement text to prepare and keep. The ids are distinct (mediators'): unlike
 * IN, a join would return a repeated id's rows twice.
 */
function idTable(ids: readonly string[]) {
  const padded: (string | null)[] = [...ids];
  let size = 1;
  while (size < ids.length) size *= 2;
  while (padded.length < size) padded.push(null);
  return sql`(VALUES ${join(padded.map((id) => sql`(${id})`))}) AS v`;
}

/** The case a search is for: what picks its mediators. */
export interface SearchCase {
  id: string;
  disputeType: string;
  roomId: string | null;
  mediatorId: string | null;
}

/**
 * Staff `s` who may take case `c` (a row of the statement's CTE `c`), as eligibleMediators
 * (find-slots.ts) picks them, no-one-fits fallback aside: the case's own mediator, or those who take its
 * type or sit in its room; mediatorsFor's rule, on the case's row. Those who take the type are one
 * list (a hashed subplan on PostgreSQL), not a look-up for each of the centre's mediators.
 */
const ELIGIBLE = sql`s."role" = 'mediator' AND s."active" = ${true} AND (
  (c."mediatorId" IS NOT NULL AND s."id" = c."mediatorId")
  OR (c."mediatorId" IS NULL AND (s."roomId" = c."roomId" OR s."id" IN (
    SELECT t."staffId" FROM "StaffSkill" t, c WHERE t."kind" = 'type' AND t."value" = c."disputeType"))))`;

/** What a case's slot search reads (searchInputs). */
export interface SearchInputs {
  case: SearchCase;
  /** The mediators who may take the case, by id. */
  mediators: MediatorRecord[];
  sessionTypes: SessionType[];
  /** The parties taking part, as meetingPrefs orders them: when they can meet, their zone, a language. */
  parties: Pick<MeetingPrefs, "id" | "availability" | "timeZone" | "preferLanguage">[];
  hours: (WeeklyHours & { staffId: string })[];
  exceptions: (Exception & { staffId: string })[];
  busy: BusySpan[];
}

/** searchInputs' one row: the case, then each kind of input as a JSON array of arrays (see jsonRows). */
interface InputsRow extends SearchCase {
  mediators: Json;
  skills: Json;
  hours: Json;
  leave: Json;
  busy: Json;
  parties: Json;
  types: Json;
}

/** A JSON aggregate as it arrives: parsed on PostgreSQL (json), text on SQLite, null over no rows on PostgreSQL. */
type Json = unknown[] | string | null;

function rowsOf<T extends unknown[]>(v: Json): T[] {
  if (v === null) return [];
  return (typeof v === "string" ? JSON.parse(v) : v) as T[];
}

/** Mediators' week, leave and skills; session types; sessions, their busy blocks and participants. */
export function createSchedulingRepository(db: Sql) {
  /**
   * The rows of a subquery as one JSON array of arrays of `values`, in `orderBy`'s order: json_agg on
   * PostgreSQL, json_group_array on SQLite (no common name). Instants come as ISO text on both.
   */
  function jsonRows(values: Query, orderBy?: Query): Query {
    const order = orderBy ? sql` ORDER BY ${orderBy}` : sql``;
    return db.kind === "postgres" ? sql`json_agg(json_build_array(${values})${order})` : sql`json_group_array(json_array(${values})${order})`;
  }

  /** Active mediators, with what they specialise in and speak. */
  async function mediators(): Promise<MediatorRecord[]> {
    const [staff, skills] = await Promise.all([
      db.query<{ id: string; name: string; roomId: string | null }>(sql`
        SELECT "id", "name", "roomId" FROM "Staff" WHERE "role" = 'mediator' AND "active" = ${true} ORDER BY "id"`),
      db.query<{ staffId: string; kind: string; value: string }>(sql`SELECT "staffId", "kind", "value" FROM "StaffSkill"`),
    ]);
    const byId = new Map(staff.map((s) => [s.id, { ...s, types: [] as string[], languages: [] as string[] }]));
    for (const k of skills) {
      const m = byId.get(k.staffId);
      if (!m) continue;
      (k.kind === "type" ? m.types : m.languages).push(k.value);
    }
    return [...byId.values()];
  }

  /** Rows of a mediator and one of their skills each (or none), ordered by mediator, as records. */
  function grouped(rows: readonly { id: string; name: string | null; roomId: string | null; kind: string | null; value: string | null }[]): MediatorRecord[] {
    const byId = new Map<string, MediatorRecord>();
    for (const r of rows) {
      let m = byId.get(r.id);
      if (!m) byId.set(r.id, (m = { id: r.id, name: r.name!, roomId: r.roomId, types: [], languages: [] }));
      if (r.kind !== null) (r.kind === "type" ? m.types : m.languages).push(r.value!);
    }
    return [...byId.values()];
  }

  return {
    // ---- mediators -------------------------------------------------------------------------------

    /** Active mediators, with what they specialise in and speak. */
    mediators,

    /**
     * Everything a case's slot search reads, in one statement (one round trip on PostgreSQL): the case,
     * the mediators who may take it (mediatorsFor's, no-one-fits fallback included) with their skills,
     * weekly hours, leave overlapping [leaveFrom, to) and sessions busy in [busyFrom, to) at `now`, the
     * parties taking part and every session type; each in the order its own read (mediators, hours,
     * busy, meetingPrefs, sessionTypes) gives. The caller picks the type, then trims leave and sessions
     * to its notice (the bounds here are the loosest any type needs). Null when there is no such case.
     *
     * Each kind comes as one JSON array of arrays: a few hundred rows of a dozen columns, mostly
     * empty, cost PostgreSQL's driver more to parse than the statement takes to run.
     *
     * The mediators' rows are picked by `(… IN (SELECT "id" FROM m)) IS TRUE`, not a join to `m`: an IN
     * wrapped so is not turned into a join, and PostgreSQL checks each row against a hash of the two
     * dozen ids. Joined, its plan (prepared once a connection, kept for the connection's life, made
     * perhaps while a table was nearly empty and with no statistics) went through the horizon's 441
     * sessions once for each mediator (in the benchmark, 1.4 of the statement's 2 ms under EXPLAIN ANALYZE).
     * SQLite is given the plain IN, which it looks up in each table's staffId index; wrapped, it would
     * read the whole tables. The CTEs are MATERIALIZED, as PostgreSQL makes them anyway: SQLite would
     * otherwise work out the mediators again in each subquery.
     */
    async searchInputs(caseId: string, w: { leaveFrom: Date; busyFrom: Date; to: Date; now: Date }): Promise<SearchInputs | null> {
      const ofM = (staffId: Query) =>
        db.kind === "postgres" ? sql`(${staffId} IN (SELECT "id" FROM m)) IS TRUE` : sql`${staffId} IN (SELECT "id" FROM m)`;
      const [row] = await db.query<InputsRow>(sql`
        WITH c AS MATERIALIZED (SELECT "id", "disputeType", "roomId", "mediatorId" FROM "Case" WHERE "id" = ${caseId}),
        fit AS MATERIALIZED (SELECT s."id", s."name", s."roomId" FROM c JOIN "Staff" s ON ${ELIGIBLE}),
        m AS MATERIALIZED (
          SELECT "id", "name", "roomId" FROM fit
          UNION ALL
          SELECT s."id", s."name", s."roomId" FROM c JOIN "Staff" s ON s."role" = 'mediator' AND s."active" = ${true}
          WHERE c."mediatorId" IS NULL AND NOT EXISTS (SELECT 1 FROM fit))
        SELECT c."id", c."disputeType", c."roomId", c."mediatorId",
          (SELECT ${jsonRows(sql`m."id", m."name", m."roomId"`, sql`m."id"`)} FROM m) AS "mediators",
          (SELECT ${jsonRows(sql`k."staffId", k."kind", k."value"`)} FROM "StaffSkill" k WHERE ${ofM(sql`k."staffId"`)}) AS "skills",
          (SELECT ${jsonRows(sql`h."staffId", h."weekday", h."startMin", h."endMin"`, sql`h."staffId", h."weekday", h."startMin"`)}
            FROM "StaffHours" h WHERE ${ofM(sql`h."staffId"`)}) AS "hours",
          (SELECT ${jsonRows(sql`e."staffId", e."kind", e."startsAt", e."endsAt"`)}
            FROM "StaffException" e WHERE ${ofM(sql`e."staffId"`)} AND e."endsAt" > ${w.leaveFrom} AND e."startsAt" < ${w.to}) AS "leave",
          (SELECT ${jsonRows(sql`s."id", s."staffId", s."startsAt", s."endsAt", t."bufferMinutes"`, sql`s."staffId", s."startsAt"`)}
            FROM "MediationSession" s JOIN "SessionType" t ON t."id" = s."sessionTypeId"
            WHERE ${ofM(sql`s."staffId"`)} AND s."startsAt" < ${w.to} AND s."endsAt" > ${w.busyFrom}
              AND (s."state" = 'booked' OR (s."state" = 'held' AND s."holdExpiresAt" > ${w.now}))) AS "busy",
          (SELECT ${jsonRows(sql`p."id", p."availability", p."timeZone", p."preferLanguage"`, sql`p."createdAt", p."id"`)}
            FROM "Party" p WHERE p."caseId" = ${caseId} AND (p."mediationConsent" IS NULL OR p."mediationConsent" <> 'declined')) AS "parties",
          (SELECT ${jsonRows(
            sql`y."id", y."nameZh", y."nameEn", y."minutes", y."bufferMinutes", y."minNoticeMinutes", y."dailyCap", y."maxParticipants"`,
            sql`y."id"`,
          )} FROM "SessionType" y) AS "types"
        FROM c`);
      if (!row) return null;
      const mediators = rowsOf<[string, string, string | null]>(row.mediators).map(([id, name, roomId]): MediatorRecord => ({ id, name, roomId, types: [], languages: [] }));
      const byId = new Map(mediators.map((m) => [m.id, m]));
      for (const [staffId, kind, value] of rowsOf<[string, string, string]>(row.skills)) {
        const m = byId.get(staffId);
        if (m) (kind === "type" ? m.types : m.languages).push(value);
      }
      return {
        case: { id: row.id, disputeType: row.disputeType, roomId: row.roomId, mediatorId: row.mediatorId },
        mediators,
        sessionTypes: rowsOf<[string, string, string, number, number, number, number, number]>(row.types).map(
          ([id, nameZh, nameEn, minutes, bufferMinutes, minNoticeMinutes, dailyCap, maxParticipants]) => ({ id, nameZh, nameEn, minutes, bufferMinutes, minNoticeMinutes, dailyCap, maxParticipants }),
        ),
        parties: rowsOf<[string, string | null, string | null, string | null]>(row.parties).map(([id, availability, timeZone, preferLanguage]) => ({ id, availability, timeZone, preferLanguage })),
        hours: rowsOf<[string, number, number, number]>(row.hours).map(([staffId, weekday, startMin, endMin]) => ({ staffId, weekday, startMin, endMin })),
        exceptions: rowsOf<[string, Exception["kind"], string, string]>(row.leave).map(([staffId, kind, startsAt, endsAt]) => ({ staffId, kind, startsAt: new Date(startsAt), endsAt: new Date(endsAt) })),
        busy: rowsOf<[string, string, string, string, number]>(row.busy).map(([sessionId, staffId, startsAt, endsAt, bufferMinutes]) => ({
          sessionId, staffId, startsAt: new Date(startsAt), endsAt: new Date(endsAt), bufferMinutes,
        })),
      };
    },

    /**
     * The mediators who may take a case, as eligibleMediators (find-slots.ts) picks them from
     * mediators(), chosen in SQL: a search reads its two dozen candidates, not the centre's 200 and
     * every skill of theirs.
     */
    async mediatorsFor(c: { mediatorId: string | null; disputeType: string; roomId: string | null }): Promise<MediatorRecord[]> {
      const fit = c.mediatorId
        ? sql`s."id" = ${c.mediatorId}`
        : sql`(${c.roomId !== null ? sql`s."roomId" = ${c.roomId} OR ` : sql``}EXISTS (
            SELECT 1 FROM "StaffSkill" t WHERE t."staffId" = s."id" AND t."kind" = 'type' AND t."value" = ${c.disputeType}))`;
      const rows = await db.query<{ id: string; name: string; roomId: string | null; kind: string | null; value: string | null }>(sql`
        SELECT s."id", s."name", s."roomId", k."kind", k."value"
        FROM "Staff" s LEFT JOIN "StaffSkill" k ON k."staffId" = s."id"
        WHERE s."role" = 'mediator' AND s."active" = ${true} AND ${fit}
        ORDER BY s."id"`);
      if (rows.length === 0 && !c.mediatorId) return mediators();
      return grouped(rows);
    },

    /** Weekly hours, of only `staffIds` when given (a search reads its candidates', not the centre's). */
    async hours(staffIds?: readonly string[]): Promise<(WeeklyHours & { staffId: string })[]> {
      if (staffIds?.length === 0) return [];
      return db.query(sql`SELECT h."staffId", h."weekday", h."startMin", h."endMin"
        FROM ${staffIds ? sql`${idTable(staffIds)} JOIN "StaffHours" h ON h."staffId" = v."column1"` : sql`"StaffHours" h`}
        ORDER BY h."staffId", h."weekday", h."startMin"`);
    },

    async exceptions(from: Date, to: Date, staffIds?: readonly string[]): Promise<(Exception & { staffId: string })[]> {
      if (staffIds?.length === 0) return [];
      return db.query(sql`
        SELECT e."staffId", e."kind", e."startsAt", e."endsAt"
        FROM ${staffIds ? sql`${idTable(staffIds)} JOIN "StaffException" e ON e."staffId" = v."column1"` : sql`"StaffException" e`}
        WHERE e."endsAt" > ${from} AND e."startsAt" < ${to}`);
    },

    /** Sessions that take mediators' (or only `staffIds`') time in [from, to): booked ones, and holds not yet lapsed at `now`. */
    async busy(from: Date, to: Date, now: Date, staffIds?: readonly string[]): Promise<BusySpan[]> {
      if (staffIds?.length === 0) return [];
      return db.query<BusySpan>(sql`
        SELECT s."id" AS "sessionId", s."staffId", s."startsAt", s."endsAt", t."bufferMinutes"
        FROM ${staffIds ? sql`${idTable(staffIds)} JOIN "MediationSession" s ON s."staffId" = v."column1"` : sql`"MediationSession" s`}
          JOIN "SessionType" t ON t."id" = s."sessionTypeId"
        WHERE s."startsAt" < ${to} AND s."endsAt" > ${new Date(from.getTime() - 24 * 3_600_000)}
          AND (s."state" = 'booked' OR (s."state" = 'held' AND s."holdExpiresAt" > ${now}))
        ORDER BY s."staffId", s."startsAt"`);
    },

    async setHours(tx: Sql, staffId: string, rows: readonly WeeklyHours[], newId: () => string): Promise<void> {
      await tx.execute(sql`DELETE FROM "StaffHours" WHERE "staffId" = ${staffId}`);
      if (rows.length === 0) return;
      await tx.execute(sql`INSERT INTO "StaffHours" ("id", "staffId", "weekday", "startMin", "endMin") VALUES ${join(
        rows.map((r) => sql`(${newId()}, ${staffId}, ${r.weekday}, ${r.startMin}, ${r.endMin})`),
      )}`);
    },

    async setSkills(tx: Sql, staffId: string, skills: { types: readonly string[]; languages: readonly string[] }): Promise<void> {
      await tx.execute(sql`DELETE FROM "StaffSkill" WHERE "staffId" = ${staffId}`);
      const rows = [
        ...skills.types.map((v) => sql`(${staffId}, 'type', ${v})`),
        ...skills.languages.map((v) => sql`(${staffId}, 'language', ${v})`),
      ];
      if (rows.length > 0) await tx.execute(sql`INSERT INTO "StaffSkill" ("staffId", "kind", "value") VALUES ${join(rows)}`);
    },

    async addException(tx: Sql, e: Exception & { id: string; staffId: string; note: string | null; createdAt: Date }): Promise<void> {
      await tx.execute(sql`
        INSERT INTO "StaffException" ("id", "staffId", "kind", "startsAt", "endsAt", "note", "createdAt")
        VALUES (${e.id}, ${e.staffId}, ${e.kind}, ${e.startsAt}, ${e.endsAt}, ${e.note}, ${e.createdAt})`);
    },

    /** What the parties of a case said about meeting: when (JSON presets), their zone, a language. */
    async meetingPrefs(caseId: string): Promise<MeetingPrefs[]> {
      return db.query(sql`
        SELECT "id", "role", "name", "channel", "channelUserId", "mediationConsent", "availability", "timeZone", "preferLanguage" FROM "Party"
        WHERE "caseId" = ${caseId} AND ("mediationConsent" IS NULL OR "mediationConsent" <> 'declined')
        ORDER BY "createdAt", "id"`);
    },

    // ---- session types ---------------------------------------------------------------------------

    async sessionTypes(): Promise<SessionType[]> {
      return db.query<SessionType>(sql`
        SELECT "id", "nameZh", "nameEn", "minutes", "bufferMinutes", "minNoticeMinutes", "dailyCap", "maxParticipants"
        FROM "SessionType" ORDER BY "id"`);
    },

    async upsertSessionType(tx: Sql, t: SessionType): Promise<void> {
      await tx.execute(sql`
        INSERT INTO "SessionType" ("id", "nameZh", "nameEn", "minutes", "bufferMinutes", "minNoticeMinutes", "dailyCap", "maxParticipants")
        VALUES (${t.id}, ${t.nameZh}, ${t.nameEn}, ${t.minutes}, ${t.bufferMinutes}, ${t.minNoticeMinutes}, ${t.dailyCap}, ${t.maxParticipants})
        ON CONFLICT ("id") DO UPDATE SET "nameZh" = excluded."nameZh", "nameEn" = excluded."nameEn", "minutes" = excluded."minutes",
          "bufferMinutes" = excluded."bufferMinutes", "minNoticeMinutes" = excluded."minNoticeMinutes",
          "dailyCap" = excluded."dailyCap", "maxParticipants" = excluded."maxParticipants"`);
    },

    // ---- sessions --------------------------------------------------------------------------------

    async byId(id: string, tx: Sql = db): Promise<SessionRecord | null> {
      const [row] = await tx.query<SessionRecord>(sql`SELECT ${SESSION_COLUMNS} FROM "MediationSession" s WHERE s."id" = ${id}`);
      return row ?? null;
    },

    /** The case's session that is held or booked, if any (a case has one at a time). */
    async currentOfCase(caseId: string, tx: Sql = db): Promise<SessionRecord | null> {
      const [row] = await tx.query<SessionRecord>(sql`
        SELECT ${SESSION_COLUMNS} FROM "MediationSession" s
        WHERE s."caseId" = ${caseId} AND s."state" IN ('held', 'booked') ORDER BY s."createdAt" DESC LIMIT 1`);
      return row ?? null;
    },

    async ofCase(caseId: string): Promise<SessionRecord[]> {
      return db.query<SessionRecord>(sql`
        SELECT ${SESSION_COLUMNS} FROM "MediationSession" s WHERE s."caseId" = ${caseId} ORDER BY s."startsAt"`);
    },

    /** A mediator's sessions that are booked (or held) and not over at `now`, soonest first. */
    async upcomingOfStaff(staffId: string, now: Date, limit = 20): Promise<SessionRecord[]> {
      return db.query<SessionRecord>(sql`
        SELECT ${SESSION_COLUMNS} FROM "MediationSession" s
        WHERE s."staffId" = ${staffId} AND s."state" IN ('held', 'booked') AND s."endsAt" > ${now}
        ORDER BY s."startsAt" LIMIT ${limit}`);
    },

    /** Booked sessions of a mediator that overlap [from, to) (leave added over them). */
    async bookedOverlapping(staffId: string, from: Date, to: Date): Promise<SessionRecord[]> {
      return db.query<SessionRecord>(sql`
        SELECT ${SESSION_COLUMNS} FROM "MediationSession" s
        WHERE s."staffId" = ${staffId} AND s."state" IN ('held', 'booked') AND s."startsAt" < ${to} AND s."endsAt" > ${from}
        ORDER BY s."startsAt"`);
    },

    async list(filter: { from: Date; to: Date; staffId?: string; limit: number }): Promise<SessionRecord[]> {
      return db.query<SessionRecord>(sql`
        SELECT ${SESSION_COLUMNS} FROM "MediationSession" s
        WHERE s."startsAt" >= ${filter.from} AND s."startsAt" < ${filter.to}
          ${filter.staffId ? sql`AND s."staffId" = ${filter.staffId}` : sql``}
        ORDER BY s."startsAt" LIMIT ${filter.limit}`);
    },

    async insertSession(tx: Sql, s: Omit<SessionRecord, "roomName" | "outcome" | "version" | "updatedAt">): Promise<void> {
      await tx.execute(sql`
        INSERT INTO "MediationSession" ("id", "caseId", "staffId", "sessionTypeId", "startsAt", "endsAt", "mode", "state",
          "version", "heldByPartyId", "holdExpiresAt", "createdAt", "updatedAt")
        VALUES (${s.id}, ${s.caseId}, ${s.staffId}, ${s.sessionTypeId}, ${s.startsAt}, ${s.endsAt}, ${s.mode}, ${s.state},
          1, ${s.heldByPartyId}, ${s.holdExpiresAt}, ${s.createdAt}, ${s.createdAt})`);
    },

    /**
     * Moves a session from one of `from` to `to`, conditional on its state and version, so of two
     * people acting at once one wins. Returns false when the session had moved on.
     */
    async transition(
      tx: Sql,
      id: string,
      t: {
        from: readonly SessionState[];
        to: SessionState;
        version?: number;
        now: Date;
        set?: { startsAt?: Date; endsAt?: Date; staffId?: string; heldByPartyId?: string | null; holdExpiresAt?: Date | null; bumpVersion?: boolean; outcome?: string; note?: string | null };
      },
    ): Promise<boolean> {
      const s = t.set ?? {};
      const sets = [sql`"state" = ${t.to}`, sql`"updatedAt" = ${t.now}`];
      if (s.startsAt) sets.push(sql`"startsAt" = ${s.startsAt}`);
      if (s.endsAt) sets.push(sql`"endsAt" = ${s.endsAt}`);
      if (s.staffId) sets.push(sql`"staffId" = ${s.staffId}`);
      if (s.heldByPartyId !== undefined) sets.push(sql`"heldByPartyId" = ${s.heldByPartyId}`);
      if (s.holdExpiresAt !== undefined) sets.push(sql`"holdExpiresAt" = ${s.holdExpiresAt}`);
      if (s.bumpVersion) sets.push(sql`"version" = "version" + 1`);
      if (s.outcome !== undefined) sets.push(sql`"outcome" = ${s.outcome}`);
      if (s.note !== undefined) sets.push(sql`"note" = ${s.note}`);
      if (t.to === "cancelled" || t.to === "expired") sets.push(sql`"cancelledAt" = ${t.now}`);
      if (t.to === "done") sets.push(sql`"doneAt" = ${t.now}`);
      return (
        (await tx.execute(sql`
          UPDATE "MediationSession" SET ${join(sets)}
          WHERE "id" = ${id} AND "state" IN (${join(t.from.map((f) => sql`${f}`))})
            ${t.version !== undefined ? sql`AND "version" = ${t.version}` : sql``}`)) === 1
      );
    },

    /**
     * Takes the mediator's blocks for a session. Returns false, having taken none that count, when any
     * block is already someone's: the caller rolls the transaction back. The primary key decides, so
     * fifty people pressing one slot at once get one winner on either database.
     */
    async takeBlocks(tx: Sql, staffId: string, sessionId: string, from: Date, to: Date): Promise<boolean> {
      const blocks: Date[] = [];
      for (let t = Math.floor(from.getTime() / BLOCK_MS) * BLOCK_MS; t < to.getTime(); t += BLOCK_MS) blocks.push(new Date(t));
      const taken = await tx.execute(sql`
        INSERT INTO "StaffBusy" ("staffId", "block", "sessionId")
        VALUES ${join(blocks.map((b) => sql`(${staffId}, ${b}, ${sessionId})`))}
        ON CONFLICT DO NOTHING`);
      return taken === blocks.length;
    },

    async releaseBlocks(tx: Sql, sessionId: string): Promise<void> {
      await tx.execute(sql`DELETE FROM "StaffBusy" WHERE "sessionId" = ${sessionId}`);
    },

    /** Holds that lapsed give their blocks back (run before taking blocks of that mediator). */
    async releaseLapsedHolds(tx: Sql, staffId: string, now: Date): Promise<void> {
      await tx.execute(sql`
        DELETE FROM "StaffBusy" WHERE "staffId" = ${staffId} AND "sessionId" IN (
          SELECT "id" FROM "MediationSession" WHERE "staffId" = ${staffId} AND "state" = 'held' AND "holdExpiresAt" <= ${now})`);
    },

    /** Counts a session on the mediator's day unless the day is full: false = at the cap. */
    async countOnDay(tx: Sql, staffId: string, day: string, cap: number): Promise<boolean> {
      await tx.execute(sql`INSERT INTO "StaffDay" ("staffId", "day", "booked") VALUES (${staffId}, ${day}, 0) ON CONFLICT DO NOTHING`);
      return (
        (await tx.execute(sql`
          UPDATE "StaffDay" SET "booked" = "booked" + 1 WHERE "staffId" = ${staffId} AND "day" = ${day} AND "booked" < ${cap}`)) === 1
      );
    },

    async uncountOnDay(tx: Sql, staffId: string, day: string): Promise<void> {
      await tx.execute(sql`
        UPDATE "StaffDay" SET "booked" = "booked" - 1 WHERE "staffId" = ${staffId} AND "day" = ${day} AND "booked" > 0`);
    },

    // ---- participants ----------------------------------------------------------------------------

    async participants(sessionId: string, tx: Sql = db): Promise<ParticipantRecord[]> {
      return tx.query<ParticipantRecord>(sql`
        SELECT "id", "sessionId", "role", "partyId", "staffId", "name", "confirmedAt", "joinedAt", "attendance"
        FROM "SessionParticipant" WHERE "sessionId" = ${sessionId} ORDER BY "role", "id"`);
    },

    async insertParticipants(tx: Sql, rows: Omit<ParticipantRecord, "joinedAt" | "attendance">[]): Promise<void> {
      if (rows.length === 0) return;
      await tx.execute(sql`
        INSERT INTO "SessionParticipant" ("id", "sessionId", "role", "partyId", "staffId", "name", "confirmedAt")
        VALUES ${join(rows.map((p) => sql`(${p.id}, ${p.sessionId}, ${p.role}, ${p.partyId}, ${p.staffId}, ${p.name}, ${p.confirmedAt})`))}`);
    },

    /** Marks one party's confirmation; the rest of the session's party participants not confirmed remain. */
    async confirm(tx: Sql, sessionId: string, partyId: string, now: Date): Promise<number> {
      await tx.execute(sql`
        UPDATE "SessionParticipant" SET "confirmedAt" = ${now}
        WHERE "sessionId" = ${sessionId} AND "partyId" = ${partyId} AND "confirmedAt" IS NULL`);
      const [row] = await tx.query<{ n: number | string }>(sql`
        SELECT COUNT(*) AS "n" FROM "SessionParticipant"
        WHERE "sessionId" = ${sessionId} AND "partyId" IS NOT NULL AND "confirmedAt" IS NULL`);
      return Number(row?.n ?? 0);
    },

    /** Everyone's confirmation is asked again (the session moved): the mover's is kept. */
    async resetConfirmations(tx: Sql, sessionId: string, keepPartyId: string | null, now: Date): Promise<void> {
      await tx.execute(sql`UPDATE "SessionParticipant" SET "confirmedAt" = NULL WHERE "sessionId" = ${sessionId} AND "partyId" IS NOT NULL`);
      if (keepPartyId) {
        await tx.execute(sql`UPDATE "SessionParticipant" SET "confirmedAt" = ${now} WHERE "sessionId" = ${sessionId} AND "partyId" = ${keepPartyId}`);
      }
    },

    async setParticipantStaff(tx: Sql, sessionId: string, staffId: string, name: string): Promise<void> {
      await tx.execute(sql`
        UPDATE "SessionParticipant" SET "staffId" = ${staffId}, "name" = ${name} WHERE "sessionId" = ${sessionId} AND "role" = 'mediator'`);
    },
  };
}

export type SchedulingRepository = ReturnType<typeof createSchedulingRepository>;

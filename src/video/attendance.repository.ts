import { sql, type Sql } from "../db/sql.js";

import type { ParticipantRole, SessionState } from "../scheduling/scheduling.repository.js";

export type { ParticipantRole, SessionState };

/** What the join page and the token need of a session and one of its participants. */
export interface JoinView {
  session: {
    id: string;
    caseCode: string;
    startsAt: Date;
    endsAt: Date;
    mode: string;
    state: SessionState;
    roomName: string | null;
    maxParticipants: number;
  };
  participant: { id: string; role: ParticipantRole; name: string | null; /** A party's own zone (null: the centre's). */ timeZone: string | null };
}

/** A LiveKit webhook event as stored: its id is LiveKit's, so a replay finds it there. */
export interface VideoEventRecord {
  id: string;
  event: string;
  roomName: string | null;
  identity: string | null;
  at: Date;
  receivedAt: Date;
}

/**
 * The video side of a session: its room name, LiveKit's events (`VideoEvent`), and who joined and left
 * (`SessionParticipant.joinedAt/leftAt/attendance`). The session itself belongs to scheduling; this
 * reads it and writes only `roomName`.
 */
export function createAttendanceRepository(db: Sql) {
  return {
    async joinView(sessionId: string, participantId: string): Promise<JoinView | null> {
      const [row] = await db.query<{
        id: string; code: string; startsAt: Date; endsAt: Date; mode: string; state: SessionState; roomName: string | null;
        maxParticipants: number; participantId: string; role: ParticipantRole; name: string | null; timeZone: string | null;
      }>(sql`
        SELECT s."id", c."code", s."startsAt", s."endsAt", s."mode", s."state", s."roomName", t."maxParticipants",
          p."id" AS "participantId", p."role", COALESCE(p."name", pa."name", st."name") AS "name", pa."timeZone"
        FROM "SessionParticipant" p
          JOIN "MediationSession" s ON s."id" = p."sessionId"
          JOIN "SessionType" t ON t."id" = s."sessionTypeId"
          JOIN "Case" c ON c."id" = s."caseId"
          LEFT JOIN "Party" pa ON pa."id" = p."partyId"
          LEFT JOIN "Staff" st ON st."id" = p."staffId"
        WHERE p."id" = ${participantId} AND p."sessionId" = ${sessionId}`);
      if (!row) return null;
      return {
        session: {
          id: row.id, caseCode: row.code, startsAt: row.startsAt, endsAt: row.endsAt, mode: row.mode, state: row.state,
          roomName: row.roomName, maxParticipants: Number(row.maxParticipants),
        },
        participant: { id: row.participantId, role: row.role, name: row.name, timeZone: row.timeZone ?? null },
      };
    },

    /** Who to call when the video does not work: the session's case and mediator, and each party's name and contact as given. */
    async sessionContacts(sessionId: string): Promise<{ caseId: string; staffId: string; parties: { role: ParticipantRole; name: string | null; contact: string | null }[] } | null> {
      const rows = await db.query<{ caseId: string; staffId: string; role: ParticipantRole | null; name: string | null; contact: string | null }>(sql`
        SELECT s."caseId", s."staffId", p."role", COALESCE(pa."name", p."name") AS "name", pa."contact"
        FROM "MediationSession" s
          LEFT JOIN "SessionParticipant" p ON p."sessionId" = s."id" AND p."role" <> 'mediator'
          LEFT JOIN "Party" pa ON pa."id" = p."partyId"
        WHERE s."id" = ${sessionId}
        ORDER BY p."role"`);
      const [first] = rows;
      if (!first) return null;
      return { caseId: first.caseId, staffId: first.staffId, parties: rows.filter((r) => r.role).map((r) => ({ role: r.role!, name: r.name, contact: r.contact })) };
    },

    /** Names the session's room once; a later call (another instance, a second device) keeps the first name. */
    async setRoomName(sessionId: string, roomName: string): Promise<void> {
      await db.execute(sql`UPDATE "MediationSession" SET "roomName" = ${roomName} WHERE "id" = ${sessionId} AND "roomName" IS NULL`);
    },

    /** Stores an event once: false when its id is already there (a replay), and then nothing else may change. */
    async recordEvent(tx: Sql, e: VideoEventRecord): Promise<boolean> {
      const rows = await tx.query<{ id: string }>(sql`
        INSERT INTO "VideoEvent" ("id", "event", "roomName", "identity", "at", "receivedAt")
        VALUES (${e.id}, ${e.event}, ${e.roomName}, ${e.identity}, ${e.at}, ${e.receivedAt})
        ON CONFLICT ("id") DO NOTHING RETURNING "id"`);
      return rows.length > 0;
    },

    /**
     * The first join: kept as the earliest LiveKit reported (events may arrive out of order). Only a
     * participant of the session whose room this is: an identity from another room changes nothing.
     */
    async markJoined(tx: Sql, e: { roomName: string; identity: string; at: Date }): Promise<boolean> {
      const n = await tx.execute(sql`
        UPDATE "SessionParticipant" SET "joinedAt" = ${e.at}
        WHERE "id" = ${e.identity} AND ("joinedAt" IS NULL OR "joinedAt" > ${e.at})
          AND "sessionId" IN (SELECT "id" FROM "MediationSession" WHERE "roomName" = ${e.roomName})`);
      return n > 0;
    },

    /** The last leave: kept as the latest LiveKit reported. */
    async markLeft(tx: Sql, e: { roomName: string; identity: string; at: Date }): Promise<boolean> {
      const n = await tx.execute(sql`
        UPDATE "SessionParticipant" SET "leftAt" = ${e.at}
        WHERE "id" = ${e.identity} AND ("leftAt" IS NULL OR "leftAt" < ${e.at})
          AND "sessionId" IN (SELECT "id" FROM "MediationSession" WHERE "roomName" = ${e.roomName})`);
      return n > 0;
    },

    /** Attendance of every participant from their joins up to `now`: present if they joined, else absent. */
    async settleAttendance(sessionId: string, now: Date): Promise<{ id: string; attendance: "present" | "absent" }[]> {
      return db.query<{ id: string; attendance: "present" | "absent" }>(sql`
        UPDATE "SessionParticipant"
        SET "attendance" = CASE WHEN "joinedAt" IS NOT NULL AND "joinedAt" <= ${now} THEN 'present' ELSE 'absent' END
        WHERE "sessionId" = ${sessionId}
        RETURNING "id", "attendance"`);
    },
  };
}

export type AttendanceRepository = ReturnType<typeof createAttendanceRepository>;

/**
 * After a session: each participant who never joined the room is marked absent, the rest present
 * (run by the session-ended job; running it again gives the same answer). Returns the absent
 * participants' ids.
 */
export async function markAbsentees(deps: { sql: Sql }, o: { sessionId: string; now: Date }): Promise<{ absent: string[] }> {
  const rows = await createAttendanceRepository(deps.sql).settleAttendance(o.sessionId, o.now);
  return { absent: rows.filter((r) => r.attendance === "absent").map((r) => r.id).sort() };
}

// Video sessions for tests, written straight through the Sql port: booking (src/scheduling) makes them
// in the service; these tests need only the rows it leaves behind.
import { openCase } from "../../src/cases/open-case.js";
import { sql, type Sql } from "../../src/db/sql.js";
import type { Clock } from "../../src/lib/clock.js";
import { newId } from "../../src/lib/ids.js";
import type { ParticipantRole, SessionState } from "../../src/video/attendance.repository.js";
import { caseInput } from "./cases.js";
import { caseDeps } from "./dialogue.js";

export interface TestSession {
  id: string;
  caseId: string;
  caseCode: string;
  startsAt: Date;
  endsAt: Date;
  /** Participant ids by role (the first of each role). */
  ids: Partial<Record<ParticipantRole, string>>;
  participants: { id: string; role: ParticipantRole; name: string | null }[];
}

export const TEST_SESSION_TYPE = "test-video-60";

/** A case and a booked video session of it with a mediator and two parties (or the participants given). */
export async function insertSession(
  db: Sql,
  o: {
    startsAt: Date;
    minutes?: number;
    mode?: "video" | "phone" | "onsite";
    state?: SessionState;
    maxParticipants?: number;
    participants?: { role: ParticipantRole; name?: string | null }[];
    clock?: Clock;
  },
): Promise<TestSession> {
  const opened = await openCase(caseDeps({ sql: db }), caseInput());
  const now = o.clock?.now() ?? new Date();
  await db.execute(sql`
    INSERT INTO "SessionType" ("id", "nameZh", "nameEn", "minutes", "bufferMinutes", "minNoticeMinutes", "dailyCap", "maxParticipants")
    VALUES (${TEST_SESSION_TYPE}, ${"视频调解"}, ${"Video mediation"}, ${60}, ${10}, ${60}, ${6}, ${6})
    ON CONFLICT ("id") DO NOTHING`);
  const typeId = o.maxParticipants ? `${TEST_SESSION_TYPE}-${o.maxParticipants}` : TEST_SESSION_TYPE;
  if (o.maxParticipants) {
    await db.execute(sql`
      INSERT INTO "SessionType" ("id", "nameZh", "nameEn", "minutes", "bufferMinutes", "minNoticeMinutes", "dailyCap", "maxParticipants")
      VALUES (${typeId}, ${"视频调解"}, ${"Video mediation"}, ${60}, ${10}, ${60}, ${6}, ${o.maxParticipants})
      ON CONFLICT ("id") DO NOTHING`);
  }
  const id = newId();
  const endsAt = new Date(o.startsAt.getTime() + (o.minutes ?? 60) * 60_000);
  await db.execute(sql`
    INSERT INTO "MediationSession" ("id", "caseId", "staffId", "sessionTypeId", "startsAt", "endsAt", "mode", "state", "createdAt", "updatedAt")
    VALUES (${id}, ${opened.id}, ${"duty_township"}, ${typeId}, ${o.startsAt}, ${endsAt}, ${o.mode ?? "video"}, ${o.state ?? "booked"}, ${now}, ${now})`);
  const wanted = o.participants ?? [
    { role: "mediator", name: "李调解员" },
    { role: "claimant", name: "王师傅" },
    { role: "respondent", name: "张老板" },
  ];
  const participants = wanted.map((p) => ({ id: newId(), role: p.role, name: p.name === undefined ? null : p.name }));
  for (const p of participants) {
    await db.execute(sql`
      INSERT INTO "SessionParticipant" ("id", "sessionId", "role", "staffId", "name")
      VALUES (${p.id}, ${id}, ${p.role}, ${p.role === "mediator" ? "duty_township" : null}, ${p.name})`);
  }
  const ids: TestSession["ids"] = {};
  for (const p of participants) ids[p.role] ??= p.id;
  return { id, caseId: opened.id, caseCode: opened.code, startsAt: o.startsAt, endsAt, ids, participants };
}

/** Moves a session as a reschedule does: new times, the version bumped, the same participants. */
export async function moveSession(db: Sql, sessionId: string, startsAt: Date, minutes = 60): Promise<void> {
  await db.execute(sql`
    UPDATE "MediationSession" SET "startsAt" = ${startsAt}, "endsAt" = ${new Date(startsAt.getTime() + minutes * 60_000)},
      "version" = "version" + 1
    WHERE "id" = ${sessionId}`);
}

export async function setSessionState(db: Sql, sessionId: string, state: SessionState): Promise<void> {
  await db.execute(sql`UPDATE "MediationSession" SET "state" = ${state} WHERE "id" = ${sessionId}`);
}

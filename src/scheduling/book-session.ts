import { recordEvent } from "../cases/audit.js";
import { isOpen } from "../cases/lifecycle.js";
import type { Sql } from "../db/sql.js";
import { enqueueJobs, type JobInput } from "../jobs/job.repository.js";
import { MINUTE } from "../lib/clock.js";
import { AppError } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { HOLD_MINUTES, REMINDER_OFFSETS, SESSION_JOBS, type SchedulingDeps } from "./deps.js";
import { partyPlans, searchFor, sessionTypeFor } from "./find-slots.js";
import { localDayOf } from "./local-days.js";
import type { MeetingPrefs, ParticipantRole, SessionRecord, SessionType } from "./scheduling.repository.js";

/** Only a case both sides agreed to is booked (自愿): the claimant by filing, the others by saying yes. */
export async function assertConsented(deps: SchedulingDeps, caseId: string): Promise<MeetingPrefs[]> {
  // Every party who has not declined mediation takes part.
  const parties = await deps.scheduling.meetingPrefs(caseId);
  const waiting = parties.filter((p) => p.mediationConsent !== "accepted");
  if (parties.length < 2 || waiting.length > 0) {
    throw new AppError("CONFLICT", `Case ${caseId}: not every party has agreed to mediation`, { details: { reason: "consent" } });
  }
  return parties;
}

function roleOf(p: MeetingPrefs): ParticipantRole {
  return p.role === "claimant" || p.role === "respondent" ? p.role : "observer";
}

/** How a case's session is held: by video with LiveKit; else by phone when a party is away or in another zone, else on site. */
export function sessionModeFor(deps: SchedulingDeps, c: { remote: boolean }, parties: readonly Pick<MeetingPrefs, "timeZone">[]): SessionRecord["mode"] {
  // LiveKit configured but unreachable: offered honestly as a phone session rather than a room that will not open.
  if (deps.video) return deps.videoDown?.() ? "phone" : "video";
  return c.remote || parties.some((p) => p.timeZone !== null) ? "phone" : "onsite";
}

/** Jobs of a booked session at its current version: the reminders still ahead and the end-of-session step. */
export function bookedJobs(s: Pick<SessionRecord, "id" | "startsAt" | "endsAt" | "version">, now: Date): JobInput[] {
  const jobs: JobInput[] = [
    { kind: SESSION_JOBS.booked, payload: { sessionId: s.id, version: s.version }, dueAt: now, dedupeKey: `session.booked:${s.id}:${s.version}` },
    {
      kind: SESSION_JOBS.ended,
      payload: { sessionId: s.id, version: s.version },
      dueAt: new Date(s.endsAt.getTime() + 10 * MINUTE),
      dedupeKey: `session.ended:${s.id}:${s.version}`,
    },
  ];
  for (const offset of REMINDER_OFFSETS) {
    const dueAt = new Date(s.startsAt.getTime() - offset * MINUTE);
    if (dueAt <= now) continue;
    jobs.push({ kind: SESSION_JOBS.remind, payload: { sessionId: s.id, version: s.version, offset }, dueAt, dedupeKey: `session.remind:${s.id}:${s.version}:${offset}` });
  }
  return jobs;
}

/**
 * Takes a mediator's time for a session in the caller's transaction: the day's cap, then the busy
 * blocks (session and buffer). Either both hold or it throws SLOT_TAKEN and the transaction rolls back.
 */
export async function takeTime(
  deps: SchedulingDeps,
  tx: Sql,
  t: { staffId: string; sessionId: string; startsAt: Date; type: SessionType; now: Date },
): Promise<void> {
  const repo = deps.scheduling;
  await repo.releaseLapsedHolds(tx, t.staffId, t.now);
  const day = localDayOf(deps.cases.zone, t.startsAt.getTime()).date;
  if (!(await repo.countOnDay(tx, t.staffId, day, t.type.dailyCap))) {
    throw new AppError("SLOT_TAKEN", `${t.staffId} is at the daily cap on ${day}`, { details: { reason: "day_full" } });
  }
  const end = new Date(t.startsAt.getTime() + (t.type.minutes + t.type.bufferMinutes) * MINUTE);
  if (!(await repo.takeBlocks(tx, t.staffId, t.sessionId, t.startsAt, end))) {
    throw new AppError("SLOT_TAKEN", `${t.staffId} is taken at ${t.startsAt.toISOString()}`, { details: { reason: "taken" } });
  }
}

/** Gives a session's time back to its mediator (cancelled, moved, lapsed). */
export async function giveBackTime(deps: SchedulingDeps, tx: Sql, s: Pick<SessionRecord, "id" | "staffId" | "startsAt">): Promise<void> {
  await deps.scheduling.releaseBlocks(tx, s.id);
  await deps.scheduling.uncountOnDay(tx, s.staffId, localDayOf(deps.cases.zone, s.startsAt.getTime()).date);
}

/** The mediator free at exactly `startsAt` for the case, or null: the search's own rules, not a second copy. */
export async function mediatorFreeAt(
  deps: SchedulingDeps,
  c: { id: string; mediatorId: string | null; disputeType: string; roomId: string | null },
  startsAt: Date,
  type: SessionType,
  opts: { ignoreSessionId?: string; prefer?: string } = {},
): Promise<string | null> {
  const mediators = await deps.scheduling.mediatorsFor(c);
  const parties = await partyPlans(deps, c.id);
  const search = { mediators, type, parties, disputeType: c.disputeType, roomId: c.roomId, mediatorId: c.mediatorId };
  const after = new Date(startsAt.getTime() - 1);
  if (opts.prefer) {
    const [mine] = await searchFor(deps, search, { after, limit: 1, staffId: opts.prefer, ignoreSessionId: opts.ignoreSessionId });
    if (mine?.startsAt === startsAt.getTime()) return mine.staffId;
  }
  const [slot] = await searchFor(deps, search, { after, limit: 1, ignoreSessionId: opts.ignoreSessionId });
  return slot?.startsAt === startsAt.getTime() ? slot.staffId : null;
}

export interface HoldResult {
  session: SessionRecord;
  /** held: the others are asked to confirm; booked: this press was the other party confirming the same time. */
  state: "held" | "booked";
}

/**
 * A party chose a time: the slot is held for them (HOLD_MINUTES) while the others confirm. Pressing
 * the time the other party already holds confirms it. A slot someone else took meanwhile → SLOT_TAKEN
 * (the caller offers the next ones).
 */
export async function holdSlot(
  deps: SchedulingDeps,
  input: { caseId: string; partyId: string; startsAt: Date; sessionTypeId?: string },
): Promise<HoldResult> {
  const { cases } = deps.cases.repos;
  const c = await cases.byId(input.caseId);
  if (!c) throw new AppError("NOT_FOUND", `No case ${input.caseId}`);
  if (!isOpen(c.status)) throw new AppError("ILLEGAL_TRANSITION", `Case ${c.code} is closed`, { details: { reason: "closed" } });
  const parties = await assertConsented(deps, c.id);
  if (!parties.some((p) => p.id === input.partyId)) throw new AppError("FORBIDDEN", `Party ${input.partyId} is not in case ${c.code}`);

  const current = await deps.scheduling.currentOfCase(c.id);
  if (current && current.startsAt.getTime() === input.startsAt.getTime()) {
    if (current.state === "booked") return { session: current, state: "booked" };
    if (current.heldByPartyId === input.partyId) return { session: current, state: "held" };
    return confirmSession(deps, { sessionId: current.id, partyId: input.partyId });
  }
  if (current?.state === "booked") {
    return moveSession(deps, { sessionId: current.id, startsAt: input.startsAt, by: { partyId: input.partyId } });
  }

  const type = await sessionTypeFor(deps, input.sessionTypeId);
  const staffId = await mediatorFreeAt(deps, c, input.startsAt, type);
  if (!staffId) throw new AppError("SLOT_TAKEN", `No mediator free at ${input.startsAt.toISOString()} for ${c.code}`, { details: { reason: "taken" } });
  const staff = await deps.cases.repos.staff.byId(staffId);
  const now = deps.cases.clock.now();
  const session: SessionRecord = {
    id: newId(),
    caseId: c.id,
    staffId,
    sessionTypeId: type.id,
    startsAt: input.startsAt,
    endsAt: new Date(input.startsAt.getTime() + type.minutes * MINUTE),
    mode: sessionModeFor(deps, c, parties),
    state: "held",
    version: 1,
    heldByPartyId: input.partyId,
    holdExpiresAt: new Date(now.getTime() + HOLD_MINUTES * MINUTE),
    roomName: null,
    outcome: null,
    createdAt: now,
    updatedAt: now,
  };
  await deps.cases.sql.transaction(async (tx) => {
    // The case row first: two parties choosing different times at once are decided one after the other.
    await cases.touch(tx, c.id, now);
    const other = await deps.scheduling.currentOfCase(c.id, tx);
    if (other) throw new AppError("SLOT_TAKEN", `Case ${c.code} has a session already`, { details: { reason: "case_has_session" } });
    await deps.scheduling.insertSession(tx, session);
    await takeTime(deps, tx, { staffId, sessionId: session.id, startsAt: session.startsAt, type, now });
    await deps.scheduling.insertParticipants(tx, [
      { id: newId(), sessionId: session.id, role: "mediator", partyId: null, staffId, name: staff?.name ?? null, confirmedAt: now },
      ...parties.map((p) => ({
        id: newId(),
        sessionId: session.id,
        role: roleOf(p),
        partyId: p.id,
        staffId: null,
        name: p.name,
        confirmedAt: p.id === input.partyId ? now : null,
      })),
    ]);
    await enqueueJobs(
      tx,
      [
        { kind: SESSION_JOBS.held, payload: { sessionId: session.id, version: 1 }, dueAt: now, dedupeKey: `session.held:${session.id}:1` },
        { kind: SESSION_JOBS.holdLapse, payload: { sessionId: session.id, version: 1 }, dueAt: session.holdExpiresAt!, dedupeKey: `session.lapse:${session.id}:1` },
      ],
      now,
    );
    await recordEvent(tx, {
      caseId: c.id,
      at: now,
      actor: `party:${input.partyId}`,
      action: "session_held",
      data: { sessionId: session.id, startsAt: session.startsAt.toISOString(), staffId, mode: session.mode },
    });
  });
  deps.cases.onJobsDue?.();
  return { session, state: "held" };
}

/** The other party says yes to the held time; when every party has, the session is booked. */
export async function confirmSession(deps: SchedulingDeps, input: { sessionId: string; partyId: string }): Promise<HoldResult> {
  const now = deps.cases.clock.now();
  const result = await deps.cases.sql.transaction(async (tx) => {
    const s = await deps.scheduling.byId(input.sessionId, tx);
    if (!s) throw new AppError("NOT_FOUND", `No session ${input.sessionId}`);
    if (s.state === "booked") return { session: s, state: "booked" as const };
    if (s.state !== "held" || (s.holdExpiresAt && s.holdExpiresAt <= now)) {
      throw new AppError("SLOT_TAKEN", `Session ${s.id} is no longer held`, { details: { reason: "lapsed" } });
    }
    const participants = await deps.scheduling.participants(s.id, tx);
    if (!participants.some((p) => p.partyId === input.partyId)) throw new AppError("FORBIDDEN", `Party ${input.partyId} is not in session ${s.id}`);
    const waiting = await deps.scheduling.confirm(tx, s.id, input.partyId, now);
    if (waiting > 0) return { session: s, state: "held" as const };
    if (!(await deps.scheduling.transition(tx, s.id, { from: ["held"], to: "booked", version: s.version, now, set: { holdExpiresAt: null } }))) {
      throw new AppError("CONFLICT", `Session ${s.id} changed meanwhile`);
    }
    const booked = { ...s, state: "booked" as const, holdExpiresAt: null };
    await enqueueJobs(tx, bookedJobs(booked, now), now);
    await recordEvent(tx, { caseId: s.caseId, at: now, actor: `party:${input.partyId}`, action: "session_booked", data: { sessionId: s.id, startsAt: s.startsAt.toISOString(), staffId: s.staffId, mode: s.mode } });
    return { session: booked, state: "booked" as const };
  });
  if (result.state === "booked") deps.cases.onJobsDue?.();
  return result;
}

export type Actor = { partyId: string } | { staffId: string };

function actorName(by: Actor): string {
  return "partyId" in by ? `party:${by.partyId}` : `staff:${by.staffId}`;
}

/**
 * Ends a held or booked session early: a party declining the held time, a party or mediator
 * cancelling, a lapsed hold, the mediator's leave, consent withdrawn. Parties are held to the minimum
 * notice (TOO_LATE inside it) unless `override` (a mediator's decision, or consent withdrawn).
 * `offerAgain` asks for new times right away.
 */
export async function cancelSession(
  deps: SchedulingDeps,
  input: { sessionId: string; by: Actor | "system"; reason: string; override?: boolean; offerAgain?: boolean; lapsed?: boolean },
): Promise<SessionRecord | null> {
  const now = deps.cases.clock.now();
  const s = await deps.scheduling.byId(input.sessionId);
  if (!s) throw new AppError("NOT_FOUND", `No session ${input.sessionId}`);
  if (s.state !== "held" && s.state !== "booked") return null;
  if (input.by !== "system" && "partyId" in input.by && s.state === "booked" && !input.override) {
    const type = await sessionTypeFor(deps, s.sessionTypeId);
    if (now.getTime() + type.minNoticeMinutes * MINUTE > s.startsAt.getTime()) {
      throw new AppError("TOO_LATE", `Session ${s.id} starts within the minimum notice`, { details: { minNoticeMinutes: type.minNoticeMinutes } });
    }
  }
  const done = await deps.cases.sql.transaction(async (tx) => {
    const to = input.lapsed ? "expired" : "cancelled";
    const ok = await deps.scheduling.transition(tx, s.id, {
      from: input.lapsed ? ["held"] : ["held", "booked"],
      to,
      version: s.version,
      now,
      set: { note: input.reason },
    });
    if (!ok) return false;
    await giveBackTime(deps, tx, s);
    const jobs: JobInput[] = [];
    if (s.state === "booked" || !input.lapsed) {
      jobs.push({
        kind: SESSION_JOBS.cancelled,
        payload: { sessionId: s.id, version: s.version, reason: input.reason, by: input.by === "system" ? "system" : actorName(input.by) },
        dueAt: now,
        dedupeKey: `session.cancelled:${s.id}`,
      });
    }
    if (input.offerAgain) {
      // After a declined time, the next ones; otherwise from now.
      const after = input.reason === "declined" ? { after: s.startsAt.toISOString() } : {};
      jobs.push({ kind: SESSION_JOBS.offer, payload: { caseId: s.caseId, ...after, reason: input.reason }, dueAt: now, dedupeKey: `booking.offer:${s.id}:${to}` });
    }
    await enqueueJobs(tx, jobs, now);
    await recordEvent(tx, {
      caseId: s.caseId,
      at: now,
      actor: input.by === "system" ? "system" : actorName(input.by),
      action: input.lapsed ? "session_lapsed" : "session_cancelled",
      data: { sessionId: s.id, reason: input.reason, startsAt: s.startsAt.toISOString() },
    });
    return true;
  });
  if (!done) return null;
  deps.cases.onJobsDue?.();
  return { ...s, state: input.lapsed ? "expired" : "cancelled" };
}

/**
 * Moves a session to a new time. A party moving it holds the new time and the others confirm again; a
 * mediator's move stands (they may also override the minimum notice). The version is bumped, so the
 * reminders for the old time send nothing.
 */
export async function moveSession(
  deps: SchedulingDeps,
  input: { sessionId: string; startsAt: Date; by: Actor; override?: boolean },
): Promise<HoldResult> {
  const now = deps.cases.clock.now();
  const s = await deps.scheduling.byId(input.sessionId);
  if (!s || (s.state !== "held" && s.state !== "booked")) throw new AppError("NOT_FOUND", `No session to move: ${input.sessionId}`);
  const c = await deps.cases.repos.cases.byId(s.caseId);
  if (!c) throw new AppError("NOT_FOUND", `No case ${s.caseId}`);
  const type = await sessionTypeFor(deps, s.sessionTypeId);
  const byStaff = "staffId" in input.by;
  if (!(byStaff && input.override) && s.state === "booked" && now.getTime() + type.minNoticeMinutes * MINUTE > s.startsAt.getTime()) {
    throw new AppError("TOO_LATE", `Session ${s.id} starts within the minimum notice`, { details: { minNoticeMinutes: type.minNoticeMinutes } });
  }
  const staffId = await mediatorFreeAt(deps, c, input.startsAt, type, { ignoreSessionId: s.id, prefer: s.staffId });
  if (!staffId) throw new AppError("SLOT_TAKEN", `No mediator free at ${input.startsAt.toISOString()}`, { details: { reason: "taken" } });
  const staff = staffId === s.staffId ? null : await deps.cases.repos.staff.byId(staffId);
  const version = s.version + 1;
  const moved: SessionRecord = {
    ...s,
    staffId,
    startsAt: input.startsAt,
    endsAt: new Date(input.startsAt.getTime() + type.minutes * MINUTE),
    version,
    state: byStaff ? "booked" : "held",
    heldByPartyId: byStaff ? null : (input.by as { partyId: string }).partyId,
    holdExpiresAt: byStaff ? null : new Date(now.getTime() + HOLD_MINUTES * MINUTE),
  };
  await deps.cases.sql.transaction(async (tx) => {
    const ok = await deps.scheduling.transition(tx, s.id, {
      from: [s.state],
      to: moved.state,
      version: s.version,
      now,
      set: { startsAt: moved.startsAt, endsAt: moved.endsAt, staffId, heldByPartyId: moved.heldByPartyId, holdExpiresAt: moved.holdExpiresAt, bumpVersion: true },
    });
    if (!ok) throw new AppError("CONFLICT", `Session ${s.id} changed meanwhile`);
    await giveBackTime(deps, tx, s);
    await takeTime(deps, tx, { staffId, sessionId: s.id, startsAt: moved.startsAt, type, now });
    if (staff) await deps.scheduling.setParticipantStaff(tx, s.id, staffId, staff.name);
    await deps.scheduling.resetConfirmations(tx, s.id, byStaff ? null : moved.heldByPartyId, now);
    const jobs: JobInput[] = byStaff
      ? bookedJobs(moved, now)
      : [
          { kind: SESSION_JOBS.held, payload: { sessionId: s.id, version }, dueAt: now, dedupeKey: `session.held:${s.id}:${version}` },
          { kind: SESSION_JOBS.holdLapse, payload: { sessionId: s.id, version }, dueAt: moved.holdExpiresAt!, dedupeKey: `session.lapse:${s.id}:${version}` },
        ];
    await enqueueJobs(tx, jobs, now);
    await recordEvent(tx, {
      caseId: s.caseId,
      at: now,
      actor: actorName(input.by),
      action: "session_moved",
      data: { sessionId: s.id, from: s.startsAt.toISOString(), to: moved.startsAt.toISOString(), staffId, override: !!input.override },
    });
  });
  deps.cases.onJobsDue?.();
  return { session: moved, state: moved.state === "booked" ? "booked" : "held" };
}

/** The hold's time ran out with a party still to confirm: the slot goes back and new times are offered. */
export async function lapseHold(deps: SchedulingDeps, input: { sessionId: string; version: number }): Promise<boolean> {
  const s = await deps.scheduling.byId(input.sessionId);
  if (!s || s.state !== "held" || s.version !== input.version) return false;
  if (s.holdExpiresAt && s.holdExpiresAt > deps.cases.clock.now()) return false;
  return (await cancelSession(deps, { sessionId: s.id, by: "system", reason: "hold_lapsed", lapsed: true, offerAgain: true })) !== null;
}

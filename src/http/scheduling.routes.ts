import express from "express";
import { z } from "zod";
import type { JoinLinks } from "../video/join-link.js";
import { AppError } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { cancelSession, confirmSession, holdSlot, moveSession } from "../scheduling/book-session.js";
import type { SchedulingDeps } from "../scheduling/deps.js";
import { findSlots } from "../scheduling/find-slots.js";
import { addTimeOff, setSkills, setWeeklyHours } from "../scheduling/mediator-time.js";
import { markHeld, recordOutcome } from "../scheduling/record-outcome.js";
import type { ParticipantRecord, SessionRecord } from "../scheduling/scheduling.repository.js";
import { requireStaff } from "./staff.routes.js";
import { minutesOf } from "../lib/working-hours.js";

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/);
const staffBody = z.object({ staffId: z.string().min(1).max(100) });
const instant = z.string().datetime({ offset: true }).transform((s) => new Date(s));

const hoursBody = z.object({
  hours: z.array(z.object({ weekday: z.number().int().min(1).max(7), from: hhmm, to: hhmm })).max(100),
});
const skillsBody = z.object({ types: z.array(z.string().max(40)).max(20), languages: z.array(z.string().max(20)).max(20) });
const timeOffBody = z.object({ kind: z.enum(["leave", "open"]).default("leave"), startsAt: instant, endsAt: instant, note: z.string().max(500).optional() });
const sessionsQuery = z.object({ from: instant.optional(), to: instant.optional(), staffId: z.string().max(100).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });
const holdBody = z.object({ partyId: z.string().min(1).max(100), startsAt: instant });
const moveBody = staffBody.extend({ startsAt: instant, override: z.boolean().default(true) });
const outcomeBody = staffBody.extend({ outcome: z.enum(["resolved", "failed", "another"]), note: z.string().max(2000).optional() });

function sessionView(s: SessionRecord, code: string | null, participants: ParticipantRecord[] = []) {
  return {
    id: s.id,
    caseCode: code,
    staffId: s.staffId,
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
    mode: s.mode,
    state: s.state,
    version: s.version,
    holdExpiresAt: s.holdExpiresAt?.toISOString() ?? null,
    outcome: s.outcome,
    participants: participants.map((p) => ({
      id: p.id,
      role: p.role,
      partyId: p.partyId,
      staffId: p.staffId,
      name: p.name,
      confirmedAt: p.confirmedAt?.toISOString() ?? null,
      joinedAt: p.joinedAt?.toISOString() ?? null,
      attendance: p.attendance,
    })),
  };
}

/**
 * The staff API of scheduling: mediators' weeks, leave and skills; a case's slots; sessions booked,
 * confirmed for a party on the phone, moved, cancelled, marked held and given an outcome. The same use
 * cases as the chat, so the rules (the database's guard against double booking, minimum notice) hold here too.
 */
export function createSchedulingRouter(deps: { scheduling: SchedulingDeps; staffToken?: string; joinLinks?: JoinLinks }) {
  const sd = deps.scheduling;
  const router = express.Router();
  router.use(["/api/staff/mediators", "/api/staff/sessions", "/api/staff/cases/:code/slots", "/api/staff/cases/:code/sessions"], requireStaff(deps.staffToken), express.json({ limit: "32kb" }));

  async function caseOf(code: string) {
    const c = await sd.cases.repos.cases.byCode(code);
    if (!c) throw new AppError("NOT_FOUND", `No case ${code}`);
    return c;
  }
  async function mediator(id: string) {
    const s = await sd.cases.repos.staff.byId(id);
    if (!s) throw new AppError("NOT_FOUND", `No staff ${id}`);
    return s;
  }
  async function view(s: SessionRecord) {
    const c = await sd.cases.repos.cases.byId(s.caseId);
    return sessionView(s, c?.code ?? null, await sd.scheduling.participants(s.id));
  }
  async function session(id: string) {
    const s = await sd.scheduling.byId(id);
    if (!s) throw new AppError("NOT_FOUND", `No session ${id}`);
    return s;
  }

  router.put("/api/staff/mediators/:id/hours", async (req, res) => {
    const body = hoursBody.parse(req.body);
    await mediator(req.params.id);
    await setWeeklyHours(sd, { staffId: req.params.id, hours: body.hours.map((h) => ({ weekday: h.weekday, startMin: minutesOf(h.from), endMin: minutesOf(h.to) })), actor: "staff:api" });
    res.json({ ok: true });
  });

  router.put("/api/staff/mediators/:id/skills", async (req, res) => {
    const body = skillsBody.parse(req.body);
    await mediator(req.params.id);
    await setSkills(sd, { staffId: req.params.id, ...body });
    res.json({ ok: true });
  });

  router.post("/api/staff/mediators/:id/time-off", async (req, res) => {
    const body = timeOffBody.parse(req.body);
    await mediator(req.params.id);
    res.status(201).json(await addTimeOff(sd, { staffId: req.params.id, ...body, actor: "staff:api" }));
  });

  router.get("/api/staff/cases/:code/slots", async (req, res) => {
    const c = await caseOf(req.params.code);
    const after = req.query.after ? instant.parse(req.query.after) : undefined;
    const { slots, type } = await findSlots(sd, { caseId: c.id, limit: 10, ...(after ? { after } : {}) });
    res.json({ sessionType: type, slots: slots.map((s) => ({ startsAt: new Date(s.startsAt).toISOString(), staffId: s.staffId })) });
  });

  /** A time chosen for a party (on the phone): held for them, the others asked to confirm in their chat. */
  router.post("/api/staff/cases/:code/sessions", async (req, res) => {
    const c = await caseOf(req.params.code);
    const body = holdBody.parse(req.body);
    const held = await holdSlot(sd, { caseId: c.id, partyId: body.partyId, startsAt: body.startsAt });
    res.status(201).json(await view(held.session));
  });

  router.get("/api/staff/sessions", async (req, res) => {
    const q = sessionsQuery.parse(req.query);
    const now = sd.cases.clock.now();
    const list = await sd.scheduling.list({ from: q.from ?? now, to: q.to ?? new Date(now.getTime() + 31 * 86_400_000), limit: q.limit, ...(q.staffId ? { staffId: q.staffId } : {}) });
    res.json({ sessions: await Promise.all(list.map(view)) });
  });

  router.get("/api/staff/sessions/:id", async (req, res) => {
    res.json(await view(await session(req.params.id)));
  });

  /** A party who has no chat confirmed on the phone. */
  router.post("/api/staff/sessions/:id/confirm", async (req, res) => {
    const { partyId } = z.object({ partyId: z.string().min(1).max(100) }).parse(req.body);
    const result = await confirmSession(sd, { sessionId: req.params.id, partyId });
    res.json(await view(result.session));
  });

  router.post("/api/staff/sessions/:id/move", async (req, res) => {
    const body = moveBody.parse(req.body);
    await mediator(body.staffId);
    const moved = await moveSession(sd, { sessionId: req.params.id, startsAt: body.startsAt, by: { staffId: body.staffId }, override: body.override });
    res.json(await view(moved.session));
  });

  router.post("/api/staff/sessions/:id/cancel", async (req, res) => {
    const body = staffBody.extend({ offerAgain: z.boolean().default(true) }).parse(req.body);
    await mediator(body.staffId);
    const done = await cancelSession(sd, { sessionId: req.params.id, by: { staffId: body.staffId }, reason: "mediator", override: true, offerAgain: body.offerAgain });
    if (!done) throw new AppError("CONFLICT", `Session ${req.params.id} is not held or booked`);
    res.json(await view(await session(req.params.id)));
  });

  router.post("/api/staff/sessions/:id/held", async (req, res) => {
    const body = staffBody.parse(req.body);
    res.json(await view(await markHeld(sd, { sessionId: req.params.id, staffId: body.staffId })));
  });

  router.post("/api/staff/sessions/:id/outcome", async (req, res) => {
    const body = outcomeBody.parse(req.body);
    await recordOutcome(sd, { sessionId: req.params.id, staffId: body.staffId, outcome: body.outcome, ...(body.note ? { note: body.note } : {}) });
    res.json(await view(await session(req.params.id)));
  });

  /** An interpreter or observer for a session: their own join link (with the grants of their role). */
  router.post("/api/staff/sessions/:id/participants", async (req, res) => {
    const body = z.object({ role: z.enum(["interpreter", "observer"]), name: z.string().trim().min(1).max(100) }).parse(req.body);
    const s = await session(req.params.id);
    if (s.state !== "booked" && s.state !== "held") throw new AppError("CONFLICT", `Session ${s.id} is ${s.state}`);
    const id = newId();
    await sd.cases.sql.transaction((tx) => sd.scheduling.insertParticipants(tx, [{ id, sessionId: s.id, role: body.role, partyId: null, staffId: null, name: body.name, confirmedAt: sd.cases.clock.now() }]));
    const link = s.mode === "video" && deps.joinLinks ? await deps.joinLinks.url({ sessionId: s.id, participantId: id, notAfter: s.endsAt }) : null;
    res.status(201).json({ participantId: id, link });
  });

  return router;
}

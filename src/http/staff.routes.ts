import { timingSafeEqual } from "node:crypto";
import express, { type RequestHandler } from "express";
import { z } from "zod";
import { assignRoom } from "../cases/assign-room.js";
import type { CaseDeps } from "../cases/deps.js";
import type { InvitationDeps } from "../cases/invitation.js";
import { sendPartyInvite } from "../cases/invite-party.js";
import { recordConsent } from "../cases/record-consent.js";
import { isTimeZone } from "../cases/zones.js";
import type { Messenger } from "../notify/messenger.js";
import { availabilitySchema } from "../scheduling/availability-presets.js";
import { listTriageQueue } from "../cases/list-triage-queue.js";
import { searchCases } from "../cases/search-cases.js";
import { CASE_STATUSES, DISPUTE_TYPES, RISK_FLAGS } from "../cases/types.js";
import type { DeliveryRepository } from "../notify/delivery.repository.js";
import { createStaffInvite } from "../cases/link-staff.js";
import type { CaseRepositories } from "../cases/repositories.js";
import type { ConversationRepository } from "../bot/conversation.repository.js";
import { replyToHandoff } from "../bot/flows/handoff/handoff.jobs.js";
import type { HandoffRepository } from "../bot/flows/handoff/handoff.repository.js";
import type { Sql } from "../db/sql.js";
import type { Clock } from "../lib/clock.js";
import { AppError } from "../lib/errors.js";
import { isWorkday, minutesOf } from "../lib/working-hours.js";
import { caseListItemView, deliveryView, calendarDayView, caseView, handoffView, notificationView, slaView, triageView } from "./staff.views.js";

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/**
 * Staff endpoints need STAFF_API_TOKEN as a bearer token. With no token configured (the embedded
 * default on one office laptop) they answer only to the machine itself: the peer is loopback and no
 * proxy stands in between (a forwarded request from a proxy on the same host is everyone's).
 * Start-up refuses a listening address or TRUST_PROXY that would need a token (config/env.ts).
 */
export function requireStaff(token: string | undefined): RequestHandler {
  return (req, _res, next) => {
    if (token) {
      const given = req.get("authorization")?.replace(/^Bearer\s+/i, "") ?? "";
      if (!sameSecret(given, token)) return next(new AppError("UNAUTHORIZED", "Staff token required"));
      return next();
    }
    const forwarded = req.get("x-forwarded-for") ?? req.get("forwarded") ?? req.get("x-real-ip");
    if (LOOPBACK.has(req.socket.remoteAddress ?? "") && !forwarded) return next();
    next(new AppError("UNAUTHORIZED", "Set STAFF_API_TOKEN to reach staff endpoints from another machine or through a proxy"));
  };
}

const listQuery = z.object({
  staffId: z.string().max(100).optional(),
  roomId: z.string().max(100).optional(),
  undelivered: z.enum(["true", "false"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** The notifications list: where 催办 / 督办 / risk pages wait for staff who have no chat channel yet. */
const staffInviteBody = z.object({ staffId: z.string().min(1).max(100) });
/** An invitation for a party: sent to a chat staff have (`channel` + `recipient`), or returned to send by SMS (`phone`). */
const partyInviteBody = z
  .object({
    role: z.enum(["respondent", "claimant", "other"]).default("respondent"),
    channel: z.enum(["telegram", "web"]).optional(),
    recipient: z.string().trim().min(1).max(100).optional(),
    phone: z.string().trim().regex(/^\+?[0-9 -]{5,20}$/, "a phone number").optional(),
  })
  .refine((b) => Boolean(b.channel) === Boolean(b.recipient), "channel and recipient go together");
/** A consent given on the phone: whose (role or party id), the answer, and when they can meet if they said. */
const consentBody = z
  .object({
    role: z.enum(["respondent", "claimant", "other"]).optional(),
    partyId: z.string().min(1).max(100).optional(),
    answer: z.enum(["accepted", "declined"]),
    availability: availabilitySchema.optional(),
    timeZone: z.string().max(64).refine(isTimeZone, "an IANA time zone such as America/New_York").nullable().optional(),
    preferLanguage: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,12})?$/, "a language tag such as zh-henan or yue").nullable().optional(),
    staffId: z.string().min(1).max(100).optional(),
  })
  .strict()
  .refine((b) => Boolean(b.role) !== Boolean(b.partyId), "give either role or partyId");
const handoffQuery = z.object({
  status: z.enum(["open", "closed"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
/** A reply names who writes it: the domain checks they may, and the handoff records who answered. */
const handoffReply = z.object({ text: z.string().trim().min(1).max(2000), staffId: z.string().min(1).max(100) });
const handoffClose = z.object({ staffId: z.string().min(1).max(100).optional() });
const caseListQuery = z.object({
  // ?status=routed,in_mediation
  status: z
    .string()
    .transform((v) => v.split(","))
    .pipe(z.array(z.enum(CASE_STATUSES)))
    .optional(),
  roomId: z.string().min(1).max(100).optional(),
  type: z.enum(DISPUTE_TYPES).optional(),
  risk: z.enum(RISK_FLAGS).optional(),
  before: z.string().min(1).max(40).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const triageQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });
/** Routing is done by a named person: the audit log says who, and the use case checks they may. */
const routeBody = z.object({
  roomId: z.string().min(1).max(100),
  staffId: z.string().min(1).max(100),
  reason: z.string().trim().max(500).optional(),
});
const WEEK_MINUTES = 7 * 24 * 60;
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM");
const dayCount = z.number().int().min(0).max(365);
const slaBody = z
  .object({
    triageMinutes: z.number().int().min(1).max(WEEK_MINUTES),
    acceptMinutes: z.number().int().min(1).max(WEEK_MINUTES),
    resolveDays: z.object({ simple: dayCount, general: dayCount, complex: dayCount, difficult: dayCount }).strict(),
    sameDayCutoffHour: z.number().int().min(0).max(24),
    escalationMarginMinutes: z.number().int().min(0).max(WEEK_MINUTES),
    hours: z
      .object({
        open: hhmm,
        close: hhmm,
        days: z.array(z.number().int().min(1).max(7)).min(1).max(7).refine((d) => new Set(d).size === d.length, "days repeat"),
      })
      .strict()
      .refine((h) => minutesOf(h.open) < minutesOf(h.close), "open must be before close"),
  })
  .strict();
const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD")
  .refine((d) => new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "not a date");
const calendarBody = z.object({ workday: z.boolean(), name: z.string().trim().max(100).nullish() }).strict();

export function createStaffRouter(deps: {
  repos: CaseRepositories;
  /** The case use cases (routing from the triage queue). */
  cases: CaseDeps;
  sql: Sql;
  clock: Clock;
  staffToken?: string;
  /** A chat deep link for a start payload (the Telegram bot's t.me link), when a bot runs. */
  deepLink?: (payload: string) => string | undefined;
  /** Invitations sent to a party's chat go through the delivery ledger. */
  messenger: Messenger;
  invitations: InvitationDeps;
  handoffs: HandoffRepository;
  conversations: ConversationRepository;
  deliveries: Pick<DeliveryRepository, "ofCase">;
  onJobsDue?: () => void;
}): express.Router {
  const router = express.Router();
  router.use("/api/staff", requireStaff(deps.staffToken));
  router.use("/api/staff", express.json({ limit: "16kb" }));

  /** A one-time, expiring code that links a mediator's chat account (deep link m_<code>). */
  router.post("/api/staff/invites", async (req, res) => {
    const body = staffInviteBody.parse(req.body ?? {});
    const invite = await createStaffInvite(deps, { staffId: body.staffId });
    const payload = `m_${invite.code}`;
    res.status(201).json({ ...invite, startPayload: payload, link: deps.deepLink?.(payload) ?? null });
  });

  /**
   * A one-time invitation for a party (the respondent by default) to answer in chat (r_<token>): sent to a
   * chat staff name, or, with a phone number, returned as the text to send by SMS (there is no SMS
   * channel). A new invitation replaces one not yet used.
   */
  router.post("/api/staff/cases/:code/invites", async (req, res) => {
    const body = partyInviteBody.parse(req.body ?? {});
    const invite = await sendPartyInvite(
      { ...deps.cases, messenger: deps.messenger, invitations: deps.invitations },
      { caseCode: req.params.code, role: body.role, actor: "staff:api", channel: body.channel, recipient: body.recipient },
    );
    res.status(201).json({
      token: invite.token,
      expiresAt: invite.expiresAt,
      caseCode: invite.caseCode,
      partyId: invite.partyId,
      startPayload: invite.startPayload,
      link: invite.links.telegram,
      links: invite.links,
      text: invite.text,
      consentDueAt: invite.consentDueAt,
      sent: invite.sentTo ? { ...invite.sentTo, via: "messenger" } : null,
      ...(body.phone
        ? { sms: { to: body.phone, text: invite.text, note: "OneDoor has no SMS channel: send this text from the centre's phone; the web link works without Telegram." } }
        : {}),
    });
  });

  /** A consent given by phone, recorded by staff: the same effects as an answer in the chat (booking, or referral). */
  router.post("/api/staff/cases/:code/consent", async (req, res) => {
    const body = consentBody.parse(req.body ?? {});
    const c = await deps.repos.cases.byCode(req.params.code);
    if (!c) throw new AppError("NOT_FOUND", `No case ${req.params.code}`);
    const partyRows = await deps.repos.parties.ofCase(c.id);
    const party = body.partyId
      ? partyRows.find((p) => p.id === body.partyId)
      : (partyRows.find((p) => p.role === body.role && p.channelUserId) ?? partyRows.find((p) => p.role === body.role));
    if (!party) throw new AppError("NOT_FOUND", `Case ${c.code} has no ${body.partyId ? `party ${body.partyId}` : body.role}: invite them first`);
    const outcome = await recordConsent(deps.cases, {
      caseId: c.id,
      partyId: party.id,
      answer: body.answer,
      via: "phone",
      actor: body.staffId ? `staff:${body.staffId}` : "staff:api",
      ...(body.availability ? { availability: body.availability } : {}),
      ...(body.timeZone !== undefined ? { timeZone: body.timeZone } : {}),
      ...(body.preferLanguage !== undefined ? { preferLanguage: body.preferLanguage } : {}),
    });
    if (outcome.status === "closed") throw new AppError("CONFLICT", `Case ${c.code} is ${c.status}: no answer is recorded any more`);
    res.json({ code: c.code, partyId: party.id, role: party.role, answer: body.answer, ...outcome });
  });

  router.get("/api/staff/notifications", async (req, res) => {
    const q = listQuery.parse(req.query);
    const rows = await deps.repos.notifications.list({
      staffId: q.staffId || undefined,
      roomId: q.roomId || undefined,
      undelivered: q.undelivered === "true",
      limit: q.limit,
    });
    res.json({ notifications: rows.map(notificationView) });
  });

  router.post("/api/staff/notifications/:id/read", async (req, res) => {
    const updated = await deps.repos.notifications.markRead(req.params.id, deps.clock.now());
    res.json({ updated });
  });

  /** Conversations handed to a person, newest first, each with its latest messages. */
  router.get("/api/staff/handoffs", async (req, res) => {
    const q = handoffQuery.parse(req.query);
    const handoffs = await deps.handoffs.list(q.status, q.limit);
    const views = await Promise.all(handoffs.map(async (h) => handoffView(h, await deps.conversations.recent(h.channel, h.userId, 20))));
    res.json({ handoffs: views });
  });

  /** A staff member answers: the text reaches the resident on their own channel and in the transcript. */
  router.post("/api/staff/handoffs/:id/messages", async (req, res) => {
    const body = handoffReply.parse(req.body ?? {});
    await replyToHandoff(
      { sql: deps.sql, clock: deps.clock, handoffs: deps.handoffs, staff: deps.repos.staff, onJobsDue: deps.onJobsDue },
      { handoffId: req.params.id, text: body.text, staffId: body.staffId },
    );
    res.status(202).json({ queued: true });
  });

  router.post("/api/staff/handoffs/:id/close", async (req, res) => {
    const body = handoffClose.parse(req.body ?? {});
    const closed = await deps.handoffs.close(req.params.id, body.staffId ?? null, deps.clock.now());
    if (!closed && !(await deps.handoffs.get(req.params.id))) throw new AppError("NOT_FOUND", `No handoff ${req.params.id}`);
    res.json({ closed });
  });

  /** 研判 queue: cases returned by a room, the oldest triage deadline first (risk-flagged before the rest). */
  /** Cases by status, room, type or risk flag, newest first; `next` is the `before` of the next page. */
  router.get("/api/staff/cases", async (req, res) => {
    const q = caseListQuery.parse(req.query);
    const found = await searchCases(deps.cases, {
      ...(q.status ? { statuses: q.status } : {}),
      ...(q.roomId ? { roomId: q.roomId } : {}),
      ...(q.type ? { disputeType: q.type } : {}),
      ...(q.risk ? { risk: q.risk } : {}),
      ...(q.before ? { before: q.before } : {}),
      limit: q.limit,
    });
    res.json({ cases: found.map(caseListItemView), next: found.length === q.limit ? found.at(-1)!.code : null });
  });

  /** Every message that went to the case's parties and what became of it (proof of delivery). */
  router.get("/api/staff/cases/:code/deliveries", async (req, res) => {
    const c = await deps.repos.cases.byCode(req.params.code);
    if (!c) throw new AppError("NOT_FOUND", `no case ${req.params.code}`);
    res.json({ deliveries: (await deps.deliveries.ofCase(c.id)).map(deliveryView) });
  });

  router.get("/api/staff/triage", async (req, res) => {
    const q = triageQuery.parse(req.query);
    const now = deps.clock.now();
    res.json({ cases: (await listTriageQueue(deps.cases, q.limit)).map((c) => triageView(c, now)) });
  });

  /** A triage officer sends a case to a room; it gets a fresh acceptance deadline. */
  router.post("/api/staff/cases/:code/route", async (req, res) => {
    const body = routeBody.parse(req.body ?? {});
    const routed = await assignRoom(deps.cases, { code: req.params.code, roomId: body.roomId, actor: `staff:${body.staffId}`, reason: body.reason });
    res.json({ code: req.params.code, status: "routed", roomId: body.roomId, acceptDueAt: routed.acceptDueAt });
  });

  /** The centre's time limits and hours; a change applies to the next deadline computed. */
  router.get("/api/staff/sla", async (_req, res) => {
    const { policy, updatedAt } = await deps.repos.sla.current();
    res.json({ sla: slaView(policy, updatedAt) });
  });

  router.put("/api/staff/sla", async (req, res) => {
    const policy = slaBody.parse(req.body ?? {});
    await deps.repos.sla.save(policy, deps.clock.now());
    const saved = await deps.repos.sla.current();
    res.json({ sla: slaView(saved.policy, saved.updatedAt) });
  });

  /** A date of the calendar: a public holiday (workday false) or a make-up working day (调休, true). */
  router.get("/api/staff/calendar/:date", async (req, res) => {
    const date = calendarDate.parse(req.params.date);
    const [day, { policy }] = await Promise.all([deps.repos.sla.day(date), deps.repos.sla.current()]);
    const [y, m, d] = date.split("-").map(Number) as [number, number, number];
    res.json({ day: calendarDayView(day, date, isWorkday({ zone: deps.cases.zone, ...policy.hours }, y, m, d)) });
  });

  router.put("/api/staff/calendar/:date", async (req, res) => {
    const date = calendarDate.parse(req.params.date);
    const body = calendarBody.parse(req.body ?? {});
    const day = { date, workday: body.workday, name: body.name ?? null };
    await deps.repos.sla.setDay(day);
    res.json({ day: calendarDayView(day, date, body.workday) });
  });

  /** The date follows the working weekdays again. */
  router.delete("/api/staff/calendar/:date", async (req, res) => {
    const date = calendarDate.parse(req.params.date);
    res.json({ deleted: await deps.repos.sla.clearDay(date) });
  });

  router.get("/api/staff/cases/:code", async (req, res) => {
    const { cases, parties, evidence, staff } = deps.repos;
    const c = await cases.byCode(req.params.code);
    if (!c) throw new AppError("NOT_FOUND", `No case ${req.params.code}`);
    const [partyRows, events, files, mediator] = await Promise.all([
      parties.ofCase(c.id),
      cases.events(c.id),
      evidence.ofCase(c.id),
      c.mediatorId ? staff.byId(c.mediatorId) : null,
    ]);
    res.json({ case: caseView(c, { parties: partyRows, events, evidence: files, mediator }) });
  });

  return router;
}

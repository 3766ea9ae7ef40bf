import { changeCaseStatus } from "../../../cases/change-status.js";
import { referralRoutes } from "../../../cases/referral-routes.js";
import type { FileStore } from "../../../files/file-store.js";
import { isLocale, t, type Locale } from "../../../i18n/index.js";
import { notifyStaff, type Messenger } from "../../../jobs/notify-staff.js";
import type { JobHandler } from "../../../jobs/worker.js";
import type { Logger } from "../../../lib/logger.js";
import { cancelSession, lapseHold, sessionModeFor } from "../../../scheduling/book-session.js";
import { SESSION_JOBS, SESSION_OUTCOME_JOB, type SchedulingDeps } from "../../../scheduling/deps.js";
import { findSlots } from "../../../scheduling/find-slots.js";
import { sessionIcs } from "../../../scheduling/ics.js";
import type { ManageLinks } from "../../../scheduling/manage-link.js";
import type { MeetingPrefs, ParticipantRecord, SessionRecord } from "../../../scheduling/scheduling.repository.js";
import type { JoinLinks } from "../../../video/join-link.js";
import { NO_PHONE } from "../../../documents/case-documents.js";
import type { SessionNoticeInput } from "../../../documents/session-notice.js";
import type { Outbound } from "../../messages.js";
import { tr, type TextKey } from "../../texts.js";
import { confirmButtons, manageButtons, modeText, noSlotsMessage, offerMessage, BOOK } from "./booking.messages.js";
import { timeLabel, whenLabel } from "./slot-labels.js";


export interface BookingJobDeps {
  scheduling: SchedulingDeps;
  messenger: Messenger;
  files: FileStore;
  /** The language a person's chat is in (the respondent's may differ from the case's). */
  localeOf: (channel: string, userId: string) => Promise<string | null>;
  centre: { nameZh: string; nameEn: string; dutyPhone?: string };
  /** Issues and serves each party's 调解通知书 (documents/session-notice.ts); absent = the chat messages only. */
  sessionNotice?: (n: SessionNoticeInput) => Promise<unknown>;
  /** Present when LiveKit is configured. */
  joinLinks?: JoinLinks;
  /** Each party's page to see, move or cancel the session in a browser (scheduling/manage-link.ts). */
  manageLinks?: ManageLinks;
  /** Marks who never joined the room (video/attendance.repository.ts); present with LiveKit. */
  markAbsentees?: (input: { sessionId: string; now: Date }) => Promise<{ absent: string[] }>;
  logger: Logger;
  staffLocale?: Locale;
}

/** Job kinds the consent step enqueues (cases/consent-jobs.ts) that booking answers. */
export const BOOKING_START = "booking.start";
export const BOOKING_CONSENT_WITHDRAWN = "booking.consent_withdrawn";

/**
 * What booking tells people, each as a durable job: slots offered, a held time to confirm, the
 * booking with its ICS, reminders, cancellations, the end of a session and its outcome. Every handler
 * reads the session again and does nothing for a version that has moved on, so a reminder for an old
 * time never fires; dedupe keys per job and chat make a re-run send nothing twice.
 */
export function createBookingJobHandlers(deps: BookingJobDeps): Record<string, JobHandler> {
  const { scheduling: sd, messenger } = deps;
  const repo = sd.scheduling;
  const { cases: caseRepo, staff: staffRepo } = sd.cases.repos;
  const centreZone = sd.cases.zone;
  const staffLocale = deps.staffLocale ?? "zh-CN";

  async function localeFor(p: { channel: string | null; channelUserId: string | null }, fallback: string): Promise<Locale> {
    const l = p.channel && p.channelUserId ? await deps.localeOf(p.channel, p.channelUserId) : null;
    return isLocale(l) ? l : isLocale(fallback) ? fallback : "zh-CN";
  }

  const chatOf = (p: MeetingPrefs) => (p.channel && p.channelUserId ? { channel: p.channel, userId: p.channelUserId } : null);
  const zoneOf = (p: MeetingPrefs) => p.timeZone ?? centreZone;

  async function toParty(p: MeetingPrefs, jobId: string, messages: Outbound[], caseId: string, expiresAt?: Date): Promise<void> {
    const chat = chatOf(p);
    if (!chat) return;
    await messenger.send(chat.channel, chat.userId, messages, { caseId, dedupeKey: `job:${jobId}:${chat.channel}:${chat.userId}`, ...(expiresAt ? { expiresAt } : {}) });
  }

  async function icsFile(s: SessionRecord, code: string, locale: Locale, cancelled = false): Promise<Outbound> {
    const centre = locale === "en" ? deps.centre.nameEn : deps.centre.nameZh;
    const bytes = sessionIcs(
      {
        sessionId: s.id,
        version: s.version,
        startsAt: s.startsAt,
        endsAt: s.endsAt,
        title: tr(locale, "booking.ics.title", { code }),
        description: tr(locale, "booking.ics.description", { centre, code, mode: modeText(locale, s.mode) }),
        ...(s.mode === "onsite" ? { location: centre } : {}),
        cancelled,
      },
      sd.cases.clock.now(),
    );
    return { kind: "file", name: `${code}.ics`, mime: "text/calendar", ref: await deps.files.save(bytes) };
  }

  async function mediatorChats(staffId: string) {
    return staffRepo.channelsOf(staffId);
  }

  async function toMediator(staffId: string, jobId: string, caseId: string, text: string, extra: Outbound[] = [], buttons?: { label: string; data: string }[][]): Promise<void> {
    const staff = await staffRepo.byId(staffId);
    if (!staff) return;
    await notifyStaff({ repos: { notifications: sd.cases.repos.notifications, staff: staffRepo }, clock: sd.cases.clock, messenger }, {
      dedupeKey: `job:${jobId}:${staffId}`,
      staff,
      kind: "session",
      text,
      caseId,
      ...(buttons ? { buttons } : {}),
    });
    if (extra.length === 0) return;
    for (const chat of await mediatorChats(staffId)) {
      await messenger.send(chat.channel, chat.channelUserId, extra, { kind: "staff_notice", caseId, dedupeKey: `job:${jobId}:${staffId}:files:${chat.channel}:${chat.channelUserId}` });
    }
  }

  /** The session at the version the job was for; null when it moved on (nothing to say). */
  async function current(payload: { sessionId: string; version?: number }, states: SessionRecord["state"][]): Promise<SessionRecord | null> {
    const s = await repo.byId(payload.sessionId);
    if (!s || !states.includes(s.state)) return null;
    if (payload.version !== undefined && s.version !== payload.version) return null;
    return s;
  }

  async function participantFor(s: SessionRecord, partyId: string): Promise<ParticipantRecord | undefined> {
    return (await repo.participants(s.id)).find((p) => p.partyId === partyId);
  }

  async function joinLink(s: SessionRecord, participant: ParticipantRecord | undefined): Promise<string | null> {
    if (s.mode !== "video" || !deps.joinLinks || !participant) return null;
    return deps.joinLinks.url({ sessionId: s.id, participantId: participant.id, notAfter: s.endsAt });
  }

  const offer: JobHandler = async (payload, ctx) => {
    const { caseId, after, reason } = payload as { caseId: string; after?: string; reason?: string };
    const c = await caseRepo.byId(caseId);
    if (!c || c.status === "closed" || c.status === "followed_up") return;
    if (await repo.currentOfCase(caseId)) return; // booked or held meanwhile
    const parties = await repo.meetingPrefs(caseId);
    if (parties.some((p) => p.mediationConsent !== "accepted")) return;
    const { slots, type } = await findSlots(sd, { caseId, ...(after ? { after: new Date(after) } : {}) });
    const mode = sessionModeFor(sd, c, parties);
    for (const p of parties) {
      const locale = await localeFor(p, c.language);
      const message = slots.length > 0
        ? offerMessage(locale, { code: c.code, zone: zoneOf(p), centreZone, slots, type, mode, videoDown: sd.video && mode !== "video", ...(reason ? { reason } : {}) })
        : noSlotsMessage(locale, c.code);
      await toParty(p, ctx.jobId, [message], caseId);
    }
    if (slots.length === 0) {
      const staffId = c.mediatorId ?? (await staffRepo.active(["duty"]))[0]?.id;
      if (staffId) await toMediator(staffId, ctx.jobId, caseId, tr(staffLocale, "booking.staff.none", { code: c.code }));
    }
  };

  const held: JobHandler = async (payload, ctx) => {
    const s = await current(payload as { sessionId: string; version: number }, ["held"]);
    if (!s) return;
    const c = await caseRepo.byId(s.caseId);
    if (!c) return;
    for (const p of await repo.meetingPrefs(s.caseId)) {
      if (p.id === s.heldByPartyId) continue;
      const locale = await localeFor(p, c.language);
      const text = tr(locale, "booking.confirm.ask", { when: whenLabel(locale, zoneOf(p), s.startsAt), mode: modeText(locale, s.mode), code: c.code });
      await toParty(p, ctx.jobId, [{ kind: "text", text, buttons: confirmButtons(locale, s.id) }], s.caseId, s.holdExpiresAt ?? undefined);
    }
  };

  const holdLapse: JobHandler = async (payload) => {
    await lapseHold(sd, payload as { sessionId: string; version: number });
  };

  const booked: JobHandler = async (payload, ctx) => {
    const s = await current(payload as { sessionId: string; version: number }, ["booked"]);
    if (!s) return;
    const c = await caseRepo.byId(s.caseId);
    if (!c) return;
    // A routed case whose parties booked with a mediator is now that mediator's (调处). The parties are not
    // sent "a mediator will contact you to agree a time": the booking below tells them the mediator and the time.
    if (c.status === "routed") {
      await changeCaseStatus(sd.cases, { caseId: c.id, to: "in_mediation", actor: "system", mediatorId: s.staffId, reason: "session_booked", partiesTold: true }).catch((err) =>
        deps.logger.warn({ err, code: c.code }, "booked session: the case could not be moved to mediation"),
      );
    }
    const staff = await staffRepo.byId(s.staffId);
    const parties = await repo.meetingPrefs(s.caseId);
    const participants = await repo.participants(s.id);
    for (const p of parties) {
      const locale = await localeFor(p, c.language);
      const how = tr(locale, `booking.how.${s.mode}` as TextKey, { centre: locale === "en" ? deps.centre.nameEn : deps.centre.nameZh });
      const text = tr(locale, "booking.booked", {
        when: whenLabel(locale, zoneOf(p), s.startsAt),
        mode: modeText(locale, s.mode),
        mediator: staff?.name ?? "-",
        code: c.code,
        how,
      });
      const messages: Outbound[] = [{ kind: "text", text, buttons: manageButtons(locale, c.code, s.id) }, await icsFile(s, c.code, locale)];
      const manageUrl = deps.manageLinks ? await deps.manageLinks.url({ partyId: p.id, sessionEndsAt: s.endsAt }) : null;
      if (manageUrl) messages.push({ kind: "link", text: tr(locale, "booking.manage.page"), url: manageUrl });
      await toParty(p, ctx.jobId, messages, s.caseId);
      // The written notice (调解通知书), its QR code the party's own way in: the room, else the manage page.
      const url = (await joinLink(s, participants.find((x) => x.partyId === p.id))) ?? manageUrl;
      if (deps.sessionNotice && url) {
        await deps.sessionNotice({
          caseId: c.id,
          sessionId: s.id,
          version: s.version,
          partyId: p.id,
          start: s.startsAt,
          end: s.endsAt,
          mode: modeText("zh-CN", s.mode),
          place: tr("zh-CN", `booking.place.${s.mode}` as TextKey, { centre: deps.centre.nameZh }),
          joinUrl: url,
          mediator: { name: staff?.name ?? "-", phone: staff?.phone ?? deps.centre.dutyPhone ?? NO_PHONE },
        });
      }
    }
    const names = parties.map((p) => `${p.name ?? t(staffLocale, `party.role.${p.role}` as never)}${p.channel ? "" : "☎"}`).join("、");
    const moved = s.version > 1;
    const text = moved
      ? tr(staffLocale, "booking.staff.moved", { code: c.code, when: whenLabel(staffLocale, centreZone, s.startsAt), mode: modeText(staffLocale, s.mode) })
      : tr(staffLocale, "booking.staff.booked", {
          when: whenLabel(staffLocale, centreZone, s.startsAt),
          mode: modeText(staffLocale, s.mode),
          code: c.code,
          type: t(staffLocale, `type.${c.disputeType}`),
          parties: names,
        });
    const mediator = participants.find((p) => p.role === "mediator");
    const link = await joinLink(s, mediator);
    const extra: Outbound[] = [await icsFile(s, c.code, staffLocale)];
    if (link) extra.push({ kind: "link", text: tr(staffLocale, "booking.staff.openRoom"), url: link });
    await toMediator(s.staffId, ctx.jobId, s.caseId, text, extra);
  };

  const cancelled: JobHandler = async (payload, ctx) => {
    const { sessionId, reason } = payload as { sessionId: string; reason: string; by: string };
    const s = await repo.byId(sessionId);
    if (!s || s.state !== "cancelled") return;
    const c = await caseRepo.byId(s.caseId);
    if (!c) return;
    const whyKey: TextKey =
      reason === "mediator_leave" ? "booking.cancelled.leave"
      : reason === "consent_withdrawn" ? "booking.cancelled.consent"
      : reason === "mediator" ? "booking.cancelled.mediator"
      : "booking.cancelled.party";
    const open = c.status !== "closed" && c.status !== "followed_up" && reason !== "consent_withdrawn";
    for (const p of await repo.meetingPrefs(s.caseId)) {
      const locale = await localeFor(p, c.language);
      const text = tr(locale, "booking.cancelled", { when: whenLabel(locale, zoneOf(p), s.startsAt), code: c.code, why: tr(locale, whyKey) });
      // A leave re-offers times by itself; otherwise a button to book again, while the case is open.
      const buttons = open && reason !== "mediator_leave" ? [[{ label: tr(locale, "booking.rebook"), data: `${BOOK.rebook}${c.code}` }]] : undefined;
      await toParty(p, ctx.jobId, [{ kind: "text", text, ...(buttons ? { buttons } : {}) }, await icsFile(s, c.code, locale, true)], s.caseId);
    }
    await toMediator(s.staffId, ctx.jobId, s.caseId, tr(staffLocale, "booking.staff.cancelled", { code: c.code, when: whenLabel(staffLocale, centreZone, s.startsAt), why: tr(staffLocale, whyKey) }));
  };

  const remind: JobHandler = async (payload, ctx) => {
    const { offset } = payload as { sessionId: string; version: number; offset: number };
    const s = await current(payload as { sessionId: string; version: number }, ["booked"]);
    if (!s) return;
    const c = await caseRepo.byId(s.caseId);
    if (!c) return;
    const key = `booking.remind.${offset}` as TextKey;
    for (const p of await repo.meetingPrefs(s.caseId)) {
      const locale = await localeFor(p, c.language);
      const zone = zoneOf(p);
      const text = tr(locale, key, { time: timeLabel(zone, s.startsAt), when: whenLabel(locale, zone, s.startsAt), code: c.code, mode: modeText(locale, s.mode) });
      const link = await joinLink(s, await participantFor(s, p.id));
      const messages: Outbound[] = link
        ? [{ kind: "link", text: `${text}\n${tr(locale, "booking.remind.join")}`, url: link }]
        : [{ kind: "text", text: s.mode === "phone" ? `${text}\n${tr(locale, "booking.remind.phone")}` : text }];
      // A reminder still queued when the session starts is dropped, with a record, not sent late.
      await toParty(p, ctx.jobId, messages, s.caseId, s.startsAt);
    }
    if (offset <= 60) {
      const mediator = (await repo.participants(s.id)).find((p) => p.role === "mediator");
      const link = await joinLink(s, mediator);
      const text = tr(staffLocale, key, { time: timeLabel(centreZone, s.startsAt), when: whenLabel(staffLocale, centreZone, s.startsAt), code: c.code, mode: modeText(staffLocale, s.mode) });
      for (const chat of await mediatorChats(s.staffId)) {
        const m: Outbound = link ? { kind: "link", text: `${text}\n${tr(staffLocale, "booking.staff.openRoom")}`, url: link } : { kind: "text", text };
        await messenger.send(chat.channel, chat.channelUserId, [m], { kind: "staff_notice", caseId: s.caseId, expiresAt: s.startsAt, dedupeKey: `job:${ctx.jobId}:${chat.channel}:${chat.channelUserId}` });
      }
    }
  };

  const ended: JobHandler = async (payload, ctx) => {
    const s = await current(payload as { sessionId: string; version: number }, ["booked", "done"]);
    if (!s || s.outcome) return;
    const c = await caseRepo.byId(s.caseId);
    if (!c) return;
    const participants = await repo.participants(s.id);
    let absentIds: string[] = [];
    if (s.mode === "video" && deps.markAbsentees) absentIds = (await deps.markAbsentees({ sessionId: s.id, now: sd.cases.clock.now() })).absent;
    const label = (p: ParticipantRecord) => p.name ?? t(staffLocale, `party.role.${p.role === "claimant" || p.role === "respondent" ? p.role : "other"}` as never);
    const parties = participants.filter((p) => p.role !== "mediator");
    const absent = parties.filter((p) => absentIds.includes(p.id));
    const present = s.mode === "video" ? parties.filter((p) => !absentIds.includes(p.id)) : [];
    const nobody = tr(staffLocale, "booking.nobody");
    const text = tr(staffLocale, "booking.staff.ended", {
      code: c.code,
      when: whenLabel(staffLocale, centreZone, s.startsAt),
      present: s.mode === "video" ? present.map(label).join("、") || nobody : "-",
      absent: s.mode === "video" ? absent.map(label).join("、") || nobody : "-",
    });
    await toMediator(s.staffId, ctx.jobId, s.caseId, text, [], outcomeButtons(staffLocale, s.id));
  };

  const outcome: JobHandler = async (payload, ctx) => {
    const { sessionId, outcome: o } = payload as { sessionId: string; outcome: "resolved" | "failed" | "another" };
    const s = await repo.byId(sessionId);
    if (!s) return;
    const c = await caseRepo.byId(s.caseId);
    if (!c) return;
    for (const p of await repo.meetingPrefs(s.caseId)) {
      const locale = await localeFor(p, c.language);
      const routes = o === "failed" ? referralRoutes(c.disputeType, locale).map((r) => `· ${r}`).join("\n") : "";
      await toParty(p, ctx.jobId, [{ kind: "text", text: tr(locale, `booking.outcome.${o}` as TextKey, { code: c.code, routes }) }], s.caseId);
    }
  };

  const consentWithdrawn: JobHandler = async (payload) => {
    const { caseId } = payload as { caseId: string; partyId: string };
    const s = await repo.currentOfCase(caseId);
    if (s) await cancelSession(sd, { sessionId: s.id, by: "system", reason: "consent_withdrawn", override: true });
  };

  return {
    [BOOKING_START]: offer,
    [SESSION_JOBS.offer]: offer,
    [SESSION_JOBS.held]: held,
    [SESSION_JOBS.holdLapse]: holdLapse,
    [SESSION_JOBS.booked]: booked,
    [SESSION_JOBS.cancelled]: cancelled,
    [SESSION_JOBS.remind]: remind,
    [SESSION_JOBS.ended]: ended,
    [SESSION_OUTCOME_JOB]: outcome,
    [BOOKING_CONSENT_WITHDRAWN]: consentWithdrawn,
  };
}

/** Data of the mediator's session buttons (bot/mediator.ts answers them). */
export const SESSION_BUTTONS = {
  show: "ms:", // ms:<sessionId>
  held: "mh:", // mh:<sessionId>
  outcome: "mo:", // mo:<r|f|a>:<sessionId>
  propose: "mp:", // mp:<sessionId>: times to move it to
  moveTo: "mpt:", // mpt:<sessionId>:<epoch minutes>
} as const;

export function outcomeButtons(locale: Locale, sessionId: string) {
  return [
    [
      { label: tr(locale, "booking.staff.outcome.resolved"), data: `${SESSION_BUTTONS.outcome}r:${sessionId}` },
      { label: tr(locale, "booking.staff.outcome.failed"), data: `${SESSION_BUTTONS.outcome}f:${sessionId}` },
    ],
    [{ label: tr(locale, "booking.staff.outcome.another"), data: `${SESSION_BUTTONS.outcome}a:${sessionId}` }],
  ];
}

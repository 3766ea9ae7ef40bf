import { isOpen } from "../../../cases/lifecycle.js";
import { isAppError } from "../../../lib/errors.js";
import { cancelSession, confirmSession, holdSlot, sessionModeFor } from "../../../scheduling/book-session.js";
import { HOLD_MINUTES } from "../../../scheduling/deps.js";
import { findSlots } from "../../../scheduling/find-slots.js";
import type { MeetingPrefs, SessionRecord } from "../../../scheduling/scheduling.repository.js";
import { menu, say, sayText, tx, type Turn } from "../../turn.js";
import { BOOK, confirmButtons, manageButtons, modeText, noSlotsMessage, offerMessage } from "./booking.messages.js";
import { whenLabel } from "./slot-labels.js";

/**
 * The booking buttons a party presses, wherever they are in the conversation: a time (held for them,
 * or confirming the other party's), more times, yes/no to the other party's choice, change or cancel.
 * Every answer ends with something to press next.
 */
export async function handleBookingButton(turn: Turn): Promise<boolean> {
  const b = turn.inbound.button ?? "";
  if (!b.startsWith("bk")) return false;
  const [prefix, rest] = [b.slice(0, b.indexOf(":") + 1), b.slice(b.indexOf(":") + 1)];
  switch (prefix) {
    case BOOK.slot: {
      const [code, minutes] = rest.split(":");
      await pickTime(turn, code!, new Date(Number(minutes) * 60_000));
      return true;
    }
    case BOOK.more: {
      const [code, minutes] = rest.split(":");
      await offer(turn, code!, { after: new Date(Number(minutes) * 60_000), reason: "more" });
      return true;
    }
    case BOOK.move:
    case BOOK.rebook:
      await offer(turn, rest, {});
      return true;
    case BOOK.yes:
      await answerHold(turn, rest, true);
      return true;
    case BOOK.no:
      await answerHold(turn, rest, false);
      return true;
    case BOOK.cancel:
    case BOOK.cancelYes:
    case BOOK.cancelNo:
      await cancel(turn, rest, prefix);
      return true;
    default:
      return false;
  }
}

/** "约视频调解": the resident's open case; its session if one is booked, or times to choose. */
export async function startBooking(turn: Turn, code: string): Promise<void> {
  const me = await partyOfChat(turn, code);
  if (!me) return say(turn, "booking.noCase", {}, menu(turn));
  const session = await turn.deps.scheduling.scheduling.currentOfCase(me.caseId);
  if (session) return showSession(turn, code, me.party, session);
  await offer(turn, code, {});
}

interface Me {
  caseId: string;
  code: string;
  status: string;
  party: MeetingPrefs;
  parties: MeetingPrefs[];
}

/** The case of that code in which this chat is a party; null = not theirs (a code alone proves nothing). */
async function partyOfChat(turn: Turn, code: string): Promise<Me | null> {
  const c = await turn.deps.cases.repos.cases.byCode(code);
  if (!c) return null;
  const parties = await turn.deps.scheduling.scheduling.meetingPrefs(c.id);
  const party = parties.find((p) => p.channel === turn.inbound.channel && p.channelUserId === turn.inbound.userId);
  return party ? { caseId: c.id, code: c.code, status: c.status, party, parties } : null;
}

const zoneOf = (turn: Turn, p: MeetingPrefs) => p.timeZone ?? turn.deps.cases.zone;

async function offer(turn: Turn, code: string, o: { after?: Date; reason?: string }): Promise<void> {
  const me = await partyOfChat(turn, code);
  if (!me) return say(turn, "booking.noCase", {}, menu(turn));
  if (!isOpen(me.status as never)) return say(turn, "booking.closed", { code }, menu(turn));
  if (me.parties.length < 2 || me.parties.some((p) => p.mediationConsent !== "accepted")) {
    return say(turn, "booking.notConsented", { code }, menu(turn));
  }
  const sd = turn.deps.scheduling;
  const c = await turn.deps.cases.repos.cases.byId(me.caseId);
  const { slots, type } = await findSlots(sd, { caseId: me.caseId, ...(o.after ? { after: o.after } : {}) });
  if (slots.length === 0) {
    turn.out.push(noSlotsMessage(turn.locale, code));
    return;
  }
  const mode = sessionModeFor(sd, { remote: c?.remote ?? false }, me.parties);
  turn.out.push(offerMessage(turn.locale, { code, zone: zoneOf(turn, me.party), centreZone: turn.deps.cases.zone, slots, type, mode, videoDown: sd.video && mode !== "video", ...(o.reason && o.reason !== "more" ? { reason: o.reason } : {}) }));
}

async function pickTime(turn: Turn, code: string, at: Date): Promise<void> {
  const me = await partyOfChat(turn, code);
  if (!me) return say(turn, "booking.noCase", {}, menu(turn));
  const sd = turn.deps.scheduling;
  try {
    const result = await holdSlot(sd, { caseId: me.caseId, partyId: me.party.id, startsAt: at });
    const when = whenLabel(turn.locale, zoneOf(turn, me.party), result.session.startsAt);
    if (result.state === "held") {
      return say(turn, "booking.held", { when, minutes: HOLD_MINUTES }, manageButtons(turn.locale, code, result.session.id));
    }
    // Confirming the other party's time: the booking notice (with the calendar file) follows.
    return showSession(turn, code, me.party, result.session);
  } catch (err) {
    if (isAppError(err, "SLOT_TAKEN")) return offer(turn, code, { after: new Date(at.getTime() - 1), reason: "taken" });
    if (isAppError(err, "TOO_LATE")) return tooLate(turn, err.details?.minNoticeMinutes);
    if (isAppError(err, "CONFLICT") && err.details?.reason === "consent") return say(turn, "booking.notConsented", { code }, menu(turn));
    if (isAppError(err, "ILLEGAL_TRANSITION")) return say(turn, "booking.closed", { code }, menu(turn));
    throw err;
  }
}

async function answerHold(turn: Turn, sessionId: string, yes: boolean): Promise<void> {
  const sd = turn.deps.scheduling;
  const s = await sd.scheduling.byId(sessionId);
  const c = s ? await turn.deps.cases.repos.cases.byId(s.caseId) : null;
  const me = c ? await partyOfChat(turn, c.code) : null;
  if (!s || !c || !me) return say(turn, "booking.noCase", {}, menu(turn));
  if (s.state !== "held") {
    if (s.state === "booked") return showSession(turn, c.code, me.party, s);
    say(turn, "booking.confirm.gone", { code: c.code });
    return offer(turn, c.code, {});
  }
  if (!yes) {
    await cancelSession(sd, { sessionId: s.id, by: { partyId: me.party.id }, reason: "declined", offerAgain: true });
    // The offer job sends both sides the times after this one.
    return;
  }
  try {
    const result = await confirmSession(sd, { sessionId: s.id, partyId: me.party.id });
    if (result.state === "held") return say(turn, "booking.held", { when: whenLabel(turn.locale, zoneOf(turn, me.party), s.startsAt), minutes: HOLD_MINUTES });
    // Booked: the booking notice with the calendar file comes to every party from the job.
  } catch (err) {
    if (isAppError(err, "SLOT_TAKEN")) {
      say(turn, "booking.confirm.gone", { code: c.code });
      return offer(turn, c.code, {});
    }
    throw err;
  }
}

async function cancel(turn: Turn, sessionId: string, step: string): Promise<void> {
  const sd = turn.deps.scheduling;
  const s = await sd.scheduling.byId(sessionId);
  const c = s ? await turn.deps.cases.repos.cases.byId(s.caseId) : null;
  const me = c ? await partyOfChat(turn, c.code) : null;
  if (!s || !c || !me || (s.state !== "held" && s.state !== "booked")) return say(turn, "booking.noSession", { code: c?.code ?? "" }, menu(turn));
  const when = whenLabel(turn.locale, zoneOf(turn, me.party), s.startsAt);
  if (step === BOOK.cancel) {
    return say(turn, "booking.cancel.ask", { when }, [[
      { label: tx(turn, "booking.cancel.yes"), data: `${BOOK.cancelYes}${s.id}` },
      { label: tx(turn, "booking.cancel.no"), data: `${BOOK.cancelNo}${s.id}` },
    ]]);
  }
  if (step === BOOK.cancelNo) return say(turn, "booking.cancel.kept", { when }, manageButtons(turn.locale, c.code, s.id));
  try {
    await cancelSession(sd, { sessionId: s.id, by: { partyId: me.party.id }, reason: "party" });
    // The cancellation notice (with a button to book again) reaches every party from the job.
  } catch (err) {
    if (isAppError(err, "TOO_LATE")) return tooLate(turn, err.details?.minNoticeMinutes);
    throw err;
  }
}

function tooLate(turn: Turn, minNoticeMinutes: unknown): void {
  const hours = Math.max(1, Math.round(Number(minNoticeMinutes ?? 120) / 60));
  say(turn, "booking.tooLate", { hours }, [[{ label: tx(turn, "menu.human"), data: "cmd:human" }, { label: tx(turn, "menu.status"), data: "cmd:status" }]]);
}

async function showSession(turn: Turn, code: string, party: MeetingPrefs, s: SessionRecord): Promise<void> {
  const when = whenLabel(turn.locale, zoneOf(turn, party), s.startsAt);
  if (s.state === "held" && s.heldByPartyId !== party.id) {
    return sayText(turn, tx(turn, "booking.confirm.ask", { when, mode: modeText(turn.locale, s.mode), code }), confirmButtons(turn.locale, s.id));
  }
  if (s.state === "held") return say(turn, "booking.held", { when, minutes: HOLD_MINUTES }, manageButtons(turn.locale, code, s.id));
  const staff = await turn.deps.cases.repos.staff.byId(s.staffId);
  const how = tx(turn, `booking.how.${s.mode}`, { centre: turn.locale === "en" ? turn.deps.centre.nameEn : turn.deps.centre.nameZh });
  say(turn, "booking.booked", { when, mode: modeText(turn.locale, s.mode), mediator: staff?.name ?? "-", code, how }, manageButtons(turn.locale, code, s.id));
}

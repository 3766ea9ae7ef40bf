import type { LinkedStaff } from "../cases/link-staff.js";
import { isAppError } from "../lib/errors.js";
import { moveSession } from "../scheduling/book-session.js";
import { findSlots } from "../scheduling/find-slots.js";
import { markHeld, recordOutcome, type SessionOutcome } from "../scheduling/record-outcome.js";
import type { SessionRecord } from "../scheduling/scheduling.repository.js";
import { modeText, toMinutes } from "./flows/booking/booking.messages.js";
import { outcomeButtons, SESSION_BUTTONS } from "./flows/booking/booking.jobs.js";
import { whenLabel } from "./flows/booking/slot-labels.js";
import type { Button } from "./messages.js";
import { say, sayText, tx, type Turn } from "./turn.js";

/**
 * A mediator's sessions in the chat: /schedule lists them; a session's buttons open the room as host,
 * mark it held, record the outcome, or move it to another of their free times (a mediator's move stands,
 * and may be inside the minimum notice).
 */
export async function handleScheduleButton(turn: Turn, staff: LinkedStaff): Promise<boolean> {
  const b = turn.inbound.button ?? "";
  if (b.startsWith(SESSION_BUTTONS.moveTo)) {
    const [sessionId, minutes] = b.slice(SESSION_BUTTONS.moveTo.length).split(":");
    await moveTo(turn, staff, sessionId!, new Date(Number(minutes) * 60_000));
    return true;
  }
  if (b.startsWith(SESSION_BUTTONS.show)) return showSession(turn, staff, b.slice(SESSION_BUTTONS.show.length)).then(() => true);
  if (b.startsWith(SESSION_BUTTONS.held)) return held(turn, staff, b.slice(SESSION_BUTTONS.held.length)).then(() => true);
  if (b.startsWith(SESSION_BUTTONS.outcome)) {
    const [o, sessionId] = b.slice(SESSION_BUTTONS.outcome.length).split(":");
    const outcome: SessionOutcome = o === "r" ? "resolved" : o === "f" ? "failed" : "another";
    await outcomeOf(turn, staff, sessionId!, outcome);
    return true;
  }
  if (b.startsWith(SESSION_BUTTONS.propose)) return propose(turn, staff, b.slice(SESSION_BUTTONS.propose.length)).then(() => true);
  return false;
}

export async function showSchedule(turn: Turn, staff: LinkedStaff): Promise<void> {
  const sd = turn.deps.scheduling;
  const sessions = await sd.scheduling.upcomingOfStaff(staff.id, turn.now);
  if (sessions.length === 0) return say(turn, "booking.staff.scheduleEmpty");
  const lines: string[] = [tx(turn, "booking.staff.schedule")];
  const buttons: Button[][] = [];
  for (const s of sessions) {
    const c = await turn.deps.cases.repos.cases.byId(s.caseId);
    const code = c?.code ?? "-";
    lines.push(line(turn, s, code));
    if (buttons.length < 6) buttons.push([{ label: `${whenLabel(turn.locale, turn.deps.cases.zone, s.startsAt)} ${code}`, data: `${SESSION_BUTTONS.show}${s.id}` }]);
  }
  sayText(turn, lines.join("\n"), buttons);
}

function line(turn: Turn, s: SessionRecord, code: string): string {
  return tx(turn, "booking.staff.line", {
    when: whenLabel(turn.locale, turn.deps.cases.zone, s.startsAt),
    mode: modeText(turn.locale, s.mode),
    code,
    state: s.state === "held" ? tx(turn, "booking.staff.state.held") : "",
  });
}

async function mine(turn: Turn, staff: LinkedStaff, sessionId: string): Promise<{ s: SessionRecord; code: string } | null> {
  const s = await turn.deps.scheduling.scheduling.byId(sessionId);
  const c = s ? await turn.deps.cases.repos.cases.byId(s.caseId) : null;
  if (!s || !c || (s.staffId !== staff.id && staff.role !== "supervisor" && staff.role !== "duty")) {
    say(turn, "booking.noSession", { code: c?.code ?? "" });
    return null;
  }
  return { s, code: c.code };
}

async function showSession(turn: Turn, staff: LinkedStaff, sessionId: string): Promise<void> {
  const found = await mine(turn, staff, sessionId);
  if (!found) return;
  const { s, code } = found;
  const rows: Button[][] = [];
  if (s.state === "booked" && s.startsAt <= turn.now) rows.push([{ label: tx(turn, "booking.staff.held"), data: `${SESSION_BUTTONS.held}${s.id}` }]);
  if (s.state === "booked" || s.state === "done") rows.push(...(s.startsAt <= turn.now ? outcomeButtons(turn.locale, s.id) : []));
  if (s.state === "booked" || s.state === "held") rows.push([{ label: tx(turn, "booking.staff.propose"), data: `${SESSION_BUTTONS.propose}${s.id}` }]);
  sayText(turn, line(turn, s, code), rows);
  const joinLinks = turn.deps.joinLinks;
  if (s.mode === "video" && joinLinks && s.state === "booked") {
    const participant = (await turn.deps.scheduling.scheduling.participants(s.id)).find((p) => p.role === "mediator");
    if (participant) turn.out.push({ kind: "link", text: tx(turn, "booking.staff.openRoom"), url: await joinLinks.url({ sessionId: s.id, participantId: participant.id, notAfter: s.endsAt }) });
  }
}

async function held(turn: Turn, staff: LinkedStaff, sessionId: string): Promise<void> {
  const found = await mine(turn, staff, sessionId);
  if (!found) return;
  try {
    await markHeld(turn.deps.scheduling, { sessionId, staffId: staff.id });
    sayText(turn, tx(turn, "booking.staff.recorded", { code: found.code, outcome: tx(turn, "booking.staff.held") }), outcomeButtons(turn.locale, sessionId));
  } catch (err) {
    if (isAppError(err, "TOO_LATE")) return say(turn, "booking.staff.tooEarly");
    throw err;
  }
}

async function outcomeOf(turn: Turn, staff: LinkedStaff, sessionId: string, outcome: SessionOutcome): Promise<void> {
  const found = await mine(turn, staff, sessionId);
  if (!found) return;
  try {
    await recordOutcome(turn.deps.scheduling, { sessionId, staffId: staff.id, outcome });
    say(turn, "booking.staff.recorded", { code: found.code, outcome: tx(turn, `booking.staff.outcome.${outcome}`) });
  } catch (err) {
    if (isAppError(err, "TOO_LATE")) return say(turn, "booking.staff.tooEarly");
    if (isAppError(err, "CONFLICT")) return say(turn, "booking.staff.recorded", { code: found.code, outcome: found.s.outcome ?? "-" });
    throw err;
  }
}

/** The mediator's own free times that suit the parties, as buttons that move the session there. */
async function propose(turn: Turn, staff: LinkedStaff, sessionId: string): Promise<void> {
  const found = await mine(turn, staff, sessionId);
  if (!found) return;
  const { slots } = await findSlots(turn.deps.scheduling, { caseId: found.s.caseId, limit: 6 });
  const own = slots.filter((x) => x.staffId === found.s.staffId && x.startsAt !== found.s.startsAt.getTime());
  const buttons = own.map((x) => [{ label: whenLabel(turn.locale, turn.deps.cases.zone, x.startsAt), data: `${SESSION_BUTTONS.moveTo}${found.s.id}:${toMinutes(x.startsAt)}` }]);
  if (buttons.length === 0) return say(turn, "booking.staff.scheduleEmpty");
  sayText(turn, tx(turn, "booking.staff.pick", { code: found.code }), buttons);
}

async function moveTo(turn: Turn, staff: LinkedStaff, sessionId: string, at: Date): Promise<void> {
  const found = await mine(turn, staff, sessionId);
  if (!found) return;
  try {
    const moved = await moveSession(turn.deps.scheduling, { sessionId, startsAt: at, by: { staffId: staff.id }, override: true });
    sayText(turn, line(turn, moved.session, found.code));
  } catch (err) {
    if (isAppError(err, "SLOT_TAKEN")) return propose(turn, staff, sessionId);
    throw err;
  }
}

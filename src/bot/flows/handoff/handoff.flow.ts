import type { RiskFlag } from "../../../cases/types.js";
import { MINUTE } from "../../../lib/clock.js";
import { newId } from "../../../lib/ids.js";
import { formatLocal } from "../../../lib/time.js";
import { replyBy } from "../../../lib/working-hours.js";
import { button, say, sayText, tx, type Turn } from "../../turn.js";
import type { Flow } from "../flow.js";
import { intakeFlow } from "../intake/intake.flow.js";
import type { HandoffReason } from "./handoff.repository.js";

export const HANDOFF_OPENED = "handoff.opened";
export const HANDOFF_FORWARD = "handoff.forward";
export const HANDOFF_DUE = "handoff.due";
export const HANDOFF_REPLY = "handoff.reply";

/** While a person has the conversation, the resident's messages are acknowledged at most this often. */
const ACK_EVERY_MS = 10 * MINUTE;
/** Someone in danger is answered at once, whatever the hours: the duty phone and 110 are in the answer. */
const SAFETY_REPLY_MINUTES = 15;

function endButton(turn: Turn) {
  return [[button(turn, "handoff.end", "handoff:end")]];
}

/**
 * Hands the conversation to a person: a Handoff row and its jobs (notify the duty staff now, check the
 * promise at its time) are written with the turn's state, so none of it is lost or done twice. The
 * resident is told who answers and by when, honestly for the centre's hours.
 */
export function openHandoff(
  turn: Turn,
  reason: HandoffReason,
  /** `quiet`: say nothing (the caller has). `keepFlow`: a person watches, but the resident carries on where they were. */
  opts: { riskFlags?: RiskFlag[]; quiet?: boolean; keepFlow?: boolean } = {},
): { id: string; by: Date } {
  const existing = turn.state.handoff;
  if (existing) {
    if (!opts.quiet) say(turn, "handoff.already", {}, endButton(turn));
    return { id: existing.id, by: new Date(existing.openedAt) };
  }
  const { centre, cases } = turn.deps;
  const id = newId();
  const now = turn.now;
  const { by, openNow } =
    reason === "safety"
      ? { by: new Date(now.getTime() + SAFETY_REPLY_MINUTES * MINUTE), openNow: true }
      : replyBy(turn.hours ?? centre.hours, now, centre.handoffReplyMinutes);
  const row = {
    id,
    channel: turn.inbound.channel,
    userId: turn.inbound.userId,
    reason,
    riskFlags: opts.riskFlags ?? [],
    replyDueAt: by,
    createdAt: now,
  };
  turn.effects.push((db) => turn.repos.handoffs.insert(db, row));
  turn.jobs.push(
    { kind: HANDOFF_OPENED, payload: { handoffId: id }, dueAt: now, dedupeKey: `handoff:${id}:opened` },
    { kind: HANDOFF_DUE, payload: { handoffId: id }, dueAt: by, dedupeKey: `handoff:${id}:due` },
  );
  turn.state.handoff = { id, openedAt: now.toISOString(), ackedAt: now.toISOString() };
  if (!opts.keepFlow) turn.state.active = "handoff";
  turn.state.misses = 0;
  if (!opts.quiet) {
    const params = { who: tx(turn, "handoff.who"), by: formatLocal(by, cases.zone, turn.locale) };
    const lines = [tx(turn, openNow ? "handoff.opened" : "handoff.openedClosed", params), tx(turn, "handoff.meanwhile")];
    if (centre.dutyPhone) lines.push(tx(turn, "handoff.dutyPhone", { phone: centre.dutyPhone }));
    sayText(turn, lines.join("\n"), endButton(turn));
  }
  return { id, by };
}

/** Whatever the resident sends while a person has the conversation goes to that person. */
export function forwardToStaff(turn: Turn, note: string): void {
  const h = turn.state.handoff;
  if (!h) return;
  turn.jobs.push({
    kind: HANDOFF_FORWARD,
    payload: { handoffId: h.id, text: note.slice(0, 2000) },
    dueAt: turn.now,
    dedupeKey: `handoff:${h.id}:msg:${turn.inbound.messageId ?? newId()}`,
  });
}

/** The handoff was closed by staff since the last message: say so, and carry on without it. */
export async function refreshHandoff(turn: Turn): Promise<void> {
  const h = turn.state.handoff;
  if (!h) return;
  const row = await turn.repos.handoffs.get(h.id);
  if (row && row.status === "open") return;
  turn.state.handoff = undefined;
  if (turn.state.active === "handoff") turn.state.active = turn.state.intake ? "intake" : "idle";
  say(turn, "handoff.closedByStaff");
}

/** The resident ends the handoff; the intake they were in, if any, carries on. */
export async function endHandoff(turn: Turn): Promise<void> {
  const h = turn.state.handoff;
  if (h) await turn.repos.handoffs.close(h.id, null, turn.now);
  turn.state.handoff = undefined;
  say(turn, "handoff.ended");
  if (turn.state.intake) {
    turn.state.active = "intake";
    say(turn, "intake.resume");
    intakeFlow.resume(turn);
  } else {
    turn.state.active = "idle";
    say(turn, "idle", {}, [
      [button(turn, "menu.new", "cmd:new"), button(turn, "menu.status", "cmd:status")],
      [button(turn, "menu.help", "cmd:help")],
    ]);
  }
}

export const handoffFlow: Flow = {
  name: "handoff",
  resume(turn) {
    say(turn, "handoff.ack", {}, endButton(turn));
  },
  async handle(turn) {
    const h = turn.state.handoff!;
    if (turn.inbound.button === "handoff:end") {
      await endHandoff(turn);
      return true;
    }
    if (turn.text) forwardToStaff(turn, turn.text);
    // A person is reading: the bot stays quiet, but says so now and then so the chat never looks dead.
    const acked = h.ackedAt ? new Date(h.ackedAt).getTime() : 0;
    if (turn.now.getTime() - acked >= ACK_EVERY_MS || turn.inbound.button) {
      h.ackedAt = turn.now.toISOString();
      say(turn, "handoff.ack", {}, endButton(turn));
    }
    return true;
  },
};

import { recordEvent } from "../../../cases/audit.js";
import { inviteJob } from "../../../cases/consent-jobs.js";
import type { PartyRecord } from "../../../cases/party.repository.js";
import { recordConsent } from "../../../cases/record-consent.js";
import { t } from "../../../i18n/index.js";
import { formatLocal } from "../../../lib/time.js";
import type { Button } from "../../messages.js";
import { actorOf, button, menu, say, tx, type Turn } from "../../turn.js";
import type { Flow } from "../flow.js";
import { centreName } from "../intake/intake.flow.js";
import { availabilityButton, startAvailability } from "./availability.flow.js";

/** Job: tell the case's mediator (or its room) what a party said. */
export const PARTY_STATEMENT = "party.statement";

type RespondState = NonNullable<Turn["state"]["respond"]>;

/**
 * The party's buttons carry the party (`rsp:<partyId>:<action>`), so a reminder pressed days later, or
 * after the conversation went elsewhere, still answers for the right case; the chat pressing is
 * checked to be that party.
 */
function buttons(turn: Turn, r: RespondState): Button[][] {
  const p = r.partyId ?? "";
  if (r.answer === "accepted") {
    return [
      [button(turn, "respond.question", `rsp:${p}:question`), button(turn, "respond.changeTimes", `av:${p}:start`)],
      [button(turn, "respond.withdraw", `rsp:${p}:decline`), button(turn, "menu.status", "cmd:status")],
    ];
  }
  return [
    [button(turn, "consent.accept", `rsp:${p}:accept`), button(turn, "consent.decline", `rsp:${p}:decline`)],
    [button(turn, "respond.question", `rsp:${p}:question`), button(turn, "respond.about", `rsp:${p}:about`)],
  ];
}

function showMenu(turn: Turn, r: RespondState): void {
  r.step = "menu";
  say(turn, r.answer === "accepted" ? "respond.acceptedMenu" : "respond.menu", { code: r.code }, buttons(turn, r));
}

/**
 * The invited party's first view of the case, after the invitation link joined them to it: the centre,
 * the type, what mediation is, that it is voluntary and free, the code, and the deadline. Nothing the
 * claimant wrote.
 */
export async function startRespond(turn: Turn, c: { id: string; code: string; type: string; partyId: string }): Promise<void> {
  const { cases, parties } = turn.deps.cases.repos;
  const [party, due] = await Promise.all([parties.byId(c.partyId), cases.consentDue(c.id)]);
  const r: RespondState = { caseId: c.id, code: c.code, step: "menu", partyId: c.partyId, ...(party?.mediationConsent ? { answer: party.mediationConsent } : {}) };
  turn.state.respond = r;
  turn.state.active = "respond";
  turn.state.greeted = true;
  say(
    turn,
    "respond.intro",
    {
      centre: centreName(turn),
      type: t(turn.locale, `type.${c.type as "other"}`),
      code: c.code,
      due: due && !r.answer ? tx(turn, "respond.due", { deadline: formatLocal(due, turn.deps.cases.zone, turn.locale) }) : "",
    },
    buttons(turn, r),
  );
}

/** The party this chat is in the case, or null when the chat is not that party (a forged or forwarded button). */
async function ownParty(turn: Turn, partyId: string): Promise<PartyRecord | null> {
  const p = await turn.deps.cases.repos.parties.byId(partyId);
  return p && p.channel === turn.inbound.channel && p.channelUserId === turn.inbound.userId ? p : null;
}

/** Buttons that work wherever the conversation is: `rsp:` (the invited party), `av:` (when can you meet), `inv:` (invite the other side). */
export async function consentButton(turn: Turn): Promise<boolean> {
  const m = (turn.inbound.button ?? "").match(/^(rsp|av|inv):([0-9a-f-]{1,40}):([a-z0-9_]{1,20})$/);
  if (!m) return false;
  const [, kind, id, action] = m as unknown as [string, "rsp" | "av" | "inv", string, string];
  if (kind === "inv") return inviteAnswer(turn, id, action);
  const party = await ownParty(turn, id);
  if (!party) {
    say(turn, "respond.notYours", {}, menu(turn));
    return true;
  }
  if (kind === "av") {
    if (action === "start") {
      await startAvailability(turn, party, turn.state.active === "respond" ? "respond" : "idle");
      return true;
    }
    return availabilityButton(turn, party, action);
  }
  await act(turn, party, action);
  return true;
}

async function act(turn: Turn, party: PartyRecord, action: string): Promise<void> {
  let r = turn.state.respond;
  if (!r || r.caseId !== party.caseId) {
    const c = await turn.deps.cases.repos.cases.byId(party.caseId);
    r = { caseId: party.caseId, code: c?.code ?? "", step: "menu" };
  }
  r.partyId = party.id;
  if (party.mediationConsent) r.answer = party.mediationConsent;
  turn.state.respond = r;
  turn.state.active = "respond";
  switch (action) {
    case "accept":
      return accept(turn, r, party);
    case "decline":
      r.step = "confirm_decline";
      say(turn, r.answer === "accepted" ? "respond.confirmWithdraw" : "respond.confirmDecline", {}, [
        [button(turn, "respond.declineYes", `rsp:${party.id}:decline_yes`), button(turn, "respond.declineNo", `rsp:${party.id}:menu`)],
      ]);
      return;
    case "decline_yes":
      return decline(turn, r, party);
    case "question":
      r.step = "statement";
      say(turn, "respond.ask", {}, [[button(turn, "respond.back", `rsp:${party.id}:menu`)]]);
      return;
    case "about":
      r.step = "menu";
      say(turn, "respond.aboutText", {}, buttons(turn, r));
      return;
    default:
      return showMenu(turn, r);
  }
}

function closedCase(turn: Turn, r: RespondState): void {
  turn.state.respond = undefined;
  turn.state.active = "idle";
  say(turn, "respond.closed", { code: r.code }, menu(turn));
}

async function accept(turn: Turn, r: RespondState, party: PartyRecord): Promise<void> {
  const outcome = await recordConsent(turn.deps.cases, { caseId: r.caseId, partyId: party.id, answer: "accepted", via: "chat", actor: actorOf(turn) });
  if (outcome.status === "closed") return closedCase(turn, r);
  r.answer = "accepted";
  r.step = "menu";
  say(turn, "respond.accepted", { code: r.code });
  // Next: when they can meet (once; "改方便的时间" asks again).
  if (party.availability) return showMenu(turn, r);
  await startAvailability(turn, party, "respond");
}

async function decline(turn: Turn, r: RespondState, party: PartyRecord): Promise<void> {
  const outcome = await recordConsent(turn.deps.cases, { caseId: r.caseId, partyId: party.id, answer: "declined", via: "chat", actor: actorOf(turn) });
  if (outcome.status === "closed") return closedCase(turn, r);
  turn.state.respond = undefined;
  turn.state.active = "idle";
  say(turn, "respond.declined", { code: r.code }, menu(turn));
}

/** The claimant's answer to "invite the other side now?" (offered when the intake did not know who they are). */
async function inviteAnswer(turn: Turn, caseId: string, action: string): Promise<boolean> {
  const parties = await turn.deps.cases.repos.parties.ofCase(caseId);
  const mine = parties.some((p) => p.role === "claimant" && p.channel === turn.inbound.channel && p.channelUserId === turn.inbound.userId);
  if (!mine) {
    say(turn, "respond.notYours", {}, menu(turn));
    return true;
  }
  if (action === "yes") {
    turn.jobs.push(inviteJob(caseId, turn.now));
    say(turn, "invite.coming");
  } else {
    say(turn, "invite.later", {}, menu(turn));
  }
  return true;
}

const ACCEPT_WORDS = /^(我)?(同意|愿意|可以|接受)(调解|参加)?[。.!！]*$/;
const DECLINE_WORDS = /^(我)?(不同意|不愿意|不参加|不调解|拒绝)(调解|参加)?[。.!！]*$/;

/** The party's own case this chat is in (for states written before the party was kept). */
async function partyOf(turn: Turn, r: RespondState): Promise<PartyRecord | null> {
  if (r.partyId) return ownParty(turn, r.partyId);
  const all = await turn.deps.cases.repos.parties.ofCase(r.caseId);
  const p = all.find((x) => x.role !== "claimant" && x.channel === turn.inbound.channel && x.channelUserId === turn.inbound.userId) ?? null;
  if (p) r.partyId = p.id;
  return p;
}

export const respondFlow: Flow = {
  name: "respond",
  resume(turn) {
    const r = turn.state.respond;
    if (!r) return say(turn, "idle", {}, menu(turn));
    if (r.step === "statement") say(turn, "respond.ask", {}, [[button(turn, "respond.back", `rsp:${r.partyId ?? ""}:menu`)]]);
    else showMenu(turn, r);
  },
  async handle(turn) {
    const r = turn.state.respond;
    if (!r) return false;
    const b = turn.inbound.button;
    // Buttons of the release before consent was asked.
    if (b === "resp:statement" || b === "resp:menu" || b === "resp:about") {
      const party = await partyOf(turn, r);
      if (party) await act(turn, party, b === "resp:statement" ? "question" : b.slice(5));
      else showMenu(turn, r);
      return true;
    }
    if (b || !turn.text) {
      say(turn, "useButtons", {}, buttons(turn, r));
      return false;
    }
    if (r.step !== "statement" && !r.answer && (ACCEPT_WORDS.test(turn.text) || DECLINE_WORDS.test(turn.text))) {
      const party = await partyOf(turn, r);
      if (party) {
        await act(turn, party, DECLINE_WORDS.test(turn.text) ? "decline" : "accept");
        return true;
      }
    }
    if (r.step === "confirm_decline") {
      showMenu(turn, r);
      return false;
    }
    // Whatever the party writes here is their account or question: recorded on the case, staff told.
    const text = turn.text;
    const at = turn.now;
    const actor = actorOf(turn);
    turn.effects.push((tx) => recordEvent(tx, { caseId: r.caseId, at, actor, action: "party_statement", data: { text } }));
    turn.jobs.push({
      kind: PARTY_STATEMENT,
      payload: { caseId: r.caseId, text: text.slice(0, 2000) },
      dueAt: at,
      dedupeKey: `statement:${turn.inbound.channel}:${turn.inbound.messageId ?? at.toISOString()}`,
    });
    r.step = "menu";
    say(turn, "respond.saved", { code: r.code }, [[button(turn, "respond.more", `rsp:${r.partyId ?? ""}:question`), ...menu(turn)[0]!], ...buttons(turn, r).slice(0, 1)]);
    return true;
  },
};

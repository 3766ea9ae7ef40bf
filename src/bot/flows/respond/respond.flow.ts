import { recordEvent } from "../../../cases/audit.js";
import { t } from "../../../i18n/index.js";
import { actorOf, button, menu, say, type Turn } from "../../turn.js";
import type { Flow } from "../flow.js";
import { centreName } from "../intake/intake.flow.js";

/** Job: tell the case's mediator (or its room) what a party said. */
export const PARTY_STATEMENT = "party.statement";

function buttons(turn: Turn) {
  return [
    [button(turn, "respond.statement", "resp:statement"), button(turn, "menu.human", "cmd:human")],
    [button(turn, "respond.about", "resp:about"), button(turn, "menu.status", "cmd:status")],
  ];
}

/** The invited party's first view of the case, after the invitation link joined them to it. */
export function startRespond(turn: Turn, c: { id: string; code: string; type: string }): void {
  turn.state.respond = { caseId: c.id, code: c.code, step: "menu" };
  turn.state.active = "respond";
  turn.state.greeted = true;
  say(
    turn,
    "respond.intro",
    { centre: centreName(turn), type: t(turn.locale, `type.${c.type as "other"}`), code: c.code },
    buttons(turn),
  );
}

export const respondFlow: Flow = {
  name: "respond",
  resume(turn) {
    const r = turn.state.respond;
    if (r?.step === "statement") say(turn, "respond.ask", {}, [[button(turn, "respond.back", "resp:menu")]]);
    else say(turn, "idle", {}, buttons(turn));
  },
  async handle(turn) {
    const r = turn.state.respond;
    if (!r) return false;
    const b = turn.inbound.button;
    if (b === "resp:statement") {
      r.step = "statement";
      say(turn, "respond.ask", {}, [[button(turn, "respond.back", "resp:menu")]]);
      return true;
    }
    if (b === "resp:menu") {
      r.step = "menu";
      say(turn, "idle", {}, buttons(turn));
      return true;
    }
    if (b === "resp:about") {
      say(turn, "respond.aboutText", {}, buttons(turn));
      return true;
    }
    if (b || !turn.text) {
      say(turn, "useButtons", {}, buttons(turn));
      return false;
    }
    // Whatever the party writes here is their account: recorded on the case, the mediator told.
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
    say(turn, "respond.saved", { code: r.code }, [[button(turn, "respond.more", "resp:statement"), ...menu(turn)[0]!]]);
    return true;
  },
};

import type { CaseDeps } from "../cases/deps.js";
import type { Classifier } from "../classify/port.js";
import { t, type Locale, type MessageKey } from "../i18n/index.js";
import type { Logger } from "../lib/logger.js";
import type { Button, Inbound, Outbound } from "./messages.js";
import type { DialogueState } from "./state.js";

export interface DialogueDeps {
  cases: CaseDeps;
  classifier: Classifier;
  logger: Logger;
  /** Below this confidence the resident picks the type from buttons. */
  confidenceThreshold?: number;
}

/** One inbound message being handled: the state to change and the replies to send. */
export interface Turn {
  deps: DialogueDeps;
  inbound: Inbound;
  state: DialogueState;
  locale: Locale;
  now: Date;
  out: Outbound[];
  /** Set when this turn linked the user to a Staff row (see Reply.becameStaff). */
  becameStaff?: boolean;
}

export function say(turn: Turn, key: MessageKey, params: Record<string, string | number> = {}, buttons?: Button[][]): void {
  turn.out.push({ kind: "text", text: t(turn.locale, key, params), ...(buttons ? { buttons } : {}) });
}

export function sayText(turn: Turn, text: string, buttons?: Button[][]): void {
  turn.out.push({ kind: "text", text, ...(buttons ? { buttons } : {}) });
}

export function button(turn: Turn, key: MessageKey, data: string): Button {
  return { label: t(turn.locale, key), data };
}

/** The way out of anywhere: new dispute, my cases, help, language. */
export function menu(turn: Turn): Button[][] {
  return [
    [button(turn, "menu.new", "cmd:new"), button(turn, "menu.status", "cmd:status")],
    [button(turn, "menu.help", "cmd:help"), button(turn, "menu.language", "cmd:lang")],
  ];
}

/** Attach buttons to the last text reply (so they sit under the message they belong to). */
export function attachButtons(turn: Turn, buttons: Button[][]): void {
  const last = turn.out[turn.out.length - 1];
  if (last && last.kind === "text" && !last.buttons) last.buttons = buttons;
  else turn.out.push({ kind: "text", text: t(turn.locale, "useButtons"), buttons });
}

/** Two buttons a row reads well on a phone. */
export function rows(buttons: Button[], perRow = 2): Button[][] {
  const out: Button[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) out.push(buttons.slice(i, i + perRow));
  return out;
}

export function actorOf(turn: Turn): string {
  return `resident:${turn.inbound.channel}:${turn.inbound.userId}`;
}

import type { CaseDeps } from "../cases/deps.js";
import type { Classifier } from "../classify/port.js";
import type { Sql } from "../db/sql.js";
import type { Locale, Params } from "../i18n/index.js";
import type { JobInput } from "../jobs/job.repository.js";
import type { Logger } from "../lib/logger.js";
import type { WorkingHours } from "../lib/working-hours.js";
import type { SchedulingDeps } from "../scheduling/deps.js";
import type { SigningDeps } from "../documents/sign-agreement.js";
import type { Transcriber } from "../speech/port.js";
import type { ConversationRepository } from "./conversation.repository.js";
import type { HandoffRepository } from "./flows/handoff/handoff.repository.js";
import type { Button, Inbound, InboundFile, Outbound } from "./messages.js";
import type { DialogueState } from "./state.js";
import { tr, type TextKey } from "./texts.js";

/** What the centre tells residents about reaching a person. */
export interface CentreContact {
  nameZh: string;
  nameEn: string;
  /** The centre's duty phone (值班电话), shown in safety answers and handoffs; absent = not shown. */
  dutyPhone?: string;
  hours: WorkingHours;
  /** How soon a person answers a handoff within working hours. */
  handoffReplyMinutes: number;
}

export interface DialogueDeps {
  cases: CaseDeps;
  /** Availability, slots and sessions: the booking flow and the mediator's schedule. */
  scheduling: SchedulingDeps;
  /** Documents served in the chat (收到, signing); absent = their buttons say the document is not found. */
  documents?: SigningDeps;
  /** Join links of video sessions (the mediator's "open the room"); absent without LiveKit. */
  joinLinks?: { url(p: { sessionId: string; participantId: string; notAfter: Date }): Promise<string> };
  classifier: Classifier;
  logger: Logger;
  centre: CentreContact;
  /** Speech to text for voice notes; absent = voice notes are kept and the resident asked to type. */
  transcriber?: Transcriber;
  /** Time budget of one transcription. */
  transcribeTimeoutMs?: number;
  /** Below this confidence the resident picks the type from buttons. */
  confidenceThreshold?: number;
}

/** Written in the same transaction as the turn's state: all of it is committed, or none. */
export type TurnEffect = (tx: Sql) => Promise<void>;

/** One inbound message being handled: the state to change and the replies to send. */
export interface Turn {
  deps: DialogueDeps;
  repos: { conversations: ConversationRepository; handoffs: HandoffRepository };
  inbound: Inbound;
  state: DialogueState;
  locale: Locale;
  now: Date;
  /**
   * The centre's hours and calendar in force (SlaSetting, CalendarDay), read by the router at the start
   * of the turn; `deps.centre.hours` (the configured seed) until then.
   */
  hours?: WorkingHours;
  /** What the resident wrote (or said, transcribed), cleaned and cut to the length kept. */
  text: string;
  out: Outbound[];
  /** Jobs to schedule with the turn (pages, notices): durable with the state that caused them. */
  jobs: JobInput[];
  effects: TurnEffect[];
  /** Files received in this turn that no case or intake holds yet: the intake this turn starts takes them. */
  carry: InboundFile[];
  /** False when this turn did not understand the resident (counted towards a handoff). */
  understood: boolean;
  /** The language was switched for the resident in this turn (they wrote English): say again what they only saw in Chinese. */
  localeSwitched?: boolean;
  /** Set when this turn linked the user to a Staff row (see Reply.becameStaff). */
  becameStaff?: boolean;
}

export function tx(turn: Turn, key: TextKey, params: Params = {}): string {
  return tr(turn.locale, key, params);
}

export function say(turn: Turn, key: TextKey, params: Params = {}, buttons?: Button[][]): void {
  sayText(turn, tr(turn.locale, key, params), buttons);
}

export function sayText(turn: Turn, text: string, buttons?: Button[][], extra: { copyText?: string } = {}): void {
  turn.out.push({ kind: "text", text, ...(buttons?.length ? { buttons } : {}), ...(extra.copyText ? { copyText: extra.copyText } : {}) });
}

export function button(turn: Turn, key: TextKey, data: string, params: Params = {}): Button {
  return { label: tr(turn.locale, key, params), data };
}

/** The way out of anywhere: new dispute, my cases, a person, help. */
export function menu(turn: Turn): Button[][] {
  return [
    [button(turn, "menu.new", "cmd:new"), button(turn, "menu.status", "cmd:status")],
    [button(turn, "menu.human", "cmd:human"), button(turn, "menu.help", "cmd:help")],
  ];
}

/** Attach buttons to the last text reply (so they sit under the message they belong to). */
export function attachButtons(turn: Turn, buttons: Button[][]): void {
  const last = turn.out[turn.out.length - 1];
  if (last && last.kind === "text" && !last.buttons) last.buttons = buttons;
  else say(turn, "useButtons", {}, buttons);
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

/** This turn did not understand the resident. */
export function missed(turn: Turn): void {
  turn.understood = false;
}

// One place decides what a message is before any flow step reads it: voice becomes text, danger is
// answered, deep links and staff go their way, commands and plain-word intents are taken, and only
// then does the active flow get the message as an answer to its question.
import { addEvidence } from "../cases/add-evidence.js";
import { workingHoursOf } from "../cases/deadlines.js";
import { slaTerms } from "../cases/deps.js";
import { isOpen } from "../cases/lifecycle.js";
import type { LinkedStaff } from "../cases/link-staff.js";
import { listCasesForUser } from "../cases/list-cases.js";
import { isLocale } from "../i18n/index.js";
import { handleDeepLink } from "./deep-links.js";
import type { Flow } from "./flows/flow.js";
import { endHandoff, forwardToStaff, handoffFlow, openHandoff, refreshHandoff } from "./flows/handoff/handoff.flow.js";
import { askCancel, back, intakeFlow, keepFile, startIntake } from "./flows/intake/intake.flow.js";
import { availabilityFlow } from "./flows/respond/availability.flow.js";
import { consentButton, respondFlow } from "./flows/respond/respond.flow.js";
import { handleBookingButton, startBooking } from "./flows/booking/booking.flow.js";
import { handleDocumentButton, handleSigningCode, servePaperInstead, showMyDocuments } from "./flows/documents/documents.flow.js";
import { askWithdraw, confirmWithdraw, showCase, showStatus, statusFlow } from "./flows/status/status.flow.js";
import { recognise, looksEnglish, type Intent } from "./intents.js";
import { handleMediatorTurn } from "./mediator.js";
import { dangerIn, respondToDanger } from "./safety.js";
import { draftSchema, type FlowName } from "./state.js";
import { newId } from "../lib/ids.js";
import { hasStory } from "./text.js";
import { actorOf, button, menu, missed, say, sayText, tx, type Turn } from "./turn.js";
import { hearVoice } from "./voice.js";

const FLOWS: Partial<Record<FlowName, Flow>> = {
  intake: intakeFlow,
  status: statusFlow,
  respond: respondFlow,
  handoff: handoffFlow,
  availability: availabilityFlow,
};

/** While a person has the conversation, only these plain words are the bot's; the rest is for the person. */
const HANDOFF_INTENTS = new Set<Intent["kind"]>(["case_code", "status", "language", "cancel"]);
/** Words that never interrupt a question: "好的" and "登记" are answers there. */
const NOT_PRE_EMPTING = new Set<Intent["kind"]>(["ack", "new"]);

export const COMMANDS = ["start", "new", "status", "human", "cancel", "help", "lang", "withdraw"] as const;
type Command = (typeof COMMANDS)[number] | "continue";

function flowOf(turn: Turn): Flow | undefined {
  return FLOWS[turn.state.active];
}

/** Carry on where the resident was, or offer the menu. */
function resumeOrMenu(turn: Turn): void {
  const flow = flowOf(turn);
  if (flow) return flow.resume(turn);
  if (turn.state.intake) {
    turn.state.active = "intake";
    return intakeFlow.resume(turn);
  }
  say(turn, "idle", {}, menu(turn));
}

export async function route(turn: Turn, staff: LinkedStaff | null): Promise<void> {
  const { inbound } = turn;
  turn.hours = workingHoursOf(await slaTerms(turn.deps.cases));

  // A deep link that was not handled has been answered; the normal start follows.
  if (inbound.startPayload !== undefined && (await handleDeepLink(turn))) return;
  if (staff) return handleMediatorTurn(turn, staff);
  if (turn.state.handoff) await refreshHandoff(turn);

  let heard = false;
  if (inbound.file?.kind === "voice") heard = (await hearVoice(turn)) === "heard";
  if (inbound.file) await storeFile(turn, heard);
  if (inbound.fileRefused) return refuseFile(turn);
  if (inbound.file && !heard) {
    // A caption is read for danger like any text; the file itself has been answered.
    const danger = dangerIn(turn.text);
    if (danger.length > 0) respondToDanger(turn, danger);
    return;
  }

  switchLanguageFor(turn);

  const danger = dangerIn(turn.text);
  if (danger.length > 0) {
    respondToDanger(turn, danger);
    if (turn.state.handoff && turn.state.active !== "handoff") forwardToStaff(turn, turn.text);
    await afterDanger(turn);
    // The case this intake opens carries the flags, whatever the classifier says.
    const d = turn.state.intake?.draft;
    if (d) d.riskFlags = [...new Set([...d.riskFlags, ...danger])];
    return;
  }
  // A person is watching (a safety handoff the resident carries on beside): they see every message.
  if (turn.state.handoff && turn.state.active !== "handoff" && turn.text) forwardToStaff(turn, turn.text);

  const command = commandOf(turn);
  if (command) return runCommand(turn, command);
  if (await globalButton(turn)) return;
  // A signing code typed after 签署: before any reading of the text (six digits are no intent).
  if (!inbound.button && (await handleSigningCode(turn))) return;

  const intent = inbound.button ? null : recognise(turn.text);
  const active = turn.state.active;
  if (intent) {
    const preEmpts =
      active === "idle" ? true : active === "handoff" ? HANDOFF_INTENTS.has(intent.kind) : !NOT_PRE_EMPTING.has(intent.kind);
    if (preEmpts) return runIntent(turn, intent);
  }

  const flow = flowOf(turn);
  if (flow) {
    if (!(await flow.handle(turn))) missed(turn);
    return;
  }
  if (turn.state.intake) {
    // An intake put aside (status shown, a person came and went): any answer picks it up again.
    turn.state.active = "intake";
    if (!(await intakeFlow.handle(turn))) missed(turn);
    return;
  }
  await idle(turn, intent);
}

/** Nothing in progress: a story starts an intake with it; anything else gets the menu, not a lecture. */
async function idle(turn: Turn, intent: Intent | null): Promise<void> {
  if (intent?.kind === "ack") return say(turn, "ack", {}, menu(turn));
  if (intent?.kind === "new") return startIntake(turn);
  if (turn.inbound.button) {
    say(turn, "useButtons", {}, menu(turn));
    return missed(turn);
  }
  if (hasStory(turn.text)) return startIntake(turn, { story: turn.text });
  if (!turn.state.greeted) return startIntake(turn);
  say(turn, "notUnderstood", {}, menu(turn));
  missed(turn);
}

/** After the safety answer: a story is still used, an open question asked again, or an intake offered. */
async function afterDanger(turn: Turn): Promise<void> {
  const active = turn.state.active;
  if (active === "handoff") return;
  if (active === "respond") {
    await respondFlow.handle(turn);
    return;
  }
  if (active === "availability") return availabilityFlow.resume(turn);
  turn.state.status = undefined;
  const intake = turn.state.intake;
  if (intake) {
    turn.state.active = "intake";
    if (intake.step === "describe" && hasStory(turn.text)) {
      say(turn, "safety.continue");
      await intakeFlow.handle(turn);
      return;
    }
    if (intake.step !== "consent") return intakeFlow.resume(turn);
    intake.pendingText ??= turn.text;
  } else {
    // Nothing in progress: what they said waits for an intake offered gently; no forms now.
    turn.state.intake = {
      step: turn.state.consentAt ? "describe" : "consent",
      draft: draftSchema.parse({ intakeKey: newId() }),
      history: [],
      ...(turn.state.consentAt ? {} : { pendingText: turn.text }),
    };
    turn.state.active = "idle";
  }
  turn.state.greeted = true;
  sayText(turn, tx(turn, "safety.continue"), [
    [button(turn, "intake.consent.start", "cmd:new"), button(turn, "menu.status", "cmd:status")],
  ]);
}

function switchLanguageFor(turn: Turn): void {
  if (turn.state.localeChosen || !turn.text || turn.inbound.transcribed || turn.inbound.startPayload !== undefined) return;
  if (turn.text.startsWith("/")) return; // a command, not a language
  if (turn.locale === "zh-CN" && looksEnglish(turn.text)) {
    turn.locale = "en";
    turn.localeSwitched = true;
    say(turn, "language.auto");
  }
}

function commandOf(turn: Turn): Command | "unknown" | undefined {
  const b = turn.inbound.button;
  if (b?.startsWith("cmd:")) {
    const c = b.slice(4);
    return (COMMANDS as readonly string[]).includes(c) || c === "continue" ? (c as Command) : "unknown";
  }
  if (b) return undefined;
  // "/status", "/status@OneDoorBot", "/lang en"
  const slash = turn.text.match(/^\/([A-Za-z_]+)(?:@\w+)?(?:\s|$)/);
  if (!slash) return undefined;
  const c = slash[1]!.toLowerCase();
  if (c === "language") return "lang";
  if (c === "queue") return "status";
  return (COMMANDS as readonly string[]).includes(c) ? (c as Command) : "unknown";
}

async function runCommand(turn: Turn, command: Command | "unknown"): Promise<void> {
  switch (command) {
    case "unknown":
      say(turn, "unknownCommand", {}, menu(turn));
      return missed(turn);
    case "start":
      if (turn.state.intake && turn.state.active === "intake") return intakeFlow.resume(turn);
      if (!turn.state.greeted || !turn.state.consentAt) return startIntake(turn);
      return say(turn, "hello.again", {}, menu(turn));
    case "new":
      return runIntent(turn, { kind: "new" });
    case "continue":
      if (turn.state.intake) {
        turn.state.active = "intake";
        say(turn, "intake.resume");
        return intakeFlow.resume(turn);
      }
      return say(turn, "idle", {}, menu(turn));
    case "status":
      return showStatus(turn);
    case "human":
      return runIntent(turn, { kind: "handoff" });
    case "cancel":
      return runIntent(turn, { kind: "cancel" });
    case "help":
      return runIntent(turn, { kind: "help" });
    case "lang":
      return runIntent(turn, { kind: "language" });
    case "withdraw":
      return askWithdraw(turn);
  }
}

async function runIntent(turn: Turn, intent: Intent): Promise<void> {
  const inIntake = turn.state.active === "intake" && turn.state.intake;
  switch (intent.kind) {
    case "case_code":
      await showCase(turn, intent.code);
      return;
    case "greeting":
      if (!turn.state.greeted) return startIntake(turn);
      if (turn.state.active === "idle") return say(turn, "hello.again", {}, menu(turn));
      say(turn, "hello.inFlow");
      return resumeOrMenu(turn);
    case "thanks":
      if (turn.state.active === "idle") return say(turn, "thanks", {}, menu(turn));
      say(turn, "thanks");
      return resumeOrMenu(turn);
    case "ack":
      return say(turn, "ack", {}, menu(turn));
    case "handoff":
      if (turn.state.handoff && turn.state.active !== "handoff") {
        turn.state.active = "handoff";
        return say(turn, "handoff.already", {}, [[button(turn, "handoff.end", "handoff:end")]]);
      }
      openHandoff(turn, "requested");
      return;
    case "cancel":
      if (turn.state.active === "handoff") return endHandoff(turn);
      if (inIntake) return askCancel(turn);
      if (turn.state.active === "respond" || turn.state.active === "availability") {
        turn.state.active = "idle";
        turn.state.availability = undefined;
        return say(turn, "idle", {}, menu(turn));
      }
      return say(turn, "idle", {}, menu(turn));
    case "back":
      if (inIntake) return back(turn);
      return resumeOrMenu(turn);
    case "help":
      say(turn, "help", {}, [
        ...(turn.state.intake ? [[button(turn, "intake.continue", "cmd:continue")]] : []),
        ...menu(turn),
        [button(turn, "menu.language", "cmd:lang")],
      ]);
      return;
    case "language":
      if (intent.locale) return setLocale(turn, intent.locale);
      sayText(turn, tx(turn, "language.choose"), [
        [
          { label: "中文", data: "lang:zh-CN" },
          { label: "English", data: "lang:en" },
        ],
      ]);
      return;
    case "status":
      return showStatus(turn);
    case "documents":
    case "paper_service":
      await (intent.kind === "documents" ? showMyDocuments(turn) : servePaperInstead(turn));
      if (inIntake) {
        say(turn, "intake.resume");
        intakeFlow.resume(turn);
      }
      return;
    case "booking": {
      const open = (await listCasesForUser(turn.deps.cases, turn.inbound.channel, turn.inbound.userId)).find((c) => isOpen(c.status));
      if (open) {
        await startBooking(turn, open.code);
        if (inIntake) {
          say(turn, "intake.resume");
          intakeFlow.resume(turn);
        }
        return;
      }
      say(turn, "booking.noCase", {}, [[button(turn, "menu.new", "cmd:new"), button(turn, "menu.human", "cmd:human")]]);
      if (inIntake) {
        say(turn, "intake.resume");
        intakeFlow.resume(turn);
      }
      return;
    }
    case "withdraw":
      if (inIntake) return askCancel(turn);
      return askWithdraw(turn);
    case "new": {
      // An intake already holding something (a story, a kept story, files) is carried on, not thrown away.
      const s = turn.state.intake;
      if (s && (inIntake || s.draft.description || s.pendingText || s.draft.files.length)) {
        turn.state.active = "intake";
        if (s.step !== "consent") say(turn, "intake.resume");
        return intakeFlow.resume(turn);
      }
      return startIntake(turn);
    }
  }
}

function setLocale(turn: Turn, locale: string): void {
  if (isLocale(locale)) turn.locale = locale;
  turn.state.localeChosen = true;
  say(turn, "language.set");
  resumeOrMenu(turn);
}

/** Buttons that work at any step: language, withdrawal, ending a handoff, "that is not what I said". */
async function globalButton(turn: Turn): Promise<boolean> {
  const b = turn.inbound.button ?? "";
  if (b.startsWith("lang:")) {
    setLocale(turn, b.slice(5));
    return true;
  }
  if (b.startsWith("withdraw:")) {
    await confirmWithdraw(turn, b.slice(9));
    return true;
  }
  if (b === "handoff:end") {
    if (turn.state.handoff) await endHandoff(turn);
    else resumeOrMenu(turn);
    return true;
  }
  // The other party's answer, when they can meet, inviting the other side: each button names its party or case.
  if (await consentButton(turn)) return true;
  // Booking: a time, more times, yes or no to the other party's time, change or cancel.
  if (await handleBookingButton(turn)) return true;
  // A served document: 收到.
  if (await handleDocumentButton(turn)) return true;
  if (b === "voice:wrong") {
    if (turn.state.active === "intake" && turn.state.intake) back(turn);
    else say(turn, "voice.retry", {}, menu(turn));
    return true;
  }
  return false;
}

/**
 * A file: kept with the intake, or added to the resident's newest open case, or kept for the intake it
 * starts. A voice note that was heard is kept quietly (its words carry on through the dialogue).
 */
async function storeFile(turn: Turn, heard: boolean): Promise<void> {
  const file = turn.inbound.file!;
  const { cases } = turn.deps;
  if (turn.state.handoff) forwardToStaff(turn, `📎 ${file.name ?? file.kind}`);
  const intake = turn.state.intake;
  if (intake && (turn.state.active === "intake" || !turn.state.respond)) {
    if (!intake.draft.files.some((f) => f.sha256 === file.sha256)) intake.draft.files.push(file);
    if (!heard) {
      if (turn.state.active === "intake") keepFile(turn, file);
      else say(turn, "intake.file.kept", {}, [[button(turn, "intake.continue", "cmd:continue")]]);
    }
    return;
  }
  const respond = turn.state.respond;
  const open = respond
    ? { id: respond.caseId, code: respond.code }
    : (await listCasesForUser(cases, turn.inbound.channel, turn.inbound.userId)).find((c) => isOpen(c.status));
  if (open) {
    await addEvidence(cases, { caseId: open.id, ...file, fileName: file.name, uploadedBy: actorOf(turn) });
    if (!heard) say(turn, "file.received", { name: file.name ?? file.kind, code: open.code }, menu(turn));
    return;
  }
  // No case yet: the file waits for the intake the story starts (a heard voice note's words start it).
  turn.carry.push(file);
  if (!heard) {
    say(turn, "file.keptNoCase");
    await startIntake(turn);
  }
}

/** A file the channel refused: say why, then carry on where the resident was. */
function refuseFile(turn: Turn): void {
  const refused = turn.inbound.fileRefused!;
  if (refused.reason === "too_large") say(turn, "file.tooLarge", { limit: Math.floor(refused.limitBytes / 1024 / 1024) });
  else say(turn, "file.badType");
  resumeOrMenu(turn);
}


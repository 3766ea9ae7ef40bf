import { DISPUTE_TYPES, type DisputeType } from "../../../cases/types.js";
import { parseAmountYuan } from "../../../classify/amount.js";
import { countClaimants, extractFacts } from "../../../classify/facts.js";
import { t } from "../../../i18n/index.js";
import { newId } from "../../../lib/ids.js";
import { compact, yesNo } from "../../intents.js";
import type { InboundFile } from "../../messages.js";
import { draftSchema, type Draft, type IntakeState, type IntakeStep } from "../../state.js";
import { hasStory, parseContact, parsePlainNumber, preview } from "../../text.js";
import { button, missed, rows, say, sayText, tx, type Turn } from "../../turn.js";
import type { Button } from "../../messages.js";
import type { TextKey } from "../../texts.js";
import type { Flow } from "../flow.js";
import { showSummary, askWhichEdit, EDITABLE } from "./summary.js";
import { submit } from "./submit.js";

/** Types where money is usually at stake; for the others the amount is kept only if the story named one. */
const MONEY_TYPES: readonly DisputeType[] = [
  "labor", "traffic", "medical", "housing_land", "contract_debt", "consumer", "injury_tort", "expropriation",
];
/** Types where the place decides who mediates (village, estate, road). */
const PLACE_TYPES: readonly DisputeType[] = ["neighbor", "property_mgmt", "housing_land", "expropriation", "traffic"];
/** A wage claim that sounds like more than one worker: ask how many, and who. */
const CREW = /我们|咱们|大家|工友|一起|班组|兄弟们|老乡们|工人们|几个人|[0-9一二两三四五六七八九十几]+\s*(?:个|名|位)?\s*(?:人|工友|工人|师傅|农民工)/u;

const DEFAULT_THRESHOLD = 0.55;
const threshold = (turn: Turn) => turn.deps.confidenceThreshold ?? DEFAULT_THRESHOLD;

function intake(turn: Turn): IntakeState {
  if (!turn.state.intake) {
    turn.state.intake = { step: "describe", draft: draftSchema.parse({ intakeKey: newId() }), history: [] };
  }
  return turn.state.intake;
}
const draftOf = (turn: Turn): Draft => intake(turn).draft;

/**
 * Starts an intake, with the story (and files) the resident already sent if any. Without consent the
 * privacy notice comes first; the story waits for it and is used once they agree.
 */
export async function startIntake(turn: Turn, opts: { story?: string; files?: InboundFile[] } = {}): Promise<void> {
  turn.state.active = "intake";
  const files = [...(opts.files ?? []), ...turn.carry.splice(0)];
  turn.state.intake = { step: "describe", draft: draftSchema.parse({ intakeKey: newId(), files }), history: [] };
  if (!turn.state.consentAt) {
    const first = !turn.state.greeted;
    turn.state.greeted = true;
    if (first) say(turn, "intake.greeting", { centre: centreName(turn) });
    if (opts.story) {
      turn.state.intake.pendingText = opts.story;
      say(turn, "intake.storyKept");
    }
    return goTo(turn, "consent");
  }
  turn.state.greeted = true;
  if (opts.story) return describe(turn, opts.story);
  goTo(turn, "describe");
}

export function centreName(turn: Turn): string {
  return turn.locale === "en" ? turn.deps.centre.nameEn : turn.deps.centre.nameZh;
}

/** The first question still open, or the summary once everything is answered. */
function nextStep(d: Draft): IntakeStep {
  if (!d.description) return "describe";
  if (!d.type) return "choose_type";
  if (d.type === "not_dispute" && !d.insisted) return "not_dispute";
  if (!d.typeConfirmed) return "confirm_type";
  if (d.editing) return "summary";
  if (d.otherParty === undefined) return "other_party";
  if (d.place === undefined && PLACE_TYPES.includes(d.type)) return "place";
  if (d.amountYuan === undefined && MONEY_TYPES.includes(d.type)) return "amount";
  if (d.claimantCount === undefined && d.type === "labor" && CREW.test(d.description)) return "claimants";
  if (d.name === undefined && d.phone === undefined) return "contact";
  if (d.phone === undefined) return "contact_phone";
  if (d.away === undefined) return "away";
  return "summary";
}

/** Go on to the next open question, remembering where we were for "back". */
function advance(turn: Turn): void {
  const s = intake(turn);
  if (s.history[s.history.length - 1] !== s.step) s.history.push(s.step);
  goTo(turn, nextStep(s.draft));
}

function consentButtons(turn: Turn): Button[][] {
  return [[button(turn, "intake.consent.agree", "consent:yes"), button(turn, "intake.consent.decline", "consent:no")]];
}

/** The way back and out, under every question. */
function nav(turn: Turn): Button[] {
  return [button(turn, "intake.nav.back", "nav:back"), button(turn, "intake.nav.cancel", "nav:cancel")];
}

/** The questions that are a text and a row of fixed answers: what each asks, and the buttons under it. */
const QUESTIONS: Record<
  "other_party" | "place" | "amount" | "claimants" | "contact" | "contact_phone" | "away" | "service" | "service_address",
  { text: TextKey; choices: [TextKey, string][] }
> = {
  other_party: { text: "intake.otherParty.ask", choices: [["intake.otherParty.skip", "skip"]] },
  place: { text: "intake.place.ask", choices: [["intake.place.skip", "skip"]] },
  amount: { text: "intake.amount.ask", choices: [["intake.amount.none", "amount:none"], ["intake.amount.unknown", "amount:unknown"]] },
  claimants: { text: "intake.claimants.ask", choices: [["intake.claimants.solo", "claimants:solo"]] },
  contact: { text: "intake.contact.ask", choices: [["intake.contact.skip", "contact:skip"]] },
  contact_phone: { text: "intake.contact.askPhone", choices: [["intake.contact.skip", "contact:skip"]] },
  away: { text: "intake.away.ask", choices: [["intake.away.yes", "away:yes"], ["intake.away.no", "away:no"]] },
  service: { text: "intake.service.ask", choices: [["intake.service.chat", "service:chat"], ["intake.service.post", "service:post"]] },
  service_address: { text: "intake.service.address", choices: [["intake.service.toChat", "service:chat"]] },
};

function ask(turn: Turn, key: TextKey, choices: Button[][] = []): void {
  say(turn, key, {}, [...choices, nav(turn)]);
}

/** Ask the question of `step` and wait there. */
export function goTo(turn: Turn, step: IntakeStep): void {
  const s = intake(turn);
  s.step = step;
  const d = s.draft;
  switch (step) {
    case "consent":
      return say(turn, "intake.privacy", {}, consentButtons(turn));
    case "describe":
      return ask(turn, turn.deps.transcriber ? "intake.describe.askVoice" : "intake.describe.ask");
    case "confirm_type":
      return sayText(turn, tx(turn, "intake.understood", { lines: understoodLines(turn, d).join("\n") }), [
        [button(turn, "intake.type.yes", "type:yes"), button(turn, "intake.type.no", "type:no")],
        nav(turn),
      ]);
    case "choose_type":
      return askType(turn, !d.type && d.source !== "resident" && (d.confidence ?? 1) < threshold(turn));
    case "not_dispute":
      return say(turn, "intake.notDispute", {}, [
        [button(turn, "intake.notDispute.insist", "nd:insist"), button(turn, "intake.notDispute.done", "nd:done")],
      ]);
    case "other_party":
    case "place":
    case "amount":
    case "claimants":
    case "contact":
    case "contact_phone":
    case "away":
    case "service":
    case "service_address": {
      const q = QUESTIONS[step];
      return ask(turn, q.text, [q.choices.map(([label, data]) => button(turn, label, data))]);
    }
    case "summary":
      d.serviceChannel ??= "chat";
      return showSummary(turn, d);
    case "edit_which":
      return askWhichEdit(turn);
    case "confirm_cancel":
      return say(turn, "intake.cancel.confirm", {}, [
        [button(turn, "intake.cancel.yes", "cancel:yes"), button(turn, "intake.cancel.no", "cancel:no")],
      ]);
  }
}

/** What the story told us, shown back for a yes/no before anything else is asked. */
function understoodLines(turn: Turn, d: Draft): string[] {
  const lines = [tx(turn, "intake.summary.type", { value: t(turn.locale, `type.${d.type!}`) })];
  if (d.otherParty) lines.push(tx(turn, "intake.summary.otherParty", { value: d.otherParty }));
  if (d.place) lines.push(tx(turn, "intake.summary.place", { value: d.place }));
  if (d.amountYuan) lines.push(tx(turn, "intake.summary.amount", { value: amountText(turn, d.amountYuan) }));
  if (d.since) lines.push(tx(turn, "intake.summary.since", { value: d.since }));
  if (d.claimantCount) lines.push(tx(turn, "intake.summary.claimants", { value: tx(turn, "intake.summary.claimantsValue", { count: d.claimantCount }) }));
  return lines;
}

export function amountText(turn: Turn, yuan: number): string {
  return tx(turn, "intake.summary.amountValue", { amount: yuan.toLocaleString("en-US") });
}

function askType(turn: Turn, unsure: boolean): void {
  const d = draftOf(turn);
  // Best guesses first, then the rest, so the likely answer is one tap away.
  const order = [...new Set<DisputeType>([...d.alternatives, ...DISPUTE_TYPES])].filter(
    (type) => !(d.insisted && type === "not_dispute"),
  );
  const buttons = order.map((type) => ({ label: t(turn.locale, `type.${type}`), data: `type:${type}` }));
  say(turn, unsure ? "intake.type.chooseUnsure" : "intake.type.choose", {}, [...rows(buttons), nav(turn)]);
}

/** A type named in words ("邻里", "labour") rather than pressed. */
function typeFromWords(turn: Turn, text: string): DisputeType | undefined {
  const c = compact(text);
  if (c.length < 2) return undefined;
  return DISPUTE_TYPES.find((type) =>
    (["zh-CN", "en"] as const).some((l) => {
      const label = compact(t(l, `type.${type}`));
      return label.includes(c) || c.includes(label);
    }),
  );
}

/** The fields each step sets: "back" to a step clears them, so it is asked again. */
function clearStep(d: Draft, step: IntakeStep): void {
  switch (step) {
    case "describe":
      d.description = undefined;
      d.type = undefined;
      d.typeConfirmed = false;
      return;
    case "confirm_type":
      d.typeConfirmed = false;
      return;
    case "choose_type":
    case "not_dispute":
      d.type = undefined;
      d.typeConfirmed = false;
      return;
    case "other_party":
      d.otherParty = undefined;
      return;
    case "place":
      d.place = undefined;
      return;
    case "amount":
      d.amountYuan = undefined;
      return;
    case "claimants":
      d.claimantCount = undefined;
      d.claimantNames = [];
      return;
    case "contact":
      d.name = undefined;
      d.phone = undefined;
      return;
    case "contact_phone":
      d.phone = undefined;
      return;
    case "away":
      d.away = undefined;
      return;
    case "service":
    case "service_address":
      d.serviceChannel = undefined;
      d.serviceAddress = undefined;
      return;
    default:
      return;
  }
}

/** One step back: the last question answered is asked again. */
export function back(turn: Turn): void {
  const s = intake(turn);
  if (s.step === "edit_which" || (s.draft.editing && s.step !== "summary")) {
    s.draft.editing = false;
    return goTo(turn, "summary");
  }
  const previous = s.history.pop();
  if (!previous || previous === "consent") {
    say(turn, "intake.nothingBack");
    return goTo(turn, s.step);
  }
  clearStep(s.draft, previous);
  goTo(turn, previous);
}

/** "Cancel?": the answer decides; anything else means keep going. */
export function askCancel(turn: Turn): void {
  const s = intake(turn);
  if (s.step !== "confirm_cancel") s.resumeStep = s.step;
  goTo(turn, "confirm_cancel");
}

function endIntake(turn: Turn): void {
  turn.state.intake = undefined;
  turn.state.active = "idle";
}

export const intakeFlow: Flow = {
  name: "intake",
  resume(turn) {
    goTo(turn, intake(turn).step);
  },
  async handle(turn) {
    const s = intake(turn);
    const b = turn.inbound.button;
    const text = turn.text;
    const d = s.draft;
    if (b === "nav:back") return back(turn), true;
    if (b === "nav:cancel") return askCancel(turn), true;

    switch (s.step) {
      case "consent": {
        const yes = b === "consent:yes" || (!b && yesNo(text) === true);
        const no = b === "consent:no" || (!b && yesNo(text) === false);
        if (yes) {
          turn.state.consentAt = turn.now.toISOString();
          const pending = s.pendingText;
          s.pendingText = undefined;
          if (pending) await describe(turn, pending);
          else goTo(turn, "describe");
          return true;
        }
        if (no) {
          endIntake(turn);
          say(turn, "intake.consent.declined", {}, [[button(turn, "intake.consent.start", "cmd:new")]]);
          return true;
        }
        // A story typed before agreeing is kept (the longest one) and used once they agree.
        if (!b && hasStory(text)) {
          s.pendingText = s.pendingText && !s.pendingText.includes(text) ? `${s.pendingText}\n${text}` : text;
          // The privacy notice is just above: the buttons come with the acknowledgement, not the notice again
          // (unless it was in a language the resident does not read).
          if (turn.localeSwitched) {
            say(turn, "intake.storyKept");
            goTo(turn, "consent");
          } else say(turn, "intake.storyKept", {}, consentButtons(turn));
          return true;
        }
        say(turn, "intake.consent.needed");
        goTo(turn, "consent");
        return false;
      }
      case "describe":
        if (b) return reask(turn);
        if (!hasStory(text)) {
          say(turn, text ? "intake.describe.unreadable" : "intake.describe.empty");
          goTo(turn, "describe");
          return !text; // an empty message is a slip of the thumb, not a misunderstanding
        }
        await describe(turn, text);
        return true;
      case "confirm_type": {
        const answer = b === "type:yes" ? true : b === "type:no" ? false : b ? undefined : yesNo(text);
        if (answer === true) {
          d.typeConfirmed = true;
          advance(turn);
          return true;
        }
        if (answer === false) {
          s.history.push("confirm_type");
          goTo(turn, "choose_type");
          return true;
        }
        if (b?.startsWith("type:")) return chooseType(turn, b.slice(5));
        const named = !b ? typeFromWords(turn, text) : undefined;
        if (named) return chooseType(turn, named);
        return reask(turn);
      }
      case "choose_type": {
        const chosen = b?.startsWith("type:") ? b.slice(5) : !b ? typeFromWords(turn, text) : undefined;
        if (chosen) return chooseType(turn, chosen);
        say(turn, "intake.type.invalid");
        askType(turn, false);
        missed(turn);
        return false;
      }
      case "not_dispute": {
        const insist = b === "nd:insist" || (!b && /登记|纠纷|调解|是|要|register|dispute|yes/i.test(text));
        const done = b === "nd:done" || (!b && /不用|谢谢|算了|不要|no|thanks/i.test(text));
        if (insist && !done) {
          d.type = undefined;
          d.insisted = true;
          s.history.push("not_dispute");
          goTo(turn, "choose_type");
          return true;
        }
        if (done) {
          endIntake(turn);
          say(turn, "idle", {}, idleMenu(turn));
          return true;
        }
        return reask(turn);
      }
      case "other_party":
      case "place": {
        const field = s.step === "other_party" ? "otherParty" : "place";
        if (b === "skip") d[field] = null;
        else if (!b && /[\p{L}\p{N}]/u.test(text)) d[field] = text.slice(0, 200);
        else return reask(turn);
        advance(turn);
        return true;
      }
      case "amount": {
        if (b === "amount:none" || b === "amount:unknown") d.amountYuan = null;
        else if (!b && /不清楚|不知道|说不好|不确定|没算|not sure|don.?t know/i.test(text)) d.amountYuan = null;
        else if (!b && /不涉及|没有钱|没钱的事|no money|none/i.test(text)) d.amountYuan = null;
        else {
          const yuan = !b && text ? (parseAmountYuan(text) ?? parsePlainNumber(text)) : undefined;
          if (yuan === undefined) {
            say(turn, "intake.amount.invalid");
            goTo(turn, "amount");
            return false;
          }
          d.amountYuan = yuan;
        }
        advance(turn);
        return true;
      }
      case "claimants": {
        if (b === "claimants:solo" || (!b && /只有我|就我|一个人|only me|just me/i.test(text))) {
          d.claimantCount = null;
        } else {
          const crew = b ? undefined : countClaimants(text, true);
          const count = crew?.count;
          if (!count || count < 1 || count > 100_000) {
            say(turn, "intake.claimants.invalid");
            goTo(turn, "claimants");
            return false;
          }
          d.claimantCount = Math.round(count);
          d.claimantNames = crew.names;
        }
        advance(turn);
        return true;
      }
      case "contact":
      case "contact_phone": {
        if (b === "contact:skip" || (!b && /不留|不方便|不想留|不用了|no phone|skip/i.test(text))) {
          d.name ??= turn.inbound.displayName ?? null;
          d.phone = null;
          advance(turn);
          return true;
        }
        if (b || !text) return reask(turn);
        const c = parseContact(text);
        if (c.badPhone) {
          if (c.name && s.step === "contact") d.name = c.name;
          say(turn, "intake.contact.badPhone", {}, [[button(turn, "intake.contact.skip", "contact:skip")], nav(turn)]);
          return true;
        }
        if (c.phone) d.phone = c.phone;
        if (c.name && s.step === "contact") d.name = c.name;
        if (!c.phone && !c.name) return reask(turn);
        d.name ??= turn.inbound.displayName ?? null;
        advance(turn);
        return true;
      }
      case "away": {
        const answer =
          b === "away:yes" ? true : b === "away:no" ? false : b ? undefined : awayFromWords(text);
        if (answer === undefined) return reask(turn);
        d.away = answer;
        advance(turn);
        return true;
      }
      case "service":
        if (b === "service:chat") {
          d.serviceChannel = "chat";
          d.serviceAddress = undefined;
          advance(turn);
        } else if (b === "service:post") {
          s.history.push("service");
          goTo(turn, "service_address");
        } else return reask(turn);
        return true;
      case "service_address":
        if (b === "service:chat") {
          d.serviceChannel = "chat";
          d.serviceAddress = undefined;
        } else if (!b && /[\p{L}\p{N}]/u.test(text)) {
          d.serviceChannel = "post";
          d.serviceAddress = text.slice(0, 300);
        } else return reask(turn);
        advance(turn);
        return true;
      case "summary": {
        const ok = b === "summary:submit" || (!b && (yesNo(text) === true || /提交|确认|没问题|submit|confirm/i.test(text)));
        const edit = b === "summary:edit" || (!b && /修改|改|不对|change|edit/i.test(text));
        if (ok) {
          await submit(turn);
          endIntake(turn);
          return true;
        }
        if (edit) return goTo(turn, "edit_which"), true;
        return reask(turn);
      }
      case "edit_which": {
        const target = b?.startsWith("edit:") ? b.slice(5) : undefined;
        if (target === "back") return goTo(turn, "summary"), true;
        const entry = EDITABLE.find(([, step]) => step === target);
        if (!entry) return reask(turn);
        d.editing = true;
        clearStep(d, entry[1]);
        if (entry[1] === "choose_type") d.typeConfirmed = false;
        goTo(turn, entry[1]);
        return true;
      }
      case "confirm_cancel": {
        const answer = b === "cancel:yes" ? true : b === "cancel:no" ? false : b ? undefined : yesNo(text);
        if (answer === true || (!b && /确定|不登记|放弃/.test(text))) {
          endIntake(turn);
          say(turn, "intake.cancel.done", {}, idleMenu(turn));
          return true;
        }
        // "No", or anything else: back where they were, and the message is read there.
        s.step = s.resumeStep ?? "describe";
        s.resumeStep = undefined;
        if (answer === false || b) {
          goTo(turn, s.step);
          return true;
        }
        return intakeFlow.handle(turn);
      }
    }
  },
};

function idleMenu(turn: Turn): Button[][] {
  return [
    [button(turn, "menu.new", "cmd:new"), button(turn, "menu.status", "cmd:status")],
    [button(turn, "menu.human", "cmd:human"), button(turn, "menu.help", "cmd:help")],
  ];
}

function awayFromWords(text: string): boolean | undefined {
  if (/外地|外面|外省|在外|打工|不在(?:家|本地|这边|老家)|away|elsewhere|another city|not here/i.test(text)) return true;
  if (/本地|在家|这边|就在|附近|local|here|at home/i.test(text)) return false;
  return yesNo(text);
}

/** Repeat the current question with its buttons: a stale button or an off-topic reply never dead-ends. */
function reask(turn: Turn): false {
  say(turn, "useButtons");
  goTo(turn, intake(turn).step);
  missed(turn);
  return false;
}

function chooseType(turn: Turn, value: string): boolean {
  const type = DISPUTE_TYPES.find((x) => x === value);
  if (!type) return reask(turn);
  const s = intake(turn);
  const d = s.draft;
  if (type !== d.type) d.source = "resident";
  d.type = type;
  d.typeConfirmed = true;
  if (type === "not_dispute" && !d.insisted) {
    if (s.history[s.history.length - 1] !== s.step) s.history.push(s.step);
    goTo(turn, "not_dispute");
    return true;
  }
  advance(turn);
  return true;
}

/** The story: classified, its facts kept so those questions are skipped. */
export async function describe(turn: Turn, text: string): Promise<void> {
  const s = intake(turn);
  const d = s.draft;
  const result = await turn.deps.classifier.classify(text);
  d.description = text;
  d.type = undefined;
  d.typeConfirmed = false;
  d.confidence = result.confidence;
  d.source = result.source;
  d.alternatives = [result.type, ...result.alternatives.map((a) => a.type)].filter((v, i, a) => a.indexOf(v) === i).slice(0, 4);
  d.riskFlags = [...new Set([...d.riskFlags, ...result.riskFlags])];
  d.summary = result.facts.summary;
  d.complexity = result.facts.complexity;
  // Facts the resident already gave are not asked again (an edit keeps their explicit answers).
  if (!d.editing) {
    const local = extractFacts(text);
    d.otherParty = result.facts.parties?.[0] ?? local.parties?.[0];
    d.place = result.facts.place ?? local.place;
    d.amountYuan = result.facts.amountYuan ?? local.amountYuan;
    d.since = result.facts.since ?? local.since;
    if (local.claimantCount && local.claimantCount > 1) {
      d.claimantCount = local.claimantCount;
      d.claimantNames = local.claimantNames ?? [];
    }
  }
  if (s.history[s.history.length - 1] !== "describe") s.history.push("describe");
  if (result.confidence >= threshold(turn) || result.type === "not_dispute") {
    d.type = result.type;
    if (result.type === "not_dispute") return goTo(turn, d.insisted ? "choose_type" : "not_dispute");
    if (d.editing) {
      d.typeConfirmed = true;
      return goTo(turn, "summary");
    }
    return goTo(turn, "confirm_type");
  }
  goTo(turn, "choose_type");
}

/** A file during the intake: kept with the draft, listed on the case when it is opened. */
export function keepFile(turn: Turn, file: InboundFile): void {
  const d = draftOf(turn);
  if (!d.files.some((f) => f.sha256 === file.sha256)) d.files.push(file);
  say(turn, "intake.file.kept");
  goTo(turn, intake(turn).step);
}

/** A one-line view of the draft for a person taking over. */
export function draftPreview(d: Draft): string {
  return preview(d.description ?? "", 80);
}

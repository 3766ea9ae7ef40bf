import { addEvidence } from "../cases/add-evidence.js";
import { openCase } from "../cases/open-case.js";
import { DISPUTE_TYPES, type DisputeType } from "../cases/types.js";
import { parseAmountYuan } from "../classify/amount.js";
import { t, type MessageKey } from "../i18n/index.js";
import { newId } from "../lib/ids.js";
import { formatLocal } from "../lib/time.js";
import type { Draft, Step } from "./state.js";
import { draftSchema } from "./state.js";
import { cleanText, hasWords, MAX_TEXT_CHARS, parseMobile, preview } from "./text.js";
import { actorOf, attachButtons, button, menu, rows, say, type Turn } from "./turn.js";

/** Types where money is usually at stake; for others the amount is asked only if the text named one. */
const MONEY_TYPES: readonly DisputeType[] = [
  "labor", "traffic", "medical", "property_mgmt", "housing_land", "contract_debt", "consumer", "injury_tort", "expropriation",
];

const DEFAULT_THRESHOLD = 0.55;
const threshold = (turn: Turn) => turn.deps.confidenceThreshold ?? DEFAULT_THRESHOLD;

export function startIntake(turn: Turn): void {
  turn.state.draft = draftSchema.parse({ intakeKey: newId() });
  if (!turn.state.consentAt) {
    turn.state.step = "consent";
    say(turn, "greeting");
    askConsent(turn);
    return;
  }
  goTo(turn, "describe");
}

function askConsent(turn: Turn): void {
  say(turn, "privacy", {}, [[button(turn, "consent.agree", "consent:yes"), button(turn, "consent.decline", "consent:no")]]);
}

function draftOf(turn: Turn): Draft {
  turn.state.draft ??= draftSchema.parse({ intakeKey: newId() });
  return turn.state.draft;
}

/** The first question still open, or the summary once everything is answered. */
function nextStep(d: Draft): Step {
  if (!d.description) return "describe";
  if (!d.type) return "choose_type";
  if (d.editing) return "summary";
  if (d.otherParty === undefined) return "other_party";
  if (d.place === undefined) return "place";
  if (d.amountYuan === undefined && MONEY_TYPES.includes(d.type)) return "amount";
  if (d.since === undefined) return "since";
  if (d.away === undefined) return "away";
  if (!d.serviceChannel) return "service";
  return "summary";
}

export function advance(turn: Turn): void {
  goTo(turn, nextStep(draftOf(turn)));
}

/** Ask the question of `step` and wait there. */
export function goTo(turn: Turn, step: Step): void {
  turn.state.step = step;
  const d = draftOf(turn);
  switch (step) {
    case "consent":
      return askConsent(turn);
    case "describe":
      return say(turn, "describe.ask");
    case "confirm_type":
      return say(turn, "type.confirm", { type: t(turn.locale, `type.${d.type!}`) }, [
        [button(turn, "type.yes", "type:yes"), button(turn, "type.no", "type:no")],
      ]);
    case "choose_type":
      return askType(turn, !d.type && d.source !== "resident" && (d.confidence ?? 1) < threshold(turn));
    case "not_dispute":
      return say(turn, "notDispute.answer", {}, [
        [button(turn, "notDispute.insist", "nd:insist"), button(turn, "notDispute.done", "nd:done")],
      ]);
    case "other_party":
      return say(turn, "otherParty.ask", {}, [[button(turn, "otherParty.skip", "skip")]]);
    case "place":
      return say(turn, "place.ask", {}, [[button(turn, "place.skip", "skip")]]);
    case "amount":
      return say(turn, "amount.ask", {}, [[button(turn, "amount.none", "amount:none")]]);
    case "since":
      return say(turn, "since.ask", {}, [
        [button(turn, "since.today", "since:today"), button(turn, "since.week", "since:week")],
        [button(turn, "since.month", "since:month"), button(turn, "since.earlier", "since:earlier")],
      ]);
    case "away":
      return say(turn, "away.ask", {}, [[button(turn, "away.yes", "away:yes"), button(turn, "away.no", "away:no")]]);
    case "service":
      return say(turn, "service.ask", {}, [[button(turn, "service.chat", "service:chat"), button(turn, "service.sms", "service:sms")]]);
    case "service_phone":
      return say(turn, "service.phone.ask", {}, [[button(turn, "service.chat", "service:chat")]]);
    case "summary":
      return showSummary(turn);
    case "edit_which":
      return askWhichEdit(turn);
    default:
      return;
  }
}

function askType(turn: Turn, unsure: boolean): void {
  const d = draftOf(turn);
  // Best guesses first, then the rest, so the likely answer is one tap away.
  const order = [...new Set<DisputeType>([...d.alternatives, ...DISPUTE_TYPES])].filter(
    (type) => !(d.insisted && type === "not_dispute"),
  );
  const buttons = order.map((type) => ({ label: t(turn.locale, `type.${type}`), data: `type:${type}` }));
  say(turn, unsure ? "type.choose.unsure" : "type.choose", {}, rows(buttons));
}

function showSummary(turn: Turn): void {
  const d = draftOf(turn);
  const none = t(turn.locale, "summary.none");
  const yesNo = (v: boolean | undefined) => (v === undefined ? none : t(turn.locale, v ? "summary.yes" : "summary.no"));
  const lines = [
    t(turn.locale, "summary.title"),
    t(turn.locale, "summary.type", { value: t(turn.locale, `type.${d.type!}`) }),
    t(turn.locale, "summary.description", { value: preview(d.description ?? "") }),
    t(turn.locale, "summary.otherParty", { value: d.otherParty || none }),
    t(turn.locale, "summary.place", { value: d.place || none }),
    t(turn.locale, "summary.amount", { value: d.amountYuan ? `${d.amountYuan.toLocaleString("zh-CN")} 元` : none }),
    t(turn.locale, "summary.since", { value: d.since || none }),
    t(turn.locale, "summary.away", { value: yesNo(d.away) }),
    t(turn.locale, "summary.service", {
      value: d.serviceChannel === "sms" ? `${t(turn.locale, "service.sms")} ${maskPhone(d.servicePhone)}` : t(turn.locale, "service.chat"),
    }),
  ];
  turn.out.push({
    kind: "text",
    text: lines.join("\n"),
    buttons: [[button(turn, "summary.submit", "summary:submit"), button(turn, "summary.edit", "summary:edit")]],
  });
}

function maskPhone(phone?: string): string {
  return phone ? `${phone.slice(0, 3)}****${phone.slice(7)}` : "";
}

const EDITABLE: [MessageKey, Step][] = [
  ["edit.type", "choose_type"],
  ["edit.description", "describe"],
  ["edit.otherParty", "other_party"],
  ["edit.place", "place"],
  ["edit.amount", "amount"],
  ["edit.since", "since"],
  ["edit.away", "away"],
  ["edit.service", "service"],
];

function askWhichEdit(turn: Turn): void {
  const buttons = EDITABLE.map(([key, step]) => button(turn, key, `edit:${step}`));
  say(turn, "summary.editWhich", {}, [...rows(buttons), [button(turn, "summary.back", "edit:back")]]);
}

/** Handle the resident's answer at the current intake step. Returns false if the step is not an intake step. */
export async function handleIntakeStep(turn: Turn): Promise<boolean> {
  const { inbound } = turn;
  const step = turn.state.step;
  const b = inbound.button;
  const text = cleanText(inbound.text).slice(0, MAX_TEXT_CHARS);
  const d = () => draftOf(turn);

  switch (step) {
    case "consent": {
      if (b === "consent:yes") {
        turn.state.consentAt = turn.now.toISOString();
        const pending = turn.state.pendingText;
        turn.state.pendingText = undefined;
        if (pending) return describe(turn, pending), true;
        goTo(turn, "describe");
      } else if (b === "consent:no") {
        turn.state.step = "idle";
        turn.state.draft = undefined;
        turn.state.pendingText = undefined;
        say(turn, "consent.declined", {}, [[button(turn, "consent.agree", "cmd:new")]]);
      } else {
        // Keep what they wrote; it becomes the description once they agree.
        if (text && hasWords(text)) turn.state.pendingText = text;
        say(turn, "consent.needed");
        askConsent(turn);
      }
      return true;
    }
    case "describe":
      if (b) return reask(turn), true;
      await describe(turn, text);
      return true;
    case "confirm_type":
      if (b === "type:yes") advance(turn);
      else if (b === "type:no") goTo(turn, "choose_type");
      else if (b?.startsWith("type:")) chooseType(turn, b.slice(5));
      else reask(turn);
      return true;
    case "choose_type":
      if (b?.startsWith("type:")) chooseType(turn, b.slice(5));
      else {
        say(turn, "type.invalid");
        askType(turn, false);
      }
      return true;
    case "not_dispute":
      if (b === "nd:insist") {
        d().type = undefined;
        d().insisted = true;
        goTo(turn, "choose_type");
      } else if (b === "nd:done") {
        turn.state.draft = undefined;
        turn.state.step = "idle";
        say(turn, "idle", {}, menu(turn));
      } else reask(turn);
      return true;
    case "other_party":
    case "place": {
      const field = step === "other_party" ? "otherParty" : "place";
      if (b === "skip") d()[field] = null;
      else if (text && hasWords(text)) d()[field] = text.slice(0, 500);
      else return reask(turn), true;
      advance(turn);
      return true;
    }
    case "amount": {
      if (b === "amount:none") d().amountYuan = null;
      else {
        const yuan = text ? parseAmountYuan(text) ?? parsePlainNumber(text) : undefined;
        if (yuan === undefined) {
          say(turn, "amount.invalid", {}, [[button(turn, "amount.none", "amount:none")]]);
          return true;
        }
        d().amountYuan = yuan;
      }
      advance(turn);
      return true;
    }
    case "since": {
      const labels: Record<string, MessageKey> = {
        "since:today": "since.today",
        "since:week": "since.week",
        "since:month": "since.month",
        "since:earlier": "since.earlier",
      };
      if (b && labels[b]) d().since = t(turn.locale, labels[b]);
      else if (text && hasWords(text)) d().since = text.slice(0, 200);
      else return reask(turn), true;
      advance(turn);
      return true;
    }
    case "away":
      if (b === "away:yes" || b === "away:no") {
        d().away = b === "away:yes";
        advance(turn);
      } else reask(turn);
      return true;
    case "service":
      if (b === "service:chat") {
        d().serviceChannel = "chat";
        advance(turn);
      } else if (b === "service:sms") goTo(turn, "service_phone");
      else reask(turn);
      return true;
    case "service_phone": {
      if (b === "service:chat") {
        d().serviceChannel = "chat";
        advance(turn);
        return true;
      }
      const phone = parseMobile(text);
      if (!phone) {
        say(turn, "service.phone.invalid", {}, [[button(turn, "service.chat", "service:chat")]]);
        return true;
      }
      d().serviceChannel = "sms";
      d().servicePhone = phone;
      advance(turn);
      return true;
    }
    case "summary":
      if (b === "summary:submit") await submit(turn);
      else if (b === "summary:edit") goTo(turn, "edit_which");
      else reask(turn);
      return true;
    case "edit_which": {
      const target = b?.startsWith("edit:") ? b.slice(5) : undefined;
      if (target === "back") return goTo(turn, "summary"), true;
      const entry = EDITABLE.find(([, s]) => s === target);
      if (!entry) return reask(turn), true;
      d().editing = true;
      goTo(turn, entry[1]);
      return true;
    }
    default:
      return false;
  }
}

function parsePlainNumber(text: string): number | undefined {
  const m = text.replace(/[,，\s]/g, "").match(/^(\d+(?:\.\d+)?)(元|块|rmb|yuan)?$/i);
  return m ? Number(m[1]) : undefined;
}

/** Repeat the current question with its buttons: a stale button or an off-topic reply never dead-ends. */
function reask(turn: Turn): void {
  say(turn, "useButtons");
  goTo(turn, turn.state.step);
}

function chooseType(turn: Turn, value: string): void {
  const type = DISPUTE_TYPES.find((x) => x === value);
  if (!type) return reask(turn);
  const d = draftOf(turn);
  if (type !== d.type) d.source = "resident";
  d.type = type;
  if (type === "not_dispute") return goTo(turn, "not_dispute");
  advance(turn);
}

async function describe(turn: Turn, text: string): Promise<void> {
  if (!text) return say(turn, "describe.empty");
  if (!hasWords(text)) return say(turn, "describe.unreadable");
  if (cleanText(turn.inbound.text).length > MAX_TEXT_CHARS) say(turn, "describe.truncated", { max: MAX_TEXT_CHARS });
  const d = draftOf(turn);
  const result = await turn.deps.classifier.classify(text);
  d.description = text;
  d.type = undefined;
  d.confidence = result.confidence;
  d.source = result.source;
  d.alternatives = [result.type, ...result.alternatives.map((a) => a.type)].filter((v, i, a) => a.indexOf(v) === i).slice(0, 4);
  d.riskFlags = result.riskFlags;
  d.summary = result.facts.summary;
  d.complexity = result.facts.complexity;
  // Facts the resident already gave are not asked again (an edit keeps their explicit answers).
  if (!d.editing) {
    if (result.facts.parties?.[0]) d.otherParty ??= result.facts.parties[0];
    if (result.facts.place) d.place ??= result.facts.place;
    if (result.facts.amountYuan !== undefined) d.amountYuan ??= result.facts.amountYuan;
    if (result.facts.since) d.since ??= result.facts.since;
  }
  if (result.type === "not_dispute" && result.confidence >= threshold(turn)) {
    d.type = "not_dispute";
    return goTo(turn, "not_dispute");
  }
  if (result.confidence >= threshold(turn)) {
    d.type = result.type;
    return goTo(turn, "confirm_type");
  }
  goTo(turn, "choose_type");
}

async function submit(turn: Turn): Promise<void> {
  const d = draftOf(turn);
  const { cases } = turn.deps;
  const opened = await openCase(cases, {
    intakeKey: d.intakeKey,
    actor: actorOf(turn),
    description: d.description ?? "",
    type: d.type ?? "other",
    classifierSource: d.source,
    classifierConfidence: d.confidence,
    summary: d.summary,
    complexity: d.complexity,
    riskFlags: d.riskFlags,
    place: d.place ?? undefined,
    amountFen: d.amountYuan ? Math.round(d.amountYuan * 100) : undefined,
    since: d.since ?? undefined,
    language: turn.locale,
    claimant: {
      name: turn.inbound.displayName,
      channel: turn.inbound.channel,
      channelUserId: turn.inbound.userId,
      serviceChannel: d.serviceChannel ?? "chat",
      serviceAddress: d.servicePhone,
      away: d.away,
      consentAt: turn.state.consentAt ? new Date(turn.state.consentAt) : turn.now,
    },
    respondent: d.otherParty ? { name: d.otherParty } : undefined,
  });
  for (const f of d.files) {
    await addEvidence(cases, { caseId: opened.id, ...f, fileName: f.name, uploadedBy: actorOf(turn) });
  }
  turn.state.draft = undefined;
  turn.state.step = "idle";
  const room = turn.locale === "en" ? opened.route.roomNameEn : opened.route.roomNameZh;
  say(turn, "opened", {
    code: opened.code,
    type: t(turn.locale, `type.${opened.type}`),
    room,
    deadline: formatLocal(opened.resolveDueAt, cases.zone, turn.locale),
  });
  if (opened.riskFlags.length > 0) say(turn, "opened.risk");
  if (opened.remote) say(turn, "opened.remote");
  say(turn, "opened.next", {}, [[button(turn, "menu.status", "cmd:status"), button(turn, "menu.new", "cmd:new")]]);
}

/** A file the channel refused: say why, then carry on where the resident was. */
export function refuseFile(turn: Turn): void {
  const refused = turn.inbound.fileRefused!;
  if (refused.reason === "too_large") say(turn, "file.tooLarge", { limit: Math.floor(refused.limitBytes / 1024 / 1024) });
  else say(turn, "file.badType");
  if (turn.state.draft) goTo(turn, turn.state.step);
  else attachButtons(turn, menu(turn));
}

/** A file: kept with the draft during intake, added to the newest open case otherwise. */
export async function receiveFile(turn: Turn, latestOpenCase: { id: string; code: string } | null): Promise<void> {
  const file = turn.inbound.file!;
  if (turn.state.draft) {
    turn.state.draft.files.push(file);
    say(turn, "file.noCase");
    goTo(turn, turn.state.step);
    return;
  }
  if (!latestOpenCase) {
    say(turn, "file.noCase", {}, menu(turn));
    return;
  }
  await addEvidence(turn.deps.cases, {
    caseId: latestOpenCase.id,
    ...file,
    fileName: file.name,
    uploadedBy: actorOf(turn),
  });
  say(turn, "file.received", { name: file.name ?? file.kind, code: latestOpenCase.code }, menu(turn));
}

import { AVAILABILITY_CHOICE, availabilityQuestion } from "../../../cases/invitation.js";
import type { PartyRecord } from "../../../cases/party.repository.js";
import { recordMeetingPrefs } from "../../../cases/record-consent.js";
import { languageLabel, offeredLanguages } from "../../../cases/languages.js";
import { COMMON_ZONES, zoneFromText, zoneLabel } from "../../../cases/zones.js";
import { t } from "../../../i18n/index.js";
import { PRESET_CODES, type PresetCode } from "../../../scheduling/availability-presets.js";
import { actorOf, button, menu, rows, say, tx, type Turn } from "../../turn.js";
import type { Flow } from "../flow.js";

type AvailabilityState = NonNullable<Turn["state"]["availability"]>;

const CHOICE_PRESET = Object.fromEntries(Object.entries(AVAILABILITY_CHOICE).map(([preset, choice]) => [choice, preset])) as Record<string, PresetCode>;

/** The zone times are shown in: the one chosen, else the party's stored one, else the centre's. */
const zoneOf = (turn: Turn, a: AvailabilityState) => a.zone ?? turn.deps.cases.zone;

/**
 * Where times start: the party's stored zone, else the device's when it is not the centre's (a web page
 * abroad), shown in the question so they see it and can change it; undefined = the centre's, unasked.
 */
const firstZone = (turn: Turn, party: Pick<PartyRecord, "timeZone">) =>
  party.timeZone ?? (turn.inbound.timeZoneHint && turn.inbound.timeZoneHint !== turn.deps.cases.zone ? turn.inbound.timeZoneHint : undefined);

/** The dialects worth offering: those spoken by a mediator who may take this case (the slot search's own choice of them). */
async function dialects(turn: Turn, a: AvailabilityState) {
  const c = await turn.deps.cases.repos.cases.byId(a.caseId);
  return c ? offeredLanguages((await turn.deps.scheduling.scheduling.mediatorsFor(c)).flatMap((m) => m.languages)) : [];
}

async function ask(turn: Turn, a: AvailabilityState): Promise<void> {
  if (a.step === "language") {
    const offered = await dialects(turn, a);
    const choices = offered.map((l, i) => ({ label: turn.locale === "en" ? l.en : l.zh, data: `av:${a.partyId}:l${i}` }));
    say(turn, "avail.languageAsk", {}, [[button(turn, "avail.languageNone", `av:${a.partyId}:lzh`)], ...rows(choices)]);
    return;
  }
  if (a.step === "zone") {
    const zones = COMMON_ZONES.map((z, i) => ({ label: turn.locale === "en" ? z.en : z.zh, data: `av:${a.partyId}:z${i}` }));
    say(turn, "avail.zoneAsk", {}, [...rows(zones), [button(turn, "respond.back", `av:${a.partyId}:back`)]]);
    return;
  }
  turn.out.push(availabilityQuestion(turn.locale, { partyId: a.partyId, selected: a.selected, zone: zoneOf(turn, a) }));
}

/** "When can you meet?" for this party; afterwards the conversation returns to `returnTo`. */
export async function startAvailability(turn: Turn, party: Pick<PartyRecord, "id" | "caseId" | "timeZone" | "preferLanguage">, returnTo: "idle" | "respond"): Promise<void> {
  const a: AvailabilityState = { partyId: party.id, caseId: party.caseId, step: "presets", selected: [], zone: firstZone(turn, party), returnTo, askLanguage: party.preferLanguage === null };
  turn.state.availability = a;
  turn.state.active = "availability";
  await ask(turn, a);
}

/** The state for this party: the one in progress, or a new one (a button of a notice pressed later). */
function stateFor(turn: Turn, party: PartyRecord): AvailabilityState {
  const a = turn.state.availability;
  if (a && a.partyId === party.id) return a;
  const active = turn.state.active;
  const fresh: AvailabilityState = {
    partyId: party.id,
    caseId: party.caseId,
    step: "presets",
    selected: [],
    zone: firstZone(turn, party),
    askLanguage: party.preferLanguage === null,
    returnTo: active === "respond" && turn.state.respond?.caseId === party.caseId ? "respond" : "idle",
  };
  turn.state.availability = fresh;
  return fresh;
}

/** A press of `av:<partyId>:<choice>`: pick or unpick a preset, 都可以, 好了, change zone, later. */
export async function availabilityButton(turn: Turn, party: PartyRecord, choice: string): Promise<boolean> {
  const a = stateFor(turn, party);
  turn.state.active = "availability";
  const preset = CHOICE_PRESET[choice];
  if (preset === "any") return save(turn, a, ["any"]);
  if (preset) {
    a.selected = a.selected.includes(preset) ? a.selected.filter((p) => p !== preset) : [...a.selected, preset];
    a.step = "presets";
    await ask(turn, a);
    return true;
  }
  switch (choice) {
    case "ok":
      if (a.selected.length === 0) {
        say(turn, "avail.pickOne");
        await ask(turn, a);
        return true;
      }
      return save(turn, a, PRESET_CODES.filter((p) => a.selected.includes(p)));
    case "skip":
      say(turn, "avail.skipped");
      return finish(turn, a);
    case "tz":
      a.step = "zone";
      ask(turn, a);
      return true;
    case "back":
      a.step = "presets";
      ask(turn, a);
      return true;
  }
  const zone = choice.match(/^z(\d+)$/) ? COMMON_ZONES[Number(choice.slice(1))]?.zone : undefined;
  if (zone) {
    await setZone(turn, a, zone);
    return true;
  }
  if (a.step === "language" && a.chosen && /^l(zh|\d+)$/.test(choice)) {
    // 普通话就行 is stored as zh-CN: answered (not asked again), and every mediator speaks it.
    const tag = choice === "lzh" ? "zh-CN" : (await dialects(turn, a))[Number(choice.slice(1))]?.tag;
    if (tag) return save(turn, a, a.chosen, tag);
  }
  await ask(turn, a);
  return false;
}

async function setZone(turn: Turn, a: AvailabilityState, zone: string): Promise<void> {
  a.zone = zone;
  a.step = "presets";
  say(turn, "avail.zoneSet", { zone: zoneLabel(zone, turn.locale) });
  await ask(turn, a);
}

/**
 * Saves the times (and the language asked for); a party not asked yet is first asked which language or
 * dialect they want the mediator to speak, when the centre has mediators who speak more than 普通话,
 * so the first offer of times already ranks a 老乡调解员 first.
 */
async function save(turn: Turn, a: AvailabilityState, presets: PresetCode[], preferLanguage?: string): Promise<boolean> {
  if (preferLanguage === undefined && a.askLanguage && (await dialects(turn, a)).length > 0) {
    a.chosen = presets;
    a.step = "language";
    await ask(turn, a);
    return true;
  }
  const centre = turn.deps.cases.zone;
  const result = await recordMeetingPrefs(turn.deps.cases, {
    partyId: a.partyId,
    availability: { presets },
    // Only a zone the party chose is written; the centre's own is stored as null (the default).
    ...(a.zone !== undefined ? { timeZone: a.zone === centre ? null : a.zone } : {}),
    ...(preferLanguage !== undefined ? { preferLanguage } : {}),
    actor: actorOf(turn),
  });
  if (result.closed) {
    turn.state.availability = undefined;
    turn.state.active = "idle";
    turn.state.respond = undefined;
    say(turn, "respond.closed", { code: "" }, menu(turn));
    return true;
  }
  const choices = [
    ...presets.map((p) => t(turn.locale, `preset.${p}`)),
    ...(preferLanguage && preferLanguage !== "zh-CN" ? [tx(turn, "avail.languageChosen", { language: languageLabel(preferLanguage, turn.locale) })] : []),
  ].join(turn.locale === "en" ? ", " : "、");
  say(turn, "avail.saved", { choices, zone: zoneLabel(zoneOf(turn, a), turn.locale) });
  return finish(turn, a);
}

/** Back where the party was: the respondent's menu, or the main menu. */
function finish(turn: Turn, a: AvailabilityState): boolean {
  turn.state.availability = undefined;
  const r = turn.state.respond;
  if (a.returnTo === "respond" && r) {
    turn.state.active = "respond";
    r.step = "menu";
    const p = r.partyId ?? a.partyId;
    const last = turn.out[turn.out.length - 1];
    const buttons =
      r.answer === "accepted"
        ? [
            [button(turn, "respond.question", `rsp:${p}:question`), button(turn, "respond.changeTimes", `av:${p}:start`)],
            [button(turn, "respond.withdraw", `rsp:${p}:decline`), button(turn, "menu.status", "cmd:status")],
          ]
        : menu(turn);
    if (last?.kind === "text" && !last.buttons) last.buttons = buttons;
    return true;
  }
  turn.state.active = "idle";
  const last = turn.out[turn.out.length - 1];
  if (last?.kind === "text" && !last.buttons) last.buttons = menu(turn);
  return true;
}

export const availabilityFlow: Flow = {
  name: "availability",
  async resume(turn) {
    const a = turn.state.availability;
    if (!a) {
      turn.state.active = "idle";
      return say(turn, "idle", {}, menu(turn));
    }
    await ask(turn, a);
  },
  async handle(turn) {
    const a = turn.state.availability;
    if (!a) return false;
    if (!turn.inbound.button && turn.text) {
      if (a.step === "zone") {
        const zone = zoneFromText(turn.text);
        if (zone) {
          await setZone(turn, a, zone);
          return true;
        }
        say(turn, "avail.zoneUnknown", { text: turn.text.slice(0, 40) });
        await ask(turn, a);
        return false;
      }
      if (/^(都可以|都行|随便|什么时候都行|any ?time|any)$/i.test(turn.text.trim())) return save(turn, a, ["any"]);
    }
    say(turn, a.step === "language" ? "avail.languageButtons" : "avail.useButtons");
    await ask(turn, a);
    return false;
  },
};

import { closeCase } from "../cases/change-status.js";
import { isOpen } from "../cases/lifecycle.js";
import { listCasesForUser, type CaseSummary } from "../cases/list-cases.js";
import { t, isLocale } from "../i18n/index.js";
import { formatLocal } from "../lib/time.js";
import { goTo, startIntake } from "./intake.js";
import { cleanText } from "./text.js";
import { actorOf, button, menu, say, sayText, type Turn } from "./turn.js";

export const COMMANDS = ["start", "new", "status", "cancel", "help", "lang", "withdraw"] as const;
export type Command = (typeof COMMANDS)[number];

/** Words a resident may type instead of a slash command (whole message only, so a story is never read as one). */
const KEYWORDS: Record<string, Command> = {
  新的纠纷: "new", 新建: "new", 登记: "new", 我的案件: "status", 进度: "status", 查询: "status",
  取消: "cancel", 帮助: "help", 语言: "lang", language: "lang", 撤回: "withdraw", help: "help",
};

export type ParsedCommand = { command: Command } | { unknown: string } | null;

export function parseCommand(turn: Turn): ParsedCommand {
  const b = turn.inbound.button;
  if (b?.startsWith("cmd:")) {
    const c = b.slice(4);
    return (COMMANDS as readonly string[]).includes(c) ? { command: c as Command } : { unknown: c };
  }
  const text = cleanText(turn.inbound.text);
  // "/status", "/status@OneDoorBot", "/lang en"
  const slash = text.match(/^\/([A-Za-z_]+)(?:@\w+)?(?:\s|$)/);
  if (slash) {
    const c = slash[1]!.toLowerCase();
    if (c === "language") return { command: "lang" };
    return (COMMANDS as readonly string[]).includes(c) ? { command: c as Command } : { unknown: c };
  }
  const keyword = KEYWORDS[text.toLowerCase()];
  return keyword ? { command: keyword } : null;
}

const INTAKE_STEPS = new Set(["consent", "describe", "confirm_type", "choose_type", "not_dispute", "other_party", "place", "amount", "since", "away", "service", "service_phone", "summary", "edit_which"]);

export function inIntake(turn: Turn): boolean {
  return INTAKE_STEPS.has(turn.state.step) && Boolean(turn.state.draft);
}

export async function runCommand(turn: Turn, command: Command): Promise<void> {
  switch (command) {
    case "start":
      if (inIntake(turn)) return goTo(turn, turn.state.step);
      if (turn.state.step === "start" || !turn.state.consentAt) return startIntake(turn);
      say(turn, "greeting");
      return say(turn, "idle", {}, menu(turn));
    case "new":
      if (inIntake(turn) && turn.state.draft?.description) {
        say(turn, "status.draft");
        goTo(turn, turn.state.step);
        return;
      }
      return startIntake(turn);
    case "status":
      return showStatus(turn);
    case "cancel":
      if (!inIntake(turn)) return say(turn, "cancel.nothing", {}, menu(turn));
      turn.state.resumeStep = turn.state.step;
      turn.state.step = "confirm_cancel";
      return say(turn, "cancel.confirm", {}, [[button(turn, "cancel.yes", "cancel:yes"), button(turn, "cancel.no", "cancel:no")]]);
    case "help":
      return say(turn, "help", {}, menu(turn));
    case "lang":
      return sayText(turn, t(turn.locale, "language.choose"), [
        [{ label: "中文", data: "lang:zh-CN" }, { label: "English", data: "lang:en" }],
      ]);
    case "withdraw":
      return askWithdraw(turn);
  }
}

async function showStatus(turn: Turn): Promise<void> {
  const { db, zone } = turn.deps.cases;
  const cases = await listCasesForUser(db, turn.inbound.channel, turn.inbound.userId);
  if (cases.length === 0) {
    say(turn, "status.none", {}, menu(turn));
    return;
  }
  const lines = [t(turn.locale, "status.title"), ...cases.flatMap((c) => caseStatusLines(turn, c, zone))];
  if (inIntake(turn)) lines.push(t(turn.locale, "status.draft"));
  const buttons = menu(turn);
  if (cases.some((c) => isOpen(c.status))) buttons.push([button(turn, "menu.withdraw", "cmd:withdraw")]);
  sayText(turn, lines.join("\n"), buttons);
}

/** One case as a resident sees it: code, type, where it stands, who handles it, and its deadline. */
export function caseStatusLines(turn: Turn, c: CaseSummary, zone: string): string[] {
  const status = c.status === "closed" && c.outcome ? t(turn.locale, `outcome.${c.outcome}`) : t(turn.locale, `caseStatus.${c.status}`);
  const lines = [
    t(turn.locale, "status.line", {
      code: c.code,
      type: t(turn.locale, `type.${c.type}`),
      status,
      room: (turn.locale === "en" ? c.roomNameEn : c.roomNameZh) ?? "-",
    }),
  ];
  if (isOpen(c.status) && c.resolveDueAt) {
    lines.push(t(turn.locale, "status.deadline", { deadline: formatLocal(c.resolveDueAt, zone, turn.locale) }));
  }
  return lines;
}

async function askWithdraw(turn: Turn): Promise<void> {
  const { db } = turn.deps.cases;
  const open = (await listCasesForUser(db, turn.inbound.channel, turn.inbound.userId)).filter((c) => isOpen(c.status));
  if (open.length === 0) return say(turn, "status.none", {}, menu(turn));
  say(turn, "withdraw.ask", {}, [...open.map((c) => [{ label: c.code, data: `withdraw:${c.code}` }]), [button(turn, "cancel.no", "cmd:status")]]);
}

/** Buttons that are not commands but work at any step: language, cancel confirmation, withdrawal. */
export async function handleGlobalButton(turn: Turn): Promise<boolean> {
  const b = turn.inbound.button ?? "";
  if (b.startsWith("lang:")) {
    const locale = b.slice(5);
    if (isLocale(locale)) turn.locale = locale;
    say(turn, "language.set");
    if (inIntake(turn)) goTo(turn, turn.state.step);
    else say(turn, "idle", {}, menu(turn));
    return true;
  }
  if (b === "cancel:yes" || b === "cancel:no") {
    if (turn.state.step !== "confirm_cancel") return false;
    if (b === "cancel:yes") {
      turn.state.draft = undefined;
      turn.state.step = "idle";
      say(turn, "cancel.done", {}, menu(turn));
    } else {
      goTo(turn, turn.state.resumeStep ?? "describe");
    }
    turn.state.resumeStep = undefined;
    return true;
  }
  if (b.startsWith("withdraw:")) {
    turn.state.withdrawCode = b.slice(9);
    turn.state.resumeStep = inIntake(turn) ? turn.state.step : "idle";
    turn.state.step = "confirm_withdraw";
    say(turn, "withdraw.confirm", { code: turn.state.withdrawCode }, [
      [button(turn, "withdraw.yes", "withdrawok"), button(turn, "cancel.no", "cmd:status")],
    ]);
    return true;
  }
  if (b === "withdrawok" && turn.state.step === "confirm_withdraw" && turn.state.withdrawCode) {
    const code = turn.state.withdrawCode;
    const { db } = turn.deps.cases;
    const mine = (await listCasesForUser(db, turn.inbound.channel, turn.inbound.userId)).find((c) => c.code === code);
    turn.state.withdrawCode = undefined;
    turn.state.step = turn.state.resumeStep ?? "idle";
    turn.state.resumeStep = undefined;
    if (!mine || !isOpen(mine.status)) return say(turn, "status.none", {}, menu(turn)), true;
    await closeCase(turn.deps.cases, { caseId: mine.id, outcome: "withdrawn", actor: actorOf(turn), reason: "withdrawn by the resident" });
    say(turn, "withdraw.done", { code }, menu(turn));
    return true;
  }
  return false;
}

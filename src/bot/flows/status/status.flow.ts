import { closeCase } from "../../../cases/change-status.js";
import { isOpen } from "../../../cases/lifecycle.js";
import { listCasesForUser, type CaseSummary } from "../../../cases/list-cases.js";
import { t } from "../../../i18n/index.js";
import { formatLocal } from "../../../lib/time.js";
import { yesNo } from "../../intents.js";
import type { Button } from "../../messages.js";
import { actorOf, button, menu, say, sayText, tx, type Turn } from "../../turn.js";
import type { Flow } from "../flow.js";

/** Cases listed in one status message; a resident rarely has more. */
const LISTED = 5;

/** One case as a party sees it: code, type, where it stands, who handles it, and what comes next, with a date. */
export function caseLines(turn: Turn, c: CaseSummary): string {
  const { zone } = turn.deps.cases;
  const when = (d: Date | null) => (d ? formatLocal(d, zone, turn.locale) : "-");
  const status = c.status === "closed" && c.outcome ? t(turn.locale, `outcome.${c.outcome}`) : t(turn.locale, `caseStatus.${c.status}`);
  const lines = [
    tx(turn, "status.case", {
      code: c.code,
      type: t(turn.locale, `type.${c.type}`),
      status,
      room: (turn.locale === "en" ? c.roomNameEn : c.roomNameZh) ?? "-",
    }),
  ];
  if (c.mediator) {
    lines.push(
      c.mediator.phone
        ? tx(turn, "status.mediatorPhone", { name: c.mediator.name, phone: c.mediator.phone })
        : tx(turn, "status.mediator", { name: c.mediator.name }),
    );
  }
  const next =
    c.status === "routed"
      ? tx(turn, "status.next.routed", { date: when(c.acceptDueAt) })
      : c.status === "received"
        ? tx(turn, "status.next.received", { date: when(c.triageDueAt) })
        : c.status === "in_mediation"
          ? tx(turn, "status.next.inMediation", { date: when(c.resolveDueAt) })
          : tx(turn, "status.next.closed", { outcome: status });
  lines.push(tx(turn, "status.next", { next }));
  return lines.join("\n");
}

/** The menu under a status answer: the intake to go back to if one is open, and withdrawal. */
function statusButtons(turn: Turn, cases: CaseSummary[]): Button[][] {
  const buttons = menu(turn);
  if (turn.state.intake) buttons.unshift([button(turn, "intake.continue", "cmd:continue")]);
  if (cases.some((c) => isOpen(c.status) && c.role === "claimant")) buttons.push([button(turn, "status.withdraw", "cmd:withdraw")]);
  return buttons;
}

export async function showStatus(turn: Turn): Promise<void> {
  const cases = await listCasesForUser(turn.deps.cases, turn.inbound.channel, turn.inbound.userId, LISTED + 1);
  if (cases.length === 0) {
    const buttons = menu(turn);
    if (turn.state.intake) buttons.unshift([button(turn, "intake.continue", "cmd:continue")]);
    return say(turn, "status.none", {}, buttons);
  }
  const shown = cases.slice(0, LISTED);
  const parts = [tx(turn, "status.title"), ...shown.map((c) => caseLines(turn, c))];
  if (cases.length > LISTED) parts.push(tx(turn, "status.more", { count: cases.length - LISTED }));
  if (turn.state.intake) parts.push(tx(turn, "intake.draftPending"));
  // The code of the newest case is the one to copy.
  sayText(turn, parts.join("\n\n"), statusButtons(turn, cases), { copyText: shown[0]!.code });
}

/**
 * A case code the resident typed or opened from a link: shown only to a party of it. Anyone else hears
 * the same words whether or not the case exists, so a code reveals nothing.
 */
export async function showCase(turn: Turn, code: string): Promise<boolean> {
  const mine = (await listCasesForUser(turn.deps.cases, turn.inbound.channel, turn.inbound.userId, 50)).find((c) => c.code === code);
  if (!mine) {
    say(turn, "status.notYours", { code }, menu(turn));
    return false;
  }
  sayText(turn, caseLines(turn, mine), statusButtons(turn, [mine]), { copyText: mine.code });
  return true;
}

export async function askWithdraw(turn: Turn): Promise<void> {
  const open = (await listCasesForUser(turn.deps.cases, turn.inbound.channel, turn.inbound.userId)).filter(
    (c) => isOpen(c.status) && c.role === "claimant",
  );
  if (open.length === 0) return say(turn, "status.withdraw.none", {}, menu(turn));
  say(turn, "status.withdraw.ask", {}, [
    ...open.map((c) => [{ label: c.code, data: `withdraw:${c.code}` }]),
    [button(turn, "status.withdraw.no", "cmd:status")],
  ]);
}

/** Withdrawal is confirmed first; the buttons carry the code, and the code is checked against the user's cases again. */
export async function confirmWithdraw(turn: Turn, code: string): Promise<void> {
  turn.state.status = { step: "confirm_withdraw", code };
  turn.state.active = "status";
  say(turn, "status.withdraw.confirm", { code }, [
    [button(turn, "status.withdraw.yes", "withdrawok"), button(turn, "status.withdraw.no", "cmd:status")],
  ]);
}

async function withdraw(turn: Turn, code: string): Promise<void> {
  const mine = (await listCasesForUser(turn.deps.cases, turn.inbound.channel, turn.inbound.userId, 50)).find((c) => c.code === code);
  if (!mine || !isOpen(mine.status) || mine.role !== "claimant") return say(turn, "status.withdraw.none", {}, menu(turn));
  await closeCase(turn.deps.cases, { caseId: mine.id, outcome: "withdrawn", actor: actorOf(turn), reason: "withdrawn by the resident" });
  say(turn, "status.withdraw.done", { code }, menu(turn));
}

export const statusFlow: Flow = {
  name: "status",
  resume(turn) {
    const s = turn.state.status;
    if (s) void confirmWithdraw(turn, s.code);
  },
  async handle(turn) {
    const s = turn.state.status;
    turn.state.status = undefined;
    turn.state.active = turn.state.intake ? "intake" : "idle";
    if (!s) return false;
    const b = turn.inbound.button;
    const yes = b === "withdrawok" || (!b && (yesNo(turn.text) === true || /确定|撤回/.test(turn.text)));
    if (yes) {
      await withdraw(turn, s.code);
      return true;
    }
    // Anything else means no: nothing is withdrawn.
    await showStatus(turn);
    return true;
  },
};

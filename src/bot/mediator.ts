import { CASE_ASSIGNED } from "../cases/case-assigned.js";
import { acceptCase, declineCase } from "../cases/change-status.js";
import type { CaseDeps } from "../cases/deps.js";
import type { LinkedStaff } from "../cases/link-staff.js";
import { listMediatorQueue, type QueueItem } from "../cases/mediator-queue.js";
import { isTriageOfficer, staffMay } from "../cases/authorise.js";
import { listTriageQueue } from "../cases/list-triage-queue.js";
import type { CaseStatus } from "../cases/types.js";
import { t, type Locale } from "../i18n/index.js";
import { notifyStaff, type Messenger } from "../jobs/notify-staff.js";
import type { JobHandler } from "../jobs/worker.js";
import { isAppError } from "../lib/errors.js";
import { formatLocal } from "../lib/time.js";
import type { Button } from "./messages.js";
import { handleScheduleButton, showSchedule } from "./mediator-schedule.js";
import { cleanText, preview } from "./text.js";
import { say, sayText, tx, type Turn } from "./turn.js";

/**
 * The mediator's side of the chat, channel-neutral: a linked staff member sees their queue and accepts
 * or returns cases with buttons. Reached from the dialogue when the sender is linked staff.
 */

/** The commands a linked mediator's chat menu offers; handleMediatorTurn answers them. */
export const STAFF_COMMANDS = ["queue", "schedule", "help", "lang"] as const;

const ACCEPT = "med:acc:";
const DECLINE = "med:dec:";
const SHOW = "med:case:";
const QUEUE = "med:queue";
/** Cases shown with buttons in one queue message; the rest are listed. */
const QUEUE_BUTTONS = 5;

export function acceptButton(locale: Locale, code: string): Button {
  return { label: t(locale, "mediator.accept", { code }), data: `${ACCEPT}${code}` };
}

export function declineButton(locale: Locale, code: string): Button {
  return { label: t(locale, "mediator.decline", { code }), data: `${DECLINE}${code}` };
}

function actor(staff: LinkedStaff): string {
  return `staff:${staff.id}`;
}

export async function handleMediatorTurn(turn: Turn, staff: LinkedStaff): Promise<void> {
  const b = turn.inbound.button ?? "";
  const text = cleanText(turn.inbound.text);
  const command = text.match(/^\/([A-Za-z_]+)(?:@\w+)?(?:\s|$)/)?.[1]?.toLowerCase();
  turn.state.active = "idle";

  if (await handleScheduleButton(turn, staff)) return;
  if (command === "schedule" || text === "日程") return showSchedule(turn, staff);
  if (b.startsWith(ACCEPT)) return decide(turn, staff, b.slice(ACCEPT.length), "accept");
  if (b.startsWith(DECLINE)) return decide(turn, staff, b.slice(DECLINE.length), "decline");
  if (b.startsWith(SHOW)) return showCase(turn, staff, b.slice(SHOW.length));
  if (b.startsWith("lang:")) {
    const l = b.slice(5);
    if (l === "en" || l === "zh-CN") turn.locale = l;
    return showQueue(turn, staff);
  }
  if (b === QUEUE || command === "queue" || command === "status" || command === "start" || text === "待办") {
    if (command === "start" && turn.inbound.startPayload === undefined) say(turn, "mediator.hello", { name: staff.name });
    return showQueue(turn, staff);
  }
  if (command === "help") return say(turn, "mediator.help", {}, [[queueButton(turn)]]);
  if (command === "lang") {
    return sayText(turn, tx(turn, "language.choose"), [[{ label: "中文", data: "lang:zh-CN" }, { label: "English", data: "lang:en" }]]);
  }
  say(turn, "mediator.idle", {}, [[queueButton(turn)]]);
}

function queueButton(turn: Turn): Button {
  return { label: t(turn.locale, "mediator.refresh"), data: QUEUE };
}

function line(turn: Turn, c: Pick<QueueItem, "riskFlags" | "code" | "type" | "summary" | "description">): string {
  return t(turn.locale, "mediator.queue.line", {
    risk: c.riskFlags.length > 0 ? `${t(turn.locale, "mediator.queue.riskMark")} ` : "",
    code: c.code,
    type: t(turn.locale, `type.${c.type}`),
    summary: preview(c.summary ?? c.description, 40),
  });
}

export async function showQueue(turn: Turn, staff: LinkedStaff): Promise<void> {
  const { zone } = turn.deps.cases;
  const q = await listMediatorQueue(turn.deps.cases, staff);
  // Triage officers also see what waits for a room; they route it from the console (a room is a choice of many).
  const triage = isTriageOfficer(staff) ? await listTriageQueue(turn.deps.cases, 20) : [];
  if (q.waiting.length === 0 && q.mine.length === 0 && triage.length === 0) return say(turn, "mediator.queue.empty", {}, [[queueButton(turn)]]);
  const lines: string[] = [];
  const buttons: Button[][] = [];
  if (triage.length > 0) {
    lines.push(t(turn.locale, "mediator.queue.triage", { count: triage.length }));
    for (const c of triage) {
      lines.push(line(turn, { ...c, type: c.disputeType }));
      lines.push(t(turn.locale, "mediator.queue.triageDue", { deadline: formatLocal(c.triageDueAt, zone, turn.locale) }));
    }
    lines.push(t(turn.locale, "mediator.queue.triageHow"));
  }
  if (q.waiting.length > 0) {
    if (lines.length) lines.push("");
    lines.push(t(turn.locale, "mediator.queue.waiting", { count: q.waiting.length }));
    for (const c of q.waiting) {
      lines.push(line(turn, c));
      if (c.acceptDueAt) lines.push(t(turn.locale, "mediator.queue.acceptDue", { deadline: formatLocal(c.acceptDueAt, zone, turn.locale) }));
    }
    for (const c of q.waiting.slice(0, QUEUE_BUTTONS)) buttons.push([acceptButton(turn.locale, c.code), declineButton(turn.locale, c.code)]);
  }
  if (q.mine.length > 0) {
    if (lines.length) lines.push("");
    lines.push(t(turn.locale, "mediator.queue.mine", { count: q.mine.length }));
    for (const c of q.mine) {
      lines.push(line(turn, c));
      if (c.resolveDueAt) lines.push(t(turn.locale, "mediator.queue.resolveDue", { deadline: formatLocal(c.resolveDueAt, zone, turn.locale) }));
    }
    for (const c of q.mine.slice(0, QUEUE_BUTTONS)) buttons.push([{ label: c.code, data: `${SHOW}${c.code}` }]);
  }
  buttons.push([queueButton(turn)]);
  sayText(turn, lines.join("\n"), buttons);
}

function loadCase(turn: Turn, code: string) {
  return turn.deps.cases.repos.cases.byCode(code);
}

function statusLabel(turn: Turn, c: { status: string; outcome: string | null }): string {
  return c.status === "closed" && c.outcome
    ? t(turn.locale, `outcome.${c.outcome as "resolved"}`)
    : t(turn.locale, `caseStatus.${c.status as CaseStatus}`);
}

async function decide(turn: Turn, staff: LinkedStaff, code: string, decision: "accept" | "decline"): Promise<void> {
  const c = await loadCase(turn, code);
  if (!c) return say(turn, "mediator.notFound", { code }, [[queueButton(turn)]]);
  if (c.status !== "routed") return say(turn, "mediator.tooLate", { code, status: statusLabel(turn, c) }, [[queueButton(turn)]]);
  try {
    if (decision === "accept") {
      await acceptCase(turn.deps.cases, { caseId: c.id, mediatorId: staff.id, actor: actor(staff) });
    } else {
      await declineCase(turn.deps.cases, { caseId: c.id, actor: actor(staff), reason: t(turn.locale, "mediator.declineReason") });
    }
  } catch (err) {
    // Who may act is the use case's to decide; here it is only said.
    if (isAppError(err, "FORBIDDEN")) return say(turn, "mediator.notYours", { code }, [[queueButton(turn)]]);
    // Someone else acted first: say so rather than fail.
    if (isAppError(err, "CONFLICT") || isAppError(err, "ILLEGAL_TRANSITION")) {
      const now = await loadCase(turn, code);
      return say(turn, "mediator.tooLate", { code, status: now ? statusLabel(turn, now) : "-" }, [[queueButton(turn)]]);
    }
    throw err;
  }
  say(turn, decision === "accept" ? "mediator.accepted" : "mediator.declined", { code }, [[queueButton(turn)]]);
}

async function showCase(turn: Turn, staff: LinkedStaff, code: string): Promise<void> {
  const c = await loadCase(turn, code);
  if (!c || !staffMay(staff, "view", c)) return say(turn, "mediator.notFound", { code }, [[queueButton(turn)]]);
  const buttons: Button[][] = c.status === "routed" ? [[acceptButton(turn.locale, code), declineButton(turn.locale, code)]] : [];
  buttons.push([queueButton(turn)]);
  say(
    turn,
    "mediator.case",
    {
      code,
      type: t(turn.locale, `type.${c.disputeType}`),
      status: statusLabel(turn, c),
      room: (turn.locale === "en" ? c.room?.nameEn : c.room?.nameZh) ?? "-",
      description: preview(c.description, 300),
    },
    buttons,
  );
}

/**
 * "Case assigned": every active mediator of the room gets a notification (recorded always, sent on their
 * chat when linked) with accept / return buttons. Safe to run twice: one notification row per key.
 */
export function createMediatorJobHandlers(deps: CaseDeps & { messenger: Messenger; staffLocale?: Locale }): Record<string, JobHandler> {
  const locale = deps.staffLocale ?? "zh-CN";
  return {
    [CASE_ASSIGNED]: async (payload, ctx) => {
      const caseId = String(payload.caseId);
      const c = await deps.repos.cases.byId(caseId);
      if (!c || c.status !== "routed" || !c.roomId || c.roomId !== payload.roomId) return;
      // Routed again since (back to this room too): that routing's own notice speaks for it.
      if (typeof payload.acceptDueAt === "string" && c.acceptDueAt?.toISOString() !== payload.acceptDueAt) return;
      const staff = await deps.repos.staff.active(["mediator", "staff"], c.roomId);
      const text = t(locale, "notify.caseAssigned", {
        code: c.code,
        type: t(locale, `type.${c.disputeType}`),
        room: (locale === "en" ? c.room?.nameEn : c.room?.nameZh) ?? "-",
        summary: preview(c.summary ?? c.description, 80),
        deadline: c.acceptDueAt ? formatLocal(c.acceptDueAt, deps.zone, locale) : "-",
      });
      const buttons = [[acceptButton(locale, c.code), declineButton(locale, c.code)]];
      for (const s of staff) {
        await notifyStaff(deps, { dedupeKey: `job:${ctx.jobId}:${s.id}`, staff: s, kind: "case_assigned", text, caseId: c.id, buttons });
      }
    },
  };
}

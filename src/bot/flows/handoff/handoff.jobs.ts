import type { CaseRepositories } from "../../../cases/repositories.js";
import type { Sql } from "../../../db/sql.js";
import { isLocale, t, type Locale } from "../../../i18n/index.js";
import { enqueueJobs } from "../../../jobs/job.repository.js";
import { isTriageOfficer } from "../../../cases/authorise.js";
import type { StaffRepository } from "../../../cases/staff.repository.js";
import { notifyStaff, type Messenger, type StaffRecipient } from "../../../jobs/notify-staff.js";
import type { JobHandler } from "../../../jobs/worker.js";
import type { Clock } from "../../../lib/clock.js";
import { AppError } from "../../../lib/errors.js";
import { formatLocal } from "../../../lib/time.js";
import type { ConversationRepository } from "../../conversation.repository.js";
import type { Inbound, Outbound } from "../../messages.js";
import { SAFETY_PAGE } from "../../safety.js";
import { preview } from "../../text.js";
import { tr, type TextKey } from "../../texts.js";
import { PARTY_STATEMENT } from "../respond/respond.flow.js";
import { HANDOFF_DUE, HANDOFF_FORWARD, HANDOFF_OPENED, HANDOFF_REPLY } from "./handoff.flow.js";
import type { HandoffRepository } from "./handoff.repository.js";

export interface HandoffJobDeps {
  repos: Pick<CaseRepositories, "cases" | "parties" | "staff" | "notifications">;
  clock: Clock;
  zone: string;
  messenger: Messenger;
  conversations: ConversationRepository;
  handoffs: HandoffRepository;
  staffLocale?: Locale;
}

/** Messages of the transcript shown to the person taking over. */
const TRANSCRIPT_LINES = 12;

/**
 * Jobs of the handoff and safety flows: the duty staff hear of a handoff (with the transcript), of
 * what the resident writes meanwhile, and of a promise about to be broken; staff replies reach the
 * resident on their own channel. Each runs again safely: notifications carry dedupe keys.
 */
export function createHandoffJobHandlers(deps: HandoffJobDeps): Record<string, JobHandler> {
  const locale = deps.staffLocale ?? "zh-CN";
  const say = (key: TextKey, params: Record<string, string | number> = {}) => tr(locale, key, params);

  const { cases, parties, staff: staffRepo } = deps.repos;
  const staffWithRoles = (roles: string[]): Promise<StaffRecipient[]> => staffRepo.active(roles);

  /** The duty desk; the supervisors when no one is on the desk. */
  async function dutyStaff(): Promise<StaffRecipient[]> {
    const duty = await staffWithRoles(["duty"]);
    return duty.length ? duty : staffWithRoles(["supervisor"]);
  }

  /** The resident as staff can reach them: a name and phone from their cases, if they gave one. */
  async function who(channel: string, userId: string): Promise<{ label: string; contact: string | null }> {
    const p = await parties.latestContact(channel, userId);
    return { label: p?.name ?? "", contact: p?.contact ?? null };
  }

  const channelLabel = (channel: string) =>
    channel === "web" || channel === "telegram" || channel === "wecom" ? say(`channel.${channel}`) : channel;

  async function transcript(channel: string, userId: string): Promise<string> {
    const entries = await deps.conversations.recent(channel, userId, TRANSCRIPT_LINES);
    return entries
      .map((e) => {
        const p = e.payload as Inbound & Outbound;
        const text = e.direction === "in" ? (p.buttonLabel ?? p.text ?? (p.file ? `📎 ${p.file.name ?? p.file.kind}` : "")) : "text" in p ? p.text : "";
        return text ? say(e.direction === "in" ? "notify.transcript.in" : "notify.transcript.out", { text: preview(text, 120) }) : "";
      })
      .filter(Boolean)
      .join("\n");
  }

  async function send(recipients: StaffRecipient[], key: string, kind: string, text: string): Promise<void> {
    for (const staff of recipients) {
      await notifyStaff(deps, { dedupeKey: `${key}:${staff.id}`, staff, kind, text });
    }
  }

  async function residentLocale(channel: string, userId: string): Promise<Locale> {
    const stored = await deps.conversations.localeOf(channel, userId);
    return stored && isLocale(stored) ? stored : "zh-CN";
  }

  return {
    [HANDOFF_OPENED]: async (payload, ctx) => {
      const h = await deps.handoffs.get(String(payload.handoffId));
      if (!h || h.status !== "open" || h.reason === "safety") return; // a safety page says it all
      const person = await who(h.channel, h.userId);
      const text = say("notify.handoff.opened", {
        channel: channelLabel(h.channel),
        who: person.label,
        reason: say(`handoff.reason.${h.reason}`),
        transcript: await transcript(h.channel, h.userId),
        by: formatLocal(h.replyDueAt, deps.zone, locale),
        id: h.id,
      });
      await send(await dutyStaff(), `job:${ctx.jobId}`, "handoff", text);
    },
    [HANDOFF_FORWARD]: async (payload, ctx) => {
      const h = await deps.handoffs.get(String(payload.handoffId));
      if (!h || h.status !== "open") return;
      const person = await who(h.channel, h.userId);
      const text = say("notify.handoff.message", { who: person.label || channelLabel(h.channel), text: String(payload.text), id: h.id });
      // Once someone answered, their messages go to them; before that, to the desk.
      const recipients = h.staffId ? (await staffWithRoles(["duty", "supervisor", "mediator", "staff"])).filter((s) => s.id === h.staffId) : [];
      await send(recipients.length ? recipients : await dutyStaff(), `job:${ctx.jobId}`, "handoff_message", text);
    },
    [HANDOFF_DUE]: async (payload, ctx) => {
      const h = await deps.handoffs.get(String(payload.handoffId));
      if (!h || h.status !== "open" || h.firstReplyAt) return; // answered in time, or over
      const person = await who(h.channel, h.userId);
      const text = say("notify.handoff.late", {
        id: h.id,
        channel: channelLabel(h.channel),
        who: person.label,
        by: formatLocal(h.replyDueAt, deps.zone, locale),
      });
      await send(await staffWithRoles(["supervisor"]), `job:${ctx.jobId}`, "handoff_late", text);
      const residentSays = tr(await residentLocale(h.channel, h.userId), "handoff.late");
      await deps.messenger.send(h.channel, h.userId, [{ kind: "text", text: residentSays }], { dedupeKey: `job:${ctx.jobId}:resident` });
    },
    [HANDOFF_REPLY]: async (payload, ctx) => {
      const h = await deps.handoffs.get(String(payload.handoffId));
      if (!h) return;
      const text = tr(await residentLocale(h.channel, h.userId), "handoff.staffSays", { text: String(payload.text) });
      await deps.messenger.send(h.channel, h.userId, [
        { kind: "text", text, buttons: [[{ label: tr(await residentLocale(h.channel, h.userId), "handoff.end"), data: "handoff:end" }]] },
      ], { dedupeKey: `job:${ctx.jobId}` });
    },
    [SAFETY_PAGE]: async (payload, ctx) => {
      const flags = (payload.flags as string[]).map((f) => t(locale, `risk.${f as "self_harm"}`)).join("、");
      const person = await who(String(payload.channel), String(payload.userId));
      const phone = (payload.phone as string | null) ?? person.contact;
      const name = (payload.name as string | null) ?? person.label;
      const text = say("notify.safety", {
        flags,
        channel: channelLabel(String(payload.channel)),
        who: name,
        text: String(payload.text),
        contact: phone ?? say("notify.contact.none"),
        id: String(payload.handoffId),
      });
      await send(await staffWithRoles(["duty", "supervisor"]), `job:${ctx.jobId}`, "safety_page", text);
    },
    [PARTY_STATEMENT]: async (payload, ctx) => {
      const c = await cases.byId(String(payload.caseId));
      if (!c) return;
      const all = await staffWithRoles(["mediator", "staff"]);
      const recipients = c.mediatorId ? all.filter((s) => s.id === c.mediatorId) : all.filter((s) => s.roomId === c.roomId);
      const text = say("notify.statement", { code: c.code, text: preview(String(payload.text), 500) });
      for (const staff of recipients) {
        await notifyStaff(deps, { dedupeKey: `job:${ctx.jobId}:${staff.id}`, staff, kind: "party_statement", text, caseId: c.id });
      }
    },
  };
}

/**
 * Staff answer a handoff: the reply is stamped on the handoff and scheduled for delivery in one
 * transaction (delivered by the job worker, so a channel that is down is retried).
 */
export async function replyToHandoff(
  deps: { sql: Sql; clock: Clock; handoffs: HandoffRepository; staff: Pick<StaffRepository, "byId">; onJobsDue?: () => void },
  input: { handoffId: string; text: string; staffId: string },
): Promise<{ deliveredBy: "job" }> {
  const h = await deps.handoffs.get(input.handoffId);
  if (!h) throw new AppError("NOT_FOUND", `No handoff ${input.handoffId}`);
  if (h.status !== "open") throw new AppError("CONFLICT", `Handoff ${input.handoffId} is closed`);
  // Who may answer a resident: centre staff; once a colleague has taken the conversation, they (or the
  // duty desk and supervisors, who cover for them), so a resident does not hear two people at once.
  const who = await deps.staff.byId(input.staffId);
  if (!who || !who.active) throw new AppError("FORBIDDEN", `${input.staffId} is not active staff`);
  if (h.staffId && h.staffId !== who.id && !isTriageOfficer(who)) {
    throw new AppError("FORBIDDEN", `handoff ${h.id} is answered by ${h.staffId}`);
  }
  const now = deps.clock.now();
  await deps.sql.transaction(async (tx) => {
    await deps.handoffs.markReplied(tx, h.id, who.id, now);
    await enqueueJobs(tx, [{ kind: HANDOFF_REPLY, payload: { handoffId: h.id, text: input.text }, dueAt: now }], now);
  });
  deps.onJobsDue?.();
  return { deliveredBy: "job" };
}

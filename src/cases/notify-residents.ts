import { t, isLocale } from "../i18n/index.js";
import type { Messenger } from "../jobs/notify-staff.js";
import type { JobHandler } from "../jobs/worker.js";
import { formatLocal } from "../lib/time.js";
import { isReferralNotice, referralNoticeFor } from "./consent-jobs.js";
import type { CaseDeps } from "./deps.js";
import type { CaseStatus, Outcome } from "./types.js";

export const RESIDENT_NOTIFY = "resident.notify";

/**
 * Which status changes the parties hear about; the rest are internal. A case opens routed without a
 * status change, so "routed" here is always a routing from triage or a re-routing: the resident was
 * told the centre would say where their case went.
 */
export function residentHearsOf(to: CaseStatus): boolean {
  return to === "in_mediation" || to === "received" || to === "routed" || to === "closed";
}

/**
 * Tells the parties who reached us on a chat channel that their case moved (accepted, returned to
 * triage, routed to another room, closed), in the case's language, through the delivery ledger (which retries a channel that is down).
 */
export function createResidentNotifyHandler(deps: CaseDeps & { messenger: Messenger }): JobHandler {
  return async (payload, ctx) => {
    const { caseId, to, outcome, notice } = payload as { caseId: string; to: CaseStatus; outcome?: Outcome; notice?: string };
    const c = await deps.repos.cases.byId(caseId);
    if (!c) return;
    const parties = await deps.repos.parties.ofCase(caseId);
    const locale = isLocale(c.language) ? c.language : "zh-CN";
    const when = (at: Date | null) => (at ? formatLocal(at, deps.zone, locale) : "-");
    const text =
      to === "in_mediation"
        ? t(locale, "resident.accepted", { code: c.code })
        : to === "received"
          ? t(locale, "resident.declined", { code: c.code, deadline: when(c.triageDueAt) })
          : to === "routed"
            ? t(locale, "resident.rerouted", {
                code: c.code,
                room: (locale === "en" ? c.room?.nameEn : c.room?.nameZh) ?? "-",
                deadline: when(c.acceptDueAt),
              })
            : t(locale, "resident.closed", { code: c.code, outcome: outcome ? t(locale, `outcome.${outcome}`) : "" });
    // A referral because of the other side's answer (or silence) goes to the claimants, with where to go now.
    const referral = to === "closed" && outcome === "referred" && isReferralNotice(notice) ? referralNoticeFor(c, notice, locale) : null;
    const done = new Set<string>(); // one message per chat, even if a person is party twice
    for (const p of parties) {
      if (!p.channel || !p.channelUserId) continue;
      if (referral && p.role !== "claimant") continue; // the other side gave the answer themselves, or none
      const key = `${p.channel}:${p.channelUserId}`;
      if (done.has(key)) continue;
      done.add(key);
      // Keyed by the job and the chat: a retry after one party's channel failed tells nobody twice.
      if (referral) await deps.messenger.send(p.channel, p.channelUserId, [referral], { caseId, dedupeKey: `job:${ctx.jobId}:${key}` });
      else await deps.messenger.sendText(p.channel, p.channelUserId, text, undefined, { caseId, dedupeKey: `job:${ctx.jobId}:${key}` });
    }
  };
}

import type { Outbound } from "../bot/messages.js";
import type { Sql } from "../db/sql.js";
import { t, isLocale, type Locale } from "../i18n/index.js";
import { enqueueJobs, type JobInput } from "../jobs/job.repository.js";
import type { Messenger } from "../jobs/notify-staff.js";
import type { JobHandler } from "../jobs/worker.js";
import { DAY } from "../lib/clock.js";
import { newToken } from "../lib/ids.js";
import { silentLogger, type Logger } from "../lib/logger.js";
import { formatLocal } from "../lib/time.js";
import type { CaseRecord } from "./case.repository.js";
import type { CaseDeps } from "./deps.js";
import { availabilityQuestion, invitationMessages, type InvitationDeps } from "./invitation.js";
import { createPartyInvite } from "./link-party.js";
import { isOpen } from "./lifecycle.js";
import type { PartyRecord } from "./party.repository.js";
import { referCase, sidesOf } from "./record-consent.js";
import { referralRoutes } from "./referral-routes.js";

/** The invited party has this long to answer, from the invitation (the case's opening, usually). */
export const CONSENT_WAIT_MS = 7 * DAY;
/** Reminders (the invited party, the claimant) go this long before the consent deadline. */
export const CONSENT_REMIND_BEFORE_MS = 2 * DAY;

/** Job: make the other party's invitation and give it to the claimant to forward. */
export const CONSENT_INVITE = "consent.invite";
/** Job: two days before the deadline, remind whoever has not answered (and the claimant). */
export const CONSENT_REMIND = "consent.remind";
/** Job: at the deadline, no answer → referral. */
export const CONSENT_DEADLINE = "consent.deadline";
/** Job: the other side agreed; the claimant hears it (and is asked when they can meet, if not yet). */
export const CONSENT_ANSWERED = "consent.answered";
/** Job for the booking side (its handler offers slots): both sides agreed and gave availability. Payload {caseId}. */
export const BOOKING_START = "booking.start";
/** Job for the booking side (its handler cancels a booked session): a party withdrew their yes. Payload {caseId, partyId}. */
export const BOOKING_CONSENT_WITHDRAWN = "booking.consent_withdrawn";

/** Why a mediation ended in a referral, as the claimant is told it. */
export const REFERRAL_NOTICES = ["consent_declined", "consent_timeout", "consent_ended"] as const;
export type ReferralNotice = (typeof REFERRAL_NOTICES)[number];
export const isReferralNotice = (v: unknown): v is ReferralNotice => (REFERRAL_NOTICES as readonly unknown[]).includes(v);

/** The claimant's referral message: why it ended, then the routes for the dispute, with a person one tap away. */
export function referralNoticeFor(c: Pick<CaseRecord, "code" | "disputeType">, notice: ReferralNotice, locale: Locale): Outbound {
  const routes = referralRoutes(c.disputeType, locale).map((r) => `· ${r}`).join("\n");
  return {
    kind: "text",
    text: t(locale, `consent.referred.${notice}`, { code: c.code, routes, days: Math.round(CONSENT_WAIT_MS / DAY) }),
    buttons: [[{ label: t(locale, "command.human"), data: "cmd:human" }, { label: t(locale, "command.status"), data: "cmd:status" }]],
  };
}

/**
 * The invitation job for a case just opened (or whose claimant asked for one): its token is chosen
 * here, so a run repeated after a crash puts the same link on the party and sends nothing twice.
 * Enqueue it with the turn that shows the case card, so the invitation comes after the card.
 */
export function inviteJob(caseId: string, now: Date): JobInput {
  return { kind: CONSENT_INVITE, payload: { caseId, token: newToken(18), invitedAt: now.toISOString() }, dueAt: now, dedupeKey: `${CONSENT_INVITE}:${caseId}` };
}

/**
 * The consent deadline from `from` (unless the case has one already), with its reminder and its
 * deadline job, in the caller's transaction. Returns the deadline in force.
 */
export async function startConsentWait(deps: Pick<CaseDeps, "repos">, tx: Sql, o: { caseId: string; from: Date; token?: string; now: Date }): Promise<Date> {
  const due = await deps.repos.cases.startConsentWait(tx, o.caseId, new Date(o.from.getTime() + CONSENT_WAIT_MS));
  const at = due.toISOString();
  await enqueueJobs(
    tx,
    [
      {
        kind: CONSENT_REMIND,
        payload: { caseId: o.caseId, dueAt: at, ...(o.token ? { token: o.token } : {}) },
        dueAt: new Date(due.getTime() - CONSENT_REMIND_BEFORE_MS),
        dedupeKey: `${CONSENT_REMIND}:${o.caseId}:${at}`,
      },
      { kind: CONSENT_DEADLINE, payload: { caseId: o.caseId, dueAt: at }, dueAt: due, dedupeKey: `${CONSENT_DEADLINE}:${o.caseId}:${at}` },
    ],
    o.now,
  );
  return due;
}

export interface ConsentJobDeps extends CaseDeps {
  messenger: Messenger;
  invitations: InvitationDeps;
  logger?: Logger;
}

const localeOf = (c: CaseRecord): Locale => (isLocale(c.language) ? c.language : "zh-CN");
const answered = (p: PartyRecord) => p.mediationConsent !== null;
const reachable = (p: PartyRecord | undefined): p is PartyRecord & { channel: string; channelUserId: string } => Boolean(p?.channel && p.channelUserId);

/** Each handler reads the case as it is now and does nothing when the moment has passed (answered, closed, deadline moved). */
export function createConsentJobHandlers(deps: ConsentJobDeps): Record<string, JobHandler> {
  const { cases, parties } = deps.repos;
  const logger = deps.logger ?? silentLogger;

  /** The case if it is open and still waits for the other side's answer with this deadline. */
  async function waiting(caseId: string, dueAt: string): Promise<{ c: CaseRecord; all: PartyRecord[] } | null> {
    const c = await cases.byId(caseId);
    if (!c || !isOpen(c.status)) return null;
    const due = await cases.consentDue(caseId);
    if (!due || due.toISOString() !== dueAt) return null;
    const all = await parties.ofCase(caseId);
    if (sidesOf(all).respondents.some(answered)) return null;
    return { c, all };
  }

  const askAvailability = (claimant: PartyRecord, locale: Locale): Outbound[] =>
    claimant.availability ? [] : [availabilityQuestion(locale, { partyId: claimant.id, selected: [], zone: claimant.timeZone ?? deps.zone })];

  return {
    [CONSENT_INVITE]: async (payload, ctx) => {
      const { caseId, token, invitedAt } = payload as { caseId: string; token: string; invitedAt: string };
      const c = await cases.byId(caseId);
      if (!c || !isOpen(c.status)) return;
      const { claimant, respondents } = sidesOf(await parties.ofCase(caseId));
      // The other side is here already (answered by phone, or linked through staff's invitation).
      if (respondents.some((r) => answered(r) || r.channelUserId)) return;
      const now = deps.clock.now();
      await createPartyInvite(deps, { caseCode: c.code, role: "respondent", actor: "system", token });
      const due = await deps.sql.transaction((tx) => startConsentWait(deps, tx, { caseId, from: new Date(invitedAt), token, now }));
      deps.onJobsDue?.();
      if (!reachable(claimant)) return;
      const locale = localeOf(c);
      const messages = [
        ...(await invitationMessages(deps.invitations, { token, code: c.code, type: c.disputeType, dueAt: due, locale })),
        ...askAvailability(claimant, locale),
      ];
      await deps.messenger.send(claimant.channel, claimant.channelUserId, messages, { caseId, dedupeKey: `job:${ctx.jobId}` });
    },

    [CONSENT_REMIND]: async (payload, ctx) => {
      const { caseId, dueAt, token } = payload as { caseId: string; dueAt: string; token?: string };
      const found = await waiting(caseId, dueAt);
      if (!found) return logger.debug({ jobId: ctx.jobId, caseId }, "consent reminder not needed");
      const { c, all } = found;
      const locale = localeOf(c);
      const due = new Date(dueAt);
      const deadline = formatLocal(due, deps.zone, locale);
      const centre = locale === "en" ? deps.invitations.centre.nameEn : deps.invitations.centre.nameZh;
      const { claimant, respondents } = sidesOf(all);
      for (const r of respondents.filter(reachable)) {
        await deps.messenger.send(
          r.channel!,
          r.channelUserId!,
          [
            {
              kind: "text",
              text: t(locale, "consent.remind.party", { centre, code: c.code, deadline }),
              buttons: [[{ label: t(locale, "consent.accept"), data: `rsp:${r.id}:accept` }, { label: t(locale, "consent.decline"), data: `rsp:${r.id}:decline` }]],
            },
          ],
          { caseId, dedupeKey: `job:${ctx.jobId}:${r.id}` },
        );
      }
      if (!reachable(claimant)) return;
      const opened = respondents.some((r) => r.channelUserId);
      const pending = token ? await parties.pendingInvite(token, deps.clock.now()) : null;
      const messages: Outbound[] = opened
        ? [{ kind: "text", text: t(locale, "consent.remind.claimantOpened", { code: c.code, deadline }) }]
        : [
            { kind: "text", text: t(locale, "consent.remind.claimant", { code: c.code, deadline }) },
            // The same links again (the same token): what was forwarded before still works.
            ...(pending && token ? (await invitationMessages(deps.invitations, { token, code: c.code, type: c.disputeType, dueAt: due, locale })).slice(1) : []),
          ];
      await deps.messenger.send(claimant.channel, claimant.channelUserId, messages, { caseId, dedupeKey: `job:${ctx.jobId}:claimant` });
    },

    [CONSENT_DEADLINE]: async (payload, ctx) => {
      const { caseId, dueAt } = payload as { caseId: string; dueAt: string };
      const found = await waiting(caseId, dueAt);
      if (!found || deps.clock.now().getTime() < new Date(dueAt).getTime()) return;
      logger.info({ jobId: ctx.jobId, code: found.c.code }, "no answer to the mediation invitation by the deadline: referred");
      await referCase(deps, { caseId, notice: "consent_timeout", reason: "the other party did not answer the invitation to mediate by the deadline" });
    },

    [CONSENT_ANSWERED]: async (payload, ctx) => {
      const { caseId, partyId } = payload as { caseId: string; partyId: string };
      const c = await cases.byId(caseId);
      if (!c || !isOpen(c.status)) return;
      const all = await parties.ofCase(caseId);
      if (all.find((p) => p.id === partyId)?.mediationConsent !== "accepted") return; // changed their mind meanwhile
      const { claimant } = sidesOf(all);
      if (!reachable(claimant)) return;
      const locale = localeOf(c);
      await deps.messenger.send(
        claimant.channel,
        claimant.channelUserId,
        [{ kind: "text", text: t(locale, "consent.accepted.claimant", { code: c.code }) }, ...askAvailability(claimant, locale)],
        { caseId, dedupeKey: `job:${ctx.jobId}` },
      );
    },
  };
}

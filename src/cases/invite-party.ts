import { AppError } from "../lib/errors.js";
import type { Messenger } from "../jobs/notify-staff.js";
import { startConsentWait } from "./consent-jobs.js";
import type { CaseDeps } from "./deps.js";
import { invitationOf, type InvitationDeps } from "./invitation.js";
import { createPartyInvite } from "./link-party.js";
import { isOpen } from "./lifecycle.js";
import type { PartyRole } from "./types.js";
import { isLocale } from "../i18n/index.js";

export interface SentInvite {
  caseCode: string;
  partyId: string;
  token: string;
  expiresAt: Date;
  startPayload: string;
  links: { web: string; telegram: string | null };
  /** The invitation as a person reads it, links in it: what went to the chat, or what to send by SMS. */
  text: string;
  consentDueAt: Date;
  /** Handed to the delivery ledger for this chat. */
  sentTo: { channel: string; recipient: string } | null;
}

/**
 * Staff invite a party they can reach: a new invitation (it replaces one not yet used, so a link given
 * out earlier stops working), the consent deadline started if it was not, and the invitation sent
 * through the messenger to a chat they name. Without a chat they get the text to send themselves
 * (there is no SMS channel).
 */
export async function sendPartyInvite(
  deps: CaseDeps & { messenger: Messenger; invitations: InvitationDeps },
  input: { caseCode: string; role?: PartyRole; actor: string; channel?: string; recipient?: string },
): Promise<SentInvite> {
  const c = await deps.repos.cases.byCode(input.caseCode);
  if (!c) throw new AppError("NOT_FOUND", `No case ${input.caseCode}`);
  if (!isOpen(c.status)) throw new AppError("CONFLICT", `Case ${c.code} is ${c.status}: nobody is invited to it any more`);
  const invite = await createPartyInvite(deps, { caseCode: c.code, role: input.role ?? "respondent", actor: input.actor });
  const now = deps.clock.now();
  const due = await deps.sql.transaction((tx) => startConsentWait(deps, tx, { caseId: c.id, from: now, now }));
  deps.onJobsDue?.();
  const locale = isLocale(c.language) ? c.language : "zh-CN";
  const inv = invitationOf(deps.invitations, { token: invite.token, code: c.code, type: c.disputeType, dueAt: due, locale });
  let sentTo: SentInvite["sentTo"] = null;
  if (input.channel && input.recipient) {
    await deps.messenger.send(input.channel, input.recipient, [{ kind: "text", text: inv.text }], { caseId: c.id });
    sentTo = { channel: input.channel, recipient: input.recipient };
  }
  return {
    caseCode: c.code,
    partyId: invite.partyId,
    token: invite.token,
    expiresAt: invite.expiresAt,
    startPayload: `r_${invite.token}`,
    links: { web: inv.web, telegram: inv.telegram },
    text: inv.text,
    consentDueAt: due,
    sentTo,
  };
}

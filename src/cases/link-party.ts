import { DAY } from "../lib/clock.js";
import { AppError } from "../lib/errors.js";
import { newToken } from "../lib/ids.js";
import { recordEvent } from "./audit.js";
import type { CaseDeps } from "./deps.js";
import type { DisputeType, PartyRole } from "./types.js";

export const PARTY_INVITE_TTL_MS = 14 * DAY;

/**
 * Invites a party (by default the respondent) to follow the case on a chat channel: a one-time token
 * for a deep link (r_<token>). A case without an unlinked party of that role gets one. Knowing a case
 * code is not enough to join a case; holding this token is.
 */
export async function createPartyInvite(
  deps: Pick<CaseDeps, "repos" | "sql" | "clock">,
  input: {
    caseCode: string;
    role?: PartyRole;
    actor: string;
    ttlMs?: number;
    /** A token chosen beforehand (a job's payload), so a job run again puts the same link on the party. */
    token?: string;
  },
): Promise<{ token: string; expiresAt: Date; caseCode: string; partyId: string }> {
  const { cases, parties } = deps.repos;
  const now = deps.clock.now();
  const role = input.role ?? "respondent";
  const c = await cases.byCode(input.caseCode);
  if (!c) throw new AppError("NOT_FOUND", `No case ${input.caseCode}`);
  const token = input.token ?? newToken(18);
  const expiresAt = new Date(now.getTime() + (input.ttlMs ?? PARTY_INVITE_TTL_MS));
  const partyId = await deps.sql.transaction(async (tx) => {
    // The case row first: two invitations of one case at once are made one after the other, so the
    // second finds the party the first added instead of adding another.
    await cases.touch(tx, c.id, now);
    const id = await parties.invite(tx, { caseId: c.id, role, token, expiresAt, now });
    await recordEvent(tx, { caseId: c.id, at: now, actor: input.actor, action: "party_invited", data: { role, partyId: id } });
    return id;
  });
  return { token, expiresAt, caseCode: c.code, partyId };
}

export type LinkPartyResult =
  | { linked: { caseId: string; caseCode: string; caseType: DisputeType; role: string; partyId: string } }
  | { error: "invalid" | "expired" };

/** Uses a party invite: the party row gets this chat and the token is cleared, so it works once. */
export async function linkPartyByInvite(
  deps: Pick<CaseDeps, "repos" | "sql" | "clock">,
  input: { token: string; channel: string; channelUserId: string; name?: string },
): Promise<LinkPartyResult> {
  const { cases, parties } = deps.repos;
  const now = deps.clock.now();
  const linked = await deps.sql.transaction(async (tx) => {
    // One conditional update decides: of two chats racing with the token, one links; an expired or
    // used token changes nothing.
    const party = await parties.claimInvite(tx, {
      token: input.token,
      now,
      channel: input.channel,
      channelUserId: input.channelUserId,
      name: input.name ?? null,
    });
    if (!party) return null;
    await recordEvent(tx, {
      caseId: party.caseId,
      at: now,
      actor: `party:${input.channel}:${input.channelUserId}`,
      action: "party_linked",
      data: { role: party.role, partyId: party.id, channel: input.channel },
    });
    return party;
  });
  if (!linked) return { error: (await parties.inviteExpiry(input.token)) ? "expired" : "invalid" };
  const c = await cases.byId(linked.caseId);
  if (!c) throw new AppError("NOT_FOUND", `No case ${linked.caseId}`);
  return { linked: { caseId: c.id, caseCode: c.code, caseType: c.disputeType, role: linked.role, partyId: linked.id } };
}

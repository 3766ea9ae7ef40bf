import type { Db } from "../db/client.js";
import { sql, type Sql } from "../db/sql.js";
import type { Clock } from "../lib/clock.js";
import { DAY } from "../lib/clock.js";
import { AppError } from "../lib/errors.js";
import { newId, newToken } from "../lib/ids.js";
import { recordEvent } from "./audit.js";

export const PARTY_INVITE_TTL_MS = 14 * DAY;

/**
 * Invites a party (by default the respondent) to follow the case on a chat channel: a one-time token
 * for a deep link (r_<token>). A case without a respondent row gets one. Knowing a case code is not
 * enough to join a case; holding this token is.
 */
export async function createPartyInvite(
  deps: { db: Db; sql: Sql; clock: Clock },
  input: { caseCode: string; role?: "respondent" | "claimant" | "other"; actor: string; ttlMs?: number },
): Promise<{ token: string; expiresAt: Date; caseCode: string; partyId: string }> {
  const { db } = deps;
  const now = deps.clock.now();
  const role = input.role ?? "respondent";
  const c = await db.case.findUnique({ where: { code: input.caseCode }, include: { parties: true } });
  if (!c) throw new AppError("NOT_FOUND", `No case ${input.caseCode}`);
  const token = newToken(18);
  const expiresAt = new Date(now.getTime() + (input.ttlMs ?? PARTY_INVITE_TTL_MS));
  const party = c.parties.find((p) => p.role === role && !p.channelUserId);
  const partyId = party?.id ?? newId();
  await deps.sql.transaction(async (tx) => {
    await tx.execute(
      party
        ? sql`UPDATE "Party" SET "inviteToken" = ${token}, "inviteExpiresAt" = ${expiresAt} WHERE "id" = ${partyId}`
        : sql`INSERT INTO "Party" ("id", "caseId", "role", "inviteToken", "inviteExpiresAt", "createdAt")
              VALUES (${partyId}, ${c.id}, ${role}, ${token}, ${expiresAt}, ${now})`,
    );
    await recordEvent(tx, { caseId: c.id, at: now, actor: input.actor, action: "party_invited", data: { role, partyId } });
  });
  return { token, expiresAt, caseCode: c.code, partyId };
}

export type LinkPartyResult =
  | { linked: { caseId: string; caseCode: string; role: string } }
  | { error: "invalid" | "expired" };

/** Uses a party invite: the party row gets this chat and the token is cleared, so it works once. */
export async function linkPartyByInvite(
  deps: { db: Db; sql: Sql; clock: Clock },
  input: { token: string; channel: string; channelUserId: string; name?: string },
): Promise<LinkPartyResult> {
  const { db } = deps;
  const now = deps.clock.now();
  const party = await db.party.findUnique({ where: { inviteToken: input.token }, include: { case: true } });
  if (!party) return { error: "invalid" };
  if (!party.inviteExpiresAt || party.inviteExpiresAt.getTime() <= now.getTime()) return { error: "expired" };
  return deps.sql.transaction(async (tx) => {
    // Conditional on the token still being there: of two chats racing with it, one links.
    const used = await tx.execute(sql`
      UPDATE "Party" SET "inviteToken" = NULL, "inviteExpiresAt" = NULL, "channel" = ${input.channel},
        "channelUserId" = ${input.channelUserId}, "serviceChannel" = ${party.serviceChannel ?? "chat"},
        "name" = ${party.name ?? input.name ?? null}
      WHERE "id" = ${party.id} AND "inviteToken" = ${input.token}`);
    if (used !== 1) return { error: "invalid" } as const;
    await recordEvent(tx, {
      caseId: party.caseId,
      at: now,
      actor: `party:${input.channel}:${input.channelUserId}`,
      action: "party_linked",
      data: { role: party.role, partyId: party.id, channel: input.channel },
    });
    return { linked: { caseId: party.caseId, caseCode: party.case.code, role: party.role } };
  });
}

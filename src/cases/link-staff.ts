import type { Db } from "../db/client.js";
import { sql, type Sql } from "../db/sql.js";
import type { Clock } from "../lib/clock.js";
import { HOUR } from "../lib/clock.js";
import { AppError } from "../lib/errors.js";
import { newToken } from "../lib/ids.js";

export const STAFF_INVITE_TTL_MS = 24 * HOUR;

export interface LinkedStaff {
  id: string;
  name: string;
  role: string;
  roomId: string | null;
}

/** A one-time code a mediator sends to the bot (deep link m_<code>) to link their chat to their Staff row. */
export async function createStaffInvite(
  deps: { db: Db; clock: Clock },
  input: { staffId: string; ttlMs?: number },
): Promise<{ code: string; expiresAt: Date }> {
  const staff = await deps.db.staff.findUnique({ where: { id: input.staffId } });
  if (!staff || !staff.active) throw new AppError("NOT_FOUND", `No active staff ${input.staffId}`);
  const code = newToken(18);
  const expiresAt = new Date(deps.clock.now().getTime() + (input.ttlMs ?? STAFF_INVITE_TTL_MS));
  await deps.db.inviteCode.create({ data: { code, staffId: staff.id, expiresAt } });
  return { code, expiresAt };
}

export type LinkStaffResult = { linked: LinkedStaff } | { error: "invalid" | "expired" | "used" | "taken" };

/**
 * Uses an invite: the code is marked used and the Staff row gets this chat, in one transaction. The
 * conditional update is what makes the code single-use when two chats race with it.
 */
export async function linkStaffByInvite(
  deps: { db: Db; sql: Sql; clock: Clock },
  input: { code: string; channel: string; channelUserId: string },
): Promise<LinkStaffResult> {
  const { db } = deps;
  const now = deps.clock.now();
  const invite = await db.inviteCode.findUnique({ where: { code: input.code } });
  if (!invite) return { error: "invalid" };
  if (invite.usedAt) return { error: "used" };
  if (invite.expiresAt.getTime() <= now.getTime()) return { error: "expired" };
  const other = await db.staff.findFirst({
    where: { channel: input.channel, channelUserId: input.channelUserId, id: { not: invite.staffId } },
  });
  // One chat account is one person: a chat already linked to someone else cannot take a second identity.
  if (other) return { error: "taken" };
  return deps.sql.transaction(async (tx) => {
    const used = await tx.execute(sql`UPDATE "InviteCode" SET "usedAt" = ${now} WHERE "code" = ${input.code} AND "usedAt" IS NULL`);
    if (used !== 1) return { error: "used" } as const;
    const [staff] = await tx.query<LinkedStaff>(sql`
      UPDATE "Staff" SET "channel" = ${input.channel}, "channelUserId" = ${input.channelUserId}
      WHERE "id" = ${invite.staffId} RETURNING "id", "name", "role", "roomId"`);
    if (!staff) throw new AppError("NOT_FOUND", `No staff ${invite.staffId}`);
    return { linked: staff };
  });
}

import { HOUR } from "../lib/clock.js";
import { AppError } from "../lib/errors.js";
import { newToken } from "../lib/ids.js";
import type { CaseDeps } from "./deps.js";
import type { LinkedStaff } from "./staff.repository.js";

export type { LinkedStaff } from "./staff.repository.js";

export const STAFF_INVITE_TTL_MS = 24 * HOUR;

/** A one-time code a mediator sends to the bot (deep link m_<code>) to link their chat to their Staff row. */
export async function createStaffInvite(
  deps: Pick<CaseDeps, "repos" | "clock">,
  input: { staffId: string; ttlMs?: number },
): Promise<{ code: string; expiresAt: Date }> {
  const { staff } = deps.repos;
  const person = await staff.byId(input.staffId);
  if (!person || !person.active) throw new AppError("NOT_FOUND", `No active staff ${input.staffId}`);
  const code = newToken(18);
  const expiresAt = new Date(deps.clock.now().getTime() + (input.ttlMs ?? STAFF_INVITE_TTL_MS));
  await staff.createInvite({ code, staffId: person.id, expiresAt });
  return { code, expiresAt };
}

export type LinkStaffResult = { linked: LinkedStaff } | { error: "invalid" | "expired" | "used" | "taken" };

/** Rolls the link back: this chat is someone else's. */
class ChatTaken extends Error {}

/**
 * Uses an invite: the code is marked used and this chat joins the staff member's chats (a person may
 * link several: each invite adds one), in one transaction. Both writes are conditional, so the code is
 * single-use when two chats race with it, and one chat account is one person: a chat linked to someone
 * else cannot take a second identity (the code then stays unused). Two links of one chat racing are
 * decided by the StaffChannel key; the loser is answered `taken`.
 */
export async function linkStaffByInvite(
  deps: Pick<CaseDeps, "repos" | "sql" | "clock">,
  input: { code: string; channel: string; channelUserId: string },
): Promise<LinkStaffResult> {
  const { staff } = deps.repos;
  const now = deps.clock.now();
  const invite = await staff.invite(input.code);
  if (!invite) return { error: "invalid" };
  if (invite.usedAt) return { error: "used" };
  if (invite.expiresAt.getTime() <= now.getTime()) return { error: "expired" };
  try {
    return await deps.sql.transaction(async (tx) => {
      if (!(await staff.useInvite(tx, input.code, now))) return { error: "used" } as const;
      const linked = await staff.linkChat(tx, invite.staffId, { channel: input.channel, channelUserId: input.channelUserId }, now);
      if (!linked) throw new ChatTaken();
      return { linked };
    });
  } catch (err) {
    const holder = await staff.chatHolder(input.channel, input.channelUserId);
    if (holder !== null && holder !== invite.staffId) return { error: "taken" };
    if (err instanceof ChatTaken) throw new AppError("NOT_FOUND", `No staff ${invite.staffId}`);
    throw err;
  }
}

import { AppError } from "../lib/errors.js";
import { changeCaseStatus } from "./change-status.js";
import type { CaseDeps } from "./deps.js";

/**
 * 分流 by a person: a triage officer (or supervisor) sends a case in the triage queue, or a routed
 * case, to a room. It gets a fresh acceptance deadline with its 催办 / 督办, the room's mediators get
 * the case-assigned notice, the resident hears where it went; the old deadline's reminders go stale.
 * Who may do it is decided in change-status (authorise.ts).
 */
export async function assignRoom(
  deps: CaseDeps,
  input: { code: string; roomId: string; actor: string; reason?: string },
): Promise<{ caseId: string; acceptDueAt: Date }> {
  const c = await deps.repos.cases.byCode(input.code);
  if (!c) throw new AppError("NOT_FOUND", `No case ${input.code}`);
  await changeCaseStatus(deps, { caseId: c.id, to: "routed", roomId: input.roomId, actor: input.actor, reason: input.reason });
  const routed = await deps.repos.cases.byId(c.id);
  if (!routed?.acceptDueAt) throw new AppError("INTERNAL", `Case ${input.code} routed without an acceptance deadline`);
  return { caseId: c.id, acceptDueAt: routed.acceptDueAt };
}

import { AppError } from "../lib/errors.js";
import type { CaseRecord } from "./case.repository.js";
import type { CaseDeps } from "./deps.js";
import type { StaffRecord } from "./staff.repository.js";
import type { Outcome } from "./types.js";

/**
 * Who may do what to a case: the one place it is decided, inside the use cases. Adapters (the
 * mediator's chat, the staff API) only name the actor and translate FORBIDDEN.
 *
 * - accept (受理): a mediator of the case's room takes it on themselves; a supervisor may assign it.
 * - decline (退回): staff of the case's room; triage officers and supervisors.
 * - route (分流, also re-routing a routed case): triage officers and supervisors.
 * - close (结案), follow_up (回访), reply (to the parties): the case's mediator, staff of its room,
 *   triage officers and supervisors; a claimant may close their own case as withdrawn.
 * - view: as close, and any party of the case.
 */
export type CaseAction = "accept" | "decline" | "route" | "close" | "follow_up" | "reply" | "view";

/** Roles that work the triage queue (研判分流): the centre's duty desk and its supervisors. */
export const TRIAGE_ROLES = ["duty", "supervisor"] as const;
/** Roles that sit in a room and mediate its cases. */
export const ROOM_ROLES = ["mediator", "staff"] as const;

/** The actor as the domain knows them, from the audit string the use cases are given. */
export type Principal =
  | { kind: "system" }
  | { kind: "staff"; staff: StaffRecord }
  | { kind: "resident"; channel: string; userId: string };

type CaseScope = Pick<CaseRecord, "id" | "code" | "roomId" | "mediatorId">;

export const isTriageOfficer = (s: Pick<StaffRecord, "role">) => (TRIAGE_ROLES as readonly string[]).includes(s.role);
export const isSupervisor = (s: Pick<StaffRecord, "role">) => s.role === "supervisor";
const inRoom = (s: Pick<StaffRecord, "role" | "roomId">, c: CaseScope) =>
  (ROOM_ROLES as readonly string[]).includes(s.role) && s.roomId !== null && s.roomId === c.roomId;

/** May this staff member do this to the case? (Residents and the system are decided in `authorise`.) */
export function staffMay(s: Pick<StaffRecord, "id" | "role" | "roomId">, action: CaseAction, c: CaseScope): boolean {
  if (isSupervisor(s)) return true;
  switch (action) {
    case "accept":
      return inRoom(s, c);
    case "decline":
      return inRoom(s, c) || isTriageOfficer(s);
    case "route":
      return isTriageOfficer(s);
    case "close":
    case "follow_up":
    case "reply":
    case "view":
      return c.mediatorId === s.id || inRoom(s, c) || isTriageOfficer(s);
  }
}

function forbidden(actor: string, action: CaseAction, c: CaseScope): AppError {
  return new AppError("FORBIDDEN", `${actor} may not ${action} case ${c.code}`, { details: { action, code: c.code } });
}

/** Reads the actor: "system", "staff:<id>" (an active staff member) or "resident:<channel>:<user id>". */
export async function principalOf(deps: Pick<CaseDeps, "repos">, actor: string): Promise<Principal | null> {
  if (actor === "system") return { kind: "system" };
  const staff = actor.match(/^staff:(.+)$/);
  if (staff) {
    const s = await deps.repos.staff.byId(staff[1]!);
    return s && s.active ? { kind: "staff", staff: s } : null;
  }
  const resident = actor.match(/^resident:([^:]+):(.+)$/);
  if (resident) return { kind: "resident", channel: resident[1]!, userId: resident[2]! };
  return null;
}

/**
 * Throws FORBIDDEN unless the actor may do this to the case; returns who they are. A resident may only
 * withdraw (close as withdrawn) a case they are a claimant in, and view one they are a party to.
 */
export async function authorise(
  deps: Pick<CaseDeps, "repos">,
  input: { actor: string; action: CaseAction; case: CaseScope; outcome?: Outcome },
): Promise<Principal> {
  const { actor, action, case: c } = input;
  const who = await principalOf(deps, actor);
  if (!who) throw forbidden(actor, action, c);
  if (who.kind === "system") return who;
  if (who.kind === "staff") {
    if (!staffMay(who.staff, action, c)) throw forbidden(actor, action, c);
    return who;
  }
  const withdrawing = action === "close" && input.outcome === "withdrawn";
  if (!withdrawing && action !== "view") throw forbidden(actor, action, c);
  const parties = await deps.repos.parties.ofCase(c.id);
  const mine = parties.filter((p) => p.channel === who.channel && p.channelUserId === who.userId);
  if (!mine.some((p) => (withdrawing ? p.role === "claimant" : true))) throw forbidden(actor, action, c);
  return who;
}

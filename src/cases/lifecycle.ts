import { AppError } from "../lib/errors.js";
import type { CaseStatus, Outcome } from "./types.js";

/**
 * The closed loop (闭环): 受理 received → 分流 routed → 调处 in_mediation → 结案 closed → 回访 followed_up.
 * A routed case a mediator declines goes back to triage; any open case can be withdrawn or referred.
 */
const ALLOWED: Record<CaseStatus, readonly CaseStatus[]> = {
  received: ["routed", "closed"],
  routed: ["in_mediation", "received", "routed", "closed"],
  in_mediation: ["closed"],
  closed: ["followed_up"],
  followed_up: [],
};

/** Outcomes each source status may close with: only a mediation can end resolved or failed. */
const CLOSE_OUTCOMES: Record<CaseStatus, readonly Outcome[]> = {
  received: ["withdrawn", "referred"],
  routed: ["withdrawn", "referred"],
  in_mediation: ["resolved", "failed", "withdrawn", "referred"],
  closed: [],
  followed_up: [],
};

export function canTransition(from: CaseStatus, to: CaseStatus, outcome?: Outcome): boolean {
  if (!ALLOWED[from].includes(to)) return false;
  if (to === "closed") return outcome !== undefined && CLOSE_OUTCOMES[from].includes(outcome);
  return outcome === undefined;
}

export function assertTransition(from: CaseStatus, to: CaseStatus, outcome?: Outcome): void {
  if (!canTransition(from, to, outcome)) {
    throw new AppError("ILLEGAL_TRANSITION", `A case cannot go from ${from} to ${to}${outcome ? ` (${outcome})` : ""}`, {
      details: { from, to, outcome },
    });
  }
}

export function isOpen(status: CaseStatus): boolean {
  return status === "received" || status === "routed" || status === "in_mediation";
}

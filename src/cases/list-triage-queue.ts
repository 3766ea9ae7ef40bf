import type { TriageRow } from "./case.repository.js";
import type { CaseDeps } from "./deps.js";

export type { TriageRow as TriageItem } from "./case.repository.js";

/**
 * 研判 queue: cases a room declined or returned, back in `received`, the oldest triage deadline first
 * (risk-flagged ones before the rest). Each has its triage deadline with 催办 and 督办 (change-status.ts).
 */
export async function listTriageQueue(deps: Pick<CaseDeps, "repos">, limit = 100): Promise<TriageRow[]> {
  const rows = await deps.repos.cases.inTriage(limit);
  // Stable: within each group the repository's deadline order stays.
  return [...rows.filter((r) => r.riskFlags.length > 0), ...rows.filter((r) => r.riskFlags.length === 0)];
}

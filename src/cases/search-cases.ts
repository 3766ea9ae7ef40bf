import type { CaseFilter, CaseRecord } from "./case.repository.js";
import type { CaseDeps } from "./deps.js";

export type { CaseFilter };

/** Staff look through cases: by status, room, type or risk flag, newest first, a page at a time. */
export function searchCases(deps: Pick<CaseDeps, "repos">, filter: CaseFilter): Promise<CaseRecord[]> {
  return deps.repos.cases.search({ ...filter, limit: Math.min(Math.max(filter.limit, 1), 200) });
}

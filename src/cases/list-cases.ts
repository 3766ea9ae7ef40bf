import type { CaseSummary } from "./case.repository.js";
import type { CaseDeps } from "./deps.js";

export type { CaseSummary } from "./case.repository.js";

/** Cases in which this chat user is a party, newest first. */
export function listCasesForUser(deps: Pick<CaseDeps, "repos">, channel: string, userId: string, limit = 10): Promise<CaseSummary[]> {
  return deps.repos.cases.ofParty(channel, userId, limit);
}

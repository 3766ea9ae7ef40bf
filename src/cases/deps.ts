import type { Sql } from "../db/sql.js";
import type { Clock } from "../lib/clock.js";
import type { SlaTerms } from "./deadlines.js";
import type { CaseRepositories } from "./repositories.js";

/** What case use cases need; built once in main.ts. */
export interface CaseDeps {
  /** Every read and write of cases, parties, evidence, staff, notifications and the SLA policy. */
  repos: CaseRepositories;
  /** Transactions (the repositories' writes take the `tx` it hands out), and the statement modules (audit, codes, routing). */
  sql: Sql;
  clock: Clock;
  /** The centre's IANA time zone: day boundaries, deadlines, case-code dates. */
  zone: string;
  codePrefix: string;
  /** Called after a commit that enqueued jobs due now (risk pages), so the worker runs them at once. */
  onJobsDue?: () => void;
}

/** The SLA policy and calendar in force, with the centre's zone: what every deadline is computed from. */
export async function slaTerms(deps: Pick<CaseDeps, "repos" | "zone">): Promise<SlaTerms> {
  const { policy, calendar } = await deps.repos.sla.current();
  return { policy, calendar, zone: deps.zone };
}

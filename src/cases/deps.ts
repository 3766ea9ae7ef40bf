import type { Db } from "../db/client.js";
import type { Sql } from "../db/sql.js";
import type { Clock } from "../lib/clock.js";
import type { SlaPolicy } from "./deadlines.js";

/** What case use cases need; built once in main.ts. */
export interface CaseDeps {
  /** Prisma's model API, for reads off the per-message path. */
  db: Db;
  /** Plain SQL and every transaction. */
  sql: Sql;
  clock: Clock;
  /** The centre's IANA time zone: day boundaries, deadlines, case-code dates. */
  zone: string;
  sla: SlaPolicy;
  codePrefix: string;
  /** Called after a commit that enqueued jobs due now (risk pages), so the worker runs them at once. */
  onJobsDue?: () => void;
}

import type { Sql } from "../db/sql.js";
import { createNotificationRepository } from "../jobs/notification.repository.js";
import { createCaseRepository } from "./case.repository.js";
import { createEvidenceRepository } from "./evidence.repository.js";
import { createPartyRepository } from "./party.repository.js";
import { createSlaRepository } from "./sla.repository.js";
import { createStaffRepository } from "./staff.repository.js";

/** One repository per aggregate, all on the `Sql` port; built once in main.ts and passed in through deps. */
export function createCaseRepositories(sql: Sql) {
  return {
    cases: createCaseRepository(sql),
    parties: createPartyRepository(sql),
    evidence: createEvidenceRepository(sql),
    staff: createStaffRepository(sql),
    notifications: createNotificationRepository(sql),
    sla: createSlaRepository(sql),
  };
}

export type CaseRepositories = ReturnType<typeof createCaseRepositories>;

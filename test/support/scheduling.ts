import { openCase } from "../../src/cases/open-case.js";
import type { CaseDeps } from "../../src/cases/deps.js";
import type { Sql } from "../../src/db/sql.js";
import { createSchedulingRepository } from "../../src/scheduling/scheduling.repository.js";
import type { SchedulingDeps } from "../../src/scheduling/deps.js";
import { newId } from "../../src/lib/ids.js";
import { caseInput } from "./cases.js";
import { sql } from "./query.js";

export function schedulingDeps(cases: CaseDeps, video = false): SchedulingDeps {
  return { cases, scheduling: createSchedulingRepository(cases.sql), video };
}

export interface PartyPlanInput {
  presets: string[];
  timeZone?: string;
  preferLanguage?: string;
}

/**
 * A case both sides agreed to mediate, with when each can meet: a property-management case (routed to
 * the property room, whose seeded mediator is duty_property), claimant on the web as `claimant`,
 * respondent as `respondent`.
 */
export async function agreedCase(
  cases: CaseDeps,
  plan: { claimant: PartyPlanInput; respondent: PartyPlanInput; claimantUser?: string; respondentUser?: string; respondentChannel?: string },
): Promise<{ id: string; code: string; claimantId: string; respondentId: string }> {
  const claimantUser = plan.claimantUser ?? `c-${newId().slice(-8)}`;
  const opened = await openCase(cases, caseInput({ actor: `resident:web:${claimantUser}`, claimant: { channel: "web", channelUserId: claimantUser } }));
  const now = cases.clock.now();
  const respondentId = newId();
  await cases.sql.execute(sql`
    INSERT INTO "Party" ("id", "caseId", "role", "channel", "channelUserId", "createdAt")
    VALUES (${respondentId}, ${opened.id}, 'respondent', ${plan.respondentChannel ?? "web"}, ${plan.respondentUser ?? `r-${newId().slice(-8)}`}, ${now})`);
  const [claimant] = await cases.sql.query<{ id: string }>(sql`SELECT "id" FROM "Party" WHERE "caseId" = ${opened.id} AND "role" = 'claimant'`);
  await setPlan(cases.sql, claimant!.id, plan.claimant, now);
  await setPlan(cases.sql, respondentId, plan.respondent, now);
  return { id: opened.id, code: opened.code, claimantId: claimant!.id, respondentId };
}

async function setPlan(db: Sql, partyId: string, p: PartyPlanInput, now: Date): Promise<void> {
  await db.execute(sql`
    UPDATE "Party" SET "mediationConsent" = 'accepted', "mediationConsentAt" = ${now}, "mediationConsentVia" = 'chat',
      "availability" = ${JSON.stringify({ presets: p.presets })}, "timeZone" = ${p.timeZone ?? null}, "preferLanguage" = ${p.preferLanguage ?? null}
    WHERE "id" = ${partyId}`);
}

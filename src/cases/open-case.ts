import { enqueueJobs } from "../jobs/job.repository.js";
import { AppError } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { recordEvents } from "./audit.js";
import type { CaseRecord } from "./case.repository.js";
import { caseAssignedJob } from "./case-assigned.js";
import { assignCaseCode, provisionalCode } from "./case-code.js";
import { acceptDeadline, resolveDeadline, triageDeadline } from "./deadlines.js";
import { slaTerms, type CaseDeps } from "./deps.js";
import type { NewParty } from "./party.repository.js";
import { routeCase, type Route } from "./routing.js";
import { RISK_PAGE, slaJobs } from "./sla.js";
import type { Complexity, DisputeType, RiskFlag } from "./types.js";

export interface PartyInput {
  name?: string;
  contact?: string;
  channel?: string;
  channelUserId?: string;
  serviceChannel?: "chat" | "sms" | "post";
  serviceAddress?: string;
  away?: boolean;
  consentAt?: Date;
}

export interface OpenCaseInput {
  /** Idempotency key of the intake: opening twice with the same key returns the first case. */
  intakeKey: string;
  actor: string;
  description: string;
  type: DisputeType;
  classifierSource?: "local" | "llm" | "llm_fallback" | "resident";
  classifierConfidence?: number;
  summary?: string;
  complexity?: Complexity;
  riskFlags: RiskFlag[];
  place?: string;
  amountFen?: number;
  since?: string;
  language: string;
  /** Claimants in all for a group claim (the resident included). */
  claimantCount?: number;
  claimant: PartyInput;
  /** Co-claimants named by the resident (a crew's names): recorded as claimants without a channel. */
  otherClaimants?: PartyInput[];
  respondent?: PartyInput;
}

export interface OpenedCase {
  id: string;
  code: string;
  type: DisputeType;
  route: Route;
  acceptDueAt: Date;
  resolveDueAt: Date;
  riskFlags: RiskFlag[];
  remote: boolean;
  /** False when this intake had already opened the case (a repeated submit). */
  created: boolean;
}

/** The transaction found the intake's case already there: roll back (no number was drawn yet) and return that case. */
class AlreadyOpened extends Error {}

/**
 * 受理 and 分流 in one step: the case is received, routed by the routing table at once (the system is
 * the triager), its deadlines set and its reminders scheduled, all in one transaction. A risk-flagged
 * case also pages staff immediately. Opening is idempotent per intake: the unique intake key decides,
 * so a repeated submit, even one racing the first in another process, gets the first case.
 */
export async function openCase(deps: CaseDeps, input: OpenCaseInput): Promise<OpenedCase> {
  const { clock } = deps;
  const { cases, parties } = deps.repos;
  // A repeated submit is rare; this read answers it without taking the write lock.
  const seen = await cases.byIntakeKey(input.intakeKey);
  if (seen) return describeExisting(seen);

  const now = clock.now();
  const terms = await slaTerms(deps);
  const remote = Boolean(input.claimant.away);
  const result = await deps.sql
    .transaction(async (tx) => {
      const route = await routeCase(tx, input);
      const id = newId();
      const acceptDueAt = acceptDeadline(terms, now);
      const resolveDueAt = resolveDeadline(terms, now, route.complexity);
      const inserted = await cases.insert(tx, {
        id,
        code: provisionalCode(id),
        intakeKey: input.intakeKey,
        disputeType: input.type,
        tier: route.tier,
        roomId: route.roomId,
        complexity: route.complexity,
        remote,
        riskFlags: input.riskFlags,
        claimantCount: input.claimantCount ?? null,
        description: input.description,
        summary: input.summary ?? null,
        place: input.place ?? null,
        amountFen: input.amountFen ?? null,
        since: input.since ?? null,
        language: input.language,
        classifierSource: input.classifierSource ?? null,
        classifierConfidence: input.classifierConfidence ?? null,
        triageDueAt: triageDeadline(terms, now),
        acceptDueAt,
        resolveDueAt,
        createdAt: now,
      });
      if (!inserted) throw new AlreadyOpened();
      await parties.insert(tx, [
        // Filing is the claimant's yes to mediation (自愿); the other side is asked (consent-jobs.ts).
        { ...partyRow(id, "claimant", input.claimant, now), mediationConsent: "accepted", mediationConsentAt: now, mediationConsentVia: "intake" },
        ...(input.otherClaimants ?? []).map((p) => partyRow(id, "claimant", p, now)),
        ...(input.respondent ? [partyRow(id, "respondent", input.respondent, now)] : []),
      ]);
      await recordEvents(tx, [
        { caseId: id, at: now, actor: input.actor, action: "opened", to: "received" },
        {
          caseId: id,
          at: now,
          actor: "system",
          action: "routed",
          from: "received",
          to: "routed",
          reason: `routing table: ${input.type} → ${route.roomId}`,
          data: { roomId: route.roomId, tier: route.tier, complexity: route.complexity, riskFlags: input.riskFlags },
        },
      ]);
      await enqueueJobs(
        tx,
        [
          ...slaJobs(terms, { caseId: id, stage: "accept", deadline: acceptDueAt }),
          caseAssignedJob({ caseId: id, roomId: route.roomId, acceptDueAt, now }),
          ...(input.riskFlags.length > 0
            ? [{ kind: RISK_PAGE, payload: { caseId: id }, dueAt: now, dedupeKey: `risk:${id}` }]
            : []),
        ],
        now,
      );
      // Last: the day's counter stays locked until COMMIT (see assignCaseCode).
      const code = await assignCaseCode(tx, id, deps.codePrefix, deps.zone, now);
      return { id, code, route, acceptDueAt, resolveDueAt };
    })
    .catch((err: unknown) => {
      if (err instanceof AlreadyOpened) return null;
      throw err;
    });
  if (!result) {
    // Another submit of this intake committed first (between our read and our insert).
    const first = await cases.byIntakeKey(input.intakeKey);
    if (!first) throw new AppError("INTERNAL", `The case of intake ${input.intakeKey} vanished`);
    return describeExisting(first);
  }
  deps.onJobsDue?.(); // the room's mediators hear of it now; a risk page too
  return { ...result, type: input.type, riskFlags: input.riskFlags, remote, created: true };
}

function partyRow(caseId: string, role: "claimant" | "respondent", p: PartyInput, now: Date): NewParty {
  return {
    id: newId(),
    caseId,
    role,
    name: p.name ?? null,
    contact: p.contact ?? null,
    channel: p.channel ?? null,
    channelUserId: p.channelUserId ?? null,
    serviceChannel: p.serviceChannel ?? null,
    serviceAddress: p.serviceAddress ?? null,
    away: Boolean(p.away),
    consentAt: p.consentAt ?? null,
    createdAt: now,
  };
}

function describeExisting(c: CaseRecord): OpenedCase {
  return {
    id: c.id,
    code: c.code,
    type: c.disputeType,
    route: {
      roomId: c.room?.id ?? "",
      roomNameZh: c.room?.nameZh ?? "",
      roomNameEn: c.room?.nameEn ?? "",
      tier: c.tier,
      complexity: c.complexity,
    },
    acceptDueAt: c.acceptDueAt ?? c.createdAt,
    resolveDueAt: c.resolveDueAt ?? c.createdAt,
    riskFlags: c.riskFlags,
    remote: c.remote,
    created: false,
  };
}

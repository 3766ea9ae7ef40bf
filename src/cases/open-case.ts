import { join, sql } from "../db/sql.js";
import { enqueueJobs } from "../jobs/job.repository.js";
import { newId } from "../lib/ids.js";
import { recordEvents } from "./audit.js";
import { caseAssignedJob } from "./case-assigned.js";
import { nextCaseCode } from "./case-code.js";
import { acceptDeadline, resolveDeadline, triageDeadline } from "./deadlines.js";
import type { CaseDeps } from "./deps.js";
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

/**
 * 受理 and 分流 in one step: the case is received, routed by the routing table at once (the system is
 * the triager), its deadlines set and its reminders scheduled, all in one transaction. A risk-flagged
 * case also pages staff immediately.
 */
export async function openCase(deps: CaseDeps, input: OpenCaseInput): Promise<OpenedCase> {
  const { db, clock } = deps;
  // A cheap probe first: a repeated submit is rare, and the full read only happens then.
  const seen = await deps.sql.query(sql`SELECT "id" FROM "Case" WHERE "intakeKey" = ${input.intakeKey}`);
  if (seen.length > 0) {
    return describeExisting(await db.case.findUniqueOrThrow({ where: { intakeKey: input.intakeKey }, include: { room: true } }));
  }

  const now = clock.now();
  const remote = Boolean(input.claimant.away);
  const result = await deps.sql.transaction(async (tx) => {
    const code = await nextCaseCode(tx, deps.codePrefix, deps.zone, now);
    const route = await routeCase(tx, input);
    const id = newId();
    const acceptDueAt = acceptDeadline(deps.sla, now);
    const resolveDueAt = resolveDeadline(deps.sla, deps.zone, now, route.complexity);
    await tx.execute(sql`
      INSERT INTO "Case" ("id", "code", "intakeKey", "status", "disputeType", "tier", "roomId", "complexity", "remote",
        "riskFlags", "claimantCount", "description", "summary", "place", "amountFen", "since", "language", "classifierSource",
        "classifierConfidence", "triageDueAt", "acceptDueAt", "resolveDueAt", "createdAt", "updatedAt")
      VALUES (${id}, ${code}, ${input.intakeKey}, 'routed', ${input.type}, ${route.tier}, ${route.roomId}, ${route.complexity},
        ${remote}, ${JSON.stringify(input.riskFlags)}, ${input.claimantCount ?? null}, ${input.description}, ${input.summary ?? null}, ${input.place ?? null},
        ${input.amountFen ?? null}, ${input.since ?? null}, ${input.language}, ${input.classifierSource ?? null},
        ${input.classifierConfidence ?? null}, ${triageDeadline(deps.sla, now)}, ${acceptDueAt}, ${resolveDueAt}, ${now}, ${now})`);
    const parties = [
      partyRow(id, "claimant", input.claimant, now),
      ...(input.otherClaimants ?? []).map((p) => partyRow(id, "claimant", p, now)),
      ...(input.respondent ? [partyRow(id, "respondent", input.respondent, now)] : []),
    ];
    await tx.execute(sql`
      INSERT INTO "Party" ("id", "caseId", "role", "name", "contact", "channel", "channelUserId", "serviceChannel",
        "serviceAddress", "away", "consentAt", "createdAt")
      VALUES ${join(
        parties.map(
          (p) => sql`(${p.id}, ${p.caseId}, ${p.role}, ${p.name}, ${p.contact}, ${p.channel}, ${p.channelUserId},
            ${p.serviceChannel}, ${p.serviceAddress}, ${p.away}, ${p.consentAt}, ${p.createdAt})`,
        ),
      )}`);
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
        ...slaJobs(deps.sla, { caseId: id, stage: "accept", deadline: acceptDueAt }),
        caseAssignedJob({ caseId: id, roomId: route.roomId, now }),
        ...(input.riskFlags.length > 0
          ? [{ kind: RISK_PAGE, payload: { caseId: id }, dueAt: now, dedupeKey: `risk:${id}` }]
          : []),
      ],
      now,
    );
    return { id, code, route, acceptDueAt, resolveDueAt };
  });
  deps.onJobsDue?.(); // the room's mediators hear of it now; a risk page too
  return { ...result, type: input.type, riskFlags: input.riskFlags, remote, created: true };
}

function partyRow(caseId: string, role: "claimant" | "respondent", p: PartyInput, now: Date) {
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

function describeExisting(c: {
  id: string;
  code: string;
  disputeType: string;
  tier: string;
  complexity: string;
  remote: boolean;
  riskFlags: string;
  acceptDueAt: Date | null;
  resolveDueAt: Date | null;
  createdAt: Date;
  room: { id: string; nameZh: string; nameEn: string } | null;
}): OpenedCase {
  return {
    id: c.id,
    code: c.code,
    type: c.disputeType as DisputeType,
    route: {
      roomId: c.room?.id ?? "",
      roomNameZh: c.room?.nameZh ?? "",
      roomNameEn: c.room?.nameEn ?? "",
      tier: c.tier as Route["tier"],
      complexity: c.complexity as Complexity,
    },
    acceptDueAt: c.acceptDueAt ?? c.createdAt,
    resolveDueAt: c.resolveDueAt ?? c.createdAt,
    riskFlags: JSON.parse(c.riskFlags) as RiskFlag[],
    remote: c.remote,
    created: false,
  };
}

// A centre with a realistic calendar for bench/scheduling.ts: a fresh database (SQLite or PostgreSQL),
// 200 mediators with weekly hours and specialities written through the scheduling use cases, and cases
// whose two parties can meet at different times, some from another time zone.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createCaseRepositories } from "../src/cases/repositories.js";
import { routeCase } from "../src/cases/routing.js";
import { seedReferenceData } from "../src/cases/seed.js";
import type { CaseDeps } from "../src/cases/deps.js";
import type { DisputeType } from "../src/cases/types.js";
import { openDatabase } from "../src/db/client.js";
import { migrateDatabase } from "../src/db/migrate.js";
import { join, sql, type Sql } from "../src/db/sql.js";
import { DAY, type Clock } from "../src/lib/clock.js";
import { newId } from "../src/lib/ids.js";
import type { PresetCode } from "../src/scheduling/availability-presets.js";
import type { WeeklyHours } from "../src/scheduling/availability.js";
import type { SchedulingDeps } from "../src/scheduling/deps.js";
import { setSkills, setWeeklyHours } from "../src/scheduling/mediator-time.js";
import { createSchedulingRepository } from "../src/scheduling/scheduling.repository.js";
import { adminQuery, databaseUrl, dropDatabase, quoteIdent } from "../test/support/postgres-admin.js";

/** The PostgreSQL server the benchmark creates its databases on (and drops them from). */
export const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const CENTRE_ZONE = "Asia/Shanghai";

export interface BenchDb {
  kind: "sqlite" | "postgres";
  url: string;
  sql: Sql;
  /** Closes the connection and removes the database. */
  dispose(): Promise<void>;
}

/** A fresh database, migrated and seeded with the reference data, as `npm start` leaves a new one. */
export async function createBenchDb(kind: "sqlite" | "postgres"): Promise<BenchDb> {
  let url: string;
  let remove: () => Promise<unknown>;
  if (kind === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onedoor-bench-sched-"));
    url = `file:${path.join(dir, "bench.db")}`;
    remove = async () => fs.rmSync(dir, { recursive: true, force: true });
  } else {
    try {
      await adminQuery(POSTGRES_ADMIN_URL, "SELECT 1");
    } catch (err) {
      throw new Error(`PostgreSQL does not answer at ${POSTGRES_ADMIN_URL} (${(err as Error).message})`);
    }
    const name = `onedoor_bench_${process.pid}_${Date.now()}`;
    await adminQuery(POSTGRES_ADMIN_URL, `CREATE DATABASE ${quoteIdent(name)}`);
    url = databaseUrl(POSTGRES_ADMIN_URL, name);
    remove = () => dropDatabase(POSTGRES_ADMIN_URL, name);
  }
  await migrateDatabase(url);
  const database = await openDatabase(url);
  await seedReferenceData(database.sql);
  return {
    kind,
    url,
    sql: database.sql,
    async dispose() {
      await database.close();
      await remove();
    },
  };
}

export function benchDeps(db: Sql, clock: Clock): SchedulingDeps {
  const cases: CaseDeps = { repos: createCaseRepositories(db), sql: db, clock, zone: CENTRE_ZONE, codePrefix: "OD" };
  return { cases, scheduling: createSchedulingRepository(db), video: false };
}

/** A small deterministic generator, so every run seeds the same centre. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hm = (h: number, m = 0) => h * 60 + m;
const week = (days: number[], spans: [number, number][]): WeeklyHours[] =>
  days.flatMap((weekday) => spans.map(([startMin, endMin]) => ({ weekday, startMin, endMin })));

/** Weeks mediators keep: office hours, office hours with evenings, a Tuesday–Saturday week, afternoons and evenings, evenings and weekends. */
const WEEKS: WeeklyHours[][] = [
  week([1, 2, 3, 4, 5], [[hm(9), hm(12)], [hm(14), hm(17, 30)]]),
  week([1, 2, 3, 4, 5], [[hm(9), hm(12)], [hm(14), hm(17, 30)], [hm(19), hm(21)]]),
  week([2, 3, 4, 5, 6], [[hm(8, 30), hm(12)], [hm(13, 30), hm(17)]]),
  [...week([1, 3, 5], [[hm(14), hm(21)]]), ...week([6], [[hm(9), hm(17)]])],
  [...week([1, 2, 3, 4], [[hm(19), hm(22)]]), ...week([6, 7], [[hm(9), hm(12)]])],
];
const DIALECTS = ["yue", "wuu", "hak", "nan"];

/**
 * Mediators up to `total` (the seed file's duty mediators count), spread over the rooms that mediate:
 * each with a week from WEEKS and the room's dispute types as specialities, a third with one more type,
 * a quarter speaking a dialect.
 */
export async function seedMediators(deps: SchedulingDeps, total: number, rand: () => number): Promise<string[]> {
  const db = deps.cases.sql;
  const existing = await deps.scheduling.mediators();
  const rules = await db.query<{ disputeType: string; roomId: string }>(sql`SELECT "disputeType", "roomId" FROM "RoutingRule"`);
  const rooms = [...new Set(existing.map((m) => m.roomId).filter((r): r is string => !!r))].sort();
  const types = rules.map((r) => r.disputeType).filter((t) => t !== "not_dispute");
  const now = deps.cases.clock.now();
  const added: { id: string; roomId: string }[] = [];
  for (let i = existing.length; i < total; i++) added.push({ id: `bench_m${String(i).padStart(3, "0")}`, roomId: rooms[i % rooms.length]! });
  // Staff are created by the centre's admin tooling; there is no use case for it, so rows go in here.
  if (added.length > 0) {
    await db.execute(sql`INSERT INTO "Staff" ("id", "name", "role", "roomId", "active", "createdAt")
      VALUES ${join(added.map((m, i) => sql`(${m.id}, ${`调解员${i + 1}`}, 'mediator', ${m.roomId}, ${true}, ${now})`))}`);
  }
  for (const [i, m] of added.entries()) {
    await setWeeklyHours(deps, { staffId: m.id, hours: WEEKS[i % WEEKS.length]!, actor: "bench" });
    const own = rules.filter((r) => r.roomId === m.roomId).map((r) => r.disputeType);
    const extra = rand() < 1 / 3 ? [types[Math.floor(rand() * types.length)]!] : [];
    await setSkills(deps, {
      staffId: m.id,
      types: [...new Set([...own, ...extra])],
      languages: ["zh-CN", ...(rand() < 0.25 ? [DIALECTS[Math.floor(rand() * DIALECTS.length)]!] : [])],
    });
  }
  return (await deps.scheduling.mediators()).map((m) => m.id);
}

/** The two parties' answers, cycled: they overlap a little, or only at weekends, or across zones. */
const PLANS: { claimant: PresetCode[]; respondent: PresetCode[]; respondentZone?: string; language?: string }[] = [
  { claimant: ["weekday_day"], respondent: ["weekday_day", "weekend"] },
  { claimant: ["weekday_evening"], respondent: ["weekday_evening", "weekend"] },
  { claimant: ["weekend"], respondent: ["weekday_evening"], respondentZone: "America/New_York" },
  { claimant: ["any"], respondent: ["weekday_day"], respondentZone: "Asia/Dubai" },
  { claimant: ["weekday_day", "weekday_evening"], respondent: ["weekday_evening"], respondentZone: "Europe/London" },
  { claimant: ["weekend"], respondent: ["any"], language: "yue" },
  { claimant: ["weekday_evening"], respondent: ["weekend"], respondentZone: "Asia/Singapore" },
  { claimant: ["any"], respondent: ["any"] },
];

export interface BenchCase {
  id: string;
  claimantId: string;
  respondentId: string;
}

/**
 * `n` cases that both parties agreed to mediate, routed by the routing table, with the parties' times
 * from PLANS. Written through the case and party repositories in a few transactions (the intake's jobs,
 * invitations and notices would only add noise here). With `telegramChatFrom`, the parties chat on
 * Telegram with chat ids from it (one chat a party); otherwise on the web.
 */
export async function seedCases(
  deps: SchedulingDeps,
  n: number,
  opts: { rand: () => number; types?: readonly DisputeType[]; telegramChatFrom?: number; plan?: number; tag: string },
): Promise<BenchCase[]> {
  const { cases: caseRepo, parties } = deps.cases.repos;
  const db = deps.cases.sql;
  const types: readonly DisputeType[] = opts.types ?? ["property_mgmt", "neighbor", "labor", "marriage_family", "contract_debt", "traffic", "consumer", "housing_land"];
  const now = deps.cases.clock.now();
  const out: BenchCase[] = [];
  for (let start = 0; start < n; start += 250) {
    await db.transaction(async (tx) => {
      for (let i = start; i < Math.min(n, start + 250); i++) {
        const type = types[Math.floor(opts.rand() * types.length)]!;
        const route = await routeCase(tx, { type, riskFlags: [] });
        const id = newId();
        const plan = PLANS[opts.plan ?? i % PLANS.length]!;
        await caseRepo.insert(tx, {
          id,
          code: `OD-${opts.tag}-${String(i).padStart(6, "0")}`,
          intakeKey: newId(),
          disputeType: type,
          tier: route.tier,
          roomId: route.roomId,
          complexity: route.complexity,
          remote: !!plan.respondentZone,
          riskFlags: [],
          claimantCount: null,
          description: "bench",
          summary: null,
          place: null,
          amountFen: null,
          since: null,
          language: "zh-CN",
          classifierSource: null,
          classifierConfidence: null,
          triageDueAt: now,
          acceptDueAt: now,
          resolveDueAt: new Date(now.getTime() + 30 * DAY),
          createdAt: now,
        });
        const chat = (k: number) =>
          opts.telegramChatFrom !== undefined ? { channel: "telegram", channelUserId: String(opts.telegramChatFrom + 2 * i + k) } : { channel: "web", channelUserId: `${opts.tag}-${i}-${k}` };
        const party = (role: "claimant" | "respondent", k: number) => ({
          id: newId(),
          caseId: id,
          role,
          name: role === "claimant" ? `申请人${i}` : `被申请人${i}`,
          contact: null,
          ...chat(k),
          serviceChannel: null,
          serviceAddress: null,
          away: role === "respondent" && !!plan.respondentZone,
          consentAt: now,
          mediationConsent: "accepted" as const,
          mediationConsentAt: now,
          mediationConsentVia: "chat" as const,
          createdAt: new Date(now.getTime() + k),
        });
        const claimant = party("claimant", 0);
        const respondent = party("respondent", 1);
        await parties.insert(tx, [claimant, respondent]);
        await parties.setMeetingPrefs(tx, { partyId: claimant.id, availability: JSON.stringify({ presets: plan.claimant }), preferLanguage: plan.language ?? null });
        await parties.setMeetingPrefs(tx, { partyId: respondent.id, availability: JSON.stringify({ presets: plan.respondent }), timeZone: plan.respondentZone ?? null });
        out.push({ id, claimantId: claimant.id, respondentId: respondent.id });
      }
    });
  }
  return out;
}

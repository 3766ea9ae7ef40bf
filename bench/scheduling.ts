// Video-mediation scheduling (issue 10, "Measure"): the slot search over 200 mediators and 14 days, bookings
// with 50 contending clients, and a burst of reminders due in the same minute sent within Telegram's limits.
// Run alone: npx tsx bench/scheduling.ts [--json] [--reminders=N] [--reminders-only] [--no-postgres] [--no-sqlite]
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { percentile } from "../src/classify/evaluate.js";
import { loadConfig } from "../src/config/env.js";
import { sql } from "../src/db/sql.js";
import { enqueueJobs } from "../src/jobs/job.repository.js";
import { DAY, MINUTE, ManualClock, systemClock } from "../src/lib/clock.js";
import { isAppError } from "../src/lib/errors.js";
import { newId } from "../src/lib/ids.js";
import { createLogger, silentLogger } from "../src/lib/logger.js";
import { start } from "../src/main.js";
import { TELEGRAM_LIMITS } from "../src/bot/channels/telegram/limits.js";
import { bookedJobs, confirmSession, holdSlot } from "../src/scheduling/book-session.js";
import { REMINDER_OFFSETS, SESSION_JOBS, type SchedulingDeps } from "../src/scheduling/deps.js";
import { findSlots, partyPlans, readCaseSearch, sessionTypeFor, slotQuery } from "../src/scheduling/find-slots.js";
import { searchSlots } from "../src/scheduling/slot-search.js";
import { benchDeps, CENTRE_ZONE, createBenchDb, random, seedCases, seedMediators, type BenchCase, type BenchDb } from "./scheduling-seed.js";
import { round } from "./stats.js";
import { startFakeProcess } from "./telegram.js";

const MEDIATORS = 200;
const ms = (t0: number) => performance.now() - t0;
const progress = (what: string) => process.stderr.write(`[scheduling] ${new Date().toISOString().slice(11, 19)} ${what}\n`);
const dist = (xs: number[]) => ({ n: xs.length, p50Ms: round(percentile(xs, 0.5), 3), p99Ms: round(percentile(xs, 0.99), 3), maxMs: round(Math.max(...xs), 3) });

/** Monday 09:00 in the centre's zone of the coming week: every run searches the same kind of fortnight. */
function nextMondayMorning(): Date {
  const d = new Date();
  d.setUTCHours(1, 0, 0, 0); // 09:00 in Shanghai
  while (d.getUTCDay() !== 1 || d.getTime() <= Date.now()) d.setTime(d.getTime() + DAY);
  return d;
}

/** Books `n` sessions through the real use cases (find, hold, confirm), each at one of a case's first dozen times. */
async function bookSome(deps: SchedulingDeps, cases: BenchCase[], rand: () => number): Promise<number> {
  let booked = 0;
  for (const c of cases) {
    const { slots } = await findSlots(deps, { caseId: c.id, limit: 12 });
    const slot = slots[Math.floor(rand() * slots.length)];
    if (!slot) continue;
    try {
      const held = await holdSlot(deps, { caseId: c.id, partyId: c.claimantId, startsAt: new Date(slot.startsAt) });
      if ((await confirmSession(deps, { sessionId: held.session.id, partyId: c.respondentId })).state === "booked") booked++;
    } catch (err) {
      if (!isAppError(err, "SLOT_TAKEN")) throw err;
    }
  }
  return booked;
}

/** A centre of 200 mediators, a share of them already busy, and cases to search for. */
async function seedCentre(db: BenchDb, clock: ManualClock, searchCases: number) {
  const rand = random(10);
  const deps = benchDeps(db.sql, clock);
  const mediators = await seedMediators(deps, MEDIATORS, rand);
  const busyCases = await seedCases(deps, 600, { rand, tag: "BUSY" });
  const booked = await bookSome(deps, busyCases, rand);
  const cases = await seedCases(deps, searchCases, { rand, tag: "FIND" });
  const [row] = await db.sql.query<{ n: number | string }>(sql`SELECT COUNT(DISTINCT "staffId") AS "n" FROM "MediationSession" WHERE "state" = 'booked'`);
  return { deps, rand, mediators: mediators.length, booked, busyMediators: Number(row?.n ?? 0), cases };
}

/**
 * 1. findSlots as the booking flow calls it (the first offer of four, then "more" three times), the
 * whole call with its reads; then, for the same searches, the reads alone and searchSlots alone.
 */
async function benchSlotSearch(deps: SchedulingDeps, cases: BenchCase[]) {
  const whole: number[] = [];
  const reads: number[] = [];
  const build: number[] = [];
  const pure: number[] = [];
  let offered = 0;
  // Warm-up: JIT, prepared statements, the zone-offset cache.
  for (const c of cases.slice(0, 20)) await findSlots(deps, { caseId: c.id });
  for (const c of cases) {
    let after: Date | undefined;
    for (let press = 0; press < 4; press++) {
      const t0 = performance.now();
      const { slots } = await findSlots(deps, { caseId: c.id, ...(after ? { after } : {}) });
      whole.push(ms(t0));
      offered += slots.length;
      // The same search in its parts: its reads (one statement), building the query (weeks → intervals), searchSlots.
      const t1 = performance.now();
      const { search, data } = await readCaseSearch(deps, { caseId: c.id });
      reads.push(ms(t1));
      const t2 = performance.now();
      const query = slotQuery(CENTRE_ZONE, search, data, { ...(after ? { after } : {}), limit: 4 });
      build.push(ms(t2));
      const t3 = performance.now();
      const again = searchSlots(query);
      pure.push(ms(t3));
      if (again.length !== slots.length) throw new Error("the parts of the search disagree with findSlots");
      if (slots.length === 0) break;
      after = new Date(slots.at(-1)!.startsAt);
    }
  }
  return {
    findSlots: dist(whole),
    parts: { reads: dist(reads), buildQuery: dist(build), searchSlots: dist(pure) },
    slotsOffered: offered,
  };
}

/**
 * 2. Fifty clients at once, each a resident of its own cases pressing times drawn from a small shared
 * set (the first times a probe case is offered): hold, then the other party confirms. Afterwards no
 * mediator may have two sessions (with the buffer) over each other.
 */
async function benchBookings(db: BenchDb, deps: SchedulingDeps, rand: () => number, opts: { clients: number; casesPerClient: number; sharedTimes: number }) {
  const pool = await seedCases(deps, opts.clients * opts.casesPerClient, { rand, tag: "RACE", types: ["property_mgmt"], plan: 7 });
  const probe = (await seedCases(deps, 1, { rand, tag: "PROBE", types: ["property_mgmt"], plan: 7 }))[0]!;
  const shared = (await findSlots(deps, { caseId: probe.id, limit: opts.sharedTimes })).slots.map((s) => new Date(s.startsAt));
  let wins = 0;
  let taken = 0;
  let other = 0;
  const holdMs: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: opts.clients }, async (_, k) => {
      const mine = pool.slice(k * opts.casesPerClient, (k + 1) * opts.casesPerClient);
      for (const c of mine) {
        const at = shared[Math.floor(rand() * shared.length)]!;
        const t1 = performance.now();
        try {
          const held = await holdSlot(deps, { caseId: c.id, partyId: c.claimantId, startsAt: at });
          const done = await confirmSession(deps, { sessionId: held.session.id, partyId: c.respondentId });
          if (done.state === "booked") wins++;
        } catch (err) {
          if (isAppError(err, "SLOT_TAKEN")) taken++;
          else other++;
        }
        holdMs.push(ms(t1));
      }
    }),
  );
  const seconds = ms(t0) / 1000;
  // The guard: no two live sessions of one mediator overlap, buffer included.
  const live = await db.sql.query<{ staffId: string; startsAt: Date; endsAt: Date; bufferMinutes: number }>(sql`
    SELECT s."staffId", s."startsAt", s."endsAt", t."bufferMinutes" FROM "MediationSession" s
    JOIN "SessionType" t ON t."id" = s."sessionTypeId"
    WHERE s."state" IN ('held', 'booked') ORDER BY s."staffId", s."startsAt"`);
  let overlaps = 0;
  for (let i = 1; i < live.length; i++) {
    const [a, b] = [live[i - 1]!, live[i]!];
    if (a.staffId === b.staffId && b.startsAt.getTime() < a.endsAt.getTime() + a.bufferMinutes * MINUTE) overlaps++;
  }
  const onShared = await db.sql.query<{ n: number | string }>(sql`
    SELECT COUNT(*) AS "n" FROM "MediationSession" WHERE "state" = 'booked' AND "caseId" IN (
      SELECT "id" FROM "Case" WHERE "code" LIKE 'OD-RACE-%')`);
  return {
    database: db.kind,
    clients: opts.clients,
    sharedTimes: shared.length,
    attempts: wins + taken + other,
    wins,
    slotTaken: taken,
    otherErrors: other,
    seconds: round(seconds),
    bookingsPerSecond: round(wins / seconds, 1),
    attemptsPerSecond: round((wins + taken + other) / seconds, 1),
    attempt: dist(holdMs),
    bookedInDatabase: Number(onShared[0]!.n),
    overlappingSessions: overlaps,
  };
}

/**
 * 3. `n` reminders due in the same minute (the 24-hour reminder of n/2 sessions, two parties each on
 * Telegram), sent by the app itself (src/main.ts, in this process, Telegram's real limits) to the fake
 * Bot API in its own process. The ideal: the limits' global rate from the moment the worker starts.
 */
async function benchReminders(kind: "sqlite" | "postgres", n: number) {
  const fake = await startFakeProcess();
  const db = await createBenchDb(kind);
  try {
    const deps = benchDeps(db.sql, systemClock);
    const rand = random(20);
    const sessions = Math.ceil(n / 2);
    const cases = await seedCases(deps, sessions, { rand, tag: "REMIND", telegramChatFrom: 500_000, plan: 7 });
    const mediators = await deps.scheduling.mediators();
    const type = await sessionTypeFor(deps);
    const now = new Date();
    const offset = REMINDER_OFFSETS[0];
    // Sessions start in the same minute a day from now, so their 24-hour reminders are due in this one.
    // They are written as booked rows: the booking guard would (rightly) refuse this many at one time.
    for (let i = 0; i < cases.length; i += 250) {
      const batch = cases.slice(i, i + 250);
      const partiesOf = new Map(await Promise.all(batch.map(async (c) => [c.id, await partyPlans(deps, c.id)] as const)));
      await db.sql.transaction(async (tx) => {
        for (const c of batch) {
          const startsAt = new Date(now.getTime() + offset * MINUTE - 30_000 + Math.floor(rand() * 20_000));
          const s = {
            id: newId(),
            caseId: c.id,
            staffId: mediators[i % mediators.length]!.id,
            sessionTypeId: type.id,
            startsAt,
            endsAt: new Date(startsAt.getTime() + type.minutes * MINUTE),
            mode: "phone" as const,
            state: "booked" as const,
            version: 1,
            heldByPartyId: null,
            holdExpiresAt: null,
            createdAt: now,
          };
          await deps.scheduling.insertSession(tx, s);
          const parties = partiesOf.get(c.id)!;
          await deps.scheduling.insertParticipants(tx, parties.map((p, k) => ({ id: newId(), sessionId: s.id, role: k === 0 ? "claimant" : "respondent", partyId: p.partyId, staffId: null, name: null, confirmedAt: now })));
          const jobs = bookedJobs(s, new Date(startsAt.getTime() - (offset + 1) * MINUTE)).filter((j) => j.kind === SESSION_JOBS.remind && j.payload.offset === offset);
          await enqueueJobs(tx, jobs, now);
        }
      });
    }
    const config = loadConfig({
      DATABASE_URL: db.url,
      PORT: "0",
      LOG_LEVEL: "silent",
      DATA_DIR: os.tmpdir(),
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_WEBHOOK_SECRET: "bench_secret",
      PUBLIC_BASE_URL: "https://onedoor.example.org",
    });
    const running = await start(config, { logger: process.env.BENCH_LOG ? createLogger({ level: "warn" }) : silentLogger, migrate: false, startWorker: false });
    try {
      const t0 = Date.now();
      running.worker.start();
      running.dispatcher.start();
      let sent = 0;
      for (;;) {
        await new Promise((r) => setTimeout(r, 250));
        const [row] = await running.sql.query<{ sent: number | string; open: number | string }>(sql`
          SELECT SUM(CASE WHEN "state" = 'sent' THEN 1 ELSE 0 END) AS "sent",
                 SUM(CASE WHEN "state" IN ('queued', 'sending') THEN 1 ELSE 0 END) AS "open"
          FROM "Delivery" WHERE "channel" = 'telegram'`);
        const [jobs] = await running.sql.query<{ open: number | string }>(sql`
          SELECT COUNT(*) AS "open" FROM "Job" WHERE "kind" = ${SESSION_JOBS.remind} AND "doneAt" IS NULL AND "failedAt" IS NULL`);
        sent = Number(row?.sent ?? 0);
        if (Number(jobs?.open) === 0 && Number(row?.open ?? 0) === 0) break;
      }
      const seen = (await (await fetch(`${fake.sendsUrl}?since=${t0}`)).json()) as { at: number[]; perChat: Record<string, number> };
      const [failed] = await running.sql.query<{ n: number | string }>(sql`SELECT COUNT(*) AS "n" FROM "Delivery" WHERE "state" IN ('failed', 'expired')`);
      const counts = Object.values(seen.perChat);
      // When the worker had run every reminder job (its deliveries queued), against the last send.
      const done = await running.sql.query<{ doneAt: Date }>(sql`SELECT "doneAt" FROM "Job" WHERE "kind" = ${SESSION_JOBS.remind} ORDER BY "doneAt"`);
      const jobsDone = done.map((j) => j.doneAt.getTime() - t0);
      const last = seen.at.at(-1) ?? t0;
      // Telegram's global limit, as the limiter keeps it: `globalBurst` a fixed window.
      const perWindow = TELEGRAM_LIMITS.globalBurst;
      const windowMs = (TELEGRAM_LIMITS.globalBurst * 1000) / TELEGRAM_LIMITS.globalPerSecond;
      const firstWindow = Math.floor(t0 / windowMs) * windowMs;
      const idealLast = Math.max(t0, firstWindow + (Math.ceil(n / perWindow) - 1) * windowMs);
      const fixed = new Map<number, number>();
      for (const a of seen.at) fixed.set(Math.floor(a / windowMs), (fixed.get(Math.floor(a / windowMs)) ?? 0) + 1);
      let sliding = 0;
      for (let i = 0, j = 0; i < seen.at.length; i++) {
        while (seen.at[i]! - seen.at[j]! >= windowMs) j++;
        sliding = Math.max(sliding, i - j + 1);
      }
      return {
        database: kind,
        reminders: n,
        sessions,
        sentInLedger: sent,
        failedOrExpired: Number(failed?.n ?? 0),
        seenByBotApi: seen.at.length,
        chats: counts.length,
        chatsGotTwice: counts.filter((c) => c > 1).length,
        drainSeconds: round((last - t0) / 1000),
        jobsRunSeconds: { half: round((jobsDone[Math.floor(jobsDone.length / 2)] ?? 0) / 1000), last: round((jobsDone.at(-1) ?? 0) / 1000) },
        idealSeconds: round((idealLast - t0) / 1000),
        latePercent: round((100 * (last - idealLast)) / (idealLast - t0), 2),
        maxInFixedSecond: Math.max(0, ...fixed.values()),
        maxInAnySlidingSecond: sliding,
        // Sends the Bot API saw in each window from the start: the drain's shape (the ideal is 30, 30, …).
        perWindow: Array.from({ length: Math.floor(last / windowMs) - Math.floor(t0 / windowMs) + 1 }, (_, i) => fixed.get(Math.floor(t0 / windowMs) + i) ?? 0),
        limit: `${TELEGRAM_LIMITS.globalPerSecond}/s global, ${TELEGRAM_LIMITS.perChatBurst} per ${TELEGRAM_LIMITS.perChatBurst / TELEGRAM_LIMITS.perChatPerSecond} s a chat`,
      };
    } finally {
      await running.close();
    }
  } finally {
    await db.dispose();
    fake.close();
  }
}

export async function benchScheduling(opts: { reminders: number; postgres: boolean; sqlite?: boolean; searchCases?: number; remindersOnly?: boolean }) {
  const kinds = (["sqlite", "postgres"] as const).filter((k) => (k === "sqlite" ? opts.sqlite !== false : opts.postgres));
  const out: Record<string, unknown> = { name: "scheduling", node: process.version, cpus: os.cpus().length, mediators: MEDIATORS, horizonDays: 14 };
  for (const kind of opts.remindersOnly ? [] : kinds) {
    const db = await createBenchDb(kind);
    try {
      const clock = new ManualClock(nextMondayMorning());
      progress(`${kind}: seeding`);
      const centre = await seedCentre(db, clock, opts.searchCases ?? 300);
      progress(`${kind}: slot search`);
      const search = await benchSlotSearch(centre.deps, centre.cases);
      progress(`${kind}: bookings`);
      const bookings = await benchBookings(db, centre.deps, centre.rand, { clients: 50, casesPerClient: 20, sharedTimes: 12 });
      out[kind] = { seeded: { mediators: centre.mediators, sessionsBooked: centre.booked, busyMediators: centre.busyMediators, searchCases: centre.cases.length }, slotSearch: search, bookings };
    } finally {
      await db.dispose();
    }
  }
  for (const kind of kinds) {
    progress(`${kind}: ${opts.reminders} reminders`);
    out[kind] = { ...(out[kind] as object | undefined), reminders: await benchReminders(kind, opts.reminders) };
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const reminders = Number(process.argv.find((a) => a.startsWith("--reminders="))?.slice(12) ?? 10_000);
  const result = await benchScheduling({ reminders, postgres: !process.argv.includes("--no-postgres"), sqlite: !process.argv.includes("--no-sqlite"), remindersOnly: process.argv.includes("--reminders-only") });
  console.log(process.argv.includes("--json") ? JSON.stringify(result) : JSON.stringify(result, null, 2));
}

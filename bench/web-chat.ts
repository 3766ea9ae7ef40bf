import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { adminQuery, databaseUrl, dropDatabase, quoteIdent } from "../test/support/postgres-admin.js";
import { buildServer, startBenchServer, type BenchServer } from "./bench-server.js";
import type { WebLoadOptions, WebLoadResult } from "./load-web.js";
import { peakRssMb, round } from "./stats.js";
import { countWeb, type WebCounts } from "./web-counts.js";

const run = promisify(execFile);
const TSX = path.resolve("node_modules/tsx/dist/cli.mjs");
/** The PostgreSQL server the benchmark creates its database on (and drops it from). */
const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
/** With two instances, every n-th resident writes to both at once (bench/load-web.ts). */
const BOTH_EVERY = 5;

async function load(options: WebLoadOptions): Promise<WebLoadResult> {
  const { stdout } = await run(process.execPath, [TSX, "bench/load-web.ts", JSON.stringify(options)], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as WebLoadResult;
}

/** The figures of one run, and with a ledger what the database holds against what the clients saw. */
type Measured = { load: Omit<WebLoadResult, "sessions">; counts?: WebCounts };

async function measure(databaseUrl: string | null, options: WebLoadOptions): Promise<Measured> {
  const { sessions, ...result } = await load({ ...options, ledger: databaseUrl !== null });
  return { load: result, ...(databaseUrl && sessions ? { counts: await countWeb(databaseUrl, sessions) } : {}) };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * A setup's rounds (or one run) as one figure: rates over the rounds' messages and seconds together; p50 and p99 the
 * median of the rounds'; errors, refusals and counts summed (the counts agree when every round's do).
 */
function combined(ms: Measured[]) {
  const loads = ms.map((m) => m.load);
  const sum = (pick: (l: Omit<WebLoadResult, "sessions">) => number) => loads.reduce((a, l) => a + pick(l), 0);
  const seconds = sum((l) => l.seconds);
  const counts = ms.every((m) => m.counts) ? sumCounts(ms.map((m) => m.counts!)) : undefined;
  return {
    messagesPerSecond: round(sum((l) => l.messages) / seconds, 1),
    intakesPerSecond: round(sum((l) => l.intakes) / seconds, 1),
    p50Ms: round(median(loads.map((l) => l.p50Ms))),
    p99Ms: round(median(loads.map((l) => l.p99Ms))),
    messages: sum((l) => l.messages),
    intakes: sum((l) => l.intakes),
    errors: sum((l) => l.errors),
    limited: sum((l) => l.limited),
    closedLoop: loads.every((l) => l.maxInFlight <= l.closedLoopBound),
    rounds: loads.length,
    ...(counts ? { counts } : {}),
  };
}

function sumCounts(all: WebCounts[]): WebCounts {
  const total = { ...all[0]! };
  for (const c of all.slice(1)) {
    for (const [k, v] of Object.entries(c) as [keyof WebCounts, unknown][]) {
      if (typeof v === "number") (total as Record<string, unknown>)[k] = ((total[k] as number) ?? 0) + v;
    }
  }
  total.ok = all.every((c) => c.ok);
  return total;
}

async function createPostgresDatabase(): Promise<{ name: string; url: string }> {
  try {
    await adminQuery(POSTGRES_ADMIN_URL, "SELECT 1");
  } catch (err) {
    throw new Error(
      `PostgreSQL does not answer at ${POSTGRES_ADMIN_URL} (${(err as Error).message}); start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
    );
  }
  const name = `onedoor_bench_${process.pid}_${Date.now()}`;
  await adminQuery(POSTGRES_ADMIN_URL, `CREATE DATABASE ${quoteIdent(name)}`);
  return { name, url: databaseUrl(POSTGRES_ADMIN_URL, name) };
}

/**
 * Simulated residents complete intakes through the web-chat API from a separate load process, each
 * sending its next message when the answer to the last arrived (closed loop), at each concurrency:
 * against the floor (bare express writing the inbound and outbound rows with prepared better-sqlite3
 * statements, bench/server.mjs), OneDoor on SQLite, OneDoor on PostgreSQL (one instance), then two
 * instances on one PostgreSQL database, all in one run. After every OneDoor run the database is
 * compared with what the clients sent and got (bench/web-counts.ts).
 */
export async function benchWebChat(opts: { concurrency: number[]; messages: number; rounds: number; sqlite: boolean; postgres: boolean }) {
  await buildServer();
  const perRound = Math.ceil(opts.messages / opts.rounds);
  const servers: [string, BenchServer][] = [];
  let pg: { name: string; url: string } | undefined;
  try {
    const lite = opts.sqlite ? await startBenchServer({}, { build: false }) : undefined;
    if (lite) servers.push(["sqlite", lite]);
    pg = opts.postgres ? await createPostgresDatabase() : undefined;
    const pgA = pg ? await startBenchServer({ BENCH_DATABASE_URL: pg.url }, { build: false }) : undefined;
    if (pgA) servers.push(["postgresA", pgA]);
    const floorUrl = (lite ?? pgA)!.baselineUrl;
    const onedoor = (urls: string[], concurrency: number, messages: number): WebLoadOptions => ({
      mode: "onedoor",
      urls,
      concurrency,
      messages,
      bothEvery: urls.length > 1 ? BOTH_EVERY : 0,
    });

    // Warm-up: JIT, prepared statements, pools, classifier.
    await load({ mode: "baseline", urls: [floorUrl], concurrency: 4, messages: 200 });
    if (lite) await load(onedoor([lite.url], 4, 200));
    if (pgA) await load(onedoor([pgA.url], 4, 200));

    const results: Record<string, unknown> = {};
    for (const c of opts.concurrency) {
      // Rounds, each setup once a round in turn (the first one rotating): the host's load drifts over
      // seconds to minutes, so the setups compared are measured side by side, and each ratio is the
      // median of its rounds' ratios.
      const setups: { name: "floor" | "sqlite" | "postgres"; measure: () => Promise<Measured> }[] = [
        { name: "floor", measure: async () => ({ load: await load({ mode: "baseline", urls: [floorUrl], concurrency: c, messages: perRound }) }) },
        ...(lite ? [{ name: "sqlite" as const, measure: () => measure(lite.databaseUrl, onedoor([lite.url], c, perRound)) }] : []),
        ...(pgA ? [{ name: "postgres" as const, measure: () => measure(pgA.databaseUrl, onedoor([pgA.url], c, perRound)) }] : []),
      ];
      const rounds: Partial<Record<"floor" | "sqlite" | "postgres", Measured>>[] = [];
      for (let r = 0; r < opts.rounds; r++) {
        const round: Partial<Record<"floor" | "sqlite" | "postgres", Measured>> = {};
        for (let i = 0; i < setups.length; i++) {
          const setup = setups[(r + i) % setups.length]!;
          round[setup.name] = await setup.measure();
        }
        rounds.push(round);
      }
      const of = (name: "floor" | "sqlite" | "postgres") => rounds.map((r) => r[name]!);
      const ratio = (name: "sqlite" | "postgres", to: "floor" | "sqlite", pick: (m: Measured) => number) =>
        round(median(rounds.map((r) => pick(r[name]!) / pick(r[to]!))));
      const p50 = (m: Measured) => m.load.p50Ms;
      const rate = (m: Measured) => m.load.messagesPerSecond;
      const row: Record<string, unknown> = { floor: combined(of("floor")) };
      if (lite) row.sqlite = { ...combined(of("sqlite")), p50VsFloor: ratio("sqlite", "floor", p50) };
      if (pgA) {
        row.postgres = {
          ...combined(of("postgres")),
          p50VsFloor: ratio("postgres", "floor", p50),
          ...(lite ? { rateVsSqlite: ratio("postgres", "sqlite", rate), rateVsSqliteByRound: rounds.map((r) => round(rate(r.postgres!) / rate(r.sqlite!))) } : {}),
        };
      }
      results[`c${c}`] = row;
    }

    if (pgA && pg) {
      // A second instance on the same database, on its own port; residents spread across both, every
      // fifth one writing to both at once.
      const pgB = await startBenchServer({ BENCH_DATABASE_URL: pg.url }, { build: false });
      servers.push(["postgresB", pgB]);
      await load(onedoor([pgA.url, pgB.url], 4, 200));
      const two: Record<string, unknown> = {};
      for (const c of opts.concurrency) {
        const m = await measure(pg.url, onedoor([pgA.url, pgB.url], c, opts.messages));
        two[`c${c}`] = {
          ...combined([m]),
          repeatedSends: m.load.repeatedSends,
          repeatedAnsweredDifferently: m.load.repeatedAnsweredDifferently,
        };
      }
      results.postgresTwoInstances = two;
    }
    results.summary = summarise(results);
    results.peakRssMb = Object.fromEntries(servers.map(([name, s]) => [name, peakRssMb(s.pid)]));
    return results;
  } finally {
    for (const [, s] of servers) await s.stop();
    if (pg) await dropDatabase(POSTGRES_ADMIN_URL, pg.name);
  }
}

/** One line a concurrency and a setup: the figures the README quotes. */
function summarise(results: Record<string, unknown>): string[] {
  type Row = { messagesPerSecond: number; intakesPerSecond: number; p50Ms: number; p99Ms: number; p50VsFloor?: number; rateVsSqlite?: number; counts?: WebCounts };
  const line = (name: string, r: Row) =>
    `${name}: ${r.messagesPerSecond} msg/s, ${r.intakesPerSecond} intakes/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms` +
    (r.p50VsFloor !== undefined ? `, p50 ${r.p50VsFloor}× the floor's` : "") +
    (r.rateVsSqlite !== undefined ? `, ${Math.round(r.rateVsSqlite * 100)} % of SQLite's rate` : "") +
    (r.counts ? `; counts ${r.counts.ok ? "agree" : "DIFFER"}` : "");
  const out: string[] = [];
  for (const [key, value] of Object.entries(results)) {
    if (!/^c\d+$/.test(key)) continue;
    const row = value as Record<string, Row>;
    out.push(line(`${key} floor`, row.floor!));
    if (row.sqlite) out.push(line(`${key} SQLite`, row.sqlite));
    if (row.postgres) out.push(line(`${key} PostgreSQL, one instance`, row.postgres));
  }
  for (const [key, r] of Object.entries((results.postgresTwoInstances ?? {}) as Record<string, Row>)) {
    const c = r.counts!;
    out.push(
      `${line(`${key} PostgreSQL, two instances`, r)} (${c.turnsAnswered} turns answered / ${c.inboundStored} stored, ` +
        `${c.repliesGot} replies got / ${c.repliesStored} stored / ${c.replyDeliveries} deliveries, seq gaps ${c.seqGaps}, duplicates ${c.seqDuplicates}, ` +
        `${c.intakesCompleted} intakes / ${c.casesStored} cases, ${c.sessionsOnAllInstances} of ${c.sessions} sessions on both)`,
    );
  }
  return out;
}

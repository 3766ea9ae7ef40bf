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
async function measure(databaseUrl: string | null, options: WebLoadOptions): Promise<{ load: Omit<WebLoadResult, "sessions">; counts?: WebCounts }> {
  const { sessions, ...result } = await load({ ...options, ledger: databaseUrl !== null });
  return { load: result, ...(databaseUrl && sessions ? { counts: await countWeb(databaseUrl, sessions) } : {}) };
}

const figures = (r: WebLoadResult | Omit<WebLoadResult, "sessions">) => ({
  messagesPerSecond: r.messagesPerSecond,
  intakesPerSecond: r.intakesPerSecond,
  p50Ms: r.p50Ms,
  p99Ms: r.p99Ms,
  messages: r.messages,
  intakes: r.intakes,
  errors: r.errors,
  limited: r.limited,
  // Closed loop: never more requests in flight than residents (two for one writing to both instances).
  closedLoop: r.maxInFlight <= r.closedLoopBound,
});

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
export async function benchWebChat(opts: { concurrency: number[]; messages: number; sqlite: boolean; postgres: boolean }) {
  await buildServer();
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
      const floor = await load({ mode: "baseline", urls: [floorUrl], concurrency: c, messages: opts.messages });
      const row: Record<string, unknown> = { floor: figures(floor) };
      let sqliteRate: number | undefined;
      if (lite) {
        const m = await measure(lite.databaseUrl, onedoor([lite.url], c, opts.messages));
        sqliteRate = m.load.messagesPerSecond;
        row.sqlite = { ...figures(m.load), p50VsFloor: round(m.load.p50Ms / floor.p50Ms), counts: m.counts };
      }
      if (pgA) {
        const m = await measure(pgA.databaseUrl, onedoor([pgA.url], c, opts.messages));
        row.postgres = {
          ...figures(m.load),
          p50VsFloor: round(m.load.p50Ms / floor.p50Ms),
          ...(sqliteRate ? { rateVsSqlite: round(m.load.messagesPerSecond / sqliteRate) } : {}),
          counts: m.counts,
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
          ...figures(m.load),
          repeatedSends: m.load.repeatedSends,
          repeatedAnsweredDifferently: m.load.repeatedAnsweredDifferently,
          counts: m.counts,
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

// Webhook throughput and latency of the Telegram channel against a bare grammY bot, in one run. Three
// processes besides this one: the fake Bot API (Telegram's servers are not our CPU), the server (the
// compiled build, as `npm start` runs it, with the bare bot on a second port), and the load generator.
// Run alone: npx tsx bench/telegram.ts [--json] [--updates N]
import { execFile, spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startBenchServer } from "./bench-server.js";
import { peakRssMb, round } from "./stats.js";

const run = promisify(execFile);
const TSX = path.resolve("node_modules/tsx/dist/cli.mjs");
const LOAD = path.resolve("bench/telegram-load.ts");
const FAKE = path.resolve("bench/telegram-fake.ts");
/** The secret bench/server.mjs configures for both webhooks. */
const SECRET = "bench_secret";

export interface FakeProcess {
  apiRoot: string;
  token: string;
  /** sendMessage calls as the fake saw them (bench/telegram-fake.ts). */
  sendsUrl: string;
  stats(): Promise<Record<string, number>>;
  close(): void;
}

export async function startFakeProcess(): Promise<FakeProcess> {
  const child: ChildProcess = spawn(process.execPath, [TSX, FAKE], { stdio: ["pipe", "pipe", "inherit"] });
  const first = await new Promise<string>((resolve, reject) => {
    let buf = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buf += chunk.toString("utf8");
      if (buf.includes("\n")) resolve(buf.slice(0, buf.indexOf("\n")));
    });
    child.once("exit", (code) => reject(new Error(`fake Bot API exited with ${code}`)));
  });
  const { apiRoot, token, sendsUrl } = JSON.parse(first) as { apiRoot: string; token: string; sendsUrl: string };
  return {
    apiRoot,
    token,
    sendsUrl,
    stats: async () => (await (await fetch(`${apiRoot}/_stats`)).json()) as Record<string, number>,
    close: () => void child.kill("SIGTERM"),
  };
}

interface LoadResult {
  sent: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

let nextUpdateId = 1_000_000;
let nextChatId = 10_000;

async function load(url: string, concurrency: number, updates: number): Promise<LoadResult> {
  const options = { url, secret: SECRET, concurrency, updates, firstUpdateId: nextUpdateId, firstChatId: nextChatId };
  nextUpdateId += updates * 3 + 10;
  nextChatId += updates + 10;
  const { stdout, stderr } = await run(process.execPath, [TSX, LOAD, JSON.stringify(options)], { timeout: 600_000, maxBuffer: 1 << 20 });
  if (stderr) process.stderr.write(stderr);
  return JSON.parse(stdout) as LoadResult;
}

const summary = (r: LoadResult) => ({ perSecond: round(r.perSecond), p50Ms: round(r.p50), p99Ms: round(r.p99), maxMs: round(r.max), errors: r.errors });

export async function benchTelegram(opts: { concurrency: number[]; updates: number }): Promise<object> {
  const fake = await startFakeProcess();
  const server = await startBenchServer({ BENCH_TELEGRAM_API_ROOT: fake.apiRoot, BENCH_TELEGRAM_TOKEN: fake.token });
  const ours = `${server.url}/telegram/webhook`;
  try {
    // Warm both paths (JIT, connections, SQLite pages) before measuring.
    await load(server.telegramBaselineUrl, 4, 200);
    await load(ours, 4, 200);
    await server.drain();

    const runs = [];
    for (const concurrency of opts.concurrency) {
      const base = await load(server.telegramBaselineUrl, concurrency, opts.updates);
      const repliesBefore = (await fake.stats()).sendMessage ?? 0;
      const t0 = performance.now();
      const mine = await load(ours, concurrency, opts.updates);
      const handled = await server.drain();
      const processedSeconds = (performance.now() - t0) / 1000;
      runs.push({
        concurrency,
        updates: opts.updates,
        baseline: summary(base),
        onedoor: {
          ...summary(mine),
          // Until every update was handled: classified, state saved, replies sent to the (fake) Bot API.
          processedPerSecond: round(opts.updates / processedSeconds),
          // What a resident waits: from the update stored to its last reply accepted by the Bot API
          // (replies go through the delivery ledger: the turn queues them, the dispatcher sends them).
          handledP50Ms: round(handled.handledP50Ms),
          handledP99Ms: round(handled.handledP99Ms),
          // Replies seen at the fake Bot API, against the ledger's reply deliveries marked sent.
          replies: ((await fake.stats()).sendMessage ?? 0) - repliesBefore,
          repliesSentInLedger: handled.repliesSent,
          repliesNotSent: handled.repliesFailed,
          updatesWithoutReply: handled.withoutReplies,
        },
        // Like with like: OneDoor's update stored → replies sent, against the bare bot's update → reply
        // (its webhook answer waits for its reply). OneDoor's own webhook answer comes after storing only.
        p50Ratio: round(handled.handledP50Ms / base.p50),
        webhookP50Ratio: round(mine.p50 / base.p50),
        throughputRatio: round(mine.perSecond / base.perSecond),
        targets: {
          p99Under50ms: concurrency === 10 ? mine.p99 < 50 : undefined,
          p50Within5xBaseline: handled.handledP50Ms <= 5 * base.p50,
        },
      });
    }
    return {
      name: "telegram-webhook",
      node: process.version,
      cpus: os.cpus().length,
      note: "latencies measured by a separate load process on 127.0.0.1; the server is the compiled build in its own process; baseline = bare grammY webhookCallback writing the inbound and outbound rows with prepared better-sqlite3 statements and replying before it answers the webhook (its webhook latency is update → reply); p50Ratio compares OneDoor's stored → last reply sent from the delivery ledger (Delivery.sentAt, after the Bot API accepted it) with it",
      runs,
      peakRssMb: peakRssMb(server.pid),
    };
  } finally {
    await server.stop();
    fake.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const i = process.argv.indexOf("--updates");
  const updates = i > 0 ? Number(process.argv[i + 1]) : 2000;
  const result = await benchTelegram({ concurrency: [10, 40], updates });
  console.log(process.argv.includes("--json") ? JSON.stringify(result) : JSON.stringify(result, null, 2));
}

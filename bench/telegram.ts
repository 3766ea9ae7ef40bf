// Webhook throughput and latency of the Telegram channel against a bare grammY bot, in one run.
// Run alone: npx tsx bench/telegram.ts [--json] [--updates N]
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import type { Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import express from "express";
import { Bot, webhookCallback } from "grammy";
import { loadConfig } from "../src/config/env.js";
import type { Db } from "../src/db/client.js";
import { silentLogger } from "../src/lib/logger.js";
import { start, type Running } from "../src/main.js";

const run = promisify(execFile);
const TSX = path.resolve("node_modules/tsx/dist/cli.mjs");
const LOAD = path.resolve("bench/telegram-load.ts");
const FAKE = path.resolve("bench/telegram-fake.ts");

interface FakeProcess {
  apiRoot: string;
  token: string;
  stats(): Promise<Record<string, number>>;
  close(): void;
}

/** The fake Bot API in a process of its own, like Telegram's servers would be. */
async function startFakeProcess(): Promise<FakeProcess> {
  const child: ChildProcess = spawn(process.execPath, [TSX, FAKE], { stdio: ["ignore", "pipe", "inherit"] });
  const first = await new Promise<string>((resolve, reject) => {
    let buf = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buf += chunk.toString("utf8");
      if (buf.includes("\n")) resolve(buf.slice(0, buf.indexOf("\n")));
    });
    child.once("exit", (code) => reject(new Error(`fake Bot API exited with ${code}`)));
  });
  const { apiRoot, token } = JSON.parse(first) as { apiRoot: string; token: string };
  return {
    apiRoot,
    token,
    stats: async () => (await (await fetch(`${apiRoot}/_stats`)).json()) as Record<string, number>,
    close: () => void child.kill("SIGTERM"),
  };
}
const SECRET = "bench_secret";

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
  const { stdout } = await run(process.execPath, [TSX, LOAD, JSON.stringify(options)], { timeout: 600_000, maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as LoadResult;
}

/** The baseline: grammY's own webhookCallback on express; each update is one insert and one reply. */
async function startBaseline(db: Db, fake: FakeProcess): Promise<{ url: string; close(): Promise<void> }> {
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
  await bot.init();
  const store = (updateId: number) =>
    db.notification.create({ data: { id: `baseline:${updateId}`, dedupeKey: `baseline:${updateId}`, kind: "bench", text: "", createdAt: new Date() } });
  bot.on("message", async (ctx) => {
    await store(ctx.update.update_id);
    await ctx.reply("收到");
  });
  bot.on("callback_query:data", async (ctx) => {
    await store(ctx.update.update_id);
    await ctx.answerCallbackQuery();
    await ctx.reply("收到");
  });
  const app = express();
  app.post("/telegram/webhook", express.json(), webhookCallback(bot, "express", { secretToken: SECRET }));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/telegram/webhook`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function drained(app: Running): Promise<void> {
  for (;;) {
    const open = await app.db.job.count({ where: { kind: "telegram.update", doneAt: null, failedAt: null } });
    if (open === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
const summary = (r: LoadResult) => ({ perSecond: round(r.perSecond), p50Ms: round(r.p50), p99Ms: round(r.p99), maxMs: round(r.max), errors: r.errors });

export async function benchTelegram(opts: { concurrency: number[]; updates: number }): Promise<object> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onedoor-bench-tg-"));
  const fake = await startFakeProcess();
  const config = loadConfig({
    DATABASE_URL: `file:${path.join(dir, "bench.db")}`,
    PORT: "0",
    LOG_LEVEL: "silent",
    DATA_DIR: dir,
    PUBLIC_BASE_URL: "https://onedoor.example.org",
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    TELEGRAM_WEBHOOK_SECRET: SECRET,
  });
  // The local classifier (no classifier option). Pacing is opened up: the fake is not Telegram, and
  // Telegram's 30 messages/s would measure Telegram, not us.
  const app = await start(config, {
    logger: silentLogger,
    telegram: { limits: { perChatPerSecond: 10_000, perChatBurst: 10_000, globalPerSecond: 100_000, globalBurst: 100_000 } },
  });
  const baseline = await startBaseline(app.db, fake);
  const ours = `${app.url}/telegram/webhook`;
  try {
    // Warm both paths (JIT, connections, SQLite pages) before measuring.
    await load(baseline.url, 4, 100);
    await load(ours, 4, 100);
    await drained(app);

    const runs = [];
    for (const concurrency of opts.concurrency) {
      const base = await load(baseline.url, concurrency, opts.updates);
      const repliesBefore = (await fake.stats()).sendMessage ?? 0;
      const t0 = performance.now();
      const mine = await load(ours, concurrency, opts.updates);
      await drained(app);
      const processedSeconds = (performance.now() - t0) / 1000;
      runs.push({
        concurrency,
        updates: opts.updates,
        baseline: summary(base),
        onedoor: {
          ...summary(mine),
          // Until every update was handled: classified, state saved, replies sent to the (fake) Bot API.
          processedPerSecond: round(opts.updates / processedSeconds),
          replies: ((await fake.stats()).sendMessage ?? 0) - repliesBefore,
        },
        p50Ratio: round(mine.p50 / base.p50),
        throughputRatio: round(mine.perSecond / base.perSecond),
        targets: {
          p99Under50ms: concurrency === 10 ? mine.p99 < 50 : undefined,
          p50Within5xBaseline: mine.p50 <= 5 * base.p50,
        },
      });
    }
    return {
      name: "telegram-webhook",
      node: process.version,
      cpus: os.cpus().length,
      note: "webhook answer latency measured by a separate load process on 127.0.0.1; baseline = bare grammY webhookCallback (one insert + one reply per update) on the same Prisma client",
      runs,
    };
  } finally {
    await baseline.close();
    await app.close();
    fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const i = process.argv.indexOf("--updates");
  const updates = i > 0 ? Number(process.argv[i + 1]) : 2000;
  const result = await benchTelegram({ concurrency: [10, 40], updates });
  console.log(process.argv.includes("--json") ? JSON.stringify(result) : JSON.stringify(result, null, 2));
}

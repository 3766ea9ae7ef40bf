// The server under test, in its own process: OneDoor exactly as `npm start` runs it (the compiled
// JavaScript in dist/), plus the baselines on a second port, on the same Prisma client:
//   POST /baseline          a bare express handler doing one insert (issue 2's baseline)
//   POST /telegram/webhook  a bare grammY bot: one insert and one reply per update (issue 4's baseline)
// With BENCH_TELEGRAM_API_ROOT and BENCH_TELEGRAM_TOKEN (a fake Bot API), Telegram runs in webhook mode.
// Talks to the parent over IPC: sends its URLs once up; "drain" → {drained} when every stored Telegram
// update has been handled, with how long updates took from stored to replies sent; "stop" → exits.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import express from "express";
import { Bot, webhookCallback } from "grammy";
import { loadConfig } from "../dist/config/env.js";
import { percentile } from "../dist/classify/evaluate.js";
import { newId } from "../dist/lib/ids.js";
import { silentLogger } from "../dist/lib/logger.js";
import { start } from "../dist/main.js";

export const TELEGRAM_SECRET = "bench_secret";

const apiRoot = process.env.BENCH_TELEGRAM_API_ROOT;
const token = process.env.BENCH_TELEGRAM_TOKEN;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onedoor-bench-"));
const config = loadConfig({
  DATABASE_URL: `file:${dir}/bench.db`,
  PORT: "0",
  LOG_LEVEL: "silent",
  DATA_DIR: dir,
  ...(apiRoot && token
    ? {
        TELEGRAM_BOT_TOKEN: token,
        TELEGRAM_API_ROOT: apiRoot,
        TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
        PUBLIC_BASE_URL: "https://onedoor.example.org",
      }
    : {}),
});
// Pacing is opened up: the fake is not Telegram, and Telegram's 30 messages/s would measure Telegram.
const running = await start(config, {
  logger: silentLogger,
  telegram: { limits: { perChatPerSecond: 10_000, perChatBurst: 10_000, globalPerSecond: 100_000, globalBurst: 100_000 } },
});

const store = (text) =>
  running.db.notification.create({ data: { id: newId(), dedupeKey: newId(), kind: "bench", text, createdAt: new Date() } });

const baseline = express();
baseline.post("/baseline", express.json(), async (req, res) => {
  await store(JSON.stringify(req.body));
  res.json({ ok: true });
});
if (apiRoot && token) {
  const bot = new Bot(token, { client: { apiRoot } });
  await bot.init();
  bot.on("message", async (ctx) => {
    await store(String(ctx.update.update_id));
    await ctx.reply("收到");
  });
  bot.on("callback_query:data", async (ctx) => {
    await store(String(ctx.update.update_id));
    await ctx.answerCallbackQuery();
    await ctx.reply("收到");
  });
  baseline.post("/telegram/webhook", express.json(), webhookCallback(bot, "express", { secretToken: TELEGRAM_SECRET }));
}

const server = baseline.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  process.send?.({ url: running.url, baselineUrl: `${base}/baseline`, telegramBaselineUrl: `${base}/telegram/webhook`, pid: process.pid });
});

let since = new Date(0);

/** Waits until every stored update is handled; then how long the updates since the last drain took. */
async function drain() {
  for (;;) {
    const open = await running.db.job.count({ where: { kind: "telegram.update", doneAt: null, failedAt: null } });
    if (open === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const jobs = await running.db.job.findMany({
    where: { kind: "telegram.update", createdAt: { gte: since } },
    select: { createdAt: true, doneAt: true },
  });
  since = new Date();
  // Stored on arrival → done once its replies were accepted by the Bot API: what the resident waits.
  const took = jobs.filter((j) => j.doneAt).map((j) => j.doneAt.getTime() - j.createdAt.getTime());
  return { drained: true, updates: took.length, handledP50Ms: percentile(took, 0.5), handledP99Ms: percentile(took, 0.99) };
}

process.on("message", async (msg) => {
  if (msg === "drain") process.send?.(await drain());
  if (msg === "stop") {
    server.close();
    await running.close();
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
});

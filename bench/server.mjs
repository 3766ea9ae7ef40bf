// The server under test, in its own process: OneDoor exactly as `npm start` runs it (the compiled
// JavaScript in dist/), plus the floors on a second port: the least work a chat turn can be.
//   POST /baseline          bare express writing the inbound and the outbound row with prepared
//                           better-sqlite3 statements in one transaction (WAL, synchronous=NORMAL, as OneDoor)
//   POST /telegram/webhook  a bare grammY bot: the same two rows and one reply per update, answering the
//                           webhook once the reply is sent (its webhook latency is update → reply)
// With BENCH_TELEGRAM_API_ROOT and BENCH_TELEGRAM_TOKEN (a fake Bot API), Telegram runs in webhook mode.
// Talks to the parent over IPC: sends its URLs once up; "drain" → {drained} when every stored Telegram
// update has been handled, with how long updates took from stored to replies sent; "stop" → exits.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import express from "express";
import { Bot, webhookCallback } from "grammy";
import { loadConfig } from "../dist/config/env.js";
import { percentile } from "../dist/classify/evaluate.js";
import { sql } from "../dist/db/sql.js";
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
  // Every simulated resident comes from 127.0.0.1: the per-address limits are opened up (still counted,
  // so their cost is measured); the per-session ones stay as shipped.
  WEB_CHAT_REQUESTS_PER_MINUTE: "1000000",
  WEB_CHAT_SESSIONS_PER_MINUTE: "1000000",
  WEB_CHAT_SESSIONS_PER_HOUR: "1000000",
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

const floorDb = new Database(path.join(dir, "floor.db"));
floorDb.pragma("journal_mode = WAL");
floorDb.pragma("synchronous = NORMAL");
floorDb.exec(`CREATE TABLE "Message" ("id" INTEGER PRIMARY KEY, "conversation" TEXT NOT NULL, "direction" TEXT NOT NULL,
  "payload" TEXT NOT NULL, "createdAt" TEXT NOT NULL)`);
const insert = floorDb.prepare(`INSERT INTO "Message" ("conversation", "direction", "payload", "createdAt") VALUES (?, ?, ?, ?)`);
/** The inbound row and the outbound row of one turn, committed together: the durable minimum of a reply. */
const store = floorDb.transaction((conversation, inbound, outbound) => {
  const at = new Date().toISOString();
  insert.run(conversation, "in", inbound, at);
  insert.run(conversation, "out", outbound, at);
});
const REPLY = [{ kind: "text", text: "收到" }];

const baseline = express();
baseline.post("/baseline", express.json(), (req, res) => {
  store(String(req.get("x-chat-session") ?? ""), JSON.stringify(req.body), JSON.stringify(REPLY));
  res.json({ messages: REPLY });
});
if (apiRoot && token) {
  const bot = new Bot(token, { client: { apiRoot } });
  await bot.init();
  bot.on("message", async (ctx) => {
    store(String(ctx.chat.id), JSON.stringify(ctx.update), JSON.stringify(REPLY));
    await ctx.reply("收到");
  });
  bot.on("callback_query:data", async (ctx) => {
    store(String(ctx.chat?.id), JSON.stringify(ctx.update), JSON.stringify(REPLY));
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
    const [{ open }] = await running.sql.query(
      sql`SELECT COUNT(*) AS "open" FROM "Job" WHERE "kind" = 'telegram.update' AND "doneAt" IS NULL AND "failedAt" IS NULL`,
    );
    if (Number(open) === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const jobs = await running.sql.query(
    sql`SELECT "createdAt", "doneAt" FROM "Job" WHERE "kind" = 'telegram.update' AND "createdAt" >= ${since}`,
  );
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
    floorDb.close();
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
});

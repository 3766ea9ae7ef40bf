// The server under test, in its own process: OneDoor exactly as `npm start` runs it (the compiled
// JavaScript in dist/), plus the floors on a second port: the least work a chat turn can be.
//   POST /baseline          bare express writing the inbound and the outbound row with prepared
//                           better-sqlite3 statements in one transaction (WAL, synchronous=NORMAL, as OneDoor)
//   POST /telegram/webhook  a bare grammY bot: the same two rows and one reply per update, answering the
//                           webhook once the reply is sent (its webhook latency is update → reply)
// With BENCH_TELEGRAM_API_ROOT and BENCH_TELEGRAM_TOKEN (a fake Bot API), Telegram runs in webhook mode.
// BENCH_DATABASE_URL puts OneDoor on that database (a PostgreSQL one; several of these processes may
// share it, as instances do); without it, a SQLite file in a temporary directory. The floors always
// write to a SQLite file of their own.
// Talks to the parent over IPC: sends its URLs once up; "drain" → {drained} when every stored Telegram
// update has been handled and its replies sent from the delivery ledger, with how long updates took from
// stored to their last reply accepted by the Bot API; "stop" → exits.
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
const databaseUrl = process.env.BENCH_DATABASE_URL || `file:${dir}/bench.db`;
const config = loadConfig({
  DATABASE_URL: databaseUrl,
  PORT: "0",
  LOG_LEVEL: "silent",
  DATA_DIR: dir,
  // The bench measures throughput, not the limiter. Every simulated resident comes from 127.0.0.1, and
  // one that writes to two instances at once sends each answer twice within a second or two: every
  // limit is opened up far past the load (each is still counted in the database on every request, so
  // its cost is measured). The load generator counts 429s, and there must be none.
  WEB_CHAT_REQUESTS_PER_MINUTE: "1000000",
  WEB_CHAT_SESSIONS_PER_MINUTE: "1000000",
  WEB_CHAT_SESSIONS_PER_HOUR: "1000000",
  WEB_CHAT_MESSAGES_PER_MINUTE: "1000000",
  WEB_CHAT_MESSAGES_PER_DAY: "10000000",
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
  process.send?.({ url: running.url, databaseUrl, baselineUrl: `${base}/baseline`, telegramBaselineUrl: `${base}/telegram/webhook`, pid: process.pid });
});

let since = new Date(0);

/**
 * Waits until every stored update is handled and every reply it queued in the delivery ledger is sent
 * (or failed); then how long the updates since the last drain took, from stored to their last reply
 * accepted by the Bot API.
 */
async function drain() {
  for (;;) {
    const [{ open }] = await running.sql.query(
      sql`SELECT COUNT(*) AS "open" FROM "Job" WHERE "kind" = 'telegram.update' AND "doneAt" IS NULL AND "failedAt" IS NULL`,
    );
    const [{ unsent }] = await running.sql.query(
      sql`SELECT COUNT(*) AS "unsent" FROM "Delivery" WHERE "channel" = 'telegram' AND "state" IN ('queued', 'sending')`,
    );
    if (Number(open) === 0 && Number(unsent) === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  // An update is the job stored on arrival (dedupeKey telegram:<bot>:<update_id>); its turn is the
  // inbound transcript row (externalKey telegram:<update_id>); its replies are the turn's deliveries.
  const jobs = await running.sql.query(
    sql`SELECT "dedupeKey", "createdAt", "doneAt" FROM "Job" WHERE "kind" = 'telegram.update' AND "createdAt" >= ${since}`,
  );
  const turns = await running.sql.query(
    sql`SELECT "externalKey", "turnId" FROM "ChatMessage" WHERE "direction" = 'in' AND "externalKey" LIKE 'telegram:%' AND "createdAt" >= ${since}`,
  );
  const deliveries = await running.sql.query(
    sql`SELECT "turnId", "state", "sentAt" FROM "Delivery" WHERE "channel" = 'telegram' AND "kind" = 'reply' AND "createdAt" >= ${since}`,
  );
  since = new Date();
  const turnOf = new Map(turns.map((t) => [t.externalKey, t.turnId]));
  const repliesOf = new Map();
  for (const d of deliveries) repliesOf.set(d.turnId, [...(repliesOf.get(d.turnId) ?? []), d]);
  const took = [];
  let withoutReplies = 0;
  let repliesSent = 0;
  let repliesFailed = 0;
  for (const j of jobs) {
    const replies = repliesOf.get(turnOf.get(`telegram:${j.dedupeKey.split(":").pop()}`)) ?? [];
    const sent = replies.filter((d) => d.state === "sent" && d.sentAt);
    repliesSent += sent.length;
    repliesFailed += replies.length - sent.length;
    if (sent.length === 0) {
      withoutReplies++;
      continue;
    }
    // Stored on arrival → the last reply accepted by the Bot API: what the resident waits.
    took.push(Math.max(...sent.map((d) => d.sentAt.getTime())) - j.createdAt.getTime());
  }
  return {
    drained: true,
    updates: jobs.length,
    withoutReplies,
    repliesSent,
    repliesFailed,
    handledP50Ms: percentile(took, 0.5),
    handledP99Ms: percentile(took, 0.99),
  };
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

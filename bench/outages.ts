// Issue 12's figures: the centre with Telegram configured (long polling, the real grammY adapter and
// dispatcher) against the fake Bot API behind the fault proxy, on a fresh SQLite file each run.
//   1. Stop time under each fault: close(grace) with a reply in hand, the target grace + 1 s.
//   2. An outage with 1,000 deliveries queued (100 chats × 10) and 50 reminders that expire meanwhile:
//      after recovery, how long the drain took against the ideal Telegram's limits allow, in order per
//      chat, none lost, none twice, the expired ones dropped with a record.
//   3. Web-chat p99 (a whole intake's messages) with the Bot API up and during the outage.
// The outage is simulated: its length does not change what the ledger does (the deliveries wait with no
// attempt spent), so it lasts as long as queuing takes, and the expired reminders stand in for its end.
// Run: npx tsx bench/outages.ts [--json]   (or npm run bench -- --only=outages)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../src/config/env.js";
import { silentLogger } from "../src/lib/logger.js";
import { start, type Running } from "../src/main.js";
import { sql } from "../src/db/sql.js";
import { startFaultProxy, type Fault, type FaultProxy } from "../test/fakes/fault-proxy.js";
import { startFakeTelegram, until, type FakeTelegram } from "../test/fakes/telegram-api.js";
import { WebResident } from "../test/support/web-client.js";
import { TELEGRAM_LIMITS } from "../src/bot/channels/telegram/limits.js";
import { round } from "./stats.js";

const GRACE_MS = 2_000;

interface World {
  app: Running;
  fake: FakeTelegram;
  proxy: FaultProxy;
  close(): Promise<void>;
}

async function world(): Promise<World> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onedoor-bench-outage-"));
  const fake = await startFakeTelegram();
  const proxy = await startFaultProxy(fake.apiRoot);
  const config = loadConfig({
    DATABASE_URL: `file:${path.join(dir, "bench.db")}`,
    PORT: "0",
    LOG_LEVEL: "silent",
    DATA_DIR: dir,
    JOB_POLL_MS: "100",
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: proxy.url,
    TELEGRAM_TIMEOUT_MS: "5000",
    SHUTDOWN_GRACE_MS: String(GRACE_MS),
    // Sixty residents from one address in a few seconds: the per-address quotas are a flood's, not theirs.
    WEB_CHAT_SESSIONS_PER_MINUTE: "1000",
    WEB_CHAT_SESSIONS_PER_HOUR: "10000",
    WEB_CHAT_REQUESTS_PER_MINUTE: "100000",
  });
  const app = await start(config, { logger: silentLogger, telegram: { bootWaitMs: 1_000 }, breakers: { openMs: 500, maxOpenMs: 2_000 } });
  await until(() => fake.calls.some((c) => c.method === "getUpdates"), "polling", 30_000);
  return {
    app,
    fake,
    proxy,
    async close() {
      await app.close(GRACE_MS).catch(() => undefined);
      await proxy.close();
      await fake.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const FAULTS: [string, Fault | null][] = [
  ["up", null],
  ["refused", { kind: "refuse" }],
  ["hanging", { kind: "hang" }],
  ["reset", { kind: "reset" }],
  ["5xx", { kind: "status", status: 502 }],
  ["429", { kind: "rate_limit", retryAfterSeconds: 200 }],
  ["drip", { kind: "drip", bytesPerTick: 16, tickMs: 200 }],
  ["malformed", { kind: "malformed" }],
];

async function stopTimes(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, fault] of FAULTS) {
    const w = await world();
    // A reply in hand when the signal comes: the fault applies to sendMessage from now on.
    if (fault) await w.proxy.set(fault, /sendMessage|getUpdates/);
    for (let i = 0; i < 5; i++) await w.app.messenger.sendText("telegram", String(500 + i), `【测试】停机时在途的消息 ${i}`);
    await new Promise((r) => setTimeout(r, 300)); // let the sends start: what is measured is a stop with work in hand
    const began = performance.now();
    await w.app.close(GRACE_MS);
    out[name] = Math.round(performance.now() - began);
    await w.close();
  }
  return out;
}

async function webP99(base: string, residents: number): Promise<{ p50: number; p99: number; messages: number }> {
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: residents }, async () => {
      const r = await WebResident.open(base);
      const steps: (() => Promise<unknown>)[] = [() => r.say("老板欠我三个月工资，八千块"), ...["同意", "对", "不留电话", "在本地", "确认提交"].map((s) => () => r.press(s))];
      for (const step of steps) {
        const t0 = performance.now();
        await step();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!);
  return { p50: at(0.5), p99: at(0.99), messages: latencies.length };
}

async function outageDrain() {
  const w = await world();
  const { app, fake, proxy } = w;
  try {
    const before = await webP99(app.url, 20);
    await proxy.set({ kind: "refuse" });
    // The outage: 1,000 notices to 100 chats, and 50 reminders due to expire before it ends.
    const chats = Array.from({ length: 100 }, (_, i) => String(10_000 + i));
    for (let n = 0; n < 10; n++) for (const chat of chats) await app.messenger.sendText("telegram", chat, `【补发测试】${chat} 第 ${n + 1} 条`);
    const expiresAt = new Date(Date.now() + 1_000);
    for (let i = 0; i < 50; i++) await app.messenger.sendText("telegram", String(20_000 + i), "【提醒】10 分钟后开始调解", undefined, { kind: "reminder", expiresAt });
    const during = await webP99(app.url, 20);
    await new Promise((r) => setTimeout(r, 1_500)); // past the reminders' expiry, still down
    const queued = Number((await app.sql.query<{ n: number }>(sql`SELECT COUNT(*) AS "n" FROM "Delivery" WHERE "channel" = 'telegram' AND "state" = 'queued'`))[0]!.n);
    const sentBefore = fake.sent("sendMessage").length;

    const recovered = performance.now();
    await proxy.set(null);
    await until(() => fake.sent("sendMessage").length - sentBefore >= 1_000, "the backlog drained", 300_000);
    const drainSeconds = (performance.now() - recovered) / 1000;
    await until(async () => Number((await app.sql.query<{ n: number }>(sql`SELECT COUNT(*) AS "n" FROM "Delivery" WHERE "channel" = 'telegram' AND "state" IN ('queued', 'sending')`))[0]!.n) === 0, "nothing queued", 60_000);

    // Counted on the fake: every notice once, in order per chat; no expired reminder sent.
    const got = new Map<string, string[]>();
    for (const c of fake.sent("sendMessage").slice(sentBefore)) {
      const id = String(c.params.chat_id);
      got.set(id, [...(got.get(id) ?? []), String(c.params.text)]);
    }
    let lost = 0;
    let twice = 0;
    let outOfOrder = 0;
    for (const chat of chats) {
      const texts = got.get(chat) ?? [];
      const expected = Array.from({ length: 10 }, (_, n) => `【补发测试】${chat} 第 ${n + 1} 条`);
      lost += expected.filter((e) => !texts.includes(e)).length;
      twice += texts.length - new Set(texts).size;
      if (texts.join("|") !== expected.filter((e) => texts.includes(e)).join("|")) outOfOrder++;
    }
    const remindersSent = [...got.keys()].filter((k) => Number(k) >= 20_000).length;
    const expired = Number((await app.sql.query<{ n: number }>(sql`SELECT COUNT(*) AS "n" FROM "Delivery" WHERE "kind" = 'reminder' AND "state" = 'expired'`))[0]!.n);
    // The ideal under Telegram's limits: 30 a second overall, and per chat its own pace.
    const perChat = 10 / TELEGRAM_LIMITS.perChatPerSecond;
    const ideal = Math.max(1_000 / TELEGRAM_LIMITS.globalPerSecond, perChat);
    const after = await webP99(app.url, 20);
    return {
      queuedAtRecovery: queued,
      delivered: 1_000 - lost,
      lost,
      twice,
      chatsOutOfOrder: outOfOrder,
      remindersExpiredNotSent: expired,
      remindersSentLate: remindersSent,
      drainSeconds: round(drainSeconds),
      idealSeconds: round(ideal),
      drainVsIdeal: round(drainSeconds / ideal),
      webChat: { up: before, duringOutage: during, afterRecovery: after, p99DuringVsUp: round(during.p99 / before.p99) },
    };
  } finally {
    await w.close();
  }
}

export async function benchOutages() {
  const stopMs = await stopTimes();
  const drain = await outageDrain();
  return {
    cpus: os.cpus().length,
    load: os.loadavg().map((x) => round(x)),
    graceMs: GRACE_MS,
    stopMs,
    stopTargetMs: GRACE_MS + 1_000,
    drain,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const result = await benchOutages();
  console.log(process.argv.includes("--json") ? JSON.stringify(result) : JSON.stringify(result, null, 2));
  process.exit(0);
}

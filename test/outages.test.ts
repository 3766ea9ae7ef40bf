import path from "node:path";
import { spawn } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/env.js";
import { silentLogger } from "../src/lib/logger.js";
import { start, type Running } from "../src/main.js";
import { startFaultProxy, type Fault, type FaultProxy } from "./fakes/fault-proxy.js";
import { startFakeTelegram, until, type FakeTelegram } from "./fakes/telegram-api.js";
import { createTestDb, type TestDb } from "./support/db.js";
import { all, count, one, sql } from "./support/query.js";
import { openDatabase } from "../src/db/client.js";
import { WebResident } from "./support/web-client.js";
import { CASE_CODE_PATTERN } from "../src/cases/types.js";

/**
 * Issue 12: the Bot API fails in each way it can, with Telegram configured (long polling). For each
 * fault: the service starts, the web chat opens a case, /healthz says what is wrong, a notice queued
 * for a Telegram chat meanwhile arrives once after recovery, and a stop returns within its grace.
 */

interface Health {
  status: string;
  checks: Record<string, string>;
  dependencies: Record<string, { status: string; lastError?: string | null; since?: string }>;
}

const GRACE_MS = 1_000;

describe("the Bot API fails; the centre does not", () => {
  let t: TestDb;
  let fake: FakeTelegram;
  let proxy: FaultProxy;
  let app: Running | undefined;
  beforeEach(async () => {
    t = await createTestDb();
    await t.close();
    fake = await startFakeTelegram();
    proxy = await startFaultProxy(fake.apiRoot);
  });
  afterEach(async () => {
    await app?.close(GRACE_MS).catch(() => undefined);
    app = undefined;
    await proxy.close();
    await fake.close();
    await t.cleanup();
  });

  async function startApp(env: Record<string, string> = {}): Promise<Running> {
    const config = loadConfig({
      DATABASE_URL: t.url,
      PORT: "0",
      LOG_LEVEL: "silent",
      DATA_DIR: t.dir,
      JOB_POLL_MS: "50",
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: proxy.url,
      TELEGRAM_TIMEOUT_MS: "1000",
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
      ...env,
    });
    app = await start(config, {
      migrate: false,
      logger: silentLogger,
      telegram: { limits: { perChatPerSecond: 200, perChatBurst: 50 }, bootWaitMs: 300 },
      breakers: { failureThreshold: 2, openMs: 200, maxOpenMs: 400 },
      outageAlerts: { alertAfterMs: 500, everyMs: 100 },
    });
    return app;
  }

  const health = async (a: Running): Promise<Health> => (await fetch(`${a.url}/healthz`)).json() as Promise<Health>;

  /** Faults that make the Bot API unreachable (the breaker opens), and those where it answers, slowly or "wait". */
  const cases: [string, Fault, "down" | "ok"][] = [
    ["refused", { kind: "refuse" }, "down"],
    ["hanging", { kind: "hang" }, "down"],
    ["reset mid-answer", { kind: "reset" }, "down"],
    ["answering 502", { kind: "status", status: 502 }, "down"],
    ["answering malformed JSON", { kind: "malformed" }, "down"],
    ["answering 429 retry_after 1", { kind: "rate_limit", retryAfterSeconds: 1 }, "ok"],
    ["dripping slowly", { kind: "drip", bytesPerTick: 64, tickMs: 20 }, "ok"],
  ];

  it.each(cases)("Bot API %s: starts, the web chat opens a case, health says so, the queued notice arrives once after recovery, the stop is bounded", async (_name, fault, expected) => {
    await proxy.set(fault);
    const a = await startApp();

    // The web chat is not held up by Telegram.
    const resident = await WebResident.open(a.url);
    await resident.say("老板欠我三个月工资，八千块");
    for (const step of ["同意", "对", "不留电话", "在本地", "确认提交"]) await resident.press(step);
    expect(resident.text()).toMatch(CASE_CODE_PATTERN);

    // A notice for a Telegram chat, queued while the Bot API misbehaves.
    await a.messenger.sendText("telegram", "777", "【测试】您的案件有新进展");
    if (expected === "down") {
      await until(async () => (await health(a)).dependencies.telegram?.status === "down", "health to show Telegram down", 15_000);
      const h = await health(a);
      expect(h.status).toBe("degraded");
      expect(h.dependencies.database).toEqual({ status: "ok" });
      expect(h.dependencies.telegram!.lastError).toBeTruthy();
      // Readiness is about this instance, not Telegram: it still serves.
      expect((await fetch(`${a.url}/readyz`)).status).toBe(200);
      expect(fake.sent("sendMessage", 777)).toHaveLength(0);
    }

    await proxy.set(null);
    await until(() => fake.sent("sendMessage", 777).length > 0, "the queued notice delivered after recovery", 15_000);
    await until(async () => (await health(a)).dependencies.telegram?.status === "ok", "health back to ok", 15_000);
    expect(fake.sent("sendMessage", 777).map((c) => c.params.text)).toEqual(["【测试】您的案件有新进展"]);
    // Recorded as sent once the Bot API's answer is in (just after the fake saw the call).
    await until(async () => (await count(a.sql, sql`SELECT 1 FROM "Delivery" WHERE "recipient" = '777' AND "state" = 'sent'`)) === 1, "the delivery recorded as sent");
    expect(await count(a.sql, sql`SELECT 1 FROM "Delivery" WHERE "recipient" = '777'`)).toBe(1);

    // Then the fault again, and a stop: it returns, nothing is left claimed.
    await proxy.set(fault);
    await a.messenger.sendText("telegram", "778", "【测试】第二条");
    const began = Date.now();
    await a.close(GRACE_MS);
    app = undefined;
    expect(Date.now() - began).toBeLessThan(GRACE_MS + 3_000);
  });

  it("after an outage the queue drains in order per chat, and a reminder whose time passed meanwhile is dropped with a record, not sent late", async () => {
    await proxy.set({ kind: "refuse" });
    const a = await startApp();
    for (let n = 1; n <= 3; n++) await a.messenger.sendText("telegram", "801", `【补发】第 ${n} 条`);
    const expiresAt = new Date(Date.now() + 200);
    await a.messenger.sendText("telegram", "802", "【提醒】10 分钟后开始调解", undefined, { kind: "reminder", expiresAt });
    await until(async () => (await health(a)).dependencies.telegram?.status === "down", "Telegram down", 15_000);
    // The reminder's time passes while Telegram is still down.
    await until(() => Date.now() > expiresAt.getTime(), "the reminder's time passed");
    await proxy.set(null);
    await until(() => fake.sent("sendMessage", 801).length === 3, "the backlog delivered", 15_000);
    expect(fake.sent("sendMessage", 801).map((c) => c.params.text)).toEqual(["【补发】第 1 条", "【补发】第 2 条", "【补发】第 3 条"]);
    await until(async () => (await one(a.sql, sql`SELECT "state" FROM "Delivery" WHERE "recipient" = '802'`)).state === "expired", "the reminder recorded as expired", 15_000);
    expect(fake.sent("sendMessage", 802)).toHaveLength(0);
  });

  it("staff are told once when the Bot API has been down past the alert time, and once when it is back", async () => {
    await proxy.set({ kind: "refuse" });
    const a = await startApp();
    const notices = () => all<{ kind: string; staffId: string; text: string }>(a.sql, sql`
      SELECT "kind", "staffId", "text" FROM "Notification" WHERE "kind" IN ('outage', 'outage_recovered') ORDER BY "createdAt", "kind"`);
    const supervisors = await all<{ id: string }>(a.sql, sql`SELECT "id" FROM "Staff" WHERE "role" IN ('supervisor', 'duty') AND "active" = ${true}`);
    expect(supervisors.length).toBeGreaterThan(0);
    // One notice each, written one after another.
    await until(async () => (await notices()).length === supervisors.length, "the outage alert", 15_000);
    const first = await notices();
    expect(first.map((n) => n.kind)).toEqual(supervisors.map(() => "outage"));
    expect(first[0]!.text).toContain("Telegram 已中断");
    expect(first[0]!.text).toContain("恢复后按顺序补发");

    await proxy.set(null);
    await until(async () => (await notices()).filter((n) => n.kind === "outage_recovered").length === supervisors.length, "the recovery notices", 15_000);
    await until(async () => (await health(a)).dependencies.telegram?.status === "ok", "health ok", 15_000);
    const all2 = await notices();
    expect(all2.filter((n) => n.kind === "outage")).toHaveLength(supervisors.length);
    expect(all2.filter((n) => n.kind === "outage_recovered")).toHaveLength(supervisors.length);
    expect(all2.find((n) => n.kind === "outage_recovered")!.text).toContain("Telegram 已恢复");
  });

  it("a stop with a send hanging: it returns, that delivery is recorded as interrupted (never sent twice), its claims are released, and new work is turned away meanwhile", async () => {
    // A call's own deadline longer than the grace: the stop is what cuts the hanging send off.
    const a = await startApp({ TELEGRAM_TIMEOUT_MS: "20000" });
    await until(async () => (await health(a)).checks.telegram === "polling", "polling started", 10_000);
    await proxy.set({ kind: "hang" }, /sendMessage/);
    await a.messenger.sendText("telegram", "779", "【测试】挂起的发送");
    await until(async () => (await count(a.sql, sql`SELECT 1 FROM "Delivery" WHERE "recipient" = '779' AND "state" = 'sending'`)) === 1, "the send in hand", 10_000);
    const closing = a.close(GRACE_MS);
    // Draining: alive, not ready, and new work is refused with 503 rather than half-done.
    expect((await fetch(`${a.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${a.url}/healthz`).then((r) => r.json())) as Health).toMatchObject({ status: "draining" });
    const refused = await fetch(`${a.url}/api/chat/session`, { method: "POST" });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    await closing;
    app = undefined;
    const db = await openDatabase(t.url);
    try {
      expect(await one(db.sql, sql`SELECT "state", "error" FROM "Delivery" WHERE "recipient" = '779'`)).toEqual({
        state: "failed",
        error: "interrupted while sending (process stopped); may have arrived",
      });
      expect(await count(db.sql, sql`SELECT 1 FROM "Job" WHERE "claimedBy" IS NOT NULL AND "doneAt" IS NULL AND "failedAt" IS NULL`)).toBe(0);
    } finally {
      await db.close();
    }
  });
});

describe("the process: SIGTERM with the Bot API hanging", () => {
  it("exits 0 within the grace period plus a second; a second signal exits at once", async () => {
    const t = await createTestDb();
    await t.close();
    const fake = await startFakeTelegram();
    const proxy = await startFaultProxy(fake.apiRoot);
    const run = (): { exited: Promise<{ code: number | null; ms: number }>; started: Promise<void>; stopping: Promise<void>; child: ReturnType<typeof spawn> } => {
      // Node itself runs main.ts (tsx as a loader only), so the signals reach the service, not a wrapper.
      const child = spawn(process.execPath, ["--import", "tsx", path.resolve("src/main.ts")], {
        env: {
          ...process.env,
          DATABASE_URL: t.url,
          PORT: "0",
          LOG_LEVEL: "info",
          DATA_DIR: t.dir,
          TELEGRAM_BOT_TOKEN: fake.token,
          TELEGRAM_API_ROOT: proxy.url,
          SHUTDOWN_GRACE_MS: "2000",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let signalledAt = 0;
      let stderr = "";
      child.stderr!.on("data", (d: Buffer) => void (stderr += d.toString()));
      child.once("exit", (code) => code !== 0 && code !== 1 && console.error(`main.ts exited ${code}: ${stderr.slice(-800)}`));
      const started = new Promise<void>((resolve, reject) => {
        child.stdout!.on("data", (d: Buffer) => d.toString().includes("OneDoor is running") && resolve());
        child.once("exit", (code) => reject(new Error(`exited (${code}) before it ran`)));
      });
      started.catch(() => undefined);
      // pino's line for the first signal: the process is stopping.
      const stopping = new Promise<void>((resolve) => child.stdout!.on("data", (d: Buffer) => d.toString().includes('"msg":"stopping"') && resolve()));
      const exited = new Promise<{ code: number | null; ms: number }>((resolve) => child.once("exit", (code, signal) => resolve({ code: code ?? (signal as unknown as number), ms: Date.now() - signalledAt })));
      const origKill = child.kill.bind(child);
      child.kill = ((sig?: NodeJS.Signals) => {
        signalledAt ||= Date.now();
        return origKill(sig);
      }) as typeof child.kill;
      return { exited, started, stopping, child };
    };
    let updateId = 90_000;
    /** The bot is polling; a resident writes, and the Bot API takes the reply and never answers. */
    async function replyHanging(chatId: number): Promise<void> {
      await proxy.set(null);
      await until(() => fake.calls.some((c) => c.method === "getUpdates"), "polling", 20_000);
      await proxy.set({ kind: "hang" }, /sendMessage/);
      const before = proxy.faulted.length;
      fake.push({ update_id: ++updateId, message: { message_id: updateId, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: "private" }, from: { id: chatId, is_bot: false, first_name: "王" }, text: "你好" } });
      await until(() => proxy.faulted.slice(before).some((p) => p.includes("sendMessage")), "a reply in hand, hanging", 20_000);
    }
    try {
      const one = run();
      await one.started;
      await replyHanging(901);
      one.child.kill("SIGTERM");
      const first = await one.exited;
      expect(first.code).toBe(0);
      expect(first.ms).toBeLessThan(2_000 + 1_000 + 1_500); // grace + 1 s, and the process's own exit

      const two = run();
      await two.started;
      await replyHanging(902);
      two.child.kill("SIGTERM");
      await two.stopping;
      two.child.kill("SIGTERM");
      const second = await two.exited;
      expect(second.code).toBe(1);
    } finally {
      await proxy.close();
      await fake.close();
      await t.cleanup();
    }
  }, 60_000);
});

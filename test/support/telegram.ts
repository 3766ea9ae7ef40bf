import { afterEach, beforeEach, expect } from "vitest";
import type { Classifier } from "../../src/classify/port.js";
import { loadConfig } from "../../src/config/env.js";
import type { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { start, type Running } from "../../src/main.js";
import { startFakeTelegram, TelegramChat, until, type FakeTelegram } from "../fakes/telegram-api.js";
import { createTestDb, type TestDb } from "./db.js";
import { count, first, sql } from "./query.js";

/** The webhook secret a world started in webhook mode uses (`env: { TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET, PUBLIC_BASE_URL }`). */
export const WEBHOOK_SECRET = "test_webhook-secret";

export interface TelegramWorld {
  /** A fresh database per test. */
  t: TestDb;
  /** The fake Bot API the real grammY talks to. */
  fake: FakeTelegram;
  app: Running | undefined;
  /** The whole service against the fake; webhook mode when `env` names PUBLIC_BASE_URL and a secret. */
  start(options?: { env?: Record<string, string>; classifier?: Classifier; clock?: ManualClock; telegramPacing?: boolean }): Promise<Running>;
  /** Resolves once the stored update has been handled (its job is done). */
  settled(updateId: number): Promise<void>;
  /**
   * Posts an update to the webhook as Telegram does (with WEBHOOK_SECRET), and makes the call the
   * webhook answer carries (grammY answers the first call in the response) on the fake, as Telegram would.
   */
  deliver(update: Record<string, unknown>): Promise<void>;
  /** A private chat with the bot through the webhook. */
  chat(id: number, from?: { first_name: string; language_code?: string }): TelegramChat;
  /** Nothing left to do at this instant: every due job run and every delivery sent (before the clock moves). */
  quiet(clock: ManualClock): Promise<void>;
}

/** Per test: a database, a fake Bot API, and the app once started; all closed after the test. */
export function telegramWorld(): TelegramWorld {
  const w = {} as TelegramWorld;
  beforeEach(async () => {
    w.t = await createTestDb();
    w.fake = await startFakeTelegram();
  });
  afterEach(async () => {
    await w.app?.close();
    w.app = undefined;
    await w.fake.close();
    await w.t.cleanup();
  });
  w.start = async ({ env = {}, classifier, clock, telegramPacing = false } = {}) => {
    const config = loadConfig({
      DATABASE_URL: w.t.url,
      PORT: "0",
      LOG_LEVEL: "silent",
      DATA_DIR: w.t.dir,
      JOB_POLL_MS: "50",
      TELEGRAM_BOT_TOKEN: w.fake.token,
      TELEGRAM_API_ROOT: w.fake.apiRoot,
      ...env,
    });
    // The fake is not Telegram: pace faster so a whole intake does not take a minute, unless the test is
    // about Telegram's real pacing.
    w.app = await start(config, {
      migrate: false,
      logger: silentLogger,
      classifier,
      ...(clock ? { clock } : {}),
      ...(telegramPacing ? {} : { telegram: { limits: { perChatPerSecond: 200, perChatBurst: 50 } } }),
    });
    return w.app;
  };
  w.deliver = async (update) => {
    const res = await fetch(`${w.app!.url}/telegram/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
      body: JSON.stringify(update),
    });
    expect(res.status).toBe(200);
    const reply = (await res.clone().json().catch(() => ({}))) as { method?: string; [param: string]: unknown };
    if (reply.method) {
      const { method, ...params } = reply;
      await fetch(`${w.fake.apiRoot}/bot${w.fake.token}/${method}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(params) });
    }
  };
  w.quiet = async (clock) => {
    await w.app!.worker.sweep();
    await until(async () => {
      const now = clock.now();
      const jobs = await count(w.t.sql, sql`SELECT 1 FROM "Job" WHERE "doneAt" IS NULL AND "failedAt" IS NULL AND "dueAt" <= ${now}`);
      const sending = await count(w.t.sql, sql`SELECT 1 FROM "Delivery" WHERE "state" IN ('queued', 'sending') AND "notBefore" <= ${now}`);
      return jobs === 0 && sending === 0;
    }, "jobs and deliveries settled");
  };
  w.chat = (id, from) => new TelegramChat(w.fake, w.deliver, w.settled, id, from);
  w.settled = (updateId) =>
    until(async () => {
      const job = await first(w.t.sql, sql`SELECT "doneAt" FROM "Job" WHERE "dedupeKey" = ${`telegram:123456:${updateId}`}`);
      return Boolean(job?.doneAt);
    }, `update ${updateId} handled`);
  return w;
}

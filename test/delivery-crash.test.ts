// kill -9 of an instance in the middle of sending (issue 9): the other instance finishes the chat's
// deliveries, each once. On SQLite the instances share one file; with TEST_DATABASE_URL, one database.
import { afterEach, beforeEach, expect, it } from "vitest";
import { transcriptWriter } from "../src/bot/conversation.repository.js";
import { loadConfig } from "../src/config/env.js";
import { systemClock } from "../src/lib/clock.js";
import { silentLogger } from "../src/lib/logger.js";
import { start, type Running } from "../src/main.js";
import { createMessenger } from "../src/notify/messenger.js";
import { startFakeTelegram, until, type FakeTelegram } from "./fakes/telegram-api.js";
import { scriptedClassifier } from "./support/classifiers.js";
import { createTestDb, type TestDb } from "./support/db.js";
import { startInstance, type InstanceProcess } from "./support/instance.js";
import { all, sql } from "./support/query.js";

const LEASES = { leaseMs: 1_200, heartbeatMs: 200 };
const LIMITS = { perChatPerSecond: 1_000, perChatBurst: 100, globalPerSecond: 10_000, globalBurst: 10_000 };

let t: TestDb;
let fake: FakeTelegram;
let a: InstanceProcess | undefined;
let b: Running | undefined;

beforeEach(async () => {
  t = await createTestDb();
  fake = await startFakeTelegram();
});
afterEach(async () => {
  await a?.kill();
  await b?.close();
  a = b = undefined;
  await fake.close();
  await t.cleanup();
});

it("kill -9 mid-send: the other instance sends the rest of the chat's messages, in order, none twice", async () => {
  const env = {
    DATABASE_URL: t.url,
    DATA_DIR: t.dir,
    LOG_LEVEL: "silent",
    JOB_POLL_MS: "50",
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    PUBLIC_BASE_URL: "https://onedoor.example.org",
    TELEGRAM_WEBHOOK_SECRET: "crash-test-secret",
  };
  // Telegram takes the first message and the instance dies before the answer comes back.
  fake.hold({ method: "sendMessage", chatId: 77 });
  a = await startInstance(env, { leases: LEASES, telegram: { limits: LIMITS } });
  const messenger = createMessenger({ sql: t.sql, clock: systemClock, transcript: transcriptWriter });
  const texts = ["通知 1", "通知 2", "通知 3", "通知 4", "通知 5"];
  await messenger.send("telegram", "77", texts.map((text) => ({ kind: "text" as const, text })), { kind: "notice" });
  await until(() => fake.sent("sendMessage", 77).length === 1, "the first notice on its way");
  await a.kill();

  b = await start(loadConfig({ ...env, PORT: "0" }), {
    migrate: false,
    logger: silentLogger,
    classifier: scriptedClassifier([]),
    leases: LEASES,
    telegram: { limits: LIMITS },
  });
  await until(() => fake.sent("sendMessage", 77).length === 5, "the other four notices", 20_000);
  // What the resident's phone shows: each notice once, in order (the first one did reach Telegram).
  expect(fake.sent("sendMessage", 77).map((c) => c.params.text)).toEqual(texts);
  // What the ledger says: the interrupted one is failed with the reason, never retried; the rest sent.
  await until(async () => (await all(t.sql, sql`SELECT 1 FROM "Delivery" WHERE "state" IN ('queued', 'sending')`)).length === 0, "ledger settled");
  const rows = await all(t.sql, sql`SELECT "state", "retryable", "error" FROM "Delivery" ORDER BY "createdAt", "id"`);
  expect(rows.map((r) => r.state)).toEqual(["failed", "sent", "sent", "sent", "sent"]);
  expect(rows[0]).toMatchObject({ retryable: false, error: expect.stringContaining("may have arrived") });
});

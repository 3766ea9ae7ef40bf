// Several instances on one database (issue 9, "Several instances"): faults a second instance brings,
// each with the outcome a resident or the centre would see. On SQLite the instances share one file; with
// TEST_DATABASE_URL they share one PostgreSQL database.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/env.js";
import { enqueueJob } from "../src/jobs/job.repository.js";
import { createLeaseKeeper } from "../src/jobs/lease.js";
import { createJobWorker } from "../src/jobs/worker.js";
import { systemClock } from "../src/lib/clock.js";
import { silentLogger } from "../src/lib/logger.js";
import { start, type Running, type StartOptions } from "../src/main.js";
import { startFakeTelegram, TelegramChat, until, type FakeTelegram } from "./fakes/telegram-api.js";
import { scriptedClassifier } from "./support/classifiers.js";
import { createTestDb, type TestDb } from "./support/db.js";
import { startInstance, taggedApiRoot, type InstanceProcess } from "./support/instance.js";
import { all, count, sql } from "./support/query.js";

const SECRET = "instances-webhook-secret";
/** Short leases, so a killed instance's claims and poller lease run out in about a second. */
const LEASES = { leaseMs: 1_200, heartbeatMs: 200 };
/** The fake is not Telegram: no pacing to wait out. */
const LIMITS = { perChatPerSecond: 1_000, perChatBurst: 100, globalPerSecond: 10_000, globalBurst: 10_000 };
const webhookEnv = { PUBLIC_BASE_URL: "https://onedoor.example.org", TELEGRAM_WEBHOOK_SECRET: SECRET };

let t: TestDb;
let fake: FakeTelegram;
const apps: Running[] = [];
const children: InstanceProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  t = await createTestDb();
  fake = await startFakeTelegram();
});
afterEach(async () => {
  for (const c of children.splice(0)) await c.stop();
  for (const a of apps.splice(0)) await a.close();
  for (const c of cleanups.splice(0)) await c();
  await fake.close();
  await t.cleanup();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { DATABASE_URL: t.url, DATA_DIR: t.dir, PORT: "0", LOG_LEVEL: "silent", JOB_POLL_MS: "50", ...extra };
}
const telegramEnv = (extra: Record<string, string> = {}) => env({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, ...extra });

async function instance(e: Record<string, string>, options: StartOptions = {}): Promise<Running> {
  const app = await start(loadConfig(e), {
    migrate: false,
    logger: silentLogger,
    classifier: scriptedClassifier([]),
    leases: LEASES,
    telegram: { limits: LIMITS },
    ...options,
  });
  apps.push(app);
  return app;
}

async function child(e: Record<string, string>): Promise<InstanceProcess> {
  const c = await startInstance(e, { leases: LEASES, telegram: { limits: LIMITS } });
  children.push(c);
  return c;
}

async function webhook(base: string, update: Record<string, unknown>): Promise<number> {
  const res = await fetch(`${base}/telegram/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
    body: JSON.stringify(update),
  });
  await res.arrayBuffer();
  return res.status;
}

interface HealthBody {
  status: string;
  checks: Record<string, string>;
  dependencies: Record<string, { status: string }>;
}
async function health(base: string): Promise<{ code: number; body: HealthBody }> {
  const res = await fetch(`${base}/healthz`);
  return { code: res.status, body: (await res.json()) as HealthBody };
}

const updateKey = (update: Record<string, unknown>) => `telegram:${fake.token.split(":")[0]}:${String(update.update_id)}`;
const texts = (chatId: number) => fake.sent("sendMessage", chatId).map((c) => String(c.params.text));
/** Resolves once the stored update has been handled (its job is done). */
const handled = (update: Record<string, unknown>) =>
  until(async () => (await count(t.sql, sql`SELECT 1 FROM "Job" WHERE "dedupeKey" = ${updateKey(update)} AND "doneAt" IS NOT NULL`)) === 1, `update ${String(update.update_id)} handled`, 10_000);
const noop = async () => undefined;

describe("two instances on one database", () => {
  it("a resident writing to both at once: one conversation, each turn once, numbered 1…n without gaps", async () => {
    const [a, b] = [await instance(env()), await instance(env())];
    const { sessionId } = (await (await fetch(`${a.url}/api/chat/session`, { method: "POST" })).json()) as { sessionId: string };
    const N = 10;
    // As the page does: a message that failed is sent again with the same id until it is answered.
    async function send(base: string, i: number): Promise<{ messages: unknown[]; transcriptId: number }> {
      for (let attempt = 1; ; attempt++) {
        const res = await fetch(`${base}/api/chat/messages`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-chat-session": sessionId },
          body: JSON.stringify({ clientMessageId: `m${i}`, text: `第${i}条：你好` }),
        });
        if (res.ok) return (await res.json()) as { messages: unknown[]; transcriptId: number };
        await res.arrayBuffer();
        if (attempt >= 5) throw new Error(`message ${i}: HTTP ${res.status}`);
      }
    }
    const replies = await Promise.all(Array.from({ length: N }, (_, i) => send(i % 2 ? a.url : b.url, i)));

    const conversations = await all<{ id: string; lastSeq: number }>(t.sql, sql`SELECT "id", "lastSeq" FROM "Conversation" WHERE "channel" = 'web'`);
    expect(conversations).toHaveLength(1);
    const rows = await all<{ seq: number; direction: string; payload: string; turnId: string | null }>(
      t.sql,
      sql`SELECT "seq", "direction", "payload", "turnId" FROM "ChatMessage" WHERE "conversationId" = ${conversations[0]!.id} ORDER BY "seq"`,
    );
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(conversations[0]!.lastSeq).toBe(rows.length);
    // Every message in once, none lost, none twice.
    const inbound = rows.filter((r) => r.direction === "in").map((r) => (JSON.parse(r.payload) as { text: string }).text);
    expect(inbound.sort()).toEqual(Array.from({ length: N }, (_, i) => `第${i}条：你好`).sort());
    // And each answer is the turn that stored it: its inbound row and exactly the replies it returned.
    replies.forEach((reply, i) => {
      const turn = rows.find((r) => r.seq === reply.transcriptId)!.turnId;
      const ofTurn = rows.filter((r) => r.turnId === turn);
      expect(ofTurn.filter((r) => r.direction === "in").map((r) => (JSON.parse(r.payload) as { text: string }).text)).toEqual([`第${i}条：你好`]);
      expect(ofTurn.filter((r) => r.direction === "out")).toHaveLength(reply.messages.length);
    });
  });

  it("the same Telegram update delivered to both: handled once, one reply", async () => {
    const [a, b] = [await instance(telegramEnv(webhookEnv)), await instance(telegramEnv(webhookEnv))];
    const twice = new TelegramChat(fake, noop, noop, 7001);
    const once = new TelegramChat(fake, noop, noop, 7002);
    const update = twice.textUpdate("/start");
    const other = once.textUpdate("/start");
    // Telegram retrying a delivery it thinks failed, to whichever instance the balancer picks.
    const codes = await Promise.all([webhook(a.url, update), webhook(b.url, update), webhook(a.url, update), webhook(b.url, update), webhook(a.url, other)]);
    expect(codes).toEqual([200, 200, 200, 200, 200]);
    await until(async () => (await count(t.sql, sql`SELECT 1 FROM "Job" WHERE "kind" = 'telegram.update' AND "doneAt" IS NOT NULL`)) === 2, "both updates handled");
    await until(() => texts(7002).length > 0 && texts(7001).length >= texts(7002).length, "the replies");
    await handled(update);
    expect(texts(7001)).toEqual(texts(7002));
    expect(await all(t.sql, sql`SELECT "attempts" FROM "Job" WHERE "dedupeKey" = ${updateKey(update)}`)).toEqual([{ attempts: 1 }]);
    expect(await count(t.sql, sql`SELECT 1 FROM "ChatMessage" WHERE "direction" = 'in' AND "externalKey" LIKE ${`%${String(update.update_id)}`}`)).toBe(1);
  });

  it("a job whose handler runs past its lease is not run twice: its keeper renews it, the other worker leaves it", async () => {
    await enqueueJob(t.sql, { kind: "long", payload: {}, dueAt: systemClock.now(), dedupeKey: "long:1" }, systemClock.now());
    let runs = 0;
    let finish!: () => void;
    const handlers = { long: () => ((runs++), new Promise<void>((r) => (finish = r))) };
    const keeperA = createLeaseKeeper({ sql: t.sql, clock: systemClock, logger: silentLogger, owner: "a", heartbeatMs: LEASES.heartbeatMs });
    const a = createJobWorker({ sql: t.sql, clock: systemClock, logger: silentLogger, owner: "a", handlers, leaseMs: LEASES.leaseMs });
    const b = createJobWorker({ sql: t.sql, clock: systemClock, logger: silentLogger, owner: "b", handlers, leaseMs: LEASES.leaseMs });
    keeperA.start();
    cleanups.push(async () => keeperA.stop());
    const running = a.sweep();
    await until(() => runs === 1, "a running the job");
    const since = Date.now();
    // b sweeps again and again for three leases' length: the job is a's all along.
    await until(async () => {
      expect(await b.sweep()).toBe(0);
      return Date.now() - since > 3 * LEASES.leaseMs;
    }, "three leases passing", 10_000);
    finish();
    await running;
    expect(runs).toBe(1);
    expect(await all(t.sql, sql`SELECT "claimedBy", "attempts" FROM "Job" WHERE "dedupeKey" = 'long:1' AND "doneAt" IS NOT NULL`)).toEqual([{ claimedBy: "a", attempts: 1 }]);
  });

  it("kill -9 with 300 Telegram updates stored and claimed: all handled within seconds of a restart, none twice", { timeout: 60_000 }, async () => {
    // The first instance takes the updates in, but cannot reach the Bot API (it has no answer for any of
    // them yet) when it is killed: every update is stored, claimed by a process that is gone.
    const dead = await child(telegramEnv({ ...webhookEnv, TELEGRAM_API_ROOT: "http://127.0.0.1:9" }));
    const N = 300;
    const people = Array.from({ length: N }, (_, i) => new TelegramChat(fake, noop, noop, 80_000 + i));
    const updates = people.map((p) => p.textUpdate("/start"));
    for (let i = 0; i < N; i += 30) {
      const codes = await Promise.all(updates.slice(i, i + 30).map((u) => webhook(dead.url, u)));
      expect(codes.every((c) => c === 200)).toBe(true);
    }
    const stored = await all<{ claimedBy: string | null; doneAt: Date | null }>(t.sql, sql`SELECT "claimedBy", "doneAt" FROM "Job" WHERE "kind" = 'telegram.update'`);
    expect(stored).toHaveLength(N);
    expect(new Set(stored.map((s) => s.claimedBy)).size).toBe(1);
    expect(stored.every((s) => s.claimedBy !== null && s.doneAt === null)).toBe(true);
    await dead.kill();

    const restarted = Date.now();
    await instance(telegramEnv(webhookEnv));
    await until(async () => (await count(t.sql, sql`SELECT 1 FROM "Job" WHERE "kind" = 'telegram.update' AND "doneAt" IS NOT NULL`)) === N, "all 300 handled", 45_000);
    const took = Date.now() - restarted;
    const greeting = texts(people[0]!.id);
    expect(greeting.length).toBeGreaterThan(0);
    await until(() => people.every((p) => texts(p.id).length >= greeting.length), "the greeting in every chat");
    // None twice: every chat got the same greeting, once.
    for (const p of people) expect(texts(p.id)).toEqual(greeting);
    expect(await count(t.sql, sql`SELECT 1 FROM "Job" WHERE "kind" = 'telegram.update' AND "attempts" <> 2`)).toBe(0);
    // Seconds: the dead claims run out after a lease (1.2 s here, 15 s by default), then the sweep.
    expect(took).toBeLessThan(20_000);
  });

  it("two pollers: only one long-polls; kill it and the other takes over within seconds", async () => {
    const calls: { tag: string; method: string }[] = [];
    const proxies = await Promise.all(["a", "b"].map((tag) => taggedApiRoot(fake.apiRoot, tag, calls)));
    for (const p of proxies) cleanups.push(p.close);
    const [a, b] = await Promise.all(proxies.map((p) => child(telegramEnv({ TELEGRAM_API_ROOT: p.apiRoot }))));
    const byTag = { a: a!, b: b! };

    await until(() => calls.some((c) => c.method === "getUpdates"), "the first poll");
    const people = [1, 2, 3].map((i) => new TelegramChat(fake, noop, noop, 9000 + i));
    const polled = people.map((p) => p.textUpdate("/start"));
    for (const u of polled) fake.push(u);
    for (const u of polled) await handled(u);
    const greeting = texts(people[0]!.id);
    expect(greeting.length).toBeGreaterThan(0);
    const pollers = [...new Set(calls.filter((c) => c.method === "getUpdates").map((c) => c.tag))];
    expect(pollers).toHaveLength(1);
    const holder = pollers[0] as "a" | "b";
    const standby = holder === "a" ? "b" : "a";
    expect(calls.filter((c) => c.tag === standby).map((c) => c.method)).not.toContain("deleteWebhook");
    // The one standing by is healthy: it simply is not the poller.
    expect(await health(byTag[standby].url)).toMatchObject({ code: 200, body: { status: "ok", checks: { database: "ok", telegram: "standby: another instance polls" }, dependencies: { database: { status: "ok" }, telegram: { status: "ok" } } } });
    expect(await health(byTag[holder].url)).toMatchObject({ code: 200, body: { status: "ok", checks: { database: "ok", telegram: "polling" }, dependencies: { database: { status: "ok" }, telegram: { status: "ok" } } } });

    await byTag[holder].kill();
    const killedAt = calls.length;
    const late = new TelegramChat(fake, noop, noop, 9009);
    const since = Date.now();
    const lateUpdate = late.textUpdate("/start");
    fake.push(lateUpdate);
    await handled(lateUpdate);
    await until(() => texts(late.id).length >= greeting.length, "the other instance answering");
    expect(Date.now() - since).toBeLessThan(8_000);
    // (The killed one's last requests may still be in the proxy's socket buffers: only the survivor's are counted.)
    expect(calls.slice(killedAt).some((c) => c.tag === standby && c.method === "getUpdates")).toBe(true);
    expect((await health(byTag[standby].url)).body.checks.telegram).toBe("polling");
    // What was polled before the kill was handled once.
    for (const p of [...people, late]) expect(texts(p.id)).toEqual(greeting);
  });

  it("a conflict just after taking over (the previous poller's last call) is polled through", async () => {
    const calls: { tag: string; method: string }[] = [];
    let conflicts = 1;
    const api = await taggedApiRoot(fake.apiRoot, "a", calls, (method) =>
      method === "getUpdates" && conflicts-- > 0
        ? { status: 409, body: { ok: false, error_code: 409, description: "Conflict: terminated by other getUpdates request" } }
        : undefined,
    );
    cleanups.push(api.close);
    const app = await instance(telegramEnv({ TELEGRAM_API_ROOT: api.apiRoot }));
    const person = new TelegramChat(fake, noop, noop, 9100);
    const update = person.textUpdate("/start");
    fake.push(update);
    // Watched all along: the instance never says its poll loop died (a load balancer would take it out).
    const seen = new Set<string>();
    await until(async () => {
      seen.add((await health(app.url)).body.status);
      return (await count(t.sql, sql`SELECT 1 FROM "Job" WHERE "dedupeKey" = ${updateKey(update)} AND "doneAt" IS NOT NULL`)) === 1;
    }, "the update handled");
    expect([...seen]).toEqual(["ok"]);
    expect(calls.filter((c) => c.method === "getUpdates").length).toBeGreaterThan(1);
    expect(await health(app.url)).toMatchObject({ code: 200, body: { status: "ok", checks: { database: "ok", telegram: "polling" }, dependencies: { database: { status: "ok" }, telegram: { status: "ok" } } } });
  });

  it("a poll loop that dies makes /healthz say degraded with the reason, and gives the poller role up", async () => {
    const calls: { tag: string; method: string }[] = [];
    // Telegram says another getUpdates is running (a poller outside this centre's instances, say).
    const conflict = await taggedApiRoot(fake.apiRoot, "a", calls, (method) =>
      method === "getUpdates" ? { status: 409, body: { ok: false, error_code: 409, description: "Conflict: terminated by other getUpdates request" } } : undefined,
    );
    cleanups.push(conflict.close);
    const app = await instance(telegramEnv({ TELEGRAM_API_ROOT: conflict.apiRoot }));
    // Liveness stays 200 (the process serves the web chat); the report says what died, and why.
    await until(async () => (await health(app.url)).body.status === "degraded", "the health check noticing", 10_000);
    expect(await health(app.url)).toMatchObject({
      code: 200,
      body: { status: "degraded", checks: { database: "ok", telegram: expect.stringMatching(/^polling stopped: .*409.*Conflict/) } },
    });
    // The lease is free for another instance to try (released just after the loop reports its death).
    await until(async () => (await all(t.sql, sql`SELECT "holder" FROM "Lease"`)).length === 0, "the poller lease released", 5_000);
  });
});

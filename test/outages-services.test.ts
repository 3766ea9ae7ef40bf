import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { enqueueJob } from "../src/jobs/job.repository.js";
import { CASE_CODE_PATTERN } from "../src/cases/types.js";
import { startFaultProxy, type Fault, type FaultProxy } from "./fakes/fault-proxy.js";
import { startFakeLiveKit, type FakeLiveKit } from "./fakes/livekit-server.js";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/openai-server.js";
import { until } from "./fakes/telegram-api.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { delivered, shown } from "./support/consent.js";
import { count, one, sql } from "./support/query.js";
import { insertSession } from "./support/sessions.js";
import { MINUTE } from "../src/lib/clock.js";
import { agreedCase } from "./support/scheduling.js";
import { WebResident } from "./support/web-client.js";

/**
 * Issue 12, for the services other than Telegram: the model server (chat), the speech server (audio)
 * and LiveKit, each behind the fault stand-in, in each way it can fail. For each fault: the service
 * starts, the web chat opens a case, /healthz says what is wrong, what the service is for works again
 * after recovery (a case classified by the model, a voice note transcribed, a session booked as video),
 * and a stop returns within its grace. (The Bot API's own run is test/outages.test.ts.)
 */

interface Health {
  status: string;
  dependencies: Record<string, { status: string; lastError?: string | null }>;
}

const GRACE_MS = 1_000;
/** One failure opens a breaker, and it is probed again soon: the tests need not wait out real pauses. */
const START = { breakers: { failureThreshold: 1, openMs: 150, maxOpenMs: 300 }, dependencyCheckMs: 100 };

/** Faults that make a service unusable (its breaker opens), and those where it still answers: slowly, or "wait". */
const FAULTS: [string, Fault, "down" | "ok"][] = [
  ["refused", { kind: "refuse" }, "down"],
  ["hanging", { kind: "hang" }, "down"],
  ["reset mid-answer", { kind: "reset" }, "down"],
  ["answering 502", { kind: "status", status: 502 }, "down"],
  ["answering malformed JSON", { kind: "malformed" }, "down"],
  ["answering 429", { kind: "rate_limit", retryAfterSeconds: 1 }, "ok"],
  ["dripping slowly", { kind: "drip", bytesPerTick: 64, tickMs: 20 }, "ok"],
];

const health = async (app: TestApp): Promise<Health> => (await fetch(`${app.url}/healthz`)).json() as Promise<Health>;
const statusOf = async (app: TestApp, name: string) => (await health(app)).dependencies[name]?.status;

/** The quickest honest answer to each question the intake may ask, until the case card with its code. */
const ANSWERS = ["同意", "提交", "对", "跳过", "不留电话", "没有", "只有我", "在本地", "在聊天里接收", "确认提交"];
async function fileCase(r: WebResident, story: string): Promise<string> {
  await r.say(story);
  for (let i = 0; i < 15 && !CASE_CODE_PATTERN.test(r.text()); i++) {
    const labels = r.last.flatMap((m) => (m.kind === "text" ? (m.buttons ?? []).flat() : [])).map((b) => b.label);
    const next = ANSWERS.find((a) => labels.some((l) => l.includes(a)));
    if (!next) throw new Error(`no answer for: ${r.text()} ${JSON.stringify(labels)}`);
    await r.press(next);
  }
  const code = CASE_CODE_PATTERN.exec(r.text())?.[0];
  if (!code) throw new Error(`no case code in: ${r.text()}`);
  return code;
}

const sourceOf = async (app: TestApp, code: string) => (await one(app.sql, sql`SELECT "classifierSource" FROM "Case" WHERE "code" = ${code}`)).classifierSource;

async function stopWithin(app: TestApp): Promise<number> {
  const began = Date.now();
  await app.close(GRACE_MS);
  return Date.now() - began;
}

describe("the model server fails; the centre does not", () => {
  let fake: FakeOpenAI;
  let proxy: FaultProxy;
  let app: TestApp | undefined;
  beforeEach(async () => {
    fake = await startFakeOpenAI();
    fake.setDefault({
      kind: "answer",
      value: { type: "labor", confidence: 0.93, summary: "老板拖欠三个月工资八千元", parties: ["老板"], amount_yuan: 8000, place: null, since: null, complexity: "simple", risk_flags: [] },
    });
    proxy = await startFaultProxy(fake.baseUrl);
  });
  afterEach(async () => {
    await app?.close(GRACE_MS).catch(() => undefined);
    await app?.t.cleanup().catch(() => undefined);
    app = undefined;
    await proxy.close();
    await fake.close();
  });

  it.each(FAULTS)("model server %s: starts, cases open (classified locally while it is down), health says so, the model classifies again after recovery, the stop is bounded", async (_name, fault, expected) => {
    await proxy.set(fault);
    app = await startTestApp({
      env: { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: proxy.url, CLASSIFIER_TIMEOUT_MS: "1500", SHUTDOWN_GRACE_MS: String(GRACE_MS) },
      start: START,
    });
    const a = app;

    // The resident is not held up: the local model answers when the server does not.
    const during = await fileCase(await WebResident.open(a.url), "老板欠我三个月工资，八千块");
    if (expected === "down") {
      expect(await sourceOf(a, during)).toBe("llm_fallback");
      await until(async () => (await statusOf(a, "model")) === "down", "health to show the model down", 10_000);
      const h = await health(a);
      expect(h.status).toBe("degraded");
      expect(h.dependencies.model!.lastError).toBeTruthy();
      expect((await fetch(`${a.url}/readyz`)).status).toBe(200);
    } else {
      // It answered (slowly, or "later"): it is there, whatever this one classification got.
      expect(["llm", "llm_fallback"]).toContain(await sourceOf(a, during));
      await until(async () => proxy.faulted.some((p) => p.endsWith("/models")), "a health check answered", 10_000);
      expect(await statusOf(a, "model")).toBe("ok");
    }

    // Back: the health check finds it without waiting for a resident, and the next case is the model's.
    await proxy.set(null);
    await until(async () => fake.modelListings > 0 && (await statusOf(a, "model")) === "ok", "health back to ok", 10_000);
    const after = await fileCase(await WebResident.open(a.url), "包工头拖欠我工资两个月了");
    expect(await sourceOf(a, after)).toBe("llm");

    await proxy.set(fault);
    expect(await stopWithin(a)).toBeLessThan(GRACE_MS + 3_000);
  });
});

describe("the speech server fails; the centre does not", () => {
  let fake: FakeOpenAI;
  let proxy: FaultProxy;
  let app: TestApp | undefined;
  const VOICE = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.from("opus voice note".repeat(30))]);
  beforeEach(async () => {
    fake = await startFakeOpenAI();
    proxy = await startFaultProxy(fake.baseUrl);
  });
  afterEach(async () => {
    await app?.close(GRACE_MS).catch(() => undefined);
    await app?.t.cleanup().catch(() => undefined);
    app = undefined;
    await proxy.close();
    await fake.close();
  });

  /** A resident at the first question who sends a recording made on the page. */
  async function voiceNote(a: TestApp): Promise<WebResident> {
    const r = await WebResident.open(a.url);
    await r.post({ button: "cmd:start" });
    await r.press("同意");
    expect(r.text()).toContain("打字或发语音都可以");
    await r.upload(VOICE, { mime: "audio/webm;codecs=opus", voice: true });
    return r;
  }

  it.each(FAULTS)("speech server %s: starts, a voice note is kept and the resident asked to type, health says so, voice is transcribed again after recovery, the stop is bounded", async (_name, fault, expected) => {
    await proxy.set(fault);
    app = await startTestApp({
      env: { SPEECH_MODEL: "whisper-test", SPEECH_API_KEY: "sk-test", SPEECH_BASE_URL: proxy.url, SPEECH_TIMEOUT_MS: "1500", SHUTDOWN_GRACE_MS: String(GRACE_MS) },
      start: START,
    });
    const a = app;
    // The web chat opens a case meanwhile (typed).
    expect(await fileCase(await WebResident.open(a.url), "老板欠我三个月工资，八千块")).toMatch(CASE_CODE_PATTERN);

    if (expected === "down") {
      const r = await voiceNote(a);
      // What the resident sees: the recording is kept, please type; the question again. Never a dead end.
      expect(r.text()).toContain("这段语音没听清，已经保存。请打字告诉我");
      expect(r.text()).toContain("请说说发生了什么");
      await until(async () => (await statusOf(a, "speech")) === "down", "health to show speech down", 10_000);
      expect((await health(a)).status).toBe("degraded");
    } else {
      await until(async () => proxy.faulted.some((p) => p.endsWith("/models")), "a health check answered", 10_000);
      expect(await statusOf(a, "speech")).toBe("ok");
    }

    await proxy.set(null);
    await until(async () => fake.modelListings > 0 && (await statusOf(a, "speech")) === "ok", "health back to ok", 10_000);
    fake.enqueueAudio({ kind: "text", text: "老板欠了我三个月工资一共九千块" });
    const r = await voiceNote(a);
    expect(r.text()).toContain("我听到的是：“老板欠了我三个月工资一共九千块”");

    await proxy.set(fault);
    expect(await stopWithin(a)).toBeLessThan(GRACE_MS + 3_000);
  });
});

describe("LiveKit fails; the centre does not", () => {
  let lk: FakeLiveKit;
  let proxy: FaultProxy;
  let app: TestApp | undefined;
  let n = 0;
  beforeEach(async () => {
    lk = await startFakeLiveKit();
    proxy = await startFaultProxy(lk.url.replace(/^ws/, "http"));
  });
  afterEach(async () => {
    await app?.close(GRACE_MS).catch(() => undefined);
    await app?.t.cleanup().catch(() => undefined);
    app = undefined;
    await proxy.close();
    await lk.close();
  });

  /** A case both sides agreed to mediate; the booking offer its claimant gets. */
  async function offer(a: TestApp): Promise<string> {
    const user = `lk-c${++n}`;
    const c = await agreedCase(a.cases, { claimantUser: user, claimant: { presets: ["weekend"] }, respondent: { presets: ["weekend"] } });
    await a.sql.transaction((tx) => enqueueJob(tx, { kind: "booking.start", payload: { caseId: c.id }, dueAt: a.clock.now(), dedupeKey: `booking.start:${c.id}` }, a.clock.now()));
    await a.worker.sweep();
    return shown(await delivered(a, user));
  }

  it.each(FAULTS)("LiveKit %s: starts, cases open, health says so, a booking meanwhile is offered by phone and says why, a join meanwhile answers at once and tells the mediator to phone, video again after recovery, the stop is bounded", async (_name, fault, expected) => {
    await proxy.set(fault);
    app = await startTestApp({
      env: {
        LIVEKIT_URL: proxy.url.replace(/^http/, "ws"),
        LIVEKIT_API_KEY: lk.apiKey,
        LIVEKIT_API_SECRET: lk.apiSecret,
        SHUTDOWN_GRACE_MS: String(GRACE_MS),
      },
      start: START,
    });
    const a = app;
    expect(await fileCase(await WebResident.open(a.url), "老板欠我三个月工资，八千块")).toMatch(CASE_CODE_PATTERN);

    if (expected === "down") {
      // Found by the health check, before any resident needs a room.
      await until(async () => (await statusOf(a, "livekit")) === "down", "health to show LiveKit down", 10_000);
      expect((await health(a)).status).toBe("degraded");
      const text = await offer(a);
      expect(text).toContain("视频服务现在连不上，这次先约电话调解");
      expect(text).toContain("电话调解");
      // A video session already booked, starting in 5 minutes: joining answers at once (no call to LiveKit),
      // and the mediator is told to phone.
      const s = await insertSession(a.sql, { startsAt: new Date(a.clock.now().getTime() + 5 * MINUTE), clock: a.clock });
      const link = await a.joinLinks.url({ sessionId: s.id, participantId: s.ids.claimant!, notAfter: s.endsAt });
      const faultedBefore = proxy.faulted.length;
      const res = await fetch(`${link.replace(/^.*\/join\//, `${a.url}/join/`)}/token`, { method: "POST" });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { message: string }).message).toContain("已经告诉调解员，调解员会打电话或在对话里联系您");
      expect(proxy.faulted.slice(faultedBefore).filter((p) => p.endsWith("/CreateRoom"))).toEqual([]);
      expect(await count(a.sql, sql`SELECT 1 FROM "Notification" WHERE "kind" = 'video_down' AND "caseId" = ${s.caseId}`)).toBe(1);
    } else {
      await until(async () => proxy.faulted.some((p) => p.endsWith("/ListRooms")), "a health check answered", 10_000);
      expect(await statusOf(a, "livekit")).toBe("ok");
    }

    await proxy.set(null);
    await until(async () => lk.calls.some((c) => c.method === "ListRooms") && (await statusOf(a, "livekit")) === "ok", "health back to ok", 10_000);
    const text = await offer(a);
    expect(text).not.toContain("视频服务现在连不上");
    expect(text).toContain("视频调解");

    await proxy.set(fault);
    expect(await stopWithin(a)).toBeLessThan(GRACE_MS + 3_000);
  });
});

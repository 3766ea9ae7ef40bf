import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { webUserIdOf } from "../src/bot/channels/web/web-session.repository.js";
import { createConversationRepository } from "../src/bot/conversation.repository.js";
import type { Outbound } from "../src/bot/messages.js";
import { loadConfig } from "../src/config/env.js";
import { MINUTE } from "../src/lib/clock.js";
import { silentLogger } from "../src/lib/logger.js";
import { start, type Running } from "../src/main.js";
import { tr } from "../src/bot/texts.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { scriptedClassifier } from "./support/classifiers.js";
import { count, sql } from "./support/query.js";
import { WebResident } from "./support/web-client.js";

const zh = (key: Parameters<typeof tr>[1]) => tr("zh-CN", key);
const classifier = () => scriptedClassifier([{ match: "漏水", type: "neighbor", confidence: 0.9 }]);

/** Every table's rows as text: where a raw token would show if it were stored anywhere. */
async function everything(app: TestApp): Promise<string> {
  const tables = [
    sql`SELECT * FROM "WebSession"`,
    sql`SELECT * FROM "Conversation"`,
    sql`SELECT * FROM "ChatMessage"`,
    sql`SELECT * FROM "Party"`,
    sql`SELECT * FROM "Handoff"`,
    sql`SELECT * FROM "Job"`,
    sql`SELECT * FROM "Delivery"`,
    sql`SELECT * FROM "CaseEvent"`,
    sql`SELECT * FROM "RateWindow"`,
  ];
  const dump: unknown[] = [];
  for (const q of tables) dump.push(await app.sql.query(q));
  return JSON.stringify(dump);
}

async function send(base: string, session: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/api/chat/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-chat-session": session, ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as Record<string, unknown> };
}

const newSession = (base: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/chat/session`, { method: "POST", headers });

describe("web chat sessions: issued by the server, stored hashed", () => {
  let app: TestApp;
  afterEach(async () => {
    await app?.stop();
  });

  it("refuses an invented session with 401 on every endpoint, and stores nothing for it", async () => {
    app = await startTestApp({ classifier: classifier() });
    const invented = "made-up-session-0123456789abcdef";
    const post = await send(app.url, invented, { text: "楼上漏水" });
    expect(post.status).toBe(401);
    expect(post.body.error).toBe("UNAUTHORIZED");
    expect(String(post.body.message)).toMatch(/POST \/api\/chat\/session/);
    const read = await fetch(`${app.url}/api/chat/messages?after=0`, { headers: { "x-chat-session": invented } });
    expect(read.status).toBe(401);
    const file = await fetch(`${app.url}/api/chat/files`, {
      method: "POST",
      headers: { "x-chat-session": invented, "content-type": "image/png" },
      body: Buffer.from("\x89PNG\r\n\x1a\n0000", "latin1"),
    });
    expect(file.status).toBe(401);
    expect(await count(app.sql, sql`SELECT 1 FROM "Conversation"`)).toBe(0);
    expect(await count(app.sql, sql`SELECT 1 FROM "ChatMessage"`)).toBe(0);
    expect(await count(app.sql, sql`SELECT 1 FROM "WebSession"`)).toBe(0);
  });

  it("issues a 32-byte token, keeps only its SHA-256 (the conversation's user id), and the token nowhere", async () => {
    app = await startTestApp({ classifier: classifier() });
    const r = await WebResident.open(app.url);
    expect(r.session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(r.session, "base64url")).toHaveLength(32);
    await r.post({ button: "cmd:start" });
    await r.press(zh("intake.consent.agree"));
    await r.say("楼上天天漏水到我家，说了也不修");
    const hash = webUserIdOf(r.session);
    expect(await app.sql.query(sql`SELECT "id" FROM "WebSession"`)).toEqual([{ id: hash }]);
    expect(await app.sql.query(sql`SELECT "userId" FROM "Conversation" WHERE "channel" = 'web'`)).toEqual([{ userId: hash }]);
    expect(await everything(app)).not.toContain(r.session);
    // The stored hash is not a credential: sent back as a session, it is nobody, and changes nothing.
    expect((await send(app.url, hash, { text: "你好" })).status).toBe(401);
    expect(await app.sql.query(sql`SELECT "userId" FROM "Conversation" WHERE "channel" = 'web'`)).toEqual([{ userId: hash }]);
  });

  it("adopts a conversation kept under a raw token of the last release: same token, now hashed, nothing lost", async () => {
    app = await startTestApp({ classifier: classifier() });
    const old = "OldPageToken_0123456789abcdefXYZ"; // the last release's page got 24 random bytes, base64url
    await app.dialogue.handle({ channel: "web", userId: old, text: "你好", messageId: `${old}:m1` });
    await app.dialogue.handle({ channel: "web", userId: old, button: "cmd:start" });
    const before = await count(app.sql, sql`SELECT 1 FROM "ChatMessage"`);
    expect(before).toBeGreaterThan(2);

    const r = await send(app.url, old, { text: "在吗" });
    expect(r.status).toBe(200);
    const hash = webUserIdOf(old);
    expect(await app.sql.query(sql`SELECT "userId" FROM "Conversation" WHERE "channel" = 'web'`)).toEqual([{ userId: hash }]);
    expect(await count(app.sql, sql`SELECT 1 FROM "WebSession" WHERE "id" = ${hash}`)).toBe(1);
    expect(await everything(app)).not.toContain(old);
    // the whole conversation is still the resident's, in one piece
    const page = await fetch(`${app.url}/api/chat/messages?after=0`, { headers: { "x-chat-session": old } });
    const { messages } = (await page.json()) as { messages: { id: number }[] };
    expect(messages.map((m) => m.id)).toEqual(Array.from({ length: messages.length }, (_, i) => i + 1));
    expect(messages.length).toBeGreaterThan(before);
  });
});

describe("web chat limits: a flood is refused, other residents are not", () => {
  let app: TestApp;
  let other: Running | undefined;
  afterEach(async () => {
    await other?.close();
    other = undefined;
    await app?.stop();
  });

  it("refuses a flooding session with 429 (Retry-After, a message in both languages) and stores only what it allowed; another session goes through", async () => {
    app = await startTestApp({ classifier: classifier(), env: { WEB_CHAT_MESSAGES_PER_MINUTE: "10" } });
    const flood = await WebResident.open(app.url);
    const resident = await WebResident.open(app.url);
    await resident.post({ button: "cmd:start" });

    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => send(app.url, flood.session, { text: `刷屏 ${i}`, clientMessageId: `f${i}` })));
    // The other resident writes while the flood is refused: answered at once, as usual.
    await resident.press(zh("intake.consent.agree"));
    await resident.say("楼上天天漏水到我家，说了也不修");
    expect(resident.text()).toContain(zh("type.neighbor"));

    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(30);
    for (const r of refused) {
      expect(r.body.error).toBe("RATE_LIMITED");
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
      expect(Number(r.retryAfter)).toBeLessThanOrEqual(60);
      expect(String(r.body.message)).toMatch(/请 \d+ 秒后再试.*try again in \d+ s/);
    }
    // What is stored: the allowed messages' turns, not one refused message.
    const floodUser = webUserIdOf(flood.session);
    const inbound = await app.sql.query<{ payload: string }>(sql`
      SELECT m."payload" FROM "ChatMessage" AS m JOIN "Conversation" AS c ON c."id" = m."conversationId"
      WHERE c."userId" = ${floodUser} AND m."direction" = 'in'`);
    expect(inbound).toHaveLength(10);

    // A window, not a ban: a minute later the session writes again.
    app.clock.advance(MINUTE);
    expect((await send(app.url, flood.session, { text: "还在吗" })).status).toBe(200);
  });

  it("caps messages per session per day as well as per minute", async () => {
    app = await startTestApp({ classifier: classifier(), env: { WEB_CHAT_MESSAGES_PER_MINUTE: "5", WEB_CHAT_MESSAGES_PER_DAY: "8" } });
    const r = await WebResident.open(app.url);
    const statuses: number[] = [];
    for (let minute = 0; minute < 3; minute++) {
      for (let i = 0; i < 4; i++) statuses.push((await send(app.url, r.session, { text: `第${minute}分钟 ${i}` })).status);
      app.clock.advance(MINUTE);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(8);
    expect(statuses.slice(8).every((s) => s === 429)).toBe(true);
  });

  it("caps the megabytes a session uploads a day before reading a byte; nothing past the cap is stored", async () => {
    app = await startTestApp({ classifier: classifier(), env: { WEB_CHAT_UPLOAD_MB_PER_DAY: "3" } });
    const r = await WebResident.open(app.url);
    // A photo of 1.5 MB counts 2 MB: the first goes in, the second would make 4.
    const photo = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(1_500_000, 7)]);
    const upload = (bytes: Buffer, id: string) =>
      fetch(`${app.url}/api/chat/files`, {
        method: "POST",
        headers: { "content-type": "image/png", "x-chat-session": r.session, "x-client-message-id": id },
        body: new Uint8Array(bytes),
      });
    expect((await upload(photo, "p1")).status).toBe(200);
    const second = await upload(Buffer.concat([photo, Buffer.from("x")]), "p2");
    expect(second.status).toBe(429);
    expect(((await second.json()) as { limit: string }).limit).toBe("upload-d");
    expect(Number(second.headers.get("retry-after"))).toBeGreaterThan(0);
    const stored = fs.readdirSync(path.join(app.config.DATA_DIR, "evidence")).filter((f) => !f.startsWith("."));
    expect(stored).toHaveLength(1);
    // Text still goes through: the cap is on files only.
    expect((await send(app.url, r.session, { text: "照片发不了了" })).status).toBe(200);
  });

  it("limits new sessions from one address: 500 cannot be had in seconds", async () => {
    app = await startTestApp({ env: { WEB_CHAT_SESSIONS_PER_MINUTE: "20" } });
    const statuses = await Promise.all(Array.from({ length: 500 }, () => newSession(app.url).then((r) => r.status)));
    expect(statuses.filter((s) => s === 201)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(480);
    expect(await count(app.sql, sql`SELECT 1 FROM "WebSession"`)).toBe(20);
    const refused = await newSession(app.url);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("limits every request from one address, as the proxy tells it, and no other address", async () => {
    app = await startTestApp({
      env: { TRUST_PROXY: "loopback", STAFF_API_TOKEN: "staff-token-for-tests", WEB_CHAT_REQUESTS_PER_MINUTE: "30" },
    });
    const from = (ip: string) => ({ "x-forwarded-for": ip });
    const invented = await Promise.all(
      Array.from({ length: 60 }, (_, i) => send(app.url, `invented-session-${String(i).padStart(8, "0")}`, { text: "x" }, from("203.0.113.7"))),
    );
    expect(invented.filter((r) => r.status === 401)).toHaveLength(30);
    expect(invented.filter((r) => r.status === 429)).toHaveLength(30);
    // The flooding address is refused even a session now; a resident elsewhere is not.
    expect((await newSession(app.url, from("203.0.113.7"))).status).toBe(429);
    const elsewhere = await WebResident.open(app.url, from("198.51.100.20"));
    const res = await send(app.url, elsewhere.session, { button: "cmd:start" }, from("198.51.100.20"));
    expect(res.status).toBe(200);
  });

  it("counts a real session's messages against its address too, in the same write as its quotas", async () => {
    app = await startTestApp({ classifier: classifier(), env: { WEB_CHAT_REQUESTS_PER_MINUTE: "10", WEB_CHAT_MESSAGES_PER_MINUTE: "100" } });
    const r = await WebResident.open(app.url); // the address's first request
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await send(app.url, r.session, { text: `第${i}条` })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(9);
    expect(statuses.slice(9)).toEqual([429, 429, 429]);
  });

  it("shares the counts between two instances on one database", async () => {
    app = await startTestApp({ classifier: classifier(), env: { WEB_CHAT_MESSAGES_PER_MINUTE: "12", WEB_CHAT_SESSIONS_PER_MINUTE: "6" } });
    other = await start(
      loadConfig({
        DATABASE_URL: app.t.url,
        PORT: "0",
        LOG_LEVEL: "silent",
        DATA_DIR: app.t.dir,
        WEB_CHAT_MESSAGES_PER_MINUTE: "12",
        WEB_CHAT_SESSIONS_PER_MINUTE: "6",
      }),
      { clock: app.clock, logger: silentLogger, migrate: false, startWorker: false, classifier: classifier() },
    );
    const bases = [app.url, other.url];
    // New sessions: six in all, however they are spread over the instances (counted in the database at once).
    const sessions = await Promise.all(Array.from({ length: 12 }, (_, i) => newSession(bases[i % 2]!)));
    expect(sessions.filter((r) => r.status === 201)).toHaveLength(6);
    const token = ((await sessions.find((r) => r.status === 201)!.json()) as { sessionId: string }).sessionId;
    // One session's messages, alternating between instances: twelve, and at most half a minute's more
    // through the other instance (each counts first and writes its counts a few times a second) — not
    // twelve each. Never fewer than twelve: no resident is refused below the limit.
    const results: number[] = [];
    for (let i = 0; i < 24; i++) results.push((await send(bases[i % 2]!, token, { text: `消息 ${i}`, clientMessageId: `m${i}` })).status);
    const allowed = results.filter((s) => s === 200).length;
    expect(allowed).toBeGreaterThanOrEqual(12);
    expect(allowed).toBeLessThanOrEqual(18);
    expect(results.slice(allowed).every((s) => s === 429)).toBe(true);
    // The session issued by one instance is known to the other.
    expect(results[1]).toBe(200);
    // Once both have written their counts, both refuse the session at once.
    await Promise.all([app.webLimits.flush(), other.webLimits.flush()]);
    for (const base of bases) expect((await send(base, token, { text: "还有", clientMessageId: `late-${base}` })).status).toBe(429);
  });
});

describe("web chat transcripts come in pages", () => {
  let app: TestApp;
  afterEach(async () => {
    await app?.stop();
  });

  const notice = (i: number, pad = 0): Outbound => ({ kind: "text", text: `通知 ${i}${"。".repeat(pad)}` });

  it("a transcript of 250 messages comes in pages of at most 100, each saying whether there is more; the client gets all", async () => {
    app = await startTestApp({ classifier: classifier() });
    const r = await WebResident.open(app.url);
    const conversations = createConversationRepository(app.sql);
    const userId = webUserIdOf(r.session);
    for (let i = 0; i < 250; i += 50) {
      await conversations.appendOutbound("web", userId, Array.from({ length: 50 }, (_, j) => notice(i + j + 1)), app.clock.now());
    }
    const first = (await (await fetch(`${app.url}/api/chat/messages?after=0`, { headers: { "x-chat-session": r.session } })).json()) as {
      messages: { id: number }[];
      more: boolean;
      next: number;
    };
    expect(first.messages).toHaveLength(100);
    expect(first).toMatchObject({ more: true, next: 100 });

    const all = await r.transcript();
    expect(r.pages.map((p) => p.count)).toEqual([100, 100, 50]);
    expect(all.map((m) => m.id)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(all.map((m) => m.payload.text)).toEqual(Array.from({ length: 250 }, (_, i) => `通知 ${i + 1}`));

    // The last page says there is no more; asking after the end gets none.
    const end = (await (await fetch(`${app.url}/api/chat/messages?after=250`, { headers: { "x-chat-session": r.session } })).json()) as {
      messages: unknown[];
      more: boolean;
      next: number;
    };
    expect(end).toMatchObject({ messages: [], more: false, next: 250 });
  });

  it("cuts a page at about 256 KB of messages, so a long transcript never comes at once", async () => {
    app = await startTestApp({ classifier: classifier() });
    const r = await WebResident.open(app.url);
    const conversations = createConversationRepository(app.sql);
    // 30 messages of ~60 KB each (20,000 Chinese characters, three bytes each): 1.8 MB in all.
    for (let i = 0; i < 30; i++) await conversations.appendOutbound("web", webUserIdOf(r.session), [notice(i + 1, 20_000)], app.clock.now());
    const all = await r.transcript();
    expect(all).toHaveLength(30);
    expect(all.map((m) => m.id)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(r.pages.length).toBeGreaterThanOrEqual(6);
    for (const p of r.pages) expect(p.bytes).toBeLessThan(256 * 1024 + 61 * 1024);
  });
});

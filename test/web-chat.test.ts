import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CASE_CODE_PATTERN } from "../src/cases/types.js";
import type { Outbound } from "../src/bot/messages.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { scriptedClassifier } from "./support/classifiers.js";

const classifier = () => scriptedClassifier([{ match: "漏水", type: "neighbor", confidence: 0.9 }]);

describe("web chat over HTTP", () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp({ classifier: classifier() });
  });
  afterEach(async () => {
    await app.stop();
  });

  async function newSession(): Promise<string> {
    const res = await fetch(`${app.url}/api/chat/session`, { method: "POST" });
    expect(res.status).toBe(201);
    return ((await res.json()) as { sessionId: string }).sessionId;
  }

  async function post(session: string, body: unknown) {
    const res = await fetch(`${app.url}/api/chat/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-chat-session": session },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { messages: Outbound[]; transcriptId?: number; error?: string } };
  }

  const press = (session: string, messages: Outbound[], label: string) => {
    const b = messages.flatMap((m) => (m.kind === "text" ? (m.buttons ?? []).flat() : [])).find((x) => x.label.includes(label));
    if (!b) throw new Error(`no button ${label}`);
    return post(session, { button: b.data, buttonLabel: b.label });
  };

  it("serves the chat page with a strict content policy, and answers /healthz", async () => {
    const page = await fetch(`${app.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('<meta name="viewport"');
    expect(html).toContain("一扇门");
    const health = await fetch(`${app.url}/healthz`);
    expect(await health.json()).toEqual({ status: "ok" });
  });

  it("runs an intake through the JSON API, and the transcript holds the whole conversation", async () => {
    const s = await newSession();
    let r = await post(s, { button: "cmd:start" });
    r = await press(s, r.body.messages, "同意");
    r = await post(s, { text: "楼上天天漏水到我家，说了也不修", clientMessageId: "a1" });
    expect(JSON.stringify(r.body.messages)).toContain("邻里纠纷");
    for (const label of ["对", "跳过", "跳过", "今天", "在本地", "发到这个聊天", "确认提交"]) {
      r = await press(s, r.body.messages, label);
    }
    const text = r.body.messages.map((m) => (m.kind === "text" ? m.text : "")).join("\n");
    const code = text.match(CASE_CODE_PATTERN)?.[0];
    expect(code).toMatch(/^OD-20261123-\d{4}$/);

    const transcript = await fetch(`${app.url}/api/chat/messages?after=0`, { headers: { "x-chat-session": s } });
    const { messages } = (await transcript.json()) as { messages: { id: number; direction: string }[] };
    expect(messages.filter((m) => m.direction === "in")).toHaveLength(10);
    expect(messages[messages.length - 1]!.id).toBe(r.body.transcriptId);
    // a reload after the last seen id shows nothing new
    const after = await fetch(`${app.url}/api/chat/messages?after=${r.body.transcriptId}`, { headers: { "x-chat-session": s } });
    expect(((await after.json()) as { messages: unknown[] }).messages).toEqual([]);
  });

  it("answers a repeated client message id with the same reply", async () => {
    const s = await newSession();
    await post(s, { button: "cmd:start" });
    const a = await post(s, { button: "consent:yes", clientMessageId: "same" });
    const b = await post(s, { button: "consent:yes", clientMessageId: "same" });
    expect(b.body.messages).toEqual(a.body.messages);
    const transcript = await fetch(`${app.url}/api/chat/messages`, { headers: { "x-chat-session": s } });
    const { messages } = (await transcript.json()) as { messages: { direction: string }[] };
    expect(messages.filter((m) => m.direction === "in")).toHaveLength(2);
  });

  it("refuses bad requests with a clear JSON error", async () => {
    const s = await newSession();
    const noSession = await fetch(`${app.url}/api/chat/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(noSession.status).toBe(401);
    expect(((await noSession.json()) as { error: string }).error).toBe("UNAUTHORIZED");

    const badJson = await fetch(`${app.url}/api/chat/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-chat-session": s },
      body: '{"text": "未闭合',
    });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: string }).error).toBe("BAD_INPUT");

    const empty = await post(s, {});
    expect(empty.status).toBe(400);

    const huge = await post(s, { text: "长".repeat(600_000) });
    expect(huge.status).toBe(413);
    expect(huge.body.error).toBe("TOO_LARGE");

    const unknown = await fetch(`${app.url}/nope`);
    expect(unknown.status).toBe(404);
  });

  it("serves staff notifications to the machine itself, and needs the token once one is set", async () => {
    const res = await fetch(`${app.url}/api/staff/notifications`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ notifications: [] });
  });
});

describe("staff API with a token", () => {
  it("rejects a wrong token and accepts the right one", async () => {
    const app = await startTestApp({ env: { STAFF_API_TOKEN: "s3cret-token" }, classifier: classifier() });
    try {
      const wrong = await fetch(`${app.url}/api/staff/notifications`, { headers: { authorization: "Bearer nope" } });
      expect(wrong.status).toBe(401);
      const right = await fetch(`${app.url}/api/staff/notifications`, { headers: { authorization: "Bearer s3cret-token" } });
      expect(right.status).toBe(200);
    } finally {
      await app.stop();
    }
  });
});

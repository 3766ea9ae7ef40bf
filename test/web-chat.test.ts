import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_FILE_BYTES } from "../src/files/evidence-store.js";
import type { Outbound } from "../src/bot/messages.js";
import { tr, type TextKey } from "../src/bot/texts.js";
import { CASE_CODE_PATTERN } from "../src/cases/types.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { scriptedClassifier } from "./support/classifiers.js";
import { WebResident } from "./support/web-client.js";
import { all, count, sql } from "./support/query.js";

const classifier = () => scriptedClassifier([{ match: "漏水", type: "neighbor", confidence: 0.9 }]);
const STORY = "楼上天天漏水到我家，说了也不修";
/** Labels and words come from the dialogue's own catalogues, so a change of wording does not break the test. */
const zh = (key: TextKey, params: Record<string, string | number> = {}) => tr("zh-CN", key, params);

/** A 1×1 PNG: real magic bytes (\x89PNG). */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const PDF = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.from("借条：今借到人民币八千元整。".repeat(20))]);
/** The start of what a browser's MediaRecorder writes (an EBML header). */
const WEBM = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.from("opus voice note".repeat(30))]);
/** A Windows executable renamed to .png. */
const EXE = Buffer.concat([Buffer.from("MZ\x90\x00\x03\x00\x00\x00", "latin1"), Buffer.alloc(400, 7)]);

type Reply = { messages: Outbound[]; transcriptId?: number; locale?: string; error?: string };
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const textOf = (messages: Outbound[]) => messages.map((m) => (m.kind === "text" ? m.text : "")).join("\n");

describe("web chat over HTTP", () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp({ classifier: classifier() });
  });
  afterEach(async () => {
    await app.stop();
  });

  const evidenceDir = () => path.join(app.config.DATA_DIR, "evidence");
  /** Every entry of the evidence folder, temporary files included. */
  const stored = () => (fs.existsSync(evidenceDir()) ? fs.readdirSync(evidenceDir()).sort() : []);

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
    return { status: res.status, body: (await res.json()) as Reply };
  }

  async function upload(
    session: string,
    body: BodyInit,
    headers: Record<string, string>,
    opts: { voice?: boolean; stream?: boolean } = {},
  ) {
    const res = await fetch(`${app.url}/api/chat/files${opts.voice ? "?kind=voice" : ""}`, {
      method: "POST",
      headers: { "x-chat-session": session, ...headers },
      body,
      ...(opts.stream ? { duplex: "half" } : {}),
    } as RequestInit);
    return { status: res.status, body: (await res.json()) as Reply };
  }

  async function transcript(session: string) {
    const res = await fetch(`${app.url}/api/chat/messages?after=0`, { headers: { "x-chat-session": session } });
    return (await res.json()) as { messages: { id: number; direction: string; payload: Record<string, unknown> }[]; locale: string };
  }

  /** Presses the button with exactly this label in the reply. */
  const press = (session: string, messages: Outbound[], label: string) => {
    const b = messages.flatMap((m) => (m.kind === "text" ? (m.buttons ?? []).flat() : [])).find((x) => x.label === label);
    if (!b) throw new Error(`no button ${label} in ${JSON.stringify(messages)}`);
    return post(session, { button: b.data, buttonLabel: b.label });
  };

  /** Consent and the story: the intake is then at its first question. */
  async function begin(session: string) {
    let r = await post(session, { button: "cmd:start" });
    r = await press(session, r.body.messages, zh("intake.consent.agree"));
    r = await post(session, { text: STORY, clientMessageId: "story" });
    expect(textOf(r.body.messages)).toContain(zh("type.neighbor"));
    return { reply: r.body, sent: 3 };
  }

  /** Answers whatever the intake asks with the quickest honest button until the case card comes. */
  const ANSWERS: TextKey[] = [
    "intake.summary.submit",
    "intake.type.yes",
    "intake.otherParty.skip",
    "intake.place.skip",
    "intake.amount.none",
    "intake.claimants.solo",
    "intake.contact.skip",
    "intake.away.no",
    "intake.service.chat",
  ];
  async function finish(session: string, reply: Reply): Promise<{ code: string; sent: number; reply: Reply }> {
    let sent = 0;
    for (let i = 0; i < 15; i++) {
      const card = reply.messages.find((m) => m.kind === "text" && m.copyText);
      if (card && card.kind === "text") {
        expect(card.text).toContain(card.copyText);
        return { code: card.copyText!, sent, reply };
      }
      const labels = reply.messages.flatMap((m) => (m.kind === "text" ? (m.buttons ?? []).flat() : [])).map((b) => b.label);
      const key = ANSWERS.find((k) => labels.includes(zh(k)));
      if (!key) throw new Error(`no known answer to: ${textOf(reply.messages)}`);
      reply = (await press(session, reply.messages, zh(key))).body;
      sent++;
    }
    throw new Error("the intake did not end in a case card");
  }

  it("serves the chat page with a strict content policy, and answers /healthz", async () => {
    const page = await fetch(`${app.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('<meta name="viewport"');
    expect(html).toContain("一扇门");
    expect(html).not.toContain("innerHTML");
    const script = await (await fetch(`${app.url}/chat.js`)).text();
    expect(script).not.toMatch(/innerHTML|insertAdjacentHTML|outerHTML/);
    const health = await fetch(`${app.url}/healthz`);
    expect(await health.json()).toEqual({ status: "ok", checks: { database: "ok" }, dependencies: { database: { status: "ok" } } });
  });

  it("runs an intake through the JSON API; the case code comes as copyText; the transcript holds the whole conversation", async () => {
    const s = await newSession();
    const { reply, sent } = await begin(s);
    const done = await finish(s, reply);
    expect(done.code).toMatch(CASE_CODE_PATTERN);
    expect(done.code).toMatch(/^OD-20261123-\d{4}$/);
    expect(done.reply.locale).toBe("zh-CN");

    const { messages, locale } = await transcript(s);
    expect(locale).toBe("zh-CN");
    // cmd:start is an inbound row too
    expect(messages.filter((m) => m.direction === "in")).toHaveLength(sent + done.sent);
    expect(messages[messages.length - 1]!.id).toBe(done.reply.transcriptId);
    // a reload after the last seen id shows nothing new
    const after = await fetch(`${app.url}/api/chat/messages?after=${done.reply.transcriptId}`, { headers: { "x-chat-session": s } });
    expect(((await after.json()) as { messages: unknown[] }).messages).toEqual([]);
  });

  it("answers a repeated client message id with the same reply", async () => {
    const s = await newSession();
    await post(s, { button: "cmd:start" });
    const a = await post(s, { button: "consent:yes", clientMessageId: "same" });
    const b = await post(s, { button: "consent:yes", clientMessageId: "same" });
    expect(b.body.messages).toEqual(a.body.messages);
    // the repeat carries the conversation's language too, like every reply
    expect(b.body.locale).toBe("zh-CN");
    const transcript = await fetch(`${app.url}/api/chat/messages`, { headers: { "x-chat-session": s } });
    const { messages } = (await transcript.json()) as { messages: { direction: string }[] };
    expect(messages.filter((m) => m.direction === "in")).toHaveLength(2);
  });

  it("a notice the page has fetched is recorded in the ledger as opened; one not yet fetched is not", async () => {
    const resident = await WebResident.open(app.url);
    await resident.say("你好");
    const userId = createHash("sha256").update(resident.session).digest("hex");
    await app.messenger.send("web", userId, [{ kind: "text", text: "您的案件已受理" }], { kind: "notice", dedupeKey: "n1" });
    const opened = async () =>
      (await all(app.t.sql, sql`SELECT "openedAt" FROM "Delivery" WHERE "dedupeKey" = ${"n1#0"}`)).map((r) => r.openedAt !== null);
    expect(await opened()).toEqual([false]);
    const transcript = await resident.transcript();
    expect(transcript.at(-1)!.payload).toEqual({ kind: "text", text: "您的案件已受理" });
    expect(await opened()).toEqual([true]);
  });

  it("tells the page the conversation's language on reload", async () => {
    const s = await newSession();
    expect((await transcript(s)).locale).toBe("zh-CN");
    await post(s, { button: "cmd:start" });
    const switched = await post(s, { button: "lang:en", buttonLabel: "English" });
    expect(switched.body.locale).toBe("en");
    expect((await transcript(s)).locale).toBe("en");
    const back = await post(s, { button: "lang:zh-CN", buttonLabel: "中文" });
    expect(back.body.locale).toBe("zh-CN");
    expect((await transcript(s)).locale).toBe("zh-CN");
  });

  it("stores an uploaded photo under DATA_DIR/evidence/<sha256> and lists it on the case once it is open", async () => {
    const s = await newSession();
    const { reply } = await begin(s);
    // During the intake the photo is kept with the draft, and the question is asked again.
    const up = await upload(s, PNG, { "content-type": "image/png", "x-file-name": encodeURIComponent("漏水照片.png") });
    expect(up.status).toBe(200);
    expect(textOf(up.body.messages)).toContain(zh("intake.file.kept"));
    expect(up.body.transcriptId).toBeGreaterThan(0);
    expect(up.body.locale).toBe("zh-CN");
    expect(stored()).toEqual([sha(PNG)]);
    expect(fs.readFileSync(path.join(evidenceDir(), sha(PNG))).equals(PNG)).toBe(true);

    const { code } = await finish(s, { ...reply, messages: up.body.messages });
    const [photo] = await all(app.t.sql, sql`SELECT e.* FROM "Evidence" AS e JOIN "Case" AS c ON c."id" = e."caseId" WHERE c."code" = ${code}`);
    expect(photo).toMatchObject({ kind: "photo", mime: "image/png", size: PNG.length, sha256: sha(PNG), fileName: "漏水照片.png" });
    expect(photo!.storagePath).toBe(path.join(evidenceDir(), sha(PNG)));

    // After the case is open, a document goes straight onto it, under its (URI-encoded) name.
    const doc = await upload(s, PDF, { "content-type": "application/pdf", "x-file-name": encodeURIComponent("借条 第1页.pdf") });
    expect(textOf(doc.body.messages)).toContain(zh("file.received", { name: "借条 第1页.pdf", code }));
    const staffView = (await (await fetch(`${app.url}/api/staff/cases/${code}`)).json()) as { case: { evidence: { sha256: string; kind: string }[] } };
    expect(staffView.case.evidence.map((e) => [e.kind, e.sha256]).sort()).toEqual([["document", sha(PDF)], ["photo", sha(PNG)]].sort());

    // A recording made on the page is a voice note: kept, and the resident asked to type (no speech to text here).
    const voice = await upload(s, WEBM, { "content-type": "audio/webm;codecs=opus" }, { voice: true });
    expect(textOf(voice.body.messages)).toContain(zh("voice.noAsr"));
    const notes = await all(app.t.sql, sql`SELECT e.* FROM "Evidence" AS e JOIN "Case" AS c ON c."id" = e."caseId" WHERE c."code" = ${code} AND e."kind" = ${"voice"}`);
    expect(notes.map((n) => [n.mime, n.sha256])).toEqual([["audio/webm", sha(WEBM)]]);

    // The transcript shows the page what was sent, never where the server keeps it.
    const { messages } = await transcript(s);
    const files = messages.filter((m) => m.direction === "in" && m.payload.file);
    expect(files.map((m) => (m.payload.file as { name?: string }).name)).toEqual(["漏水照片.png", "借条 第1页.pdf", undefined]);
    expect(JSON.stringify(messages)).not.toContain(evidenceDir());
  });

  it("refuses a renamed .exe and files over 20 MB with the dialogue's words, and stores nothing", async () => {
    const s = await newSession();
    await begin(s);
    const badType = zh("file.badType");
    const tooLarge = zh("file.tooLarge", { limit: MAX_FILE_BYTES / 1024 / 1024 });

    // Wrong magic bytes: refused after reading, the temporary file removed.
    const renamed = await upload(s, EXE, { "content-type": "image/png", "x-file-name": encodeURIComponent("发票.png") });
    expect(renamed.status).toBe(200);
    expect(textOf(renamed.body.messages)).toContain(badType);
    // An executable for what it is: refused before reading.
    const exe = await upload(s, EXE, { "content-type": "application/x-msdownload", "x-file-name": "setup.exe" });
    expect(textOf(exe.body.messages)).toContain(badType);

    const big = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(MAX_FILE_BYTES, 0x20)]);
    // Declared by Content-Length: refused before reading; the body is drained, so the answer arrives.
    const declared = await upload(s, big, { "content-type": "application/pdf" });
    expect(declared.status).toBe(200);
    expect(textOf(declared.body.messages)).toContain(tooLarge);
    // Sent without a length (chunked): refused once the 20 MB are passed while streaming.
    const chunks = Array.from({ length: 21 }, (_, i) => (i === 0 ? big.subarray(0, 1024 * 1024) : Buffer.alloc(1024 * 1024, 0x20)));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(new Uint8Array(next));
        else controller.close();
      },
    });
    const streamed = await upload(s, stream, { "content-type": "application/pdf" }, { stream: true });
    expect(streamed.status).toBe(200);
    expect(textOf(streamed.body.messages)).toContain(tooLarge);
    // The page says the size of a file it does not send.
    const told = await upload(s, "", { "content-type": "image/jpeg", "x-file-size": String(MAX_FILE_BYTES + 1) });
    expect(textOf(told.body.messages)).toContain(tooLarge);
    // An empty body is no evidence either.
    const empty = await upload(s, "", { "content-type": "application/pdf" });
    expect(textOf(empty.body.messages)).toContain(badType);

    expect(stored()).toEqual([]);
    // Every refusal reached the dialogue as a refused file, and the conversation carries on.
    const { messages } = await transcript(s);
    expect(messages.filter((m) => m.direction === "in" && m.payload.fileRefused)).toHaveLength(6);
    const goOn = await post(s, { text: "好的" });
    expect(goOn.status).toBe(200);
  });

  it("answers a repeated upload (same X-Client-Message-Id) with the same reply, and keeps one file", async () => {
    const s = await newSession();
    const { reply } = await begin(s);
    const { code } = await finish(s, reply);
    const headers = { "content-type": "image/png", "x-client-message-id": "upload-1", "x-file-name": "wall.png" };
    const first = await upload(s, PNG, headers);
    const again = await upload(s, PNG, headers);
    expect(again.status).toBe(200);
    expect(again.body.messages).toEqual(first.body.messages);
    expect(again.body.locale).toBe("zh-CN");
    expect(textOf(first.body.messages)).toContain(zh("file.received", { name: "wall.png", code }));
    expect(stored()).toEqual([sha(PNG)]);
    expect(await count(app.t.sql, sql`SELECT e.* FROM "Evidence" AS e JOIN "Case" AS c ON c."id" = e."caseId" WHERE c."code" = ${code}`)).toBe(1);
    const { messages } = await transcript(s);
    expect(messages.filter((m) => m.direction === "in" && m.payload.file)).toHaveLength(1);
  });

  it("refuses an upload without a valid session with 401, and stores nothing", async () => {
    for (const session of [undefined, "short", "bad session with spaces!!"]) {
      const res = await fetch(`${app.url}/api/chat/files`, {
        method: "POST",
        headers: { "content-type": "image/png", ...(session ? { "x-chat-session": session } : {}) },
        body: PNG,
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toBe("UNAUTHORIZED");
    }
    expect(stored()).toEqual([]);
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

    const res = await fetch(`${app.url}/api/chat/files?kind=movie`, { method: "POST", headers: { "x-chat-session": s, "content-type": "image/png" }, body: PNG });
    expect(res.status).toBe(400);

    const unknown = await fetch(`${app.url}/nope`);
    expect(unknown.status).toBe(404);
  });

  it("shows staff a case with its parties, audit trail and files, but no chat identity, invitation token or storage path", async () => {
    const s = await newSession();
    const { reply } = await begin(s);
    const up = await upload(s, PNG, { "content-type": "image/png", "x-file-name": encodeURIComponent("漏水照片.png") });
    const { code } = await finish(s, { ...reply, messages: up.body.messages });
    const invite = await fetch(`${app.url}/api/staff/cases/${code}/invites`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    const { token } = (await invite.json()) as { token: string };

    const res = await fetch(`${app.url}/api/staff/cases/${code}`);
    expect(res.status).toBe(200);
    const body = await res.text();
    const view = (JSON.parse(body) as { case: Record<string, any> }).case;
    expect(view).toMatchObject({ code, status: "routed", disputeType: "neighbor", riskFlags: [], description: STORY, room: { id: "village_committee" } });
    const claimant = view.parties.find((p: { role: string }) => p.role === "claimant");
    expect(claimant).toMatchObject({ channel: "web", serviceChannel: "chat", invitedUntil: null });
    expect(claimant.consentAt).toEqual(expect.any(String));
    expect(view.parties.find((p: { role: string }) => p.role === "respondent")).toMatchObject({ channel: null, invitedUntil: expect.any(String) });
    // Who acted is the party, not their session.
    expect(view.events.find((e: { action: string }) => e.action === "opened")).toMatchObject({ actor: "resident:web", partyId: claimant.id });
    expect(view.evidence).toEqual([
      {
        id: expect.any(String),
        kind: "photo",
        mime: "image/png",
        size: PNG.length,
        sha256: sha(PNG),
        fileName: "漏水照片.png",
        uploadedBy: { actor: "resident:web", partyId: claimant.id },
        createdAt: expect.any(String),
      },
    ]);
    // The web session is the resident's credential; the token lets anyone join the case.
    for (const secret of [s, token, evidenceDir()]) expect(body).not.toContain(secret);
    expect(body).not.toMatch(/channelUserId|inviteToken|storagePath|intakeKey|dedupeKey/);
  });

  it("serves staff notifications to the machine itself, and needs the token once one is set", async () => {
    const res = await fetch(`${app.url}/api/staff/notifications`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ notifications: [] });
    // A reverse proxy on the same host forwards everyone's requests from loopback: without a token, no.
    for (const header of ["x-forwarded-for", "forwarded", "x-real-ip"]) {
      const proxied = await fetch(`${app.url}/api/staff/notifications`, { headers: { [header]: "203.0.113.9" } });
      expect(proxied.status).toBe(401);
    }
  });
});

describe("phone numbers and case codes in bot text (public/text-parts.js)", () => {
  type Part = { text: string; tel?: string; code?: true };
  const load = async () =>
    (await import(pathToFileURL(path.resolve("src/bot/channels/web/public/text-parts.js")).href)) as { textParts(text: string): Part[] };
  const tels = async (text: string) => (await load()).textParts(text).flatMap((p) => (p.tel ? [p.tel] : []));

  it("links hotlines where the text says to call them, mobiles and landlines, and keeps the text whole", async () => {
    const { textParts } = await load();
    const text = tr("zh-CN", "safety.selfHarm");
    expect(textParts(text).map((p) => p.text).join("")).toBe(text);
    expect(await tels(text)).toEqual(["110", "12356"]);
    expect(await tels(tr("en", "safety.selfHarm"))).toEqual(["110", "12356"]);
    expect(await tels(tr("zh-CN", "intake.notDispute"))).toEqual(["12348"]);
    expect(await tels("急事可拨打 12348 或 110。火警 119，急救 120，交通事故 122，政务热线 12345，人社 12333")).toEqual([
      "12348", "110", "119", "120", "122", "12345", "12333",
    ]);
    expect(await tels("调解员王师傅 13800001234，中心值班电话：0371-12345678")).toEqual(["13800001234", "0371-12345678"]);
  });

  it("never takes digits inside a case code, a longer number, a masked number or an amount for a phone number", async () => {
    for (const text of [
      "案件编号：OD-20261123-0007",
      "OD-20261110-1200",
      "查 OD-20261122-0110 的进度",
      "打 1100 元", // a longer number
      "拨打 138000012345", // 12 digits: not a mobile
      "联系人：王师傅 138****1234",
      "他欠我120元，拨打 120 元也不还",
      "金额：110 元",
      "call the 12348x line",
    ]) {
      expect(await tels(text), text).toEqual([]);
    }
    // a case code anywhere in the text is one piece, kept whole on screen
    const { textParts } = await load();
    expect(textParts("已收到文件“a.png”，记入案件 OD-20261123-0007。").filter((p) => p.code)).toEqual([{ text: "OD-20261123-0007", code: true }]);
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

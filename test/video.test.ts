import { TokenVerifier } from "livekit-server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/env.js";
import { createSecretStore, LINK_SIGNING_KEY } from "../src/db/secrets.js";
import { HOUR, MINUTE } from "../src/lib/clock.js";
import { markAbsentees } from "../src/video/attendance.repository.js";
import { createJoinLinks } from "../src/video/join-link.js";
import { startFakeLiveKit, type FakeLiveKit } from "./fakes/livekit-server.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { all, count, one, sql } from "./support/query.js";
import { insertSession, moveSession, setSessionState, type TestSession } from "./support/sessions.js";

/** The token part of a join link. */
const tokenOf = (link: string) => link.split("/join/")[1]!;

describe("video mediation with LiveKit (a stand-in on 127.0.0.1, the real server SDK)", () => {
  let app: TestApp;
  let livekit: FakeLiveKit;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    livekit = await startFakeLiveKit();
    verifier = new TokenVerifier(livekit.apiKey, livekit.apiSecret);
    app = await startTestApp({
      env: { LIVEKIT_URL: livekit.url, LIVEKIT_API_KEY: livekit.apiKey, LIVEKIT_API_SECRET: livekit.apiSecret, PUBLIC_BASE_URL: "https://door.example.org" },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await livekit?.close();
  });

  /** A session starting `inMinutes` from the app's clock, and a link for each participant valid a day past its end. */
  async function session(inMinutes: number, over: Parameters<typeof insertSession>[1] extends infer O ? Partial<O> : never = {}) {
    const s = await insertSession(app.sql, { startsAt: new Date(app.clock.now().getTime() + inMinutes * MINUTE), clock: app.clock, ...over });
    const links: Record<string, string> = {};
    for (const p of s.participants) {
      links[p.role] ??= await app.joinLinks.url({ sessionId: s.id, participantId: p.id, notAfter: new Date(s.endsAt.getTime() + 24 * HOUR) });
    }
    return { ...s, links };
  }

  const page = (link: string, headers: Record<string, string> = {}) =>
    fetch(`${app.url}/join/${tokenOf(link)}`, { headers: { "accept-language": "zh-CN,zh;q=0.9", ...headers } });
  const askToken = async (link: string, lang = "zh-CN") => {
    const res = await fetch(`${app.url}/join/${tokenOf(link)}/token?lang=${lang}`, { method: "POST" });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  };
  const hookUrl = () => `${app.url}/livekit/webhook`;

  it("makes links under PUBLIC_BASE_URL/join/ that every instance can check (one key in AppSecret)", async () => {
    const s = await session(120);
    expect(s.links.claimant).toMatch(/^https:\/\/door\.example\.org\/join\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    // Another instance on the same database makes the same link with the key it reads there.
    const other = createJoinLinks({ sql: app.sql, publicBaseUrl: "https://door.example.org/" });
    const notAfter = new Date(s.endsAt.getTime() + 24 * HOUR);
    expect(await other.url({ sessionId: s.id, participantId: s.ids.claimant!, notAfter })).toBe(s.links.claimant);
    expect(await count(app.sql, sql`SELECT 1 FROM "AppSecret" WHERE "name" = ${LINK_SIGNING_KEY}`)).toBe(1);
    const a = createSecretStore(app.sql);
    const b = createSecretStore(app.sql);
    const [ka, kb] = await Promise.all([a.key("test.race"), b.key("test.race")]);
    expect(ka.equals(kb)).toBe(true);
    expect(ka.length).toBe(32);
  });

  it("before the window: the page counts down, the token is refused with the time it opens, no room is made", async () => {
    const s = await session(60);
    const res = await page(s.links.claimant!);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('data-state="early"');
    expect(html).toContain('id="countdown"');
    expect(html).toContain(s.caseCode);
    expect(html).toContain("申请人");
    expect(res.headers.get("content-security-policy")).toContain(`connect-src 'self' ${livekit.url} ${livekit.url.replace("ws", "http")}`);
    expect(res.headers.get("cache-control")).toBe("no-store");

    const calls = livekit.calls.length;
    const early = await askToken(s.links.claimant!);
    expect(early.status).toBe(409);
    expect(early.body.error).toBe("TOO_EARLY");
    expect(new Date(early.body.opensAt!).getTime()).toBe(s.startsAt.getTime() - 15 * MINUTE);
    expect(early.body.startsAt).toBe(s.startsAt.toISOString());
    expect(early.body.now).toBe(app.clock.now().toISOString());
    // 02:00Z + 60 min = 11:00 in Shanghai; the room opens at 10:45.
    expect(early.body.message).toContain("10:45");
    expect(early.body.message).toContain("还没有开放");
    expect(livekit.calls.length).toBe(calls);
  });

  it("inside the window: a token scoped to the room and the role, valid until the end; the room made with the cap and timeouts", async () => {
    const s = await session(10, { maxParticipants: 4, participants: [
      { role: "mediator", name: "李调解员" }, { role: "claimant", name: "王师傅" }, { role: "respondent", name: null },
      { role: "interpreter", name: "翻译小刘" }, { role: "observer", name: "见习调解员" },
    ] });
    const got = await askToken(s.links.claimant!);
    expect(got.status).toBe(200);
    expect(got.body.url).toBe(livekit.url);
    const room = `od-${s.id}`;
    expect(got.body.room).toBe(room);

    const claims = await verifier.verify(got.body.token!);
    expect(claims.sub).toBe(s.ids.claimant);
    expect(claims.name).toBe("王师傅");
    expect(claims.video).toEqual({ room, roomJoin: true, roomAdmin: false, canPublish: true, canSubscribe: true, canPublishData: true });
    // Valid from now until the session's end (the clock is the app's; the token's times are LiveKit's wall clock).
    expect(claims.exp! - claims.nbf!).toBeCloseTo((s.endsAt.getTime() - app.clock.now().getTime()) / 1000, -1);

    const create = livekit.calls.filter((c) => c.method === "CreateRoom" && c.body.name === room);
    expect(create.length).toBe(1);
    expect(create[0]!.body).toMatchObject({ name: room, emptyTimeout: 600, departureTimeout: 120, maxParticipants: 4 });
    expect(create[0]!.claims.video?.roomCreate).toBe(true);
    expect(livekit.rooms.get(room)?.maxParticipants).toBe(4);
    expect((await one(app.sql, sql`SELECT "roomName" FROM "MediationSession" WHERE "id" = ${s.id}`)).roomName).toBe(room);

    const grants = async (role: string) => (await verifier.verify((await askToken(s.links[role]!)).body.token!));
    const mediator = await grants("mediator");
    expect(mediator.video).toMatchObject({ room, roomJoin: true, roomAdmin: true, canPublish: true, canSubscribe: true });
    expect(mediator.name).toBe("李调解员");
    const respondent = await grants("respondent");
    expect(respondent.video).toMatchObject({ roomAdmin: false, canPublish: true, canSubscribe: true });
    expect(respondent.name).toBe("被申请人"); // no name on the row: the role's name
    expect((await grants("interpreter")).video).toMatchObject({ roomAdmin: false, canPublish: true, canSubscribe: true });
    expect((await grants("observer")).video).toMatchObject({ roomAdmin: false, canPublish: false, canSubscribe: true, canPublishData: false });
    // Each token asked for the room again (LiveKit returns the one that exists): one room, not five.
    expect(livekit.calls.filter((c) => c.method === "CreateRoom" && c.body.name === room).length).toBe(5);
    expect([...livekit.rooms.keys()].filter((n) => n === room)).toHaveLength(1);
    expect(livekit.refused).toEqual([]);
  });

  it("a second device with the same link gets a token for the same identity (LiveKit keeps the newest; the page tells the first)", async () => {
    const s = await session(5);
    const phone = await askToken(s.links.respondent!);
    const laptop = await askToken(s.links.respondent!);
    expect(phone.status).toBe(200);
    expect(laptop.status).toBe(200);
    const [a, b] = [await verifier.verify(phone.body.token!), await verifier.verify(laptop.body.token!)];
    expect(a.sub).toBe(s.ids.respondent);
    expect(b.sub).toBe(a.sub);
    expect(b.video?.room).toBe(a.video?.room);
    // LiveKit's replacement as webhooks tell it: the laptop joins, the phone's connection leaves; the
    // first join stays the participant's join.
    const t0 = app.clock.now();
    await livekit.sendWebhook(hookUrl(), { event: "participant_joined", room: `od-${s.id}`, identity: s.ids.respondent, at: t0 });
    await livekit.sendWebhook(hookUrl(), { event: "participant_joined", room: `od-${s.id}`, identity: s.ids.respondent, at: new Date(t0.getTime() + 60_000) });
    await livekit.sendWebhook(hookUrl(), { event: "participant_left", room: `od-${s.id}`, identity: s.ids.respondent, at: new Date(t0.getTime() + 61_000) });
    const row = await one(app.sql, sql`SELECT "joinedAt", "leftAt" FROM "SessionParticipant" WHERE "id" = ${s.ids.respondent!}`);
    expect(row.joinedAt.toISOString()).toBe(new Date(Math.floor(t0.getTime() / 1000) * 1000).toISOString());
  });

  it("after the window: the page and the token say the session is over", async () => {
    const s = await session(-61); // ended a minute ago
    const res = await page(s.links.claimant!);
    expect(res.status).toBe(410);
    const html = await res.text();
    expect(html).toContain('data-state="ended"');
    expect(html).toContain("本次调解已于");
    expect(html).not.toContain("join.js");
    const late = await askToken(s.links.claimant!);
    expect(late.status).toBe(410);
    expect(late.body.error).toBe("SESSION_ENDED");
    // Marked done early by the mediator: over too.
    const done = await session(0);
    await setSessionState(app.sql, done.id, "done");
    expect((await askToken(done.links.claimant!)).body.error).toBe("SESSION_ENDED");
  });

  it("an expired link and a tampered one are refused, each saying what is wrong", async () => {
    const s = await session(0);
    const expired = await app.joinLinks.url({ sessionId: s.id, participantId: s.ids.claimant!, notAfter: new Date(app.clock.now().getTime() - 1000) });
    const e = await askToken(expired);
    expect(e.status).toBe(410);
    expect(e.body).toMatchObject({ error: "LINK_EXPIRED" });
    expect(e.body.message).toContain("已过期");
    expect(await (await page(expired)).text()).toContain("这个链接已过期");

    const [body, sig] = tokenOf(s.links.claimant!).split(".") as [string, string];
    // The mediator's participant id put into the claimant's link: the signature no longer matches.
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, "base64url").toString()), p: s.ids.mediator })).toString("base64url");
    for (const bad of [`${forged}.${sig}`, `${body}.${sig.slice(0, -2)}AA`, `${body.slice(0, -1)}.${sig}`, "nonsense"]) {
      const r = await askToken(`/join/${bad}`);
      expect(r.status).toBe(400);
      expect(r.body.error).toBe("LINK_INVALID");
    }
    const tampered = await page(`/join/${forged}.${sig}`);
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toContain("这个链接无效");
    expect(await (await page(`/join/${forged}.${sig}`, { "accept-language": "en-US,en;q=0.9" })).text()).toContain("This link is not valid");
  });

  it("a moved session keeps its links with the new window; a cancelled or unconfirmed one says so; a removed participant is not let in", async () => {
    const s = await session(10);
    expect((await askToken(s.links.claimant!)).status).toBe(200);
    // Moved to tomorrow: the same link is early now, with the new start.
    const tomorrow = new Date(s.startsAt.getTime() + 24 * HOUR);
    await moveSession(app.sql, s.id, tomorrow);
    const early = await askToken(s.links.claimant!);
    expect(early.body.error).toBe("TOO_EARLY");
    expect(early.body.startsAt).toBe(tomorrow.toISOString());
    app.clock.advance(24 * HOUR);
    try {
      const now = await askToken(s.links.claimant!);
      expect(now.status).toBe(200);
      expect((await verifier.verify(now.body.token!)).sub).toBe(s.ids.claimant);
    } finally {
      app.clock.advance(-24 * HOUR);
    }

    const c = await session(5);
    await setSessionState(app.sql, c.id, "cancelled");
    const cancelled = await askToken(c.links.claimant!);
    expect(cancelled.status).toBe(409);
    expect(cancelled.body.error).toBe("SESSION_CANCELLED");
    expect(cancelled.body.message).toContain("已取消");
    expect(await (await page(c.links.claimant!)).text()).toContain("本次调解已取消");

    const h = await session(5, { state: "held" });
    expect((await askToken(h.links.claimant!)).body.error).toBe("NOT_BOOKED");

    const r = await session(5);
    await app.sql.execute(sql`DELETE FROM "SessionParticipant" WHERE "id" = ${r.ids.respondent!}`);
    expect(await askToken(r.links.respondent!)).toMatchObject({ status: 404, body: { error: "NOT_FOUND" } });
  });

  it("a phone session's link says video is not used", async () => {
    const s = await session(5, { mode: "phone" });
    const res = await page(s.links.claimant!);
    expect(await res.text()).toContain("本次调解不使用视频");
    expect((await askToken(s.links.claimant!)).body.error).toBe("VIDEO_NOT_USED");
  });

  it("LiveKit not answering: the person hears the mediator will get in touch, the mediator is told once with the parties' contacts, and the next try works", async () => {
    const s = await session(5);
    livekit.failNext("CreateRoom", 2);
    const down = await askToken(s.links.claimant!);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ error: "UPSTREAM" }); // the page offers 重试
    expect(down.body.message).toBe("视频服务暂时连不上。已经告诉调解员，调解员会打电话或在对话里联系您。也可以过几分钟点“重试”。");
    // The other party fails too: still one notice for the session.
    expect((await askToken(s.links.respondent!, "en")).body.message).toContain("Your mediator has been told");
    const told = await all<{ staffId: string; text: string }>(app.sql, sql`SELECT "staffId", "text" FROM "Notification" WHERE "kind" = 'video_down'`);
    expect(told).toHaveLength(1);
    expect(told[0]!.staffId).toBe("duty_township");
    expect(told[0]!.text).toContain(`【视频中断】案件 ${s.caseCode} 的视频调解`);
    expect(told[0]!.text).toContain("申请人 王师傅：没留电话，请在对话里联系");
    expect(told[0]!.text).toContain("被申请人 张老板");
    expect((await askToken(s.links.claimant!, "en")).status).toBe(200);
  });

  it("English first when the browser prefers it, or with ?lang=en", async () => {
    const s = await session(60);
    const en = await (await page(s.links.claimant!, { "accept-language": "en-GB,en;q=0.9" })).text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain("You join as: claimant");
    const asked = await (await fetch(`${app.url}/join/${tokenOf(s.links.claimant!)}?lang=en`)).text();
    expect(asked).toContain('<html lang="en">');
    const zh = await (await page(s.links.claimant!, { "accept-language": "de-DE,de;q=0.9" })).text();
    expect(zh).toContain('<html lang="zh-CN">');
    expect((await askToken(s.links.claimant!, "en")).body.message).toContain("not open yet");
  });

  it("serves the page's script (livekit-client bundled, no CDN) and styles", async () => {
    const js = await fetch(`${app.url}/join-assets/join.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toContain("javascript");
    const text = await js.text();
    expect(text.length).toBeGreaterThan(100_000);
    expect(text).not.toMatch(/\bimport\s*\(|^import /m);
    expect((await fetch(`${app.url}/join-assets/join.css`)).status).toBe(200);
  });

  describe("webhooks", () => {
    it("a bad signature, a changed body or no signature: 401, nothing stored", async () => {
      const s = await session(0);
      await askToken(s.links.claimant!); // the room exists
      const events = await count(app.sql, sql`SELECT 1 FROM "VideoEvent"`);
      const input = { event: "participant_joined", room: `od-${s.id}`, identity: s.ids.claimant } as const;
      const forged = await livekit.sendWebhook(hookUrl(), input, { secret: "another-secret-another-secret-another" });
      expect(forged.status).toBe(401);
      const changed = await livekit.sendWebhook(hookUrl(), input, { tamper: (b) => b.replace(s.ids.claimant!, s.ids.respondent!) });
      expect(changed.status).toBe(401);
      const unsigned = await livekit.sendWebhook(hookUrl(), input, { noAuth: true });
      expect(unsigned.status).toBe(401);
      expect(await count(app.sql, sql`SELECT 1 FROM "VideoEvent"`)).toBe(events);
      const rows = await app.sql.query<{ joinedAt: Date | null }>(sql`SELECT "joinedAt" FROM "SessionParticipant" WHERE "sessionId" = ${s.id}`);
      expect(rows.every((r) => r.joinedAt === null)).toBe(true);
    });

    it("records who joined and left, and when; a replayed event is answered 200 and changes nothing", async () => {
      const s = await session(0);
      await askToken(s.links.claimant!);
      const room = `od-${s.id}`;
      const joinedAt = new Date("2026-11-23T02:01:00Z");
      const leftAt = new Date("2026-11-23T02:50:00Z");
      const joined = await livekit.sendWebhook(hookUrl(), { event: "participant_joined", room, identity: s.ids.claimant, at: joinedAt });
      expect(joined).toMatchObject({ status: 200, body: { ok: true, stored: true, attendance: "joined" } });
      const left = await livekit.sendWebhook(hookUrl(), { event: "participant_left", room, identity: s.ids.claimant, at: leftAt });
      expect(left.body).toMatchObject({ stored: true, attendance: "left" });

      const row = await one(app.sql, sql`SELECT "joinedAt", "leftAt" FROM "SessionParticipant" WHERE "id" = ${s.ids.claimant!}`);
      expect(row.joinedAt.toISOString()).toBe(joinedAt.toISOString());
      expect(row.leftAt.toISOString()).toBe(leftAt.toISOString());
      const stored = await one(app.sql, sql`SELECT * FROM "VideoEvent" WHERE "id" = ${joined.eventId}`);
      expect(stored).toMatchObject({ event: "participant_joined", roomName: room, identity: s.ids.claimant });
      expect(stored.at.toISOString()).toBe(joinedAt.toISOString());
      expect(stored.receivedAt.toISOString()).toBe(app.clock.now().toISOString());

      // LiveKit retries the join (it did not hear our 200): answered, nothing new.
      const events = await count(app.sql, sql`SELECT 1 FROM "VideoEvent"`);
      const replay = await livekit.resend(hookUrl(), joined);
      expect(replay).toMatchObject({ status: 200, body: { ok: true, stored: false } });
      expect(await count(app.sql, sql`SELECT 1 FROM "VideoEvent"`)).toBe(events);
      // A replay of the join after a rejoin and leave changes nothing either (the last leave is kept).
      const again = await livekit.resend(hookUrl(), left);
      expect(again.body).toMatchObject({ stored: false });
      const after = await one(app.sql, sql`SELECT "joinedAt", "leftAt" FROM "SessionParticipant" WHERE "id" = ${s.ids.claimant!}`);
      expect(after.leftAt.toISOString()).toBe(leftAt.toISOString());
    });

    it("a join in another room, or of someone not in the session, is stored but marks nobody", async () => {
      const s = await session(0);
      const other = await session(0);
      await askToken(s.links.claimant!);
      await askToken(other.links.claimant!);
      const stray = await livekit.sendWebhook(hookUrl(), { event: "participant_joined", room: `od-${other.id}`, identity: s.ids.claimant });
      expect(stray.body).toMatchObject({ stored: true, attendance: null });
      const unknown = await livekit.sendWebhook(hookUrl(), { event: "participant_joined", room: "someone-elses-room", identity: "nobody" });
      expect(unknown.body).toMatchObject({ stored: true, attendance: null });
      const started = await livekit.sendWebhook(hookUrl(), { event: "room_started", room: `od-${s.id}` });
      expect(started.body).toMatchObject({ stored: true, attendance: null });
      expect((await one(app.sql, sql`SELECT "joinedAt" FROM "SessionParticipant" WHERE "id" = ${s.ids.claimant!}`)).joinedAt).toBeNull();
    });
  });

  it("after the session, whoever never joined is marked absent and the rest present (again: the same)", async () => {
    const s = await session(0);
    await askToken(s.links.mediator!);
    const room = `od-${s.id}`;
    await livekit.sendWebhook(hookUrl(), { event: "participant_joined", room, identity: s.ids.mediator, at: app.clock.now() });
    await livekit.sendWebhook(hookUrl(), { event: "participant_joined", room, identity: s.ids.claimant, at: app.clock.now() });
    const end = s.endsAt;
    expect(await markAbsentees({ sql: app.sql }, { sessionId: s.id, now: end })).toEqual({ absent: [s.ids.respondent] });
    expect(await markAbsentees({ sql: app.sql }, { sessionId: s.id, now: end })).toEqual({ absent: [s.ids.respondent] });
    const rows = await app.sql.query<{ id: string; attendance: string }>(sql`SELECT "id", "attendance" FROM "SessionParticipant" WHERE "sessionId" = ${s.id}`);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.attendance]))).toEqual({
      [s.ids.mediator!]: "present",
      [s.ids.claimant!]: "present",
      [s.ids.respondent!]: "absent",
    });
  });
});

describe("without LiveKit configured", () => {
  let app: TestApp;
  let s: TestSession;
  beforeAll(async () => {
    app = await startTestApp();
    s = await insertSession(app.sql, { startsAt: app.clock.now(), clock: app.clock });
  });
  afterAll(async () => app?.stop());

  it("a join link says video is not used for this session, and there is no webhook", async () => {
    const link = await app.joinLinks.url({ sessionId: s.id, participantId: s.ids.claimant!, notAfter: s.endsAt });
    const html = await (await fetch(`${app.url}/join/${tokenOf(link)}`)).text();
    expect(html).toContain("本次调解不使用视频");
    expect(html).not.toContain("join.js");
    const res = await fetch(`${app.url}/join/${tokenOf(link)}/token`, { method: "POST" });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toBe("VIDEO_NOT_USED");
    expect((await fetch(`${app.url}/livekit/webhook`, { method: "POST", body: "{}" })).status).toBe(404);
  });
});

describe("LiveKit configuration", () => {
  const base = { LIVEKIT_API_KEY: "k", LIVEKIT_API_SECRET: "s" };
  it("takes the ws(s) address browsers use and calls RoomService on its http(s) twin", () => {
    expect(loadConfig({ ...base, LIVEKIT_URL: "wss://live.example.org/" }).livekit).toEqual({
      url: "wss://live.example.org", httpUrl: "https://live.example.org", apiKey: "k", apiSecret: "s",
    });
    expect(loadConfig({ ...base, LIVEKIT_URL: "ws://127.0.0.1:7880" }).livekit?.httpUrl).toBe("http://127.0.0.1:7880");
    expect(loadConfig({}).livekit).toBeNull();
    expect(loadConfig({}).JOIN_WINDOW_MINUTES).toBe(15);
    expect(loadConfig({ JOIN_WINDOW_MINUTES: "30" }).JOIN_WINDOW_MINUTES).toBe(30);
  });
  it("refuses an http:// LiveKit address and a partial group with one line", () => {
    expect(() => loadConfig({ ...base, LIVEKIT_URL: "https://live.example.org" })).toThrow(/LIVEKIT_URL must be the ws:\/\/ or wss:\/\//);
    expect(() => loadConfig({ LIVEKIT_URL: "wss://live.example.org" })).toThrow(/LiveKit needs LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET together/);
    expect(() => loadConfig({ JOIN_WINDOW_MINUTES: "-1" })).toThrow(/JOIN_WINDOW_MINUTES/);
  });
});

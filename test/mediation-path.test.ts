import fs from "node:fs";
import path from "node:path";
import { TokenVerifier } from "livekit-server-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Outbound } from "../src/bot/messages.js";
import { CASE_CODE_PATTERN } from "../src/cases/types.js";
import { HOUR, MINUTE, ManualClock } from "../src/lib/clock.js";
import type { Sql } from "../src/db/sql.js";
import { startFakeLiveKit, type FakeLiveKit } from "./fakes/livekit-server.js";
import { seen, until, type SeenMessage } from "./fakes/telegram-api.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { scriptedClassifier } from "./support/classifiers.js";
import { telegramWorld, WEBHOOK_SECRET } from "./support/telegram.js";
import { all, count, one, sql } from "./support/query.js";
import { WebResident } from "./support/web-client.js";

/**
 * Issue 10: the whole video-mediation path, driven through the chat as people use it — the claimant
 * files and gets the invitation, the other side opens it and agrees, both book, the reminders come, all
 * three join the room, the mediator records the outcome — once on Telegram, once on the web chat.
 */

const BASE = "https://onedoor.example.org";
/** The app's clock starts on Monday 23 Nov 2026, 10:00 in Beijing (test/support/app.ts). */
const T0 = "2026-11-23T02:00:00Z";
const classifier = () => scriptedClassifier([{ match: "工资", type: "labor", confidence: 0.9 }]);
/** Labour cases go to the labour room, whose seeded mediator is duty_labor. */
const MEDIATOR = "duty_labor";

/** The token of a join link, whatever base the link was made under. */
const tokenOf = (link: string) => link.split("/join/")[1]!;
const JOIN_LINK = /https:\/\/onedoor\.example\.org\/join\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}/;

interface Role {
  role: "claimant" | "respondent" | "mediator";
  /** The join link this person was sent in their 10-minute reminder. */
  link: string;
}

/**
 * What a browser does with a join link inside the window: the page (open, with its boot data), then the
 * token endpoint the page names. The token is checked with LiveKit's own verifier: this room, this
 * participant, the grants of the role.
 */
async function joinRoom(appUrl: string, verifier: TokenVerifier, db: Sql, sessionId: string, who: Role, lang = "zh-CN") {
  const page = await fetch(`${appUrl}/join/${tokenOf(who.link)}`, { headers: { "accept-language": `${lang},zh;q=0.9` } });
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('data-state="open"');
  const boot = JSON.parse(html.match(/<script id="boot" type="application\/json">(.*?)<\/script>/s)![1]!) as { tokenPath: string };
  expect(boot.tokenPath).toBe(`/join/${tokenOf(who.link)}/token?lang=${lang}`);
  const res = await fetch(`${appUrl}${boot.tokenPath}`, { method: "POST" });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { url: string; token: string; identity: string; room: string };
  const participant = await one(db, sql`SELECT "id", "role" FROM "SessionParticipant" WHERE "sessionId" = ${sessionId} AND "role" = ${who.role}`);
  const claims = await verifier.verify(body.token);
  const room = `od-${sessionId}`;
  expect(body.room).toBe(room);
  expect(claims.sub).toBe(participant.id);
  expect(body.identity).toBe(participant.id);
  const admin = who.role === "mediator";
  expect(claims.video).toMatchObject({ room, roomJoin: true, roomAdmin: admin, canPublish: true, canSubscribe: true, canPublishData: true });
  return { html, identity: participant.id as string, claims, url: body.url };
}

describe("the whole video mediation on Telegram: invite, accept, book, reminders, join, outcome", () => {
  const w = telegramWorld();
  let livekit: FakeLiveKit;
  beforeEach(async () => {
    livekit = await startFakeLiveKit();
  });
  afterEach(async () => {
    await livekit.close();
  });

  const chat = w.chat;

  /** Everything one chat has been shown (messages and documents), oldest first. */
  const shownTo = (id: number): SeenMessage[] =>
    w.fake.calls.filter((c) => (c.method === "sendMessage" || c.method === "sendDocument") && String(c.params.chat_id) === String(id)).map(seen);
  const textsTo = (id: number) => shownTo(id).map((m) => m.text);
  /** Waits until a chat has been shown a message containing `text`; returns that message. */
  async function arrives(id: number, text: string): Promise<SeenMessage> {
    await until(() => textsTo(id).some((t) => t.includes(text)), `chat ${id} shown "${text}"`);
    return shownTo(id).find((m) => m.text.includes(text))!;
  }


  it("two Telegram users and a mediator with a linked chat: every step through the bot, what each sees and what is stored", async () => {
    const clock = new ManualClock(T0);
    await w.start({
      clock,
      classifier: classifier(),
      env: {
        PUBLIC_BASE_URL: BASE,
        TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
        LIVEKIT_URL: livekit.url,
        LIVEKIT_API_KEY: livekit.apiKey,
        LIVEKIT_API_SECRET: livekit.apiSecret,
      },
    });
    const verifier = new TokenVerifier(livekit.apiKey, livekit.apiSecret);
    const db = w.t.sql;
    // The labour room's mediator has linked their Telegram chat (301): cases, bookings and reminders reach them there.
    await db.execute(sql`INSERT INTO "StaffChannel" ("channel", "channelUserId", "staffId", "createdAt") VALUES ('telegram', '301', ${MEDIATOR}, ${clock.now()})`);
    const mediator = chat(301, { first_name: "调解员" });

    // 1. The claimant files in the chat and gets the case card.
    const claimant = chat(201, { first_name: "王师傅", language_code: "zh-hans" });
    await claimant.say("/start");
    await claimant.press("同意");
    await claimant.say("老板欠我三个月工资，八千块");
    for (const step of ["对", "不留电话", "在本地", "确认提交"]) await claimant.press(step);
    const code = claimant.text().match(CASE_CODE_PATTERN)![0];
    const caseRow = () => one(db, sql`SELECT * FROM "Case" WHERE "code" = ${code}`);
    expect(await caseRow()).toMatchObject({ status: "routed", roomId: "labor_arbitration" });

    // 2. The invitation to forward arrives after the case card, with a t.me deep link; then "when can you meet".
    await arrives(201, "【调解邀请】");
    await arrives(201, "您什么时候方便");
    const payload = textsTo(201).join("\n").match(/https:\/\/t\.me\/OneDoorTestBot\?start=(r_[A-Za-z0-9_-]+)/)![1]!;
    await claimant.press("周末");
    await claimant.press("好了");
    expect(claimant.text()).toContain("记下了：周末（按北京时间）");

    // 3. The other side opens the deep link, reads the neutral invitation, agrees and says when they can meet.
    const respondent = chat(202, { first_name: "李老板", language_code: "zh-hans" });
    await respondent.say(`/start ${payload}`);
    expect(respondent.text()).toContain(`与您有关的纠纷（劳动争议，案件 ${code}）`);
    expect(respondent.text()).not.toContain("八千");
    await respondent.press("同意调解");
    expect(respondent.text()).toContain(`已记下：您同意调解（案件 ${code}）`);
    await respondent.press("周末");
    await respondent.press("好了");
    expect(respondent.text()).toContain("记下了：周末（按北京时间）");
    await arrives(201, "对方同意调解了");

    // 4. Booking: both are offered the same times as buttons (video, Beijing time); the first is Saturday 09:00.
    const offerText = "请选一个调解时间";
    const offerC = await arrives(201, offerText);
    const offerR = await arrives(202, offerText);
    for (const offer of [offerC, offerR]) {
      expect(offer.text).toContain(`案件 ${code}，视频调解`);
      expect(offer.text).toContain("时间按北京时间");
      expect(offer.buttons[0]!.text).toBe("11月28日 周六 09:00");
      expect(offer.buttons.map((b) => b.text)).toContain("更多时间");
    }
    // The respondent picks first: held for them, the claimant is asked to confirm.
    await respondent.press("11月28日 周六 09:00");
    expect(respondent.text()).toContain("已为您保留 11月28日 周六 09:00");
    const ask = await arrives(201, "对方选了 11月28日 周六 09:00");
    expect(ask.text).toContain(`视频调解，案件 ${code}`);
    expect(await one(db, sql`SELECT "state" FROM "MediationSession" WHERE "caseId" = ${(await caseRow()).id}`)).toMatchObject({ state: "held" });
    await claimant.press("可以");

    // 5. Booked: both parties and the mediator get the booking with the calendar file.
    const start = new Date("2026-11-28T01:00:00Z");
    const session = await one(db, sql`SELECT * FROM "MediationSession" WHERE "caseId" = ${(await caseRow()).id}`);
    expect(session).toMatchObject({ state: "booked", mode: "video", staffId: MEDIATOR });
    expect(session.startsAt.toISOString()).toBe(start.toISOString());
    for (const id of [201, 202]) {
      const booked = await arrives(id, "已约好：11月28日 周六 09:00，视频调解");
      expect(booked.text).toContain(`案件 ${code}`);
      expect(booked.text).toContain("提醒里有进入视频的链接");
      await until(() => shownTo(id).some((m) => m.document === `${code}.ics`), `chat ${id} sent the .ics`);
    }
    await arrives(301, `【已预约】11月28日 周六 09:00 视频调解，案件 ${code}`);
    await until(() => shownTo(301).some((m) => m.document === `${code}.ics`), "the mediator sent the .ics");
    await arrives(301, "打开视频（主持）");
    // The calendar file each got is the session's, in UTC.
    const icsSent = w.fake.sent("sendDocument", 201).find((c) => c.uploads?.[0]?.name === `${code}.ics`)!;
    expect(icsSent.uploads![0]!.size).toBeGreaterThan(100);
    const icsRow = await one(db, sql`SELECT "content" FROM "Delivery" WHERE "recipient" = '201' AND "content" LIKE ${"%.ics%"}`);
    const calendar = fs.readFileSync(path.join(w.t.dir, (JSON.parse(icsRow.content) as { ref: string }).ref), "utf8");
    expect(calendar).toContain("DTSTART:20261128T010000Z");
    expect(calendar).toContain(`人民调解 ${code}`);
    // The case is the mediator's now, and the audit says why.
    expect(await caseRow()).toMatchObject({ status: "in_mediation", mediatorId: MEDIATOR });
    expect(await count(db, sql`SELECT 1 FROM "CaseEvent" WHERE "caseId" = ${session.caseId} AND "toStatus" = 'in_mediation' AND "reason" = 'session_booked'`)).toBe(1);

    // 6. Reminders at 24 h, 1 h and 10 min: each party gets each once, with their own join link.
    const reminders: [number, string][] = [
      [24 * HOUR, "提醒：明天 09:00 调解"],
      [HOUR, "提醒：1 小时后调解"],
      [10 * MINUTE, "提醒：10 分钟后开始调解"],
    ];
    const links: Record<number, string> = {};
    for (const [before, text] of reminders) {
      await w.quiet(clock);
      clock.set(new Date(start.getTime() - before));
      await w.app!.worker.sweep();
      await w.app!.worker.sweep(); // a second sweep sends nothing again
      for (const id of [201, 202]) {
        const m = await arrives(id, text);
        expect(m.text).toContain("点这里进入视频：");
        links[id] = m.text.match(JOIN_LINK)![0];
      }
      await w.quiet(clock);
    }
    for (const id of [201, 202]) {
      for (const [, text] of reminders) expect(textsTo(id).filter((t) => t.includes(text))).toHaveLength(1);
      // Booked, the case became the mediator's; nobody is then told the mediator will call to agree a time.
      expect(textsTo(id).filter((t) => t.includes("约定时间"))).toEqual([]);
    }
    // The mediator is reminded at 1 h and 10 min, with the host link.
    expect(textsTo(301).filter((t) => t.includes("提醒：1 小时后调解"))).toHaveLength(1);
    const mediatorReminder = textsTo(301).filter((t) => t.includes("提醒：10 分钟后开始调解"));
    expect(mediatorReminder).toHaveLength(1);
    links[301] = mediatorReminder[0]!.match(JOIN_LINK)![0];
    expect(new Set(Object.values(links)).size).toBe(3); // one link per person

    // 7. Ten minutes before: each opens their link; the page hands out a LiveKit token for their role.
    const c = await joinRoom(w.app!.url, verifier, db, session.id, { role: "claimant", link: links[201]! });
    const r = await joinRoom(w.app!.url, verifier, db, session.id, { role: "respondent", link: links[202]! });
    const m = await joinRoom(w.app!.url, verifier, db, session.id, { role: "mediator", link: links[301]! });
    expect(c.url).toBe(livekit.url);
    expect(c.html).toContain(code);
    expect(livekit.rooms.has(`od-${session.id}`)).toBe(true);

    // 8. LiveKit tells us who joined and left (signed webhooks): attendance is stored.
    const room = `od-${session.id}`;
    const hook = `${w.app!.url}/livekit/webhook`;
    clock.set(start);
    for (const p of [m, c, r]) {
      const res = await livekit.sendWebhook(hook, { event: "participant_joined", room, identity: p.identity, at: new Date(start.getTime() + MINUTE) });
      expect(res).toMatchObject({ status: 200, body: { ok: true, stored: true, attendance: "joined" } });
    }
    for (const p of [c, r, m]) {
      const res = await livekit.sendWebhook(hook, { event: "participant_left", room, identity: p.identity, at: new Date(start.getTime() + 50 * MINUTE) });
      expect(res).toMatchObject({ status: 200, body: { stored: true, attendance: "left" } });
    }
    const attendance = await all(db, sql`SELECT "role", "joinedAt", "leftAt" FROM "SessionParticipant" WHERE "sessionId" = ${session.id} ORDER BY "role"`);
    expect(attendance.map((a) => [a.role, a.joinedAt?.toISOString(), a.leftAt?.toISOString()])).toEqual(
      ["claimant", "mediator", "respondent"].map((role) => [role, "2026-11-28T01:01:00.000Z", "2026-11-28T01:50:00.000Z"]),
    );

    // 9. The mediator, in the chat: /schedule, the session, "it took place", then "agreed".
    clock.set(new Date(start.getTime() + 55 * MINUTE));
    await mediator.say("/schedule");
    expect(mediator.text()).toContain("您的日程：");
    await mediator.press(`11月28日 周六 09:00 ${code}`);
    expect(mediator.last[0]!.buttons.map((b) => b.text)).toEqual(expect.arrayContaining(["已举行", "谈成了", "没谈成", "再约一次"]));
    await mediator.press("已举行");
    expect(mediator.text()).toContain(`已记录：案件 ${code}，已举行。`);
    await mediator.press("谈成了");
    expect(mediator.text()).toContain(`已记录：案件 ${code}，谈成了。`);
    expect(await one(db, sql`SELECT "state", "outcome" FROM "MediationSession" WHERE "id" = ${session.id}`)).toMatchObject({ state: "done", outcome: "resolved" });

    // 10. Each party is told; the case stays in mediation for the agreement to be drafted; the audit has it all.
    for (const id of [201, 202]) await arrives(id, `调解员记录：这次调解双方谈成了（案件 ${code}）`);
    expect(await caseRow()).toMatchObject({ status: "in_mediation" });
    const events = await all(db, sql`SELECT "action", "actor", "data" FROM "CaseEvent" WHERE "caseId" = ${session.caseId} ORDER BY "at", "ord"`);
    expect(events.filter((e) => e.action === "session_held_done")).toEqual([expect.objectContaining({ actor: `staff:${MEDIATOR}` })]);
    const outcome = events.filter((e) => e.action === "session_outcome");
    expect(outcome).toHaveLength(1);
    expect(outcome[0]).toMatchObject({ actor: `staff:${MEDIATOR}` });
    expect(JSON.parse(outcome[0]!.data)).toMatchObject({ sessionId: session.id, outcome: "resolved" });
    // After the end, the mediator is not asked for the outcome they already gave.
    clock.set(new Date(start.getTime() + 2 * HOUR));
    await w.quiet(clock);
    expect(textsTo(301).some((t) => t.includes("【请记录结果】"))).toBe(false);
  });
});

describe("the whole video mediation on the web chat, the other side in New York", () => {
  let app: TestApp;
  let livekit: FakeLiveKit;
  beforeEach(async () => {
    livekit = await startFakeLiveKit();
    app = await startTestApp({
      classifier: classifier(),
      env: { PUBLIC_BASE_URL: BASE, LIVEKIT_URL: livekit.url, LIVEKIT_API_KEY: livekit.apiKey, LIVEKIT_API_SECRET: livekit.apiSecret },
    });
  });
  afterEach(async () => {
    await app.stop();
    await livekit.close();
  });

  /** What the page shows one person after they last looked (a poll of the transcript): the server's messages. */
  const shown = (out: Outbound[]) => out.map((o) => (o.kind === "file" ? `${o.name} ${o.caption ?? ""}` : o.kind === "link" ? `${o.text}\n${o.url}` : o.text)).join("\n");
  const slotLabels = (out: Outbound[]) =>
    out.flatMap((m) => (m.kind === "text" ? (m.buttons ?? []).flat() : [])).filter((b) => b.data.startsWith("bk:")).map((b) => b.label);
  const linkIn = (out: Outbound[]) => out.find((m): m is Extract<Outbound, { kind: "link" }> => m.kind === "link")!.url;

  it("claimant and respondent in their browsers, the mediator's chat linked: every step over the HTTP API, times in each one's zone", async () => {
    const verifier = new TokenVerifier(livekit.apiKey, livekit.apiSecret);
    const db = app.t.sql;
    const { webUserIdOf } = await import("../src/bot/channels/web/web-session.repository.js");
    // The labour room's mediator uses the web chat, linked to their staff record.
    const mediator = await WebResident.open(app.url);
    await db.execute(sql`INSERT INTO "StaffChannel" ("channel", "channelUserId", "staffId", "createdAt") VALUES ('web', ${webUserIdOf(mediator.session)}, ${MEDIATOR}, ${app.clock.now()})`);
    const mediatorInbox = mediator.inbox();

    // 1. The claimant files in the web chat.
    const claimant = await WebResident.open(app.url);
    await claimant.say("老板欠我三个月工资，八千块");
    for (const step of ["同意", "对", "不留电话", "在本地", "确认提交"]) await claimant.press(step);
    const code = claimant.text().match(CASE_CODE_PATTERN)![0];
    const caseRow = () => one(db, sql`SELECT * FROM "Case" WHERE "code" = ${code}`);
    expect(await caseRow()).toMatchObject({ status: "routed", roomId: "labor_arbitration" });
    const claimantInbox = claimant.inbox();
    await claimantInbox();

    // 2. The invitation (web link and QR code), then when they can meet, in Beijing time.
    await app.worker.sweep();
    const invitation = await claimantInbox();
    expect(shown(invitation)).toContain("【调解邀请】");
    expect(shown(invitation)).toContain("时间按北京时间显示");
    const link = shown(invitation).match(/https:\/\/onedoor\.example\.org\/\?start=(r_[A-Za-z0-9_-]+)/)!;
    await claimant.press("周末");
    await claimant.press("好了");
    expect(claimant.text()).toContain("记下了：周末（按北京时间）");

    // 3. The respondent opens /?start=r_… in a browser: the page sends the payload with its first message.
    const respondent = await WebResident.open(app.url);
    await respondent.post({ button: "cmd:start", startPayload: link[1] });
    expect(respondent.text()).toContain(`与您有关的纠纷（劳动争议，案件 ${code}）`);
    expect(respondent.text()).not.toContain("八千");
    await respondent.press("同意调解");
    await respondent.press("工作日晚上");
    await respondent.press("改时区");
    await respondent.say("纽约");
    expect(respondent.text()).toContain("时间按纽约时间显示");
    await respondent.press("好了");
    expect(respondent.text()).toContain("记下了：工作日晚上（按纽约时间）");
    const respondentInbox = respondent.inbox();
    await respondentInbox();
    expect(await one(db, sql`SELECT * FROM "Party" WHERE "caseId" = ${(await caseRow()).id} AND "role" = 'respondent'`)).toMatchObject({
      channel: "web", channelUserId: webUserIdOf(respondent.session), mediationConsent: "accepted", timeZone: "America/New_York",
    });

    // 4. The offer: the same Saturday-morning slot, in each reader's zone (09:00 Beijing = 20:00 Friday in New York).
    await app.worker.sweep();
    const offerC = await claimantInbox();
    const offerR = await respondentInbox();
    expect(shown(offerC)).toContain("对方同意调解了");
    expect(shown(offerC)).toContain(`请选一个调解时间（案件 ${code}，视频调解`);
    expect(shown(offerC)).toContain("时间按北京时间");
    expect(shown(offerR)).toContain("时间按纽约当地时间");
    expect(slotLabels(offerC)[0]).toBe("11月28日 周六 09:00");
    expect(slotLabels(offerR)[0]).toBe("11月27日 周五 20:00");

    // The claimant picks first this time: held; the respondent confirms in New York time.
    await claimant.press("11月28日 周六 09:00");
    expect(claimant.text()).toContain("已为您保留 11月28日 周六 09:00");
    await app.worker.sweep();
    const ask = await respondentInbox();
    expect(shown(ask)).toContain(`对方选了 11月27日 周五 20:00（视频调解，案件 ${code}）`);
    await respondent.press("可以");

    // 5. Booked: each party in their own time with the calendar file; the mediator in Beijing time with the host link.
    await app.worker.sweep();
    const start = new Date("2026-11-28T01:00:00Z");
    const session = await one(db, sql`SELECT * FROM "MediationSession" WHERE "caseId" = ${(await caseRow()).id}`);
    expect(session).toMatchObject({ state: "booked", mode: "video", staffId: MEDIATOR });
    expect(session.startsAt.toISOString()).toBe(start.toISOString());
    const bookedC = await claimantInbox();
    const bookedR = await respondentInbox();
    expect(shown(bookedC)).toContain(`已约好：11月28日 周六 09:00，视频调解`);
    expect(shown(bookedR)).toContain(`已约好：11月27日 周五 20:00，视频调解`);
    for (const booked of [bookedC, bookedR]) {
      const ics = booked.find((m): m is Extract<Outbound, { kind: "file" }> => m.kind === "file")!;
      expect(ics).toMatchObject({ name: `${code}.ics`, mime: "text/calendar" });
      expect(fs.readFileSync(path.join(app.t.dir, ics.ref), "utf8")).toContain("DTSTART:20261128T010000Z");
    }
    const toMediator = await mediatorInbox();
    expect(shown(toMediator)).toContain(`【已预约】11月28日 周六 09:00 视频调解，案件 ${code}`);
    expect(toMediator.some((m) => m.kind === "file" && m.name === `${code}.ics`)).toBe(true);
    expect(shown(toMediator)).toContain("打开视频（主持）");
    expect(await caseRow()).toMatchObject({ status: "in_mediation", mediatorId: MEDIATOR });

    // Booking accepted the case: both get the acceptance notice and their own session notice as PDFs, and press 收到 under each.
    await app.worker.sweep();
    const noticeC = [...bookedC, ...(await claimantInbox())];
    const noticeR = [...bookedR, ...(await respondentInbox())];
    for (const [who, got] of [[claimant, noticeC], [respondent, noticeR]] as const) {
      const pdfs = got.filter((m) => m.kind === "file" && m.mime === "application/pdf").map((m) => (m as { name: string }).name);
      expect(pdfs.sort()).toEqual([`${code} 受理通知书.pdf`, `${code} 调解通知书.pdf`]);
      const acks = got.filter((m) => m.kind === "text" && m.buttons?.flat().some((b) => b.label === "收到"));
      const acked: string[] = [];
      for (const note of acks) {
        who.last = [note];
        await who.press("收到");
        acked.push(who.text().match(/收到《(.+?)》（案件 /)![1]!);
      }
      expect(acked.sort()).toEqual(["受理通知书", "调解通知书"]);
    }
    await claimantInbox(); // read past the answers to 收到
    await respondentInbox();

    // 6. Reminders: each once, in each one's zone, each with its own join link.
    const links: Record<string, string> = {};
    const expected: [number, string, string][] = [
      [24 * HOUR, "提醒：明天 09:00 调解", "提醒：明天 20:00 调解"],
      [HOUR, "提醒：1 小时后调解（11月28日 周六 09:00", "提醒：1 小时后调解（11月27日 周五 20:00"],
      [10 * MINUTE, "提醒：10 分钟后开始调解", "提醒：10 分钟后开始调解"],
    ];
    for (const [before, forClaimant, forRespondent] of expected) {
      app.clock.set(new Date(start.getTime() - before));
      await app.worker.sweep();
      await app.worker.sweep(); // a second sweep sends nothing again
      const c = await claimantInbox();
      const r = await respondentInbox();
      expect(c).toHaveLength(1);
      expect(r).toHaveLength(1);
      expect(shown(c)).toContain(forClaimant);
      expect(shown(r)).toContain(forRespondent);
      expect(shown(c)).toContain("点这里进入视频：");
      links.claimant = linkIn(c);
      links.respondent = linkIn(r);
      const m = await mediatorInbox();
      // The mediator is reminded at 1 h and 10 min only, with the host link (other staff notices may come between).
      if (before <= HOUR) links.mediator = linkIn(m);
      else expect(shown(m)).not.toContain("提醒：");
    }
    expect(links.claimant).toMatch(JOIN_LINK);
    expect(new Set(Object.values(links)).size).toBe(3);

    // 7. The three open their links: a token each, for their role in this room.
    const c = await joinRoom(app.url, verifier, db, session.id, { role: "claimant", link: links.claimant! });
    const r = await joinRoom(app.url, verifier, db, session.id, { role: "respondent", link: links.respondent! }, "en");
    const m = await joinRoom(app.url, verifier, db, session.id, { role: "mediator", link: links.mediator! });
    expect(r.html).toContain('<html lang="en">');

    // 8. LiveKit's signed webhooks: joined and left.
    const room = `od-${session.id}`;
    const hook = `${app.url}/livekit/webhook`;
    app.clock.set(start);
    for (const p of [m, c, r]) {
      expect(await livekit.sendWebhook(hook, { event: "participant_joined", room, identity: p.identity, at: new Date(start.getTime() + MINUTE) })).toMatchObject({ status: 200, body: { attendance: "joined" } });
    }
    for (const p of [c, r, m]) {
      expect(await livekit.sendWebhook(hook, { event: "participant_left", room, identity: p.identity, at: new Date(start.getTime() + 50 * MINUTE) })).toMatchObject({ status: 200, body: { attendance: "left" } });
    }
    const attendance = await all(db, sql`SELECT "role", "joinedAt", "leftAt" FROM "SessionParticipant" WHERE "sessionId" = ${session.id} ORDER BY "role"`);
    expect(attendance.map((a) => [a.role, a.joinedAt?.toISOString(), a.leftAt?.toISOString()])).toEqual(
      ["claimant", "mediator", "respondent"].map((role) => [role, "2026-11-28T01:01:00.000Z", "2026-11-28T01:50:00.000Z"]),
    );

    // 9. After the end the mediator is asked for the outcome (who was there), and records it with the buttons.
    app.clock.set(new Date(start.getTime() + 75 * MINUTE));
    await app.worker.sweep();
    const ended = await mediatorInbox();
    expect(shown(ended)).toContain(`【请记录结果】案件 ${code}`);
    expect(shown(ended)).toContain("缺席：无");
    await mediator.press("谈成了");
    expect(mediator.text()).toContain(`已记录：案件 ${code}，谈成了。`);
    expect(await one(db, sql`SELECT "state", "outcome" FROM "MediationSession" WHERE "id" = ${session.id}`)).toMatchObject({ state: "done", outcome: "resolved" });
    const absent = await all(db, sql`SELECT "attendance" FROM "SessionParticipant" WHERE "sessionId" = ${session.id}`);
    expect(absent.map((a) => a.attendance)).toEqual(["present", "present", "present"]);

    // 10. Both parties are told; the case stays in mediation for the agreement; the audit records who decided.
    await app.worker.sweep();
    expect(shown(await claimantInbox())).toContain(`调解员记录：这次调解双方谈成了（案件 ${code}）`);
    expect(shown(await respondentInbox())).toContain(`调解员记录：这次调解双方谈成了（案件 ${code}）`);
    expect(await caseRow()).toMatchObject({ status: "in_mediation" });
    const outcome = await all(db, sql`SELECT "actor", "data" FROM "CaseEvent" WHERE "caseId" = ${session.caseId} AND "action" = 'session_outcome'`);
    expect(outcome).toHaveLength(1);
    expect(outcome[0]).toMatchObject({ actor: `staff:${MEDIATOR}` });
    expect(JSON.parse(outcome[0]!.data)).toMatchObject({ sessionId: session.id, outcome: "resolved" });
  });
});

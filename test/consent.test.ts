import { QR_OPTIONS } from "../src/cases/invitation.js";
import { qrPng } from "../src/lib/qr-png.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Outbound } from "../src/bot/messages.js";
import { DAY, HOUR } from "../src/lib/clock.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { scriptedClassifier } from "./support/classifiers.js";
import { delivered, fileWageClaim, payloadIn, shown } from "./support/consent.js";
import { Resident } from "./support/dialogue.js";
import { all, count, one, sql } from "./support/query.js";
import { staffApi, WebResident } from "./support/web-client.js";

const BASE = "https://onedoor.example.org";

/** A report whose other side the intake does not learn (the claimant skips the question). */
async function fileWithoutOtherSide(claimant: Resident): Promise<void> {
  await claimant.say("我家停水一个星期了，没人管");
  for (const step of ["同意", "对", "跳过"]) await claimant.press(step);
  if (claimant.text().includes("在哪")) await claimant.say("幸福小区3栋");
  for (const step of ["不留电话", "在本地", "确认提交"]) await claimant.press(step);
}

const labels = (out: Outbound[]) => out.flatMap((m) => (m.kind === "text" ? (m.buttons ?? []).flat().map((b) => b.label) : []));
const classifier = () =>
  scriptedClassifier([
    { match: "工资", type: "labor", confidence: 0.9 },
    { match: "停水", type: "property_mgmt", confidence: 0.9 },
  ]);

describe("the other party's consent (自愿) and when both can meet", () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp({ classifier: classifier(), env: { PUBLIC_BASE_URL: BASE } });
  });
  afterEach(async () => {
    await app.stop();
  });

  const party = (code: string, role: string) =>
    one(app.t.sql, sql`SELECT p.* FROM "Party" AS p JOIN "Case" AS c ON c."id" = p."caseId" WHERE c."code" = ${code} AND p."role" = ${role} ORDER BY p."createdAt"`);
  const caseRow = (code: string) => one(app.t.sql, sql`SELECT * FROM "Case" WHERE "code" = ${code}`);
  const jobs = (kind: string) => all(app.t.sql, sql`SELECT * FROM "Job" WHERE "kind" = ${kind}`);

  /** The claimant files, the invitation job runs; the respondent opens its web link in their own chat. */
  async function invited(): Promise<{ claimant: Resident; respondent: Resident; code: string; invitation: Outbound[] }> {
    const { claimant, code } = await fileWageClaim(app);
    await app.worker.sweep();
    const invitation = await delivered(app, "claimant");
    const respondent = new Resident(app.dialogue, "respondent");
    await respondent.send({ button: "cmd:start", startPayload: payloadIn(invitation), messageId: "r-open" });
    return { claimant, respondent, code, invitation };
  }

  it("gives a web claimant the invitation to forward: the text with a web link, its QR code as a PNG the page can show, then when they can meet", async () => {
    const web = await WebResident.open(app.url);
    await web.say("老板欠我三个月工资，八千块");
    for (const step of ["同意", "对", "不留电话", "在本地", "确认提交"]) await web.press(step);
    const code = web.text().match(/OD-\d{8}-\d{4}/)![0];
    // Stored with the case: filing is the claimant's yes, and the other side has a week to answer.
    const claimant = await party(code, "claimant");
    expect(claimant).toMatchObject({ mediationConsent: "accepted", mediationConsentVia: "intake" });
    await app.worker.sweep();

    const transcript = (await web.transcript()).filter((m) => m.direction === "out").map((m) => m.payload as Outbound);
    const text = shown(transcript);
    // What the claimant reads after the case card: why, the text to forward (no Telegram configured: web link only), a QR code.
    expect(text).toContain("调解要双方都同意。请把下面这条邀请转发给对方");
    expect(text).toContain(`【调解邀请】`);
    expect(text).toContain(`劳动争议，案件 ${code}`);
    // The claimant's words are not in what the other side reads.
    expect(transcript.find((m) => m.kind === "text" && m.text.startsWith("【调解邀请】"))).not.toMatchObject({ text: expect.stringContaining("八千") });
    expect(text).toContain("请在 11月30日 10:00 前回复"); // the deadline: opened 23 Nov 10:00 Beijing time + 7 days
    const link = text.match(new RegExp(`${BASE.replace(/\./g, "\\.")}/\\?start=r_[A-Za-z0-9_-]+`))![0];
    const file = transcript.find((m): m is Extract<Outbound, { kind: "file" }> => m.kind === "file")!;
    expect(file).toMatchObject({ name: "调解邀请-网页.png", mime: "image/png", caption: expect.stringContaining("扫码") });
    expect(transcript.filter((m) => m.kind === "file")).toHaveLength(1);
    // The page fetches the picture with its session: the PNG of a QR code of exactly that link.
    const sha = file.ref.split("/")[1];
    const res = await fetch(`${app.url}/api/chat/files/documents/${sha}`, { headers: { "x-chat-session": web.session } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await res.arrayBuffer()).equals(qrPng(link, QR_OPTIONS))).toBe(true);
    // Another chat cannot fetch it.
    const other = await WebResident.open(app.url);
    expect((await fetch(`${app.url}/api/chat/files/documents/${sha}`, { headers: { "x-chat-session": other.session } })).status).toBe(404);
    // Then, the same screen: when can they meet, in Beijing time unless they change it.
    expect(text).toContain("您什么时候方便参加调解");
    expect(text).toContain("时间按北京时间显示");
    expect((await caseRow(code)).consentDueAt.toISOString()).toBe("2026-11-30T02:00:00.000Z");

    // The other side opens the web link in a browser: the page sends its payload with the first message.
    const respondent = await WebResident.open(app.url);
    await respondent.post({ button: "cmd:start", startPayload: link.split("start=")[1] });
    expect(respondent.text()).toContain(`与您有关的纠纷（劳动争议，案件 ${code}）`);
    expect(respondent.text()).toContain("自愿、免费");
    expect(respondent.text()).not.toContain("八千");
    expect(labels(respondent.last)).toEqual([
      "同意调解",
      "不同意",
      "我有问题",
      "了解调解",
    ]);
    expect(await party(code, "respondent")).toMatchObject({ channel: "web", mediationConsent: null });
  });

  it("tells a claimant who opens their own link to forward it, and does not make them the other side", async () => {
    const { claimant } = await fileWageClaim(app);
    await app.worker.sweep();
    await claimant.send({ button: "cmd:start", startPayload: payloadIn(await delivered(app, "claimant")), messageId: "own" });
    expect(claimant.text()).toContain("这是给对方的邀请链接，请转发给对方");
    expect(await count(app.t.sql, sql`SELECT 1 FROM "Party" WHERE "role" = ${"respondent"} AND "channelUserId" IS NOT NULL`)).toBe(0);
  });

  it("respondent accepts, picks weekday evenings in New York time; with the claimant's times given, booking starts", async () => {
    const { claimant, respondent, code, invitation } = await invited();
    // The claimant answers the question under the invitation: weekends, then 好了.
    claimant.last = invitation;
    await claimant.press("周末");
    expect(labels(claimant.last)).toContain("✓ 周末");
    await claimant.press("好了");
    expect(claimant.text()).toContain("记下了：周末（按北京时间）");
    expect((await party(code, "claimant")).availability).toBe('{"presets":["weekend"]}');
    expect(await jobs("booking.start")).toHaveLength(0); // the other side has not agreed yet

    await respondent.press("同意调解");
    expect(respondent.text()).toContain(`已记下：您同意调解（案件 ${code}）`);
    expect(respondent.text()).toContain("您什么时候方便参加调解");
    await respondent.press("工作日晚上");
    await respondent.press("改时区");
    expect(respondent.text()).toContain("您在哪里？");
    await respondent.say("纽约");
    expect(respondent.text()).toContain("时间按纽约时间显示");
    expect(labels(respondent.last)).toContain("✓ 工作日晚上"); // the pick is kept while the zone changes
    await respondent.press("好了");
    expect(respondent.text()).toContain("记下了：工作日晚上（按纽约时间）");
    expect(labels(respondent.last)).toContain("不想调解了"); // the way out stays in the menu

    const r = await party(code, "respondent");
    expect(r).toMatchObject({ mediationConsent: "accepted", mediationConsentVia: "chat", availability: '{"presets":["weekday_evening"]}', timeZone: "America/New_York" });
    const [start] = await jobs("booking.start");
    expect(start).toMatchObject({ dedupeKey: `booking.start:${(await caseRow(code)).id}` });
    expect(JSON.parse(start!.payload)).toEqual({ caseId: (await caseRow(code)).id });

    // The claimant hears the other side agreed; their times are known, so nothing is asked again.
    await app.worker.sweep();
    const told = shown((await delivered(app, "claimant")).slice(invitation.length));
    expect(told).toContain(`对方同意调解了（案件 ${code}）`);
    expect(told).not.toContain("您什么时候方便");
  });

  it("a web respondent whose phone is on New York time sees the times in it from the first question, and it is stored; a made-up zone is ignored", async () => {
    const { code } = await fileWageClaim(app);
    await app.worker.sweep();
    const invitation = await delivered(app, "claimant");
    const web = await WebResident.open(app.url);
    web.timeZone = "America/New_York";
    await web.post({ button: "cmd:start", startPayload: payloadIn(invitation) });
    await web.press("同意调解");
    expect(web.text()).toContain("您什么时候方便参加调解");
    expect(web.text()).toContain("纽约");
    await web.press("工作日晚上");
    await web.press("好了");
    expect(web.text()).toContain("记下了：工作日晚上（按纽约时间）");
    expect(await party(code, "respondent")).toMatchObject({ channel: "web", timeZone: "America/New_York" });

    // A page that sends something that is not a zone is read as no hint: Beijing time.
    await fileWageClaim(app, "claimant2");
    await app.worker.sweep();
    const second = await WebResident.open(app.url);
    second.timeZone = "Mars/Olympus";
    await second.post({ button: "cmd:start", startPayload: payloadIn(await delivered(app, "claimant2")) });
    await second.press("同意调解");
    expect(second.text()).toContain("北京时间");
    expect(second.text()).not.toContain("Mars");
  });

  it("asks which dialect the mediator should speak when the centre has one besides 普通话, before saving the times; 普通话就行 is not asked again", async () => {
    // The labour room's mediator also speaks 河南话 (老乡调解员).
    const { setSkills } = await import("../src/scheduling/mediator-time.js");
    const { schedulingDeps } = await import("./support/scheduling.js");
    await setSkills(schedulingDeps(app.cases), { staffId: "duty_labor", types: ["labor"], languages: ["zh-CN", "zh-henan"] });
    const { claimant, respondent, code, invitation } = await invited();
    await respondent.press("同意调解");
    await respondent.press("工作日晚上");
    await respondent.press("好了");
    // Nothing saved yet: the dialect comes first, offering only what the centre has.
    expect(respondent.text()).toContain("想找会说家乡话的调解员吗");
    expect(labels(respondent.last)).toEqual(["普通话就行", "河南话"]);
    expect((await party(code, "respondent")).availability).toBeNull();
    await respondent.say("河南");
    expect(respondent.text()).toContain("请点下面的按钮选一个");
    await respondent.press("河南话");
    expect(respondent.text()).toContain("记下了：工作日晚上、想要会说河南话的调解员（按北京时间）");
    expect(await party(code, "respondent")).toMatchObject({ availability: '{"presets":["weekday_evening"]}', preferLanguage: "zh-henan" });

    // The claimant says 普通话就行 once; changing times later does not ask again.
    claimant.last = invitation;
    await claimant.press("周末");
    await claimant.press("好了");
    await claimant.press("普通话就行");
    expect(claimant.text()).toContain("记下了：周末（按北京时间）");
    expect((await party(code, "claimant")).preferLanguage).toBe("zh-CN");
    claimant.last = invitation;
    await claimant.press("都可以");
    expect(claimant.text()).toContain("记下了：都可以");
    expect((await party(code, "claimant")).availability).toBe('{"presets":["any"]}');
  });

  it("asks the claimant when they can meet once the respondent agrees, if they skipped it; booking starts when they answer", async () => {
    const { claimant, respondent, invitation } = await invited();
    claimant.last = invitation;
    await claimant.press("以后再说");
    expect(claimant.text()).toContain("好的，先不选");
    await respondent.press("同意调解");
    await respondent.press("都可以");
    expect(respondent.text()).toContain("记下了：都可以");
    expect(await jobs("booking.start")).toHaveLength(0);
    await app.worker.sweep();
    const asked = (await delivered(app, "claimant")).slice(invitation.length);
    expect(shown(asked)).toContain("对方同意调解了");
    expect(shown(asked)).toContain("您什么时候方便参加调解");
    claimant.last = asked;
    await claimant.press("工作日白天");
    await claimant.press("好了");
    expect(await jobs("booking.start")).toHaveLength(1);
  });

  it("respondent declines (after a confirm step): the case is closed as referred and the claimant is told the labour routes", async () => {
    const { respondent, code, invitation } = await invited();
    await respondent.press("不同意");
    expect(respondent.text()).toContain("确定不参加调解吗？");
    expect((await caseRow(code)).status).toBe("routed"); // nothing happens before the confirm
    await respondent.press("确定不参加");
    expect(respondent.text()).toContain(`已记下：您不参加调解（案件 ${code}）`);
    const c = await caseRow(code);
    expect(c).toMatchObject({ status: "closed", outcome: "referred" });
    expect((await party(code, "respondent")).mediationConsent).toBe("declined");

    await app.worker.sweep();
    const told = shown((await delivered(app, "claimant")).slice(invitation.length));
    expect(told).toContain(`案件 ${code}：对方不同意调解`);
    expect(told).toContain("劳动仲裁");
    expect(told).toContain("12333");
    expect(told).not.toContain("已结案"); // one message, the routes, not the generic notice as well
    // The respondent is not sent the referral (they answered themselves).
    expect(shown(await delivered(app, "respondent"))).not.toContain("劳动仲裁");
  });

  it("no answer: the claimant is reminded with the same links on day 5, and on day 7 the case is referred and the claimant told", async () => {
    const { claimant, code } = await fileWageClaim(app);
    await app.worker.sweep();
    const invitation = await delivered(app, "claimant");
    const link = payloadIn(invitation);

    app.clock.advance(5 * DAY - HOUR);
    await app.worker.sweep();
    expect(await delivered(app, "claimant")).toHaveLength(invitation.length); // not yet
    app.clock.advance(HOUR);
    await app.worker.sweep();
    const reminder = (await delivered(app, "claimant")).slice(invitation.length);
    expect(shown(reminder)).toContain("对方还没回复调解邀请，可以再转发一次邀请");
    expect(payloadIn(reminder)).toBe(link); // what was forwarded before still works
    expect(reminder.some((m) => m.kind === "file" && m.mime === "image/png")).toBe(true);
    await app.worker.sweep(); // run again: nothing twice
    expect(await delivered(app, "claimant")).toHaveLength(invitation.length + reminder.length);

    app.clock.advance(2 * DAY);
    await app.worker.sweep();
    expect(await caseRow(code)).toMatchObject({ status: "closed", outcome: "referred" });
    const events = await all(app.t.sql, sql`SELECT * FROM "CaseEvent" WHERE "action" = ${"closed:referred"}`);
    expect(events[0]!.reason).toContain("did not answer");
    await app.worker.sweep();
    const told = shown((await delivered(app, "claimant")).slice(invitation.length + reminder.length));
    expect(told).toContain("对方在 7 天内没有回复调解邀请");
    expect(told).toContain("12348");
    void claimant;
  });

  it("reminds a respondent who opened the link but did not answer, and their answer from the reminder counts", async () => {
    const { respondent, code } = await invited();
    app.clock.advance(5 * DAY);
    await app.worker.sweep();
    const reminder = (await delivered(app, "respondent")).at(-1)!;
    expect(shown([reminder])).toContain(`邀请您参加案件 ${code} 的调解`);
    expect(shown(await delivered(app, "claimant"))).toContain("对方已经打开邀请，还没答复");
    respondent.last = [reminder];
    await respondent.press("同意调解");
    expect((await party(code, "respondent")).mediationConsent).toBe("accepted");
    app.clock.advance(2 * DAY);
    await app.worker.sweep();
    expect((await caseRow(code)).status).toBe("routed"); // answered: no referral at the deadline
  });

  it("sends no reminder to anyone once the other side has answered", async () => {
    const { respondent, code } = await invited();
    await respondent.press("同意调解");
    await app.worker.sweep();
    const before = await count(app.t.sql, sql`SELECT 1 FROM "Delivery"`);
    app.clock.advance(5 * DAY);
    await app.worker.sweep();
    expect(await count(app.t.sql, sql`SELECT 1 FROM "Delivery"`)).toBe(before);
    const reminder = await one(app.t.sql, sql`SELECT * FROM "Job" WHERE "kind" = ${"consent.remind"}`);
    expect(reminder.doneAt).not.toBeNull(); // it ran, found the answer, and did nothing
    app.clock.advance(2 * DAY);
    await app.worker.sweep();
    expect((await caseRow(code)).status).toBe("routed");
  });

  it("a respondent who declines after accepting: allowed, the booking side is told to cancel, the case is referred", async () => {
    const { respondent, code } = await invited();
    await respondent.press("同意调解");
    await respondent.press("周末");
    await respondent.press("好了");
    await respondent.press("不想调解了");
    expect(respondent.text()).toContain("确定不参加调解了吗？已经约好的时间会取消");
    await respondent.press("确定不参加");
    const c = await caseRow(code);
    expect(c).toMatchObject({ status: "closed", outcome: "referred" });
    const r = await party(code, "respondent");
    const [withdrawn] = await jobs("booking.consent_withdrawn");
    expect(JSON.parse(withdrawn!.payload)).toEqual({ caseId: c.id, partyId: r.id });
    expect(withdrawn!.dedupeKey).toMatch(new RegExp(`^booking\\.consent_withdrawn:${r.id}:`));
    const audit = await all(app.t.sql, sql`SELECT "action" FROM "CaseEvent" WHERE "caseId" = ${c.id} ORDER BY "at", "id"`);
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(["consent_accepted", "availability_given", "consent_declined", "closed:referred"]));
  });

  it("staff record a consent given by phone, with times and zone: the same effects as in the chat", async () => {
    const { claimant, code, invitation } = await invited();
    claimant.last = invitation;
    await claimant.press("都可以");
    const api = staffApi(app.url);
    const bad = await api.post(`/api/staff/cases/${code}/consent`, { role: "respondent", answer: "accepted", timeZone: "Mars/Olympus" });
    expect(bad.status).toBe(400);
    expect((await api.post(`/api/staff/cases/${code}/consent`, { role: "respondent", answer: "accepted", preferLanguage: "<b>河南</b>" })).status).toBe(400);
    const res = await api.post<{ status: string; bookingStarted: boolean }>(`/api/staff/cases/${code}/consent`, {
      role: "respondent",
      answer: "accepted",
      availability: { presets: ["weekend"] },
      timeZone: "Asia/Tokyo",
      preferLanguage: "zh-henan",
      staffId: "duty_labor",
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "recorded", bookingStarted: true });
    expect(await party(code, "respondent")).toMatchObject({
      mediationConsent: "accepted", mediationConsentVia: "phone", timeZone: "Asia/Tokyo", availability: '{"presets":["weekend"]}', preferLanguage: "zh-henan",
    });
    const event = await one(app.t.sql, sql`SELECT * FROM "CaseEvent" WHERE "action" = ${"consent_accepted"}`);
    expect(event.actor).toBe("staff:duty_labor");
    expect(JSON.parse(event.data).via).toBe("phone");
    expect(await jobs("booking.start")).toHaveLength(1);
  });

  it("staff record a decline by phone for a respondent never invited: referred, claimant told", async () => {
    const claimant = new Resident(app.dialogue, "c2");
    await fileWithoutOtherSide(claimant);
    const code = claimant.text().match(/OD-\d{8}-\d{4}/)![0];
    // The intake did not learn who the other side is: the claimant is offered an invitation, not sent one.
    expect(claimant.text()).toContain("要不要现在发一份邀请");
    const api = staffApi(app.url);
    const missing = await api.post(`/api/staff/cases/${code}/consent`, { role: "respondent", answer: "declined" });
    expect(missing.status).toBe(404); // nobody to record it for yet
    const sent = await api.post<{ text: string; sms: { note: string }; links: { web: string } }>(`/api/staff/cases/${code}/invites`, { phone: "13800000000" });
    expect(sent.status).toBe(201);
    expect(sent.body.sms.note).toContain("no SMS channel");
    expect(sent.body.text).toContain(sent.body.links.web);
    const res = await api.post(`/api/staff/cases/${code}/consent`, { role: "respondent", answer: "declined" });
    expect(res.status).toBe(200);
    expect(await caseRow(code)).toMatchObject({ status: "closed", outcome: "referred" });
    await app.worker.sweep();
    const told = shown(await delivered(app, "c2"));
    expect(told).toContain("对方不同意调解");
    expect(told).toContain("12348");
  });

  it("staff send an invitation to a chat they have; the claimant who was offered one gets it on pressing", async () => {
    const claimant = new Resident(app.dialogue, "c3");
    await fileWithoutOtherSide(claimant);
    await claimant.press("发邀请给对方");
    expect(claimant.text()).toContain("邀请马上发到这里");
    await app.worker.sweep();
    expect(shown(await delivered(app, "c3"))).toContain("【调解邀请】");
    const code = shown(await delivered(app, "c3")).match(/OD-\d{8}-\d{4}/)![0];

    const res = await staffApi(app.url).post<{ sent: { channel: string } }>(`/api/staff/cases/${code}/invites`, { channel: "web", recipient: "other-side" });
    expect(res.status).toBe(201);
    expect(res.body.sent).toMatchObject({ channel: "web", via: "messenger" });
    const got = await delivered(app, "other-side");
    expect(shown(got)).toContain("【调解邀请】");
    const respondent = new Resident(app.dialogue, "other-side");
    await respondent.send({ button: "cmd:start", startPayload: payloadIn(got), messageId: "o1" });
    expect(respondent.text()).toContain("您愿意参加调解吗？");
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOUR, MINUTE } from "../src/lib/clock.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { scriptedClassifier } from "./support/classifiers.js";
import { staffApi, WebResident } from "./support/web-client.js";
import { all, one, sql } from "./support/query.js";

interface HandoffView {
  id: string;
  status: string;
  reason: string;
  replyDueAt: string;
  transcript: { direction: string; payload: { text?: string } }[];
}

describe("a person when needed (handoff)", () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp({
      classifier: scriptedClassifier([{ match: "工资", type: "labor", confidence: 0.9 }]),
      env: { CENTRE_DUTY_PHONE: "0371-12345678", CENTRE_HOURS: "08:30-17:30", HANDOFF_REPLY_MINUTES: "30" },
    });
  });
  afterEach(async () => {
    await app.stop();
  });

  const notifications = () => all(app.t.sql, sql`SELECT * FROM "Notification" ORDER BY "createdAt"`);

  it("hands the chat to the duty desk with the transcript; the staff reply reaches the resident; the intake resumes after", async () => {
    const r = await WebResident.open(app.url);
    const staff = staffApi(app.url);
    await r.post({ button: "cmd:start" });
    await r.press("同意");
    await r.say("老板拖欠我三个月工资，一共八千块");
    await r.press("对");
    expect(r.text()).toContain("怎么称呼您");

    await r.say("转人工");
    // Who answers and by when, within the centre's hours (Monday 10:00 + 30 minutes).
    expect(r.text()).toContain("中心值班人员会在 11月23日 10:30 前在这里回复您");
    expect(r.text()).toContain("0371-12345678");

    await app.worker.sweep();
    const opened = (await notifications()).find((n) => n.kind === "handoff")!;
    expect(opened.staffId).toBe("duty_desk");
    expect(opened.text).toContain("老板拖欠我三个月工资"); // the transcript, for the person taking over
    const { handoffs } = await staff.get<{ handoffs: HandoffView[] }>("/api/staff/handoffs?status=open");
    expect(handoffs).toHaveLength(1);
    const h = handoffs[0]!;
    expect(h.reason).toBe("requested");
    expect(h.transcript.some((m) => m.payload.text === "转人工")).toBe(true);
    // Staff act through the handoff id: the resident's web session (their identity) is not in the list.
    expect(JSON.stringify(handoffs)).not.toContain(r.session);
    expect(h).not.toHaveProperty("userId");
    const { notifications: listed } = await staff.get<{ notifications: Record<string, unknown>[] }>("/api/staff/notifications?staffId=duty_desk");
    expect(listed.map((n) => n.kind)).toContain("handoff");
    expect(listed.every((n) => !("dedupeKey" in n))).toBe(true);

    // While a person has the chat, what the resident writes goes to them (the bot only acknowledges once).
    await r.say("我在深圳，白天要上班");
    expect(r.last).toEqual([]);
    await app.worker.sweep();
    expect((await notifications()).some((n) => n.kind === "handoff_message" && n.text.includes("我在深圳"))).toBe(true);

    const reply = await staff.post<{ queued: boolean }>(`/api/staff/handoffs/${h.id}/messages`, { text: "您好，我是值班员小李，晚上七点给您打电话可以吗？", staffId: "duty_desk" });
    expect(reply.status).toBe(202);
    // Once the duty desk has the conversation, a room's mediator does not answer over them; a reply
    // names who writes it, and nobody outside the staff list may.
    const overTheir = await staff.post<{ error: string }>(`/api/staff/handoffs/${h.id}/messages`, { text: "我来说两句", staffId: "duty_property" });
    expect(overTheir).toMatchObject({ status: 403, body: { error: "FORBIDDEN" } });
    const nobody = await staff.post<{ error: string }>(`/api/staff/handoffs/${h.id}/messages`, { text: "hi", staffId: "not_staff" });
    expect(nobody.status).toBe(403);
    const unnamed = await staff.post<{ error: string }>(`/api/staff/handoffs/${h.id}/messages`, { text: "hi" });
    expect(unnamed.status).toBe(400);
    await app.worker.sweep();
    const transcript = await r.transcript();
    expect(transcript.map((m) => m.payload.text ?? "").join("\n")).toContain("【工作人员】您好，我是值班员小李");

    // The promise was kept: at its time nothing is escalated.
    app.clock.advance(HOUR);
    await app.worker.sweep();
    expect((await notifications()).filter((n) => n.kind === "handoff_late")).toEqual([]);

    // The resident ends it (the button under the staff reply) and the intake carries on where it was.
    const staffReply = transcript.find((m) => m.payload.text?.startsWith("【工作人员】"))!;
    expect(staffReply.payload.kind === "text" && staffReply.payload.buttons?.flat().map((b) => b.data)).toEqual(["handoff:end"]);
    await r.post({ button: "handoff:end" });
    expect(r.text()).toContain("已结束人工接待");
    expect(r.text()).toContain("怎么称呼您");
    const after = await staff.get<{ handoffs: HandoffView[] }>("/api/staff/handoffs?status=closed");
    expect(after.handoffs.map((x) => x.id)).toEqual([h.id]);
  });

  it("outside working hours says so and promises the next morning; a missed promise is escalated and the resident told", async () => {
    app.clock.set("2026-11-28T13:00:00Z"); // Saturday 21:00
    const r = await WebResident.open(app.url);
    await r.post({ button: "cmd:start" });
    await r.say("找人工");
    expect(r.text()).toContain("现在是下班时间");
    expect(r.text()).toContain("11月30日 09:00 前"); // Monday opening + 30 minutes

    app.clock.set("2026-11-30T01:01:00Z"); // Monday 09:01, no one answered
    await app.worker.sweep();
    const late = (await notifications()).filter((n) => n.kind === "handoff_late");
    expect(late.map((n) => n.staffId)).toEqual(["supervisor"]);
    const transcript = await r.transcript();
    expect(transcript.at(-1)?.payload.text).toContain("抱歉让您久等了");
  });

  it("brings in a person after two messages in a row it did not understand", async () => {
    const r = await WebResident.open(app.url);
    await r.post({ button: "cmd:start" });
    await r.press("同意");
    await r.say("？？？");
    expect(r.text()).toContain("没看懂");
    await r.say("。。。");
    expect(r.text()).toContain("我没能明白您的意思，已请工作人员来帮您");
    expect(r.text()).toContain("在这里回复您");
    const h = await one(app.t.sql, sql`SELECT * FROM "Handoff"`);
    expect(h.reason).toBe("misunderstood");
  });

  it("closes from the staff side: the resident hears so, and the bot answers again", async () => {
    const r = await WebResident.open(app.url);
    const staff = staffApi(app.url);
    await r.post({ button: "cmd:start" });
    await r.say("转人工");
    const { handoffs } = await staff.get<{ handoffs: HandoffView[] }>("/api/staff/handoffs?status=open");
    const closed = await staff.post<{ closed: boolean }>(`/api/staff/handoffs/${handoffs[0]!.id}/close`, { staffId: "duty_desk" });
    expect(closed.body.closed).toBe(true);
    await r.say("查一下进度");
    expect(r.text()).toContain("工作人员已结束这次接待");
    expect(r.text()).toContain("还没有登记过案件");
    // replying to a closed handoff is refused, not silently dropped
    const late = await staff.post<{ error: string }>(`/api/staff/handoffs/${handoffs[0]!.id}/messages`, { text: "还在吗", staffId: "duty_desk" });
    expect(late.status).toBe(409);
    const missing = await staff.post<{ error: string }>(`/api/staff/handoffs/nope/messages`, { text: "hi", staffId: "duty_desk" });
    expect(missing.status).toBe(404);
    const empty = await staff.post<{ error: string }>(`/api/staff/handoffs/${handoffs[0]!.id}/messages`, { text: "  ", staffId: "duty_desk" });
    expect(empty.status).toBe(400);
  });

  it("acknowledges a resident who keeps writing to a person at most every ten minutes", async () => {
    const r = await WebResident.open(app.url);
    await r.post({ button: "cmd:start" });
    await r.say("转人工");
    await r.say("你好");
    expect(r.last).toEqual([]); // forwarded, no bot chatter while a person reads
    app.clock.advance(11 * MINUTE);
    await r.say("还在吗");
    expect(r.text()).toContain("已转给工作人员，请稍等");
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CASE_CODE_PATTERN } from "../src/cases/types.js";
import { HOUR } from "../src/lib/clock.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { scriptedClassifier } from "./support/classifiers.js";
import { WebResident } from "./support/web-client.js";
import { all, one, sql } from "./support/query.js";

/** The danger rules are the real ones (src/classify/risk.ts); the classifier only names the type. */
const classifier = () =>
  scriptedClassifier([
    { match: "工资", type: "labor", confidence: 0.9 },
    { match: "群租", type: "neighbor", confidence: 0.9 },
    { match: "砸门", type: "neighbor", confidence: 0.9 },
  ]);

const buttonCount = (r: WebResident) => r.last.flatMap((m) => (m.kind === "text" ? (m.buttons ?? []).flat() : [])).length;

describe("safety at every step", () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp({ classifier: classifier(), env: { CENTRE_DUTY_PHONE: "0371-12345678" } });
  });
  afterEach(async () => {
    await app.stop();
  });

  const pages = () => all(app.t.sql, sql`SELECT * FROM "Notification" WHERE "kind" = ${"safety_page"}`);

  it("answers danger in the very first message, before consent, and pages the duty staff at once", async () => {
    const r = await WebResident.open(app.url);
    await r.say("活不下去了…我现在就站在楼顶上");
    // A human answer first, with numbers to call; no privacy notice, no thirteen buttons.
    expect(r.text()).toContain("我们很担心您");
    expect(r.text()).toContain("110");
    expect(r.text()).toContain("12356");
    expect(r.text()).toContain("0371-12345678");
    expect(r.text()).not.toContain("登记前请知悉");
    expect(buttonCount(r)).toBeLessThanOrEqual(2);

    await app.worker.sweep();
    const sent = await pages();
    // The duty desk and the supervisor, with what was said and how to reach the person.
    expect(sent.map((n) => n.staffId).sort()).toEqual(["duty_desk", "supervisor"]);
    expect(sent[0]!.text).toContain("活不下去了…我现在就站在楼顶上");
    expect(sent[0]!.text).toContain("网页聊天");
    expect(sent[0]!.text).toContain("/api/staff/handoffs/");
    const h = await one(app.t.sql, sql`SELECT * FROM "Handoff"`);
    expect([h.reason, h.status]).toEqual(["safety", "open"]);

    // The same episode pages once; the person still hears where help is.
    await r.say("我真的不想活了");
    expect(r.text()).toContain("110");
    await app.worker.sweep();
    expect(await pages()).toHaveLength(2);

    // A day later it is a new episode: paged again.
    app.clock.advance(24 * HOUR);
    await r.say("又想从楼上跳下去");
    await app.worker.sweep();
    expect(await pages()).toHaveLength(4);
  });

  it("keeps what they said for an intake offered gently, and the case carries the flag", async () => {
    const r = await WebResident.open(app.url);
    await r.say("老板三个月不给工资，我真的活不下去了");
    expect(r.text()).toContain("我们很担心您");
    await r.press("开始登记");
    expect(r.text()).toContain("登记前请知悉");
    await r.press("同意");
    // The story they told is used; nothing to repeat.
    expect(r.text()).toContain("类型：劳动争议");
    await r.press("对");
    await r.press("不涉及钱");
    await r.press("不留电话");
    await r.press("在本地");
    await r.press("确认提交");
    const code = r.text().match(CASE_CODE_PATTERN)![0];
    const stored = await one(app.t.sql, sql`SELECT * FROM "Case" WHERE "code" = ${code}`);
    expect(JSON.parse(stored.riskFlags)).toContain("self_harm");
  });

  it("answers danger in the middle of an intake and asks the open question again", async () => {
    const r = await WebResident.open(app.url);
    await r.post({ button: "cmd:start" });
    await r.press("同意");
    await r.say("包工头拖欠工资三个月，一共八千块");
    await r.press("对");
    expect(r.text()).toContain("怎么称呼您");
    await r.say("他再不给钱我就拿刀去砍他");
    expect(r.text()).toContain("110");
    expect(r.text()).toContain("怎么称呼您"); // the threat is not taken as a name
    await app.worker.sweep();
    expect((await pages()).length).toBeGreaterThan(0);
    expect((await pages())[0]!.text).toContain("暴力威胁");
    const state = JSON.parse((await one(app.t.sql, sql`SELECT "state" FROM "Conversation"`)).state);
    expect(state.intake.draft.riskFlags).toContain("violence");
    expect(state.intake.draft.name).toBeUndefined();
  });

  it("keeps an intake put aside for a status check when danger comes in", async () => {
    const r = await WebResident.open(app.url);
    await r.post({ button: "cmd:start" });
    await r.press("同意");
    await r.say("包工头拖欠工资三个月，一共八千块");
    await r.press("对");
    await r.say("查进度");
    await r.say("我真的不想活了");
    expect(r.text()).toContain("12356");
    expect(r.text()).toContain("怎么称呼您"); // the intake carries on where it was
    const state = JSON.parse((await one(app.t.sql, sql`SELECT "state" FROM "Conversation"`)).state);
    expect(state.intake.draft.description).toBe("包工头拖欠工资三个月，一共八千块");
  });

  it("does not page for a crowded flat or a door banged at night", async () => {
    const r = await WebResident.open(app.url);
    await r.post({ button: "cmd:start" });
    await r.press("同意");
    await r.say("楼上是群租房，十几个人天天半夜吵");
    expect(r.text()).not.toContain("110");
    await r.press("对");
    await r.press("上一步");
    await r.press("上一步");
    await r.say("对门喝醉了半夜砸门，吵得孩子睡不着");
    expect(r.text()).not.toContain("110");
    await app.worker.sweep();
    expect(await pages()).toEqual([]);
    const state = JSON.parse((await one(app.t.sql, sql`SELECT "state" FROM "Conversation"`)).state);
    expect(state.intake.draft.riskFlags).toEqual([]);
  });
});

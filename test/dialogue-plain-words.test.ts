import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CASE_CODE_PATTERN } from "../src/cases/types.js";
import { createTestDb, type TestDb } from "./support/db.js";
import { scriptedClassifier } from "./support/classifiers.js";
import { buttons, caseDeps, makeDialogue, Resident } from "./support/dialogue.js";
import { count, one, sql } from "./support/query.js";

/**
 * What residents really type, at any step. Before this, every one of the ordinary messages below got
 * "这看起来是法律咨询，不是纠纷…12348" and typed answers were taken literally.
 */
function classifier() {
  // A classifier that calls everything short a legal question: the dialogue must not let it decide these.
  return scriptedClassifier(
    [
      { match: "工资", type: "labor", confidence: 0.92 },
      { match: "漏水", type: "neighbor", confidence: 0.9 },
      { match: "English", type: "traffic", confidence: 0.9 },
    ],
    "not_dispute",
  );
}

describe("plain words understood", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const LEGAL_ANSWER = "12348 公共法律服务热线（免费）\n· 到县公共法律服务中心";

  it.each([
    ["你好", "一扇门"],
    ["在吗", "一扇门"],
    ["查一下进度", "还没有登记过案件"],
    ["我的案子现在怎么样了", "还没有登记过案件"],
    ["转人工", "在这里回复您"],
    ["怎么预约视频调解", "先登记纠纷"],
    ["能把受理通知书发给我吗", "这里还没有发给您的文书"],
  ])("a first message %s gets its answer, not the legal-consultation reply", async (text, expected) => {
    const r = new Resident(makeDialogue(caseDeps(t), classifier()));
    await r.say(text);
    expect(r.text()).toContain(expected);
    expect(r.text()).not.toContain(LEGAL_ANSWER);
  });

  it("greets a returning resident with the menu, and an unknown message gets the menu too", async () => {
    const r = new Resident(makeDialogue(caseDeps(t), classifier()));
    await r.send({ button: "cmd:start" });
    await r.press("不同意");
    await r.say("你好");
    expect(r.text()).toContain("有什么可以帮您");
    expect(buttons(r.last).map((b) => b.data)).toEqual(expect.arrayContaining(["cmd:new", "cmd:status", "cmd:human"]));
    await r.say("啥玩意");
    expect(r.text()).toContain("没看明白");
    expect(r.text()).not.toContain(LEGAL_ANSWER);
  });

  it("takes a cancel typed as an answer as a cancel, at any question", async () => {
    const r = new Resident(makeDialogue(caseDeps(t), classifier()));
    await r.send({ button: "cmd:start" });
    await r.press("同意");
    await r.say("家里天花板一直漏水，东西都泡坏了");
    await r.press("对");
    expect(r.text()).toContain("对方是谁");
    await r.say("算了不弄了");
    expect(r.text()).toContain("确定不登记了吗");
    await r.press("继续登记");
    expect(r.text()).toContain("对方是谁");
    await r.say("楼上");
    expect(r.text()).toContain("在哪里发生的");
    await r.say("我不想登记了");
    expect(r.text()).toContain("确定不登记了吗");
    await r.press("确定不登记");
    expect(r.text()).toContain("没有登记");
    expect(await count(t.sql, sql`SELECT 1 FROM "Case"`)).toBe(0);
    const state = JSON.parse((await one(t.sql, sql`SELECT "state" FROM "Conversation"`)).state);
    expect(state.intake).toBeUndefined();
  });

  it("answers a status question mid-intake, then carries on with the intake", async () => {
    const r = new Resident(makeDialogue(caseDeps(t), classifier()));
    await r.send({ button: "cmd:start" });
    await r.press("同意");
    await r.say("家里天花板一直漏水，东西都泡坏了");
    await r.press("对");
    await r.say("进度怎么样了");
    expect(r.text()).toContain("还没有登记过案件");
    await r.press("继续登记");
    expect(r.text()).toContain("对方是谁");
    await r.say("楼上老王");
    expect(r.text()).toContain("在哪里发生的");
  });

  it("shows a pasted case code only to a party of it, and tells anyone else nothing about it", async () => {
    const deps = caseDeps(t);
    const owner = new Resident(makeDialogue(deps, classifier()), "owner");
    await owner.send({ button: "cmd:start" });
    await owner.press("同意");
    await owner.say("老板欠了三个月工资，八千块");
    for (const step of ["对", "不留电话", "在本地", "确认提交"]) await owner.press(step);
    const code = owner.text().match(CASE_CODE_PATTERN)![0];

    await owner.say(`我的编号是 ${code.toLowerCase()}，帮我看看`);
    expect(owner.text()).toContain(code);
    expect(owner.text()).toContain("已分流，待调解员受理");

    const stranger = new Resident(makeDialogue(deps, classifier()), "stranger");
    await stranger.say(code);
    const existing = stranger.text();
    await stranger.say("OD-20261123-9999");
    const missing = stranger.text();
    expect(existing).toBe(missing.replace("OD-20261123-9999", code)); // the same words, whether it exists or not
    expect(existing).not.toContain("劳动争议");
  });

  it("answers booking and documents questions honestly, and never promises what does not exist", async () => {
    const r = new Resident(makeDialogue(caseDeps(t), classifier()));
    await r.send({ button: "cmd:start" });
    await r.press("同意");
    await r.say("老板欠了三个月工资，八千块");
    for (const step of ["对", "不留电话", "在外地", "确认提交"]) await r.press(step);
    const code = r.text().match(CASE_CODE_PATTERN)![0];
    // Booking is real now, but only once the other side has agreed (自愿): said plainly, with a way on.
    await r.say("怎么预约视频调解");
    expect(r.text()).toContain(`对方还没同意调解，暂时不能约时间。对方一回复，我就告诉您（案件 ${code}）`);
    expect(buttons(r.last).map((b) => b.data)).toContain("cmd:human");
    // Documents come once the case is accepted: none yet, said plainly.
    await r.say("要通知书");
    expect(r.text()).toContain("这里还没有发给您的文书。案件受理后，受理通知书会发到这里");
    expect(buttons(r.last).map((b) => b.data)).toContain("cmd:human");
  });

  it("classifies and answers an English story in English, page buttons included", async () => {
    const dialogue = makeDialogue(caseDeps(t), classifier());
    const r = new Resident(dialogue);
    const reply = await dialogue.handle({ channel: "web", userId: "u1", text: "A car hit my e-bike yesterday (English) and the driver refuses to pay", messageId: "e1" });
    r.last = reply.messages;
    expect(reply.locale).toBe("en");
    expect(r.text()).toContain("I'll reply in English");
    expect(r.text()).toContain("Noted what you wrote");
    expect(r.text()).toContain("Before we start: what you tell us is used only to mediate"); // privacy, in English this time
    await r.press("Agree, start");
    expect(r.text()).toContain("Type: Traffic accident");
    for (const b of buttons(r.last)) expect(b.label).not.toMatch(/\p{Script=Han}/u);
  });

  it("migrates a conversation stored by the previous release, and says so when one cannot be read", async () => {
    const deps = caseDeps(t);
    // A v1 state, as the last release stored it: the flat step machine at the "place" question.
    const v1 = {
      step: "place",
      consentAt: "2026-11-22T01:00:00.000Z",
      draft: { intakeKey: "k1", description: "楼上漏水", type: "neighbor", alternatives: [], riskFlags: [], otherParty: "楼上", files: [], insisted: false, editing: false, serviceChannel: "sms", servicePhone: "13800001234" },
    };
    const now = new Date("2026-11-23T01:00:00Z");
    await t.sql.execute(sql`
      INSERT INTO "Conversation" ("id", "channel", "userId", "locale", "state", "version", "updatedAt", "createdAt") VALUES
        (${"c1"}, ${"web"}, ${"old"}, ${"zh-CN"}, ${JSON.stringify(v1)}, 0, ${now}, ${now}),
        (${"c2"}, ${"web"}, ${"broken"}, ${"zh-CN"}, ${"{not json"}, 0, ${now}, ${now})`);

    const old = new Resident(makeDialogue(deps, classifier()), "old");
    await old.say("幸福小区");
    expect(old.text()).not.toContain("没能接上");
    const migrated = JSON.parse((await one(t.sql, sql`SELECT "state" FROM "Conversation" WHERE "id" = ${"c1"}`)).state);
    expect(migrated.v).toBe(2);
    expect(migrated.intake.draft).toMatchObject({ description: "楼上漏水", otherParty: "楼上", place: "幸福小区", phone: "13800001234" });

    const broken = new Resident(makeDialogue(deps, classifier()), "broken");
    await broken.say("你好");
    expect(broken.text()).toContain("没能接上您之前的进度");
    expect(buttons(broken.last).length).toBeGreaterThan(0);
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CASE_CODE_PATTERN } from "../src/cases/types.js";
import { createTestDb, type TestDb } from "./support/db.js";
import { scriptedClassifier } from "./support/classifiers.js";
import { buttons, caseDeps, makeDialogue, Resident, texts } from "./support/dialogue.js";
import { all, containing, count, one, sql } from "./support/query.js";

const STORY = "我在工地干了三个月，老板王某一直拖欠工资，一共欠我一万二，电话也不接。";

function classifier() {
  return scriptedClassifier([
    { match: "活不下去", type: "labor", confidence: 0.9, riskFlags: ["self_harm"] },
    { match: "工资", type: "labor", confidence: 0.92 },
    { match: "离婚需要", type: "not_dispute", confidence: 0.9 },
    { match: "说不清", type: "other", confidence: 0.3 },
    { match: "漏水", type: "neighbor", confidence: 0.9 },
  ]);
}

const state = async (t: TestDb) => JSON.parse((await one(t.sql, sql`SELECT "state" FROM "Conversation"`)).state);

describe("intake dialogue", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  /** Consent given, story told, type confirmed: the resident is at the first open question. */
  async function throughType(r: Resident, story = STORY) {
    await r.send({ button: "cmd:start" });
    await r.press("同意");
    await r.say(story);
    await r.press("对");
  }

  it("takes a plain story to a case code in a few steps, and ends with the case card", async () => {
    const deps = caseDeps(t);
    deps.clock.set("2026-11-23T02:00:00Z"); // Monday 10:00 in Shanghai: the centre is open
    const r = new Resident(makeDialogue(deps, classifier()));

    await r.send({ button: "cmd:start" });
    expect(r.text()).toContain("一扇门");
    expect(r.text()).toContain("同意就开始登记");
    await r.say(STORY); // the story before consent is kept, not lost
    expect(r.text()).toContain("已记下您说的情况");
    await r.press("同意");
    // What the story told us is shown back: nothing the resident said is asked again.
    expect(r.text()).toContain("我理解的是");
    expect(r.text()).toContain("类型：劳动争议");
    expect(r.text()).toContain("对方：老板王某");
    expect(r.text()).toContain("金额：12,000 元");
    await r.press("对");
    expect(r.text()).toContain("怎么称呼您");
    await r.say("王强 139 1234 5678");
    expect(r.text()).toContain("在外地吗");
    await r.press("在外地");
    expect(r.text()).toContain("请核对");
    expect(r.text()).toContain("联系人：王强 139****5678");
    expect(r.text()).toContain("文书送达：发到本聊天（电子送达）");
    await r.press("确认提交");

    const code = r.text().match(CASE_CODE_PATTERN)?.[0];
    expect(code).toBe("OD-20261123-0001");
    // The case card is the last bubble, and carries the code to copy.
    const card = r.last[r.last.length - 1]!;
    expect(card.kind === "text" && card.copyText).toBe(code);
    const cardText = card.kind === "text" ? card.text : "";
    expect(cardText).toContain(`案件编号：${code}`);
    expect(cardText).toContain("承办：劳动争议调解室");
    expect(cardText).toContain("调解员联系您：11月23日 11:00 前");
    expect(cardText).toContain("办结期限：11月26日 23:59"); // general: 3 days, end of the local day
    expect(cardText).toContain("调解员会打电话或在这里联系您");
    expect(texts(r.last.slice(0, -1))).toContain("远程调解"); // away from home: said before the card

    const stored = await one(t.sql, sql`SELECT * FROM "Case" WHERE "code" = ${code}`);
    const parties = await all(t.sql, sql`SELECT * FROM "Party" WHERE "caseId" = ${stored.id}`);
    expect(stored.amountFen).toBe(1_200_000);
    expect(stored.remote).toBe(true);
    expect(stored.description).toBe(STORY);
    const claimant = parties.find((p) => p.role === "claimant")!;
    expect([claimant.name, claimant.contact, claimant.serviceChannel]).toEqual(["王强", "13912345678", "chat"]);
    expect(claimant.consentAt).not.toBeNull();
    expect(parties.find((p) => p.role === "respondent")?.name).toBe("老板王某");

    await r.press("查进度");
    expect(r.text()).toContain(code!);
    expect(r.text()).toContain("已分流，待调解员受理");
    expect(r.text()).toContain("下一步：等调解员受理（11月23日 11:00 前）");
  });

  it("promises contact after opening hours honestly: a case at night hears from a mediator next morning", async () => {
    const deps = caseDeps(t);
    deps.clock.set("2026-11-27T14:00:00Z"); // Friday 22:00 in Shanghai
    const r = new Resident(makeDialogue(deps, classifier()));
    await throughType(r);
    await r.press("不留电话");
    await r.press("在本地");
    await r.press("确认提交");
    expect(r.text()).toContain("调解员联系您：11月30日 09:30 前"); // Monday, an hour after opening
    expect(r.text()).toContain("调解员会在这里联系您"); // no phone given: no promise of a call
  });

  it("lets the resident correct the type, and choose from buttons when unsure", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await r.send({ button: "cmd:start" });
    await r.press("同意");
    await r.say("这个事情我也说不清，反正就是很烦");
    expect(r.text()).toContain("我不太确定");
    expect(buttons(r.last).filter((b) => b.data.startsWith("type:"))).toHaveLength(13);
    await r.press("邻里纠纷");
    expect(r.text()).toContain("对方是谁");
    const s = await state(t);
    expect(s.intake.draft.type).toBe("neighbor");
    expect(s.intake.draft.source).toBe("resident");
  });

  it("takes a type named in words, and a typed yes", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await r.send({ button: "cmd:start" });
    await r.say("好的");
    expect(r.text()).toContain("说说发生了什么");
    await r.say("这个事情我也说不清，反正就是很烦");
    await r.say("邻里");
    expect(r.text()).toContain("对方是谁");
    expect((await state(t)).intake.draft.type).toBe("neighbor");
  });

  it("answers a legal question with legal-aid help, and still lets the resident register", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await r.send({ button: "cmd:start" });
    await r.press("同意");
    await r.say("离婚需要带什么材料？");
    expect(r.text()).toContain("12348");
    expect(r.text()).toContain("法律援助");
    await r.press("我要登记纠纷");
    expect(r.text()).toContain("请选一个最接近的类型");
    expect(buttons(r.last).some((b) => b.data === "type:not_dispute")).toBe(false);
    await r.press("婚姻家庭");
    expect(r.text()).toContain("对方是谁");
  });

  it("goes back one step at a time, by button or in words", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await throughType(r, "家里天花板一直漏水，东西都泡坏了");
    expect(r.text()).toContain("对方是谁");
    await r.say("楼上302");
    expect(r.text()).toContain("在哪里发生的");
    await r.press("上一步");
    expect(r.text()).toContain("对方是谁");
    expect((await state(t)).intake.draft.otherParty).toBeUndefined();
    await r.say("楼上303");
    await r.say("返回"); // "back" typed
    expect(r.text()).toContain("对方是谁");
    await r.say("楼上303");
    await r.say("幸福小区");
    expect(r.text()).toContain("怎么称呼您");
    expect((await state(t)).intake.draft).toMatchObject({ otherParty: "楼上303", place: "幸福小区" });
  });

  it("lets the resident edit from the summary and returns there", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await throughType(r, "家里天花板一直漏水，东西都泡坏了");
    await r.press("跳过"); // other party
    await r.say("城东小区"); // place
    await r.say("李娟"); // a name without a phone
    expect(r.text()).toContain("再留个手机号吧");
    await r.say("0371-661234"); // a digit short of a landline
    expect(r.text()).toContain("号码好像不对");
    await r.say("0371-66123456");
    await r.press("在本地");
    expect(r.text()).toContain("联系人：李娟 037****3456");
    await r.press("修改");
    await r.press("地点");
    expect(r.text()).toContain("在哪里发生的");
    await r.say("城西小区");
    expect(r.text()).toContain("请核对");
    expect(r.text()).toContain("地点：城西小区");
    await r.press("修改");
    await r.press("文书送达");
    await r.press("要纸质的");
    await r.say("城西小区3栋201");
    expect(r.text()).toContain("文书送达：纸质，寄到 城西小区3栋201");
  });

  it("gives a clear answer to empty, emoji-only, huge and HTML input, and loses nothing", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await r.send({ button: "cmd:start" });
    await r.press("同意");

    await r.say("   ");
    expect(r.text()).toContain("没有收到内容");
    await r.say("😡😡😡🙏");
    expect(r.text()).toContain("没看懂");

    const html = `<script>alert("x")</script><b>老板欠工资</b>`;
    await r.say(html);
    expect(r.text()).toContain("劳动争议");
    expect((await state(t)).intake.draft.description).toBe(html); // stored as typed; every renderer escapes it

    await r.send({ button: "cmd:cancel" });
    await r.press("确定不登记");
    await r.press("登记纠纷");
    const huge = `工资${"老板一直拖着不给钱，".repeat(2000)}`.slice(0, 20_000);
    await r.say(huge);
    expect(r.text()).toContain("劳动争议");
    expect((await state(t)).intake.draft.description).toHaveLength(20_000);
  });

  it("cuts a huge first message to the limit, says so, and stores only what it keeps", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await r.say(`工资${"很".repeat(199_997)}`); // the very first message, before consent
    expect(r.text()).toContain("只保存了前 50000 个字");
    expect(r.text()).toContain("已记下您说的情况");
    expect((await state(t)).intake.pendingText).toHaveLength(50_000);
    const inbound = await one(t.sql, sql`SELECT * FROM "ChatMessage" WHERE "direction" = ${"in"}`);
    expect(JSON.parse(inbound.payload).text).toHaveLength(50_000);
  });

  it("answers an unknown command with the menu, and typed commands work", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await r.say("/frobnicate");
    expect(r.text()).toContain("没有这个命令");
    expect(buttons(r.last).map((b) => b.data)).toContain("cmd:new");
    await r.say("帮助");
    expect(r.text()).toContain("登记纠纷：直接说遇到的事");
    await r.say("/status");
    expect(r.text()).toContain("还没有登记过案件");
  });

  it("handles two messages from the same resident at the same instant in turn", async () => {
    const deps = caseDeps(t);
    const dialogue = makeDialogue(deps, classifier());
    const r = new Resident(dialogue);
    await throughType(r, "家里天花板一直漏水，东西都泡坏了");
    const [a, b] = await Promise.all([
      dialogue.handle({ channel: "web", userId: "u1", text: "楼上302", messageId: "x1" }),
      dialogue.handle({ channel: "web", userId: "u1", text: "城东小区", messageId: "x2" }),
    ]);
    expect(texts(a.messages)).toContain("在哪里发生的");
    expect(texts(b.messages)).toContain("怎么称呼您");
    expect((await state(t)).intake.draft).toMatchObject({ otherParty: "楼上302", place: "城东小区" });
  });

  it("keeps both messages when two server instances race on one resident (no lock between them)", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await throughType(r, "家里天花板一直漏水，东西都泡坏了");
    // Two dialogues = two processes: each has its own in-process lock, so only the stored version
    // stops one from overwriting the other; the loser runs its turn again on the winner's state.
    const a = makeDialogue(caseDeps(t), classifier());
    const b = makeDialogue(caseDeps(t), classifier());
    const [ra, rb] = await Promise.all([
      a.handle({ channel: "web", userId: "u1", text: "楼上302", messageId: "p1" }),
      b.handle({ channel: "web", userId: "u1", text: "城东小区", messageId: "p2" }),
    ]);
    const asked = [texts(ra.messages), texts(rb.messages)].join("\n");
    expect(asked).toContain("在哪里发生的");
    expect(asked).toContain("怎么称呼您");
    const s = await state(t);
    expect([s.intake.draft.otherParty, s.intake.draft.place].sort()).toEqual(["城东小区", "楼上302"].sort());
    // each message is in the transcript once, with its replies, and nothing of the losing attempt
    const inbound = await all(t.sql, sql`SELECT * FROM "ChatMessage" WHERE "direction" = ${"in"}`);
    expect(inbound.filter((m) => m.payload.includes("城东小区"))).toHaveLength(1);
    expect(inbound.filter((m) => m.payload.includes("楼上302"))).toHaveLength(1);
    expect(await count(t.sql, sql`SELECT 1 FROM "ChatMessage" WHERE "externalKey" IN (${"web:p1"}, ${"web:p2"})`)).toBe(2);
  });

  it("answers a repeated delivery with the first answer and opens one case", async () => {
    const deps = caseDeps(t);
    const dialogue = makeDialogue(deps, classifier());
    const r = new Resident(dialogue);
    await throughType(r);
    await r.press("不留电话");
    await r.press("在本地");
    const submit = buttons(r.last).find((b) => b.data === "summary:submit")!;
    const first = await dialogue.handle({ channel: "web", userId: "u1", button: submit.data, messageId: "dup" });
    const again = await dialogue.handle({ channel: "web", userId: "u1", button: submit.data, messageId: "dup" });
    expect(again.messages).toEqual(first.messages);
    expect(await count(t.sql, sql`SELECT 1 FROM "Case"`)).toBe(1);
  });

  it("answers the same delivery once when two instances receive it at the same moment", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await throughType(r);
    const a = makeDialogue(caseDeps(t), classifier());
    const b = makeDialogue(caseDeps(t), classifier());
    const inbound = { channel: "web", userId: "u1", text: "王强 13912345678", messageId: "twice" };
    const [ra, rb] = await Promise.all([a.handle(inbound), b.handle(inbound)]);
    expect(ra.messages).toEqual(rb.messages);
    expect(texts(ra.messages)).toContain("在外地吗");
    expect(await count(t.sql, sql`SELECT 1 FROM "ChatMessage" WHERE "payload" LIKE ${containing("王强")} AND "direction" = ${"in"}`)).toBe(1);
  });

  it("resumes where the resident was after a restart", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await throughType(r, "家里天花板一直漏水，东西都泡坏了");
    await r.say("楼上302");
    expect(r.text()).toContain("在哪里发生的");

    // a new process: new dialogue, new lock, same database
    const after = new Resident(makeDialogue(caseDeps(t), classifier()));
    await after.say("城东小区");
    expect(after.text()).toContain("怎么称呼您");
  });

  it("switches language and speaks English from then on, page and buttons included", async () => {
    const deps = caseDeps(t);
    const dialogue = makeDialogue(deps, classifier());
    const r = new Resident(dialogue);
    await r.send({ button: "cmd:start" });
    await r.send({ button: "cmd:lang" });
    const reply = await dialogue.handle({ channel: "web", userId: "u1", button: "lang:en", messageId: "l1" });
    expect(reply.locale).toBe("en");
    r.last = reply.messages;
    expect(r.text()).toContain("Switched to English");
    expect(r.text()).toContain("Agree to start"); // back to the open question
    await r.press("Agree, start");
    await r.say(STORY);
    expect(r.text()).toContain("Type: Labour");
    for (const b of buttons(r.last)) expect(b.label).not.toMatch(/\p{Script=Han}/u);
  });

  it("lets a resident withdraw an open case after confirming", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await throughType(r);
    for (const step of ["不留电话", "在本地", "确认提交"]) await r.press(step);
    const code = r.text().match(CASE_CODE_PATTERN)![0];
    await r.press("查进度");
    await r.press("撤回案件");
    await r.press(code);
    expect(r.text()).toContain(`确定撤回 ${code} 吗`);
    await r.press("确定撤回");
    expect(r.text()).toContain(`${code} 已撤回`);
    const stored = await one(t.sql, sql`SELECT * FROM "Case" WHERE "code" = ${code}`);
    expect([stored.status, stored.outcome]).toEqual(["closed", "withdrawn"]);
  });

  it("re-asks the open question when a stale button is pressed", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await throughType(r);
    await r.send({ button: "away:yes" }); // from an old message; we are at "contact"
    expect(r.text()).toContain("怎么称呼您");
  });

  it("asks a crew how many are owed, records their names, and flags the group claim", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await throughType(r, "我们在工地干了半年，包工头一直拖欠工资，一共欠了二十多万");
    expect(r.text()).toContain("一共多少人没拿到钱");
    await r.say("12人，张三、李四、王五");
    await r.say("赵六 13800001234");
    await r.press("在外地");
    expect(r.text()).toContain("人数：12 人（张三、李四、王五）");
    await r.press("确认提交");
    const code = r.text().match(CASE_CODE_PATTERN)![0];
    const stored = await one(t.sql, sql`SELECT * FROM "Case" WHERE "code" = ${code}`);
    const parties = await all(t.sql, sql`SELECT * FROM "Party" WHERE "caseId" = ${stored.id}`);
    expect(stored.claimantCount).toBe(12);
    expect(JSON.parse(stored.riskFlags)).toEqual(expect.arrayContaining(["group_claim", "wage_arrears_group"]));
    const claimants = parties.filter((p) => p.role === "claimant").map((p) => p.name);
    expect(claimants.sort()).toEqual(["张三", "李四", "王五", "赵六"].sort());
  });

  it("says why a file was refused and carries on: the open question mid-intake, the menu otherwise", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await r.send({ fileRefused: { reason: "bad_type", limitBytes: 20 * 1024 * 1024 } });
    expect(r.text()).toContain("这种文件收不了");
    expect(buttons(r.last).map((b) => b.data)).toContain("cmd:new");

    await throughType(r);
    await r.send({ fileRefused: { reason: "too_large", limitBytes: 20 * 1024 * 1024 } });
    expect(r.text()).toContain("文件太大（上限 20MB）");
    expect(r.text()).toContain("怎么称呼您"); // the question it interrupted, asked again
    await r.say("王强 13912345678");
    expect(r.text()).toContain("在外地吗");
    // The refusal is in the transcript like any other message.
    expect(await count(t.sql, sql`SELECT 1 FROM "ChatMessage" WHERE "payload" LIKE ${containing("fileRefused")}`)).toBe(2);
  });

  it("keeps a file sent before any story and lists it on the case opened later", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    const file = { kind: "photo" as const, mime: "image/jpeg", size: 10, sha256: "a".repeat(64), storagePath: "/tmp/x", name: "欠条.jpg" };
    await r.send({ file, messageId: "f1" });
    expect(r.text()).toContain("收到文件，已保存");
    expect(r.text()).toContain("同意就开始登记");
    await r.press("同意");
    await r.say(STORY);
    await r.press("对");
    for (const step of ["不留电话", "在本地"]) await r.press(step);
    expect(r.text()).toContain("材料：1 个文件");
    await r.press("确认提交");
    const code = r.text().match(CASE_CODE_PATTERN)![0];
    const evidence = await all(t.sql, sql`
      SELECT e."fileName" FROM "Evidence" AS e JOIN "Case" AS c ON c."id" = e."caseId" WHERE c."code" = ${code}`);
    expect(evidence.map((e) => e.fileName)).toEqual(["欠条.jpg"]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CASE_CODE_PATTERN } from "../src/cases/types.js";
import { createTestDb, type TestDb } from "./support/db.js";
import { scriptedClassifier } from "./support/classifiers.js";
import { buttons, caseDeps, makeDialogue, Resident, texts } from "./support/dialogue.js";

const STORY = "我在工地干了三个月，老板王某一直拖欠工资，一共欠我一万二，电话也不接。";

function classifier() {
  return scriptedClassifier([
    { match: "活不下去", type: "labor", confidence: 0.9, riskFlags: ["self_harm"] },
    { match: "工资", type: "labor", confidence: 0.92 },
    { match: "离婚需要", type: "not_dispute", confidence: 0.9 },
    { match: "说不清", type: "other", confidence: 0.3 },
  ]);
}

describe("intake dialogue", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  /** Consent given, story told, type confirmed: the resident is at the first fact question. */
  async function throughType(r: Resident, story = STORY) {
    await r.send({ button: "cmd:start" });
    await r.press("同意");
    await r.say(story);
    await r.press("对");
  }

  it("takes a resident from greeting to a case code, room and deadline in Chinese", async () => {
    const deps = caseDeps(t);
    deps.clock.set("2026-11-23T02:00:00Z");
    const r = new Resident(makeDialogue(deps, classifier()));

    await r.send({ button: "cmd:start" });
    expect(r.text()).toContain("一扇门");
    expect(r.text()).toContain("您同意吗");
    await r.press("同意");
    expect(r.text()).toContain("请用自己的话说说");
    await r.say(STORY);
    expect(r.text()).toContain("看起来是【劳动争议】，对吗？");
    await r.press("对");
    expect(r.text()).toContain("对方是谁");
    await r.say("包工头王某");
    expect(r.text()).toContain("发生在哪里");
    await r.press("跳过");
    expect(r.text()).toContain("涉及多少钱");
    await r.say("1.2万");
    expect(r.text()).toContain("从什么时候开始");
    await r.press("一个月内");
    expect(r.text()).toContain("在外地务工");
    await r.press("在外地");
    expect(r.text()).toContain("送达地址确认");
    await r.press("发到这个聊天");
    expect(r.text()).toContain("请核对");
    expect(r.text()).toContain("类型：劳动争议");
    expect(r.text()).toContain("对方：包工头王某");
    expect(r.text()).toContain("金额：12,000 元");
    expect(r.text()).toContain("在外地：是");
    await r.press("确认提交");

    const reply = r.text();
    const code = reply.match(CASE_CODE_PATTERN)?.[0];
    expect(code).toBe("OD-20261123-0001");
    expect(reply).toContain("劳动争议调解室");
    expect(reply).toContain("11月26日 23:59"); // general: 3 days, end of the local day
    expect(reply).toContain("视频调解"); // away from home
    const stored = await t.db.case.findUniqueOrThrow({ where: { code }, include: { parties: true } });
    expect(stored.amountFen).toBe(1_200_000);
    expect(stored.remote).toBe(true);
    expect(stored.description).toBe(STORY);
    expect(stored.parties.find((p) => p.role === "claimant")?.consentAt).not.toBeNull();
    expect(stored.parties.find((p) => p.role === "respondent")?.name).toBe("包工头王某");

    await r.press("我的案件");
    expect(r.text()).toContain(code!);
    expect(r.text()).toContain("已分流，待调解员受理");
  });

  it("lets the resident correct the type, and choose from buttons when unsure", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await r.send({ button: "cmd:start" });
    await r.press("同意");
    await r.say("这个事情我也说不清，反正就是很烦");
    expect(r.text()).toContain("我不太确定");
    expect(buttons(r.last)).toHaveLength(13);
    await r.press("邻里纠纷");
    expect(r.text()).toContain("对方是谁");
    const convo = await t.db.conversation.findFirstOrThrow();
    expect(JSON.parse(convo.state).draft.type).toBe("neighbor");
    expect(JSON.parse(convo.state).draft.source).toBe("resident");
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
    expect(r.text()).toContain("请选择最接近的一类");
    expect(buttons(r.last).some((b) => b.data === "type:not_dispute")).toBe(false);
    await r.press("婚姻家庭");
    expect(r.text()).toContain("对方是谁");
  });

  it("lets the resident edit from the summary and returns there", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await throughType(r);
    await r.press("跳过"); // other party
    await r.say("城东工地"); // place
    await r.press("不涉及钱");
    await r.press("今天");
    await r.press("在本地");
    await r.press("发短信");
    await r.say("138 0013 8000");
    expect(r.text()).toContain("138****8000");
    await r.press("修改");
    await r.press("地点");
    expect(r.text()).toContain("发生在哪里");
    await r.say("城西工地");
    expect(r.text()).toContain("请核对");
    expect(r.text()).toContain("地点：城西工地");
  });

  it("gives a clear answer to empty, emoji-only, huge and HTML input, and loses nothing", async () => {
    const deps = caseDeps(t);
    const cls = classifier();
    const r = new Resident(makeDialogue(deps, cls));
    await r.send({ button: "cmd:start" });
    await r.press("同意");

    await r.say("   ");
    expect(r.text()).toContain("没有收到内容");
    await r.say("😡😡😡🙏");
    expect(r.text()).toContain("没看懂");

    const html = `<script>alert("x")</script><b>老板欠工资</b>`;
    await r.say(html);
    expect(r.text()).toContain("劳动争议");
    await r.press("对");
    let state = JSON.parse((await t.db.conversation.findFirstOrThrow()).state);
    expect(state.draft.description).toBe(html); // stored as typed; every renderer escapes it

    // 20,000 characters: kept whole, classified, no error
    await r.send({ button: "cmd:cancel" });
    await r.press("确定放弃");
    await r.press("新的纠纷");
    const huge = `工资${"老板一直拖着不给钱，".repeat(2000)}`.slice(0, 20_000);
    await r.say(huge);
    expect(r.text()).toContain("劳动争议");
    state = JSON.parse((await t.db.conversation.findFirstOrThrow()).state);
    expect(state.draft.description).toHaveLength(20_000);

    // beyond the limit: the first 50,000 characters are kept and the resident is told
    await r.press("不对");
    await r.press("劳动争议");
    await r.send({ button: "cmd:cancel" });
    await r.press("确定放弃");
    await r.press("新的纠纷");
    await r.say(`工资${"很".repeat(60_000)}`);
    expect(r.text()).toContain("只保存了前 50000 个字");

    // every message, odd ones included, is in the transcript
    const inbound = await t.db.chatMessage.count({ where: { direction: "in" } });
    expect(inbound).toBe(r.seq + 3); // + three cmd: buttons sent without a message id
  });

  it("answers an unknown command with the menu, and typed commands work in Chinese", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await r.say("/frobnicate");
    expect(r.text()).toContain("没有这个命令");
    expect(buttons(r.last).map((b) => b.data)).toContain("cmd:new");
    await r.say("帮助");
    expect(r.text()).toContain("新的纠纷：登记一件新的事");
    await r.say("我的案件");
    expect(r.text()).toContain("还没有登记过案件");
  });

  it("keeps a story sent before consent and uses it once the resident agrees", async () => {
    const deps = caseDeps(t);
    const cls = classifier();
    const r = new Resident(makeDialogue(deps, cls));
    await r.say(STORY); // the very first message is the story itself
    expect(r.text()).toContain("您同意吗");
    await r.press("同意");
    expect(r.text()).toContain("看起来是【劳动争议】");
    expect(cls.calls).toEqual([STORY]);
  });

  it("handles two messages from the same resident at the same instant in turn", async () => {
    const deps = caseDeps(t);
    const dialogue = makeDialogue(deps, classifier());
    const r = new Resident(dialogue);
    await throughType(r);
    const [a, b] = await Promise.all([
      dialogue.handle({ channel: "web", userId: "u1", text: "包工头王某", messageId: "x1" }),
      dialogue.handle({ channel: "web", userId: "u1", text: "城东工地", messageId: "x2" }),
    ]);
    expect(texts(a.messages)).toContain("发生在哪里");
    expect(texts(b.messages)).toContain("涉及多少钱");
    const state = JSON.parse((await t.db.conversation.findFirstOrThrow()).state);
    expect(state.draft.otherParty).toBe("包工头王某");
    expect(state.draft.place).toBe("城东工地");
  });

  it("keeps both messages when two server instances race on one resident (no lock between them)", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await throughType(r);
    // Two dialogues = two processes: each has its own in-process lock, so only the stored version
    // stops one from overwriting the other; the loser runs its turn again on the winner's state.
    const a = makeDialogue(caseDeps(t), classifier());
    const b = makeDialogue(caseDeps(t), classifier());
    const [ra, rb] = await Promise.all([
      a.handle({ channel: "web", userId: "u1", text: "包工头王某", messageId: "p1" }),
      b.handle({ channel: "web", userId: "u1", text: "城东工地", messageId: "p2" }),
    ]);
    const asked = [texts(ra.messages), texts(rb.messages)].join("\n");
    expect(asked).toContain("发生在哪里");
    expect(asked).toContain("涉及多少钱");
    const convo = await t.db.conversation.findFirstOrThrow();
    const state = JSON.parse(convo.state);
    expect([state.draft.otherParty, state.draft.place].sort()).toEqual(["包工头王某", "城东工地"].sort());
    // each message is in the transcript once, with its replies, and nothing of the losing attempt
    const inbound = await t.db.chatMessage.findMany({ where: { direction: "in" } });
    expect(inbound.filter((m) => m.payload.includes("城东工地"))).toHaveLength(1);
    expect(inbound.filter((m) => m.payload.includes("包工头王某"))).toHaveLength(1);
    expect(await t.db.chatMessage.count({ where: { externalKey: { in: ["web:p1", "web:p2"] } } })).toBe(2);
  });

  it("answers a repeated delivery with the first answer and opens one case", async () => {
    const deps = caseDeps(t);
    const dialogue = makeDialogue(deps, classifier());
    const r = new Resident(dialogue);
    await throughType(r);
    for (const step of ["跳过", "跳过", "不涉及钱", "今天", "在本地", "发到这个聊天"]) await r.press(step);
    const submit = buttons(r.last).find((b) => b.data === "summary:submit")!;
    const first = await dialogue.handle({ channel: "web", userId: "u1", button: submit.data, messageId: "dup" });
    const again = await dialogue.handle({ channel: "web", userId: "u1", button: submit.data, messageId: "dup" });
    expect(again.messages).toEqual(first.messages);
    expect(await t.db.case.count()).toBe(1);
  });

  it("answers the same delivery once when two instances receive it at the same moment", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await throughType(r);
    const a = makeDialogue(caseDeps(t), classifier());
    const b = makeDialogue(caseDeps(t), classifier());
    const inbound = { channel: "web", userId: "u1", text: "包工头王某", messageId: "twice" };
    const [ra, rb] = await Promise.all([a.handle(inbound), b.handle(inbound)]);
    expect(ra.messages).toEqual(rb.messages);
    expect(texts(ra.messages)).toContain("发生在哪里");
    expect(await t.db.chatMessage.count({ where: { payload: { contains: "包工头王某" }, direction: "in" } })).toBe(1);
  });

  it("resumes where the resident was after a restart", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await throughType(r);
    await r.say("包工头王某");
    expect(r.text()).toContain("发生在哪里");

    // a new process: new dialogue, new lock, same database
    const after = new Resident(makeDialogue(caseDeps(t), classifier()));
    await after.say("城东工地");
    expect(after.text()).toContain("涉及多少钱");
  });

  it("switches language and speaks English from then on", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await r.send({ button: "cmd:start" });
    await r.send({ button: "cmd:lang" });
    await r.press("English");
    expect(r.text()).toContain("Switched to English");
    expect(r.text()).toContain("Do you agree?"); // back to the open question
    await r.press("I agree");
    await r.say(STORY);
    expect(r.text()).toContain("This looks like: Labour");
  });

  it("lets a resident withdraw an open case after confirming", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await throughType(r);
    for (const step of ["跳过", "跳过", "不涉及钱", "今天", "在本地", "发到这个聊天", "确认提交"]) await r.press(step);
    const code = r.text().match(CASE_CODE_PATTERN)![0];
    await r.press("我的案件");
    await r.press("撤回案件");
    await r.press(code);
    expect(r.text()).toContain(`确定撤回 ${code} 吗`);
    await r.press("确定撤回");
    expect(r.text()).toContain(`${code} 已撤回`);
    const stored = await t.db.case.findUniqueOrThrow({ where: { code } });
    expect([stored.status, stored.outcome]).toEqual(["closed", "withdrawn"]);
  });

  it("tells a resident in danger to call 110 and pages staff", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await throughType(r, "老板不给工资我真的活不下去了");
    for (const step of ["跳过", "跳过", "不涉及钱", "今天", "在本地", "发到这个聊天", "确认提交"]) await r.press(step);
    expect(r.text()).toContain("110");
    expect(await t.db.job.count({ where: { kind: "risk.page" } })).toBe(1);
  });

  it("re-asks the open question when a stale button is pressed", async () => {
    const deps = caseDeps(t);
    const r = new Resident(makeDialogue(deps, classifier()));
    await throughType(r);
    await r.send({ button: "away:yes" }); // from an old message; we are at "other party"
    expect(r.text()).toContain("对方是谁");
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
    expect(r.text()).toContain("对方是谁"); // the question it interrupted, asked again
    await r.say("包工头王某");
    expect(r.text()).toContain("发生在哪里");
    // The refusal is in the transcript like any other message.
    expect(await t.db.chatMessage.count({ where: { payload: { contains: "fileRefused" } } })).toBe(2);
  });
});

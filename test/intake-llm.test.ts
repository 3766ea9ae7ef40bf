import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CASE_CODE_PATTERN } from "../src/cases/types.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { Resident } from "./support/dialogue.js";
import { one, sql } from "./support/query.js";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/openai-server.js";

const STORY = "我们二十多个老乡在萧山工地干活，包工头老李去年十月开始拖欠工资，一共十二万，到现在一分没给。";

/** The whole service with a language model configured, against a local OpenAI-compatible server. */
describe("intake with a language model", () => {
  let fake: FakeOpenAI;
  let app: TestApp;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    app = await startTestApp({
      env: { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: fake.baseUrl, CLASSIFIER_MODEL: "qwen-test", CLASSIFIER_TIMEOUT_MS: "800" },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
  });

  it("skips the questions the model already answered, and opens a flagged case", async () => {
    fake.enqueue({
      kind: "answer",
      value: {
        type: "labor",
        confidence: 0.95,
        summary: "二十多名工人被包工头拖欠工资十二万元",
        parties: ["包工头老李"],
        amount_yuan: 120000,
        place: "萧山工地",
        since: "去年十月",
        complexity: "complex",
        risk_flags: ["group_claim"],
      },
    });
    const r = new Resident(app.dialogue, "llm-1");
    await r.send({ button: "cmd:start" });
    await r.press("同意");
    await r.say(STORY);
    // What the model read from the story is shown back once, and not asked again.
    expect(r.text()).toContain("类型：劳动争议");
    expect(r.text()).toContain("对方：包工头老李");
    expect(r.text()).toContain("地点：萧山工地");
    expect(r.text()).toContain("金额：120,000 元");
    expect(r.text()).toContain("时间：去年十月");
    expect(r.text()).toContain("人数：20 人"); // "二十多个老乡": the crew's size, read locally
    await r.press("对");
    expect(r.text()).toContain("怎么称呼您");
    await r.press("不留电话");
    await r.press("在外地");
    expect(r.text()).toContain("请核对");
    await r.press("确认提交");
    const code = r.text().match(CASE_CODE_PATTERN)![0];
    expect(r.text()).toContain("已优先转给值班人员"); // risk: the resident is told a person sees it first
    const stored = await one(app.sql, sql`SELECT * FROM "Case" WHERE "code" = ${code}`);
    expect(stored.classifierSource).toBe("llm");
    expect(stored.summary).toBe("二十多名工人被包工头拖欠工资十二万元");
    expect(JSON.parse(stored.riskFlags)).toEqual(expect.arrayContaining(["group_claim", "wage_arrears_group", "large_sum"]));
    expect(stored.complexity).toBe("complex");
  });

  it("answers from the local model when the model hangs, within the budget plus a second", async () => {
    fake.enqueue({ kind: "hang" });
    const r = new Resident(app.dialogue, "llm-2");
    await r.send({ button: "cmd:start" });
    await r.press("同意");
    const t0 = performance.now();
    await r.say("物业公司把小区的电梯停了一个月也不修，还要涨物业费");
    const waited = performance.now() - t0;
    expect(waited).toBeLessThan(800 + 1000);
    expect(r.text()).toMatch(/物业纠纷|请选/);
    const state = JSON.parse((await one(app.sql, sql`SELECT "state" FROM "Conversation" WHERE "userId" = ${"llm-2"}`)).state);
    expect(state.intake.draft.source).toBe("llm_fallback");
  });
});

// Drives the real ChatOpenAI (LangChain → openai SDK → HTTP) against a local OpenAI-compatible fake.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../src/lib/logger.js";
import { createBreaker } from "../src/lib/breaker.js";
import { createLlmClassifier, type StructuredOutputMethod } from "../src/classify/llm-classifier.js";
import { createLocalClassifier } from "../src/classify/local-model.js";
import type { Classifier } from "../src/classify/port.js";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/openai-server.js";

const BUDGET_MS = 800;
const TEXT = "包工头老李拖欠我们十几个工友三个月工资，一共12万多，在杭州萧山的工地上，去年十月开始就没发了";

const GOOD_ANSWER = {
  type: "labor",
  confidence: 0.93,
  summary: "包工头拖欠十余名工友三个月工资共12万余元",
  parties: ["包工头老李"],
  amount_yuan: 120000,
  place: "杭州萧山的工地",
  since: "去年十月",
  complexity: "complex",
  risk_flags: ["group_claim"],
};

let fake: FakeOpenAI;
let local: Classifier;
let logLines: Record<string, unknown>[];

function classifier(method?: StructuredOutputMethod): Classifier {
  const logger = createLogger({ level: "info", destination: { write: (line: string) => void logLines.push(JSON.parse(line)) } });
  return createLlmClassifier({
    llm: { apiKey: "sk-test", baseUrl: fake.baseUrl, model: "test-model", timeoutMs: BUDGET_MS },
    fallback: local,
    logger,
    method,
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

beforeAll(async () => {
  fake = await startFakeOpenAI();
  local = createLocalClassifier();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  logLines = [];
});

describe("LLM classifier against an OpenAI-compatible server", () => {
  it("classifies, extracts facts and sends the Chinese prompt with the resident's text", async () => {
    fake.enqueue({ kind: "answer", value: GOOD_ANSWER, usage: { prompt_tokens: 900, completion_tokens: 70 } });
    const result = await classifier().classify(TEXT);

    expect(result.source).toBe("llm");
    expect(result.type).toBe("labor");
    expect(result.confidence).toBe(0.93);
    expect(result.facts).toMatchObject({
      summary: GOOD_ANSWER.summary,
      parties: ["包工头老李"],
      amountYuan: 120000,
      place: "杭州萧山的工地",
      since: "去年十月",
      complexity: "complex",
    });
    // The model flagged only group_claim; the rules add the group wage arrears and the large sum.
    expect(result.riskFlags).toEqual(["group_claim", "wage_arrears_group", "large_sum"]);
    expect(result.alternatives.map((a) => a.type)).not.toContain("labor");

    expect(fake.requests).toHaveLength(1);
    const body = fake.requests[0]!.body;
    expect(body.model).toBe("test-model");
    expect(fake.requests[0]!.headers.authorization).toBe("Bearer sk-test");
    const system = String(body.messages?.[0]?.content);
    const user = String(body.messages?.[1]?.content);
    expect(system).toContain("矛盾纠纷");
    expect(system).toContain("expropriation 征地拆迁");
    expect(user).toContain("包工头老李拖欠");
    // Tool calling by default: forced call of our function, with the schema's enum of types.
    expect(body.tool_choice).toMatchObject({ type: "function", function: { name: "classify_dispute" } });
    expect(JSON.stringify(body.tools)).toContain("not_dispute");
  });

  it("logs tokens and latency for each call", async () => {
    fake.enqueue({ kind: "answer", value: GOOD_ANSWER, usage: { prompt_tokens: 900, completion_tokens: 70 } });
    await classifier().classify(TEXT);
    const call = logLines.find((l) => l.event === "classifier.llm_call");
    expect(call).toMatchObject({ outcome: "ok", model: "test-model", inputTokens: 900, outputTokens: 70, totalTokens: 970 });
    expect(typeof call?.latencyMs).toBe("number");
  });

  it("also works with the json_schema response format", async () => {
    fake.enqueue({ kind: "answer", value: GOOD_ANSWER });
    const result = await classifier("jsonSchema").classify(TEXT);
    expect(result).toMatchObject({ source: "llm", type: "labor" });
    expect(fake.requests[0]!.body.response_format?.type).toBe("json_schema");
  });

  it("keeps the rules' risk flags when the model reports none", async () => {
    fake.enqueue({ kind: "answer", value: { ...GOOD_ANSWER, type: "neighbor", risk_flags: [], amount_yuan: null } });
    const result = await classifier().classify("楼上天天吵，再这样我就带刀上去弄死他");
    expect(result.source).toBe("llm");
    expect(result.riskFlags).toContain("violence");
  });

  const failures: [string, () => void][] = [
    ["malformed JSON", () => fake.enqueue({ kind: "raw", text: '{"type": "labor", "confidence": 0.9, ' })],
    ["a schema-violating object", () => fake.enqueue({ kind: "answer", value: { ...GOOD_ANSWER, type: "wages", confidence: 7 } })],
    ["an answer missing required fields", () => fake.enqueue({ kind: "answer", value: { type: "labor" } })],
    ["a server that hangs past the budget", () => fake.enqueue({ kind: "hang" })],
    ["HTTP 500 every time", () => fake.setDefault({ kind: "status", status: 500 })],
    ["HTTP 429 with a retry-after longer than the budget", () => fake.setDefault({ kind: "status", status: 429, retryAfter: "30" })],
    ["HTTP 401", () => fake.enqueue({ kind: "status", status: 401, message: "bad key" })],
  ];
  for (const [name, arrange] of failures) {
    it(`falls back to the local model on ${name}, within the budget`, async () => {
      arrange();
      try {
        const { value, ms } = await timed(() => classifier().classify(TEXT));
        expect(value.source).toBe("llm_fallback");
        // The local model's own answer, with its rule-based flags.
        const expected = await local.classify(TEXT);
        expect(value).toEqual({ ...expected, source: "llm_fallback" });
        expect(ms).toBeLessThan(BUDGET_MS + 1000);
        expect(logLines.some((l) => l.event === "classifier.llm_fallback")).toBe(true);
      } finally {
        fake.setDefault({ kind: "status", status: 500, message: "no reply configured" });
      }
    });
  }

  it("a model server that keeps hanging opens its breaker: the next residents get the local answer at once, no call made; one probe later finds it back", async () => {
    let t = 0;
    const breaker = createBreaker({ name: "model", failureThreshold: 2, openMs: 1_000, now: () => t });
    const c = createLlmClassifier({ llm: { apiKey: "sk-test", baseUrl: fake.baseUrl, model: "test-model", timeoutMs: BUDGET_MS }, fallback: local, logger: createLogger({ level: "silent" }), breaker });
    try {
      fake.setDefault({ kind: "hang" });
      for (let i = 0; i < 2; i++) expect((await c.classify(TEXT)).source).toBe("llm_fallback");
      expect(breaker.view().status).toBe("down");
      const calls = fake.requests.length;
      const { value, ms } = await timed(() => c.classify(TEXT));
      expect(value.source).toBe("llm_fallback");
      expect(fake.requests.length).toBe(calls); // the server was not asked
      expect(ms).toBeLessThan(BUDGET_MS / 2);
      fake.setDefault({ kind: "answer", value: GOOD_ANSWER });
      t = 1_000; // the pause is over: the next resident's call is the probe
      expect((await c.classify(TEXT)).source).toBe("llm");
      expect(breaker.view().status).toBe("ok");
    } finally {
      fake.setDefault({ kind: "status", status: 500, message: "no reply configured" });
    }
  });

  it("retries 500s within the budget and succeeds", async () => {
    fake.enqueue({ kind: "status", status: 500 }, { kind: "answer", value: GOOD_ANSWER });
    const result = await classifier().classify(TEXT);
    expect(result.source).toBe("llm");
    expect(fake.requests).toHaveLength(2);
  });

  it("honours retry-after on 429, retries and succeeds", async () => {
    fake.enqueue(
      { kind: "status", status: 429, retryAfter: "0.2" },
      { kind: "status", status: 429, retryAfter: "0" },
      { kind: "answer", value: GOOD_ANSWER },
    );
    const { value, ms } = await timed(() => classifier().classify(TEXT));
    expect(value.source).toBe("llm");
    expect(value.type).toBe("labor");
    expect(fake.requests).toHaveLength(3);
    // Waited at least the server's 200 ms before the second attempt.
    expect(fake.requests[1]!.receivedAt - fake.requests[0]!.receivedAt).toBeGreaterThanOrEqual(150);
    expect(ms).toBeLessThan(BUDGET_MS + 1000);
    expect(logLines.filter((l) => l.event === "classifier.llm_call")).toHaveLength(3);
  });

  it("stops when the caller aborts", async () => {
    fake.enqueue({ kind: "hang" });
    const controller = new AbortController();
    const pending = classifier().classify(TEXT, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("resident left")), 50);
    await expect(pending).rejects.toThrow("resident left");
  });
});

// What the language model must return. Validated with zod like any other edge input: output that
// does not fit is rejected and the local model answers instead; we never repair or guess.
import { z } from "zod";
import { COMPLEXITIES, DISPUTE_TYPES, RISK_FLAGS } from "../cases/types.js";

// Fields are required-but-nullable rather than optional: OpenAI's strict JSON-schema mode and most
// OpenAI-compatible servers handle that shape best, and "null" is an explicit "not stated".
export const llmClassificationSchema = z
  .object({
    type: z.enum(DISPUTE_TYPES).describe("纠纷类型代码"),
    confidence: z.number().min(0).max(1).describe("对类型判断的把握，0 到 1"),
    summary: z.string().min(1).max(200).describe("一句话中文概述，不超过 60 字"),
    parties: z.array(z.string().min(1).max(80)).max(10).describe("对方当事人（居民提到的称呼），没有则为空数组"),
    amount_yuan: z.number().nonnegative().nullable().describe("涉及金额（元），未提及为 null"),
    place: z.string().max(120).nullable().describe("发生地点，未提及为 null"),
    since: z.string().max(80).nullable().describe("纠纷开始或发生的时间，按原话，未提及为 null"),
    complexity: z.enum(COMPLEXITIES).describe("simple 简易 / general 一般 / complex 复杂 / difficult 疑难"),
    risk_flags: z.array(z.enum(RISK_FLAGS)).max(RISK_FLAGS.length).describe("风险标记，没有则为空数组"),
  })
  .describe("矛盾纠纷分类结果");

export type LlmClassification = z.infer<typeof llmClassificationSchema>;

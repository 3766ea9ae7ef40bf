// Language-model classifier, through LangChain's ChatOpenAI so that any OpenAI-compatible server
// works (OpenAI, DeepSeek, Qwen, Ollama, vLLM). This adapter is the only file that imports LangChain.
//
// It never fails the resident: on timeout, HTTP error or output that does not fit the schema, the
// local classifier answers and the result is marked source "llm_fallback".
import { setTimeout as sleep } from "node:timers/promises";
import { ChatOpenAI } from "@langchain/openai";
import OpenAI from "openai";
import { HumanMessage, SystemMessage, type AIMessage } from "@langchain/core/messages";
import { RISK_FLAGS, type DisputeType, type RiskFlag } from "../cases/types.js";
import { guarded, type CircuitBreaker } from "../lib/breaker.js";
import type { Logger } from "../lib/logger.js";
import type { Classification, Classifier } from "./port.js";
import { llmClassificationSchema, type LlmClassification } from "./llm-schema.js";
import { SYSTEM_PROMPT, userMessage } from "./llm-prompt.js";
import { detectRiskFlags, parseAmountYuan } from "./risk.js";

export interface LlmSettings {
  apiKey: string;
  baseUrl?: string;
  model: string;
  /** Whole budget for one classification, retries included. */
  timeoutMs: number;
}

/**
 * How the structured answer is requested. Tool calling is the default because every server we
 * target supports it (DeepSeek and several vLLM/Ollama set-ups do not support `json_schema`);
 * LangChain's own default for non-legacy model names would be `jsonSchema`.
 */
export type StructuredOutputMethod = "functionCalling" | "jsonSchema";

export interface LlmClassifierDeps {
  llm: LlmSettings;
  fallback: Classifier;
  logger: Logger;
  method?: StructuredOutputMethod;
  /**
   * The model server's breaker: after a few timeouts or 5xx in a row the local model answers at once,
   * so no resident waits out the budget for a server that is down; one call probes now and then.
   */
  breaker?: CircuitBreaker;
}

/** An attempt is not worth starting with less time than this left. */
const MIN_ATTEMPT_MS = 150;
const BASE_BACKOFF_MS = 100;
const MAX_ALTERNATIVES = 3;

type Outcome =
  | { ok: true; value: LlmClassification }
  | { ok: false; reason: "timeout" | "malformed" | "http_error" | "error"; status?: number; retryAfterMs?: number };

export function createLlmClassifier(deps: LlmClassifierDeps): Classifier {
  const { llm: settings, fallback, logger } = deps;
  const chat = new ChatOpenAI({
    model: settings.model,
    apiKey: settings.apiKey,
    configuration: settings.baseUrl ? { baseURL: settings.baseUrl } : undefined,
    temperature: 0,
    // Retries are ours: LangChain's would not know about the time budget.
    maxRetries: 0,
    timeout: settings.timeoutMs,
  });
  const structured = chat.withStructuredOutput(llmClassificationSchema, {
    name: "classify_dispute",
    method: deps.method ?? "functionCalling",
    includeRaw: true,
  });

  async function attempt(text: string, attemptNo: number, signal: AbortSignal): Promise<Outcome> {
    const started = performance.now();
    const log = (fields: Record<string, unknown>) =>
      logger.info(
        { event: "classifier.llm_call", model: settings.model, attempt: attemptNo, latencyMs: Math.round(performance.now() - started), ...fields },
        "llm classify call",
      );
    try {
      const { raw, parsed } = (await structured.invoke([new SystemMessage(SYSTEM_PROMPT), new HumanMessage(userMessage(text))], {
        signal,
      })) as { raw: AIMessage; parsed: unknown };
      const usage = raw.usage_metadata;
      const tokens = { inputTokens: usage?.input_tokens, outputTokens: usage?.output_tokens, totalTokens: usage?.total_tokens };
      // LangChain's parser yields null when it cannot parse; we validate again either way so the
      // schema here is the single source of truth.
      const checked = llmClassificationSchema.safeParse(parsed);
      if (!checked.success) {
        log({ outcome: "malformed", ...tokens });
        return { ok: false, reason: "malformed" };
      }
      log({ outcome: "ok", ...tokens });
      return { ok: true, value: checked.data };
    } catch (err) {
      if (signal.aborted) {
        log({ outcome: "timeout" });
        return { ok: false, reason: "timeout" };
      }
      const status = httpStatus(err);
      log({ outcome: "error", httpStatus: status, error: errorName(err) });
      if (status !== undefined) return { ok: false, reason: "http_error", status, retryAfterMs: retryAfterMs(err) };
      // Parse failures inside the SDK (e.g. json_schema content that is not JSON) land here too.
      return { ok: false, reason: isParseError(err) ? "malformed" : "error" };
    }
  }

  // The health check lists the server's models: no tokens spent, and every compatible server has it.
  const plain = new OpenAI({ apiKey: settings.apiKey, ...(settings.baseUrl ? { baseURL: settings.baseUrl } : {}), maxRetries: 0, timeout: settings.timeoutMs });

  return {
    async ping(signal) {
      const call = async () => void (await plain.models.list({ signal }));
      await (deps.breaker ? guarded(deps.breaker, call, (err) => (signal.aborted ? new Error("model: timeout") : err)) : call());
    },
    async classify(text, options = {}) {
      const started = performance.now();
      const deadline = started + settings.timeoutMs;
      // The local answer costs microseconds: it is the fallback and supplies the alternatives.
      const local = await fallback.classify(text, options);
      const breaker = deps.breaker;
      if (breaker && !breaker.allow()) {
        logger.warn({ event: "classifier.llm_fallback", model: settings.model, reason: "circuit_open" }, "model server down: answered by the local model");
        return { ...local, source: "llm_fallback" };
      }
      let outcome: Outcome = { ok: false, reason: "timeout" };
      for (let attemptNo = 1; ; attemptNo++) {
        const remaining = deadline - performance.now();
        if (remaining < MIN_ATTEMPT_MS) break;
        const budget = AbortSignal.timeout(Math.floor(remaining));
        const signal = options.signal ? AbortSignal.any([budget, options.signal]) : budget;
        outcome = await attempt(text, attemptNo, signal);
        options.signal?.throwIfAborted();
        if (outcome.ok || !isRetryable(outcome.status)) break;
        const wait = Math.max(outcome.retryAfterMs ?? 0, BASE_BACKOFF_MS * 2 ** (attemptNo - 1));
        // A wait that would eat the budget is pointless: answer locally now instead.
        if (performance.now() + wait + MIN_ATTEMPT_MS > deadline) break;
        await sleep(wait, undefined, { signal: options.signal });
      }
      // The server answered (even wrongly, or 4xx): it is there. A timeout, a 5xx or no connection: it is not.
      if (breaker) {
        const down = !outcome.ok && (outcome.reason === "timeout" || outcome.reason === "error" || (outcome.status !== undefined && outcome.status >= 500));
        if (down) breaker.failure(new Error(`model: ${outcome.ok ? "" : outcome.reason}${!outcome.ok && outcome.status ? ` ${outcome.status}` : ""}`));
        else breaker.success();
      }
      if (outcome.ok) return fromLlm(text, outcome.value, local);
      logger.warn(
        { event: "classifier.llm_fallback", model: settings.model, reason: outcome.reason, httpStatus: outcome.status, elapsedMs: Math.round(performance.now() - started) },
        "llm classifier fell back to the local model",
      );
      return { ...local, source: "llm_fallback" };
    },
  };
}

function fromLlm(text: string, out: LlmClassification, local: Classification): Classification {
  const parsedAmount = parseAmountYuan(text);
  const amountYuan = out.amount_yuan ?? parsedAmount;
  // The rules are the safety net: whatever the model missed, they still flag (with the larger of the
  // two sums, so a model that misreads "十几万" cannot hide a large-sum case).
  const ruleFlags = detectRiskFlags(text, { amountYuan: Math.max(amountYuan ?? 0, parsedAmount ?? 0) || undefined });
  const flags = new Set<RiskFlag>([...out.risk_flags, ...ruleFlags]);
  // Correction buttons follow the local model's ranking: the LLM gives one answer, not a ranking.
  const ranked: DisputeType[] = [local.type, ...local.alternatives.map((a) => a.type)];
  const localConfidence = new Map<DisputeType, number>([[local.type, local.confidence], ...local.alternatives.map((a) => [a.type, a.confidence] as const)]);
  return {
    type: out.type,
    confidence: out.confidence,
    alternatives: ranked
      .filter((t) => t !== out.type)
      .slice(0, MAX_ALTERNATIVES)
      .map((t) => ({ type: t, confidence: localConfidence.get(t) ?? 0 })),
    riskFlags: RISK_FLAGS.filter((f) => flags.has(f)),
    facts: {
      summary: out.summary.replace(/\s+/g, " ").trim(),
      parties: out.parties,
      ...(amountYuan !== undefined ? { amountYuan } : {}),
      ...(out.place ? { place: out.place } : {}),
      ...(out.since ? { since: out.since } : {}),
      complexity: out.complexity,
    },
    source: "llm",
  };
}

function isRetryable(status: number | undefined): boolean {
  return status === 429 || (status !== undefined && status >= 500);
}

function httpStatus(err: unknown): number | undefined {
  const status = (err as { status?: unknown })?.status;
  return typeof status === "number" ? status : undefined;
}

/** `retry-after-ms` (OpenAI) or `retry-after` in seconds or as an HTTP date. */
function retryAfterMs(err: unknown): number | undefined {
  const headers = (err as { headers?: unknown })?.headers;
  const get = (name: string): string | null | undefined =>
    headers instanceof Headers ? headers.get(name) : (headers as Record<string, string> | undefined)?.[name];
  const ms = Number(get("retry-after-ms"));
  if (Number.isFinite(ms) && ms >= 0 && get("retry-after-ms")) return ms;
  const value = get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

function errorName(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 200) : String(err).slice(0, 200);
}

function isParseError(err: unknown): boolean {
  const name = err instanceof Error ? err.name : "";
  return name === "OutputParserException" || name === "SyntaxError" || name === "ZodError" || name === "ContentFilterFinishReasonError";
}

// `npm run eval:classify -- --data FILE.jsonl [--data FILE2.jsonl …] [--json] [--classifier local|llm] [--model FILE]`
// Human output is a table per file; --json prints exactly one JSON object on stdout (warnings go to
// stderr): with one --data file the metrics themselves, with several {"results": {FILE: metrics, …}}.
import { parseArgs } from "node:util";
import { DISPUTE_TYPES } from "../cases/types.js";
import { loadConfig } from "../config/env.js";
import { createLogger } from "../lib/logger.js";
import { readJsonl } from "./dataset.js";
import { computeMetrics, latencyStats, type Metrics, type ScoredPair } from "./evaluate.js";
import { createLlmClassifier } from "./llm-classifier.js";
import { createLocalClassifier } from "./local-model.js";
import type { Classifier } from "./port.js";

const USAGE =
  "usage: npm run eval:classify -- --data FILE.jsonl [--data FILE2.jsonl …] [--json] [--classifier local|llm] [--model FILE]";

function buildClassifier(kind: string, modelFile: string | undefined): Classifier {
  const config = loadConfig(process.env);
  const local = createLocalClassifier({ modelFile: modelFile ?? config.CLASSIFIER_MODEL_FILE });
  if (kind === "local") return local;
  if (!config.llm) throw new Error("--classifier llm needs OPENAI_API_KEY (and OPENAI_BASE_URL, CLASSIFIER_MODEL as needed)");
  return createLlmClassifier({ llm: config.llm, fallback: local, logger: createLogger({ level: "warn", destination: process.stderr as never }) });
}

const pct = (x: number) => (x * 100).toFixed(1).padStart(6);

function printTable(file: string, m: Metrics, latency: ReturnType<typeof latencyStats>, fallbacks: number) {
  const rows = DISPUTE_TYPES.filter((t) => m.per_class[t].support > 0);
  console.log(`${file}`);
  console.log(`n=${m.n}  accuracy ${pct(m.accuracy)}%  macro-F1 ${pct(m.macro_f1)}%  top-3 ${pct(m.top3_accuracy ?? 0)}%  ECE ${pct(m.ece ?? 0)}%`);
  const nd = m.per_class.not_dispute;
  console.log(
    `not_dispute: precision ${pct(nd.precision)}%  recall ${pct(nd.recall)}%  disputes answered as not_dispute (FPR) ${pct(m.not_dispute_fpr)}%`,
  );
  console.log(`latency ms: mean ${latency.mean}  p50 ${latency.p50}  p99 ${latency.p99}`);
  if (fallbacks) console.log(`llm fallbacks: ${fallbacks}`);
  console.log("");
  console.log(`${"type".padEnd(16)} ${"prec%".padStart(6)} ${"rec%".padStart(6)} ${"F1%".padStart(6)} ${"n".padStart(5)}   most confused with`);
  for (const t of rows) {
    const c = m.per_class[t];
    const confused = DISPUTE_TYPES.filter((p) => p !== t && m.confusion[t][p] > 0)
      .sort((a, b) => m.confusion[t][b] - m.confusion[t][a])
      .slice(0, 3)
      .map((p) => `${p}×${m.confusion[t][p]}`)
      .join(" ");
    console.log(`${t.padEnd(16)} ${pct(c.precision)} ${pct(c.recall)} ${pct(c.f1)} ${String(c.support).padStart(5)}   ${confused}`);
  }
}

async function evaluateFile(file: string, classifier: Classifier, kind: string) {
  const data = await readJsonl(file);
  for (const m of data.malformed) console.error(`${file}:${m.line}: skipped malformed line: ${m.error}`);
  for (const [label, n] of Object.entries(data.unknownLabels)) {
    console.error(`${file}: ${n} line(s) with unknown label "${label}" reported and excluded`);
  }
  if (kind === "local") {
    // Steady-state latency: let the JIT compile the hot path before timing, as in production.
    for (const ex of data.examples.slice(0, 200)) await classifier.classify(ex.text);
  }
  const pairs: ScoredPair[] = [];
  const latencies: number[] = [];
  let fallbacks = 0;
  for (const ex of data.examples) {
    const t0 = performance.now();
    const result = await classifier.classify(ex.text);
    latencies.push(performance.now() - t0);
    if (result.source === "llm_fallback") fallbacks++;
    pairs.push({
      label: ex.label,
      predicted: result.type,
      confidence: result.confidence,
      ranked: [result.type, ...result.alternatives.map((a) => a.type)],
    });
  }
  const metrics = computeMetrics(pairs);
  const latency = latencyStats(latencies);
  const json = {
    n: metrics.n,
    accuracy: metrics.accuracy,
    macro_f1: metrics.macro_f1,
    top3_accuracy: metrics.top3_accuracy ?? null,
    ece: metrics.ece ?? null,
    not_dispute_fpr: metrics.not_dispute_fpr,
    per_class: metrics.per_class,
    latency_ms: latency,
    confusion: metrics.confusion,
    unknown_labels: data.unknownLabels,
    malformed_lines: data.malformed,
    classifier: kind,
    ...(kind === "llm" ? { llm_fallbacks: fallbacks } : {}),
  };
  return { metrics, latency, fallbacks, json };
}

async function main() {
  const { values } = parseArgs({
    options: {
      data: { type: "string", multiple: true },
      json: { type: "boolean", default: false },
      classifier: { type: "string", default: "local" },
      model: { type: "string" },
    },
  });
  const files = values.data ?? [];
  if (files.length === 0 || !["local", "llm"].includes(values.classifier!)) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const classifier = buildClassifier(values.classifier!, values.model);
  const results: Record<string, Awaited<ReturnType<typeof evaluateFile>>["json"]> = {};
  for (const [i, file] of files.entries()) {
    const r = await evaluateFile(file, classifier, values.classifier!);
    results[file] = r.json;
    if (!values.json) {
      if (i > 0) console.log("");
      printTable(file, r.metrics, r.latency, r.fallbacks);
    }
  }
  if (values.json) console.log(JSON.stringify(files.length === 1 ? results[files[0]!] : { results }));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});

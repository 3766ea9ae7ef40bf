// `npm run eval:classify -- --data FILE.jsonl [--json] [--classifier local|llm] [--model FILE]`
// Human output is a table; --json prints exactly one JSON object on stdout (warnings go to stderr).
import { parseArgs } from "node:util";
import { DISPUTE_TYPES, type DisputeType } from "../cases/types.js";
import { loadConfig } from "../config/env.js";
import { createLogger } from "../lib/logger.js";
import { readJsonl } from "./dataset.js";
import { computeMetrics, latencyStats, type Metrics } from "./evaluate.js";
import { createLlmClassifier } from "./llm-classifier.js";
import { createLocalClassifier } from "./local-model.js";
import type { Classifier } from "./port.js";

const USAGE = "usage: npm run eval:classify -- --data FILE.jsonl [--json] [--classifier local|llm] [--model FILE]";

function buildClassifier(kind: string, modelFile: string | undefined): Classifier {
  const config = loadConfig(process.env);
  const local = createLocalClassifier({ modelFile: modelFile ?? config.CLASSIFIER_MODEL_FILE });
  if (kind === "local") return local;
  if (!config.llm) throw new Error("--classifier llm needs OPENAI_API_KEY (and OPENAI_BASE_URL, CLASSIFIER_MODEL as needed)");
  return createLlmClassifier({ llm: config.llm, fallback: local, logger: createLogger({ level: "warn", destination: process.stderr as never }) });
}

const pct = (x: number) => (x * 100).toFixed(1).padStart(6);

function printTable(m: Metrics, latency: ReturnType<typeof latencyStats>, fallbacks: number) {
  const rows = DISPUTE_TYPES.filter((t) => m.per_class[t].support > 0);
  console.log(`n=${m.n}  accuracy ${pct(m.accuracy)}%  macro-F1 ${pct(m.macro_f1)}%`);
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

async function main() {
  const { values } = parseArgs({
    options: {
      data: { type: "string" },
      json: { type: "boolean", default: false },
      classifier: { type: "string", default: "local" },
      model: { type: "string" },
    },
  });
  if (!values.data || !["local", "llm"].includes(values.classifier!)) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const data = await readJsonl(values.data);
  for (const m of data.malformed) console.error(`${values.data}:${m.line}: skipped malformed line: ${m.error}`);
  for (const [label, n] of Object.entries(data.unknownLabels)) {
    console.error(`${values.data}: ${n} line(s) with unknown label "${label}" reported and excluded`);
  }
  const classifier = buildClassifier(values.classifier!, values.model);
  if (values.classifier === "local") {
    // Steady-state latency: let the JIT compile the hot path before timing, as in production.
    for (const ex of data.examples.slice(0, 200)) await classifier.classify(ex.text);
  }
  const pairs: { label: DisputeType; predicted: DisputeType }[] = [];
  const latencies: number[] = [];
  let fallbacks = 0;
  for (const ex of data.examples) {
    const t0 = performance.now();
    const result = await classifier.classify(ex.text);
    latencies.push(performance.now() - t0);
    if (result.source === "llm_fallback") fallbacks++;
    pairs.push({ label: ex.label, predicted: result.type });
  }
  const metrics = computeMetrics(pairs);
  const latency = latencyStats(latencies);
  if (values.json) {
    console.log(
      JSON.stringify({
        n: metrics.n,
        accuracy: metrics.accuracy,
        macro_f1: metrics.macro_f1,
        per_class: metrics.per_class,
        latency_ms: latency,
        confusion: metrics.confusion,
        unknown_labels: data.unknownLabels,
        malformed_lines: data.malformed,
        classifier: values.classifier,
        ...(values.classifier === "llm" ? { llm_fallbacks: fallbacks } : {}),
      }),
    );
  } else {
    printTable(metrics, latency, fallbacks);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});

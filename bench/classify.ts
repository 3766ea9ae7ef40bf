// Local classifier speed: load time, throughput on one core, per-text latency percentiles.
// Run alone with `npx tsx bench/classify.ts`; `npm run bench` calls benchClassify().
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseJsonl } from "../src/classify/dataset.js";
import { percentile } from "../src/classify/evaluate.js";
import { classifyLocally, createLocalClassifier, loadModelFile } from "../src/classify/local-model.js";
import { modelFromFile } from "../src/classify/linear-model.js";

const MODEL_FILE = "models/classifier.json";
const ROUNDS = 20;

export async function benchClassify(): Promise<Record<string, number>> {
  const t0 = performance.now();
  const classifier = createLocalClassifier({ modelFile: MODEL_FILE });
  const loadMs = performance.now() - t0;

  // Residents' texts as they come: the held-out corpus (short to long, Chinese and English).
  const texts = parseJsonl(readFileSync("corpus/classify/heldout.jsonl", "utf8")).examples.map((e) => e.text);
  // Warm-up until the JIT has optimised the hot path, as in a long-running server.
  for (let r = 0; r < 5; r++) for (const text of texts) await classifier.classify(text);

  // Throughput through the port, as the dialogue calls it (promise included). Five timed runs and the
  // median: one run is a fraction of a second, and a neighbour's burst on a shared core skews it.
  const rates: number[] = [];
  for (let run = 0; run < 5; run++) {
    let n = 0;
    const tStart = performance.now();
    for (let r = 0; r < ROUNDS; r++) for (const text of texts) (await classifier.classify(text), n++);
    rates.push(n / ((performance.now() - tStart) / 1000));
  }
  rates.sort((a, b) => a - b);

  // Per-call latency of the synchronous core, so timer overhead does not dominate.
  const model = modelFromFile(loadModelFile(MODEL_FILE));
  const samples: number[] = [];
  for (let r = 0; r < 5; r++) {
    for (const text of texts) {
      const s = performance.now();
      classifyLocally(model, text);
      samples.push(performance.now() - s);
    }
  }
  return {
    classify_texts_per_s: Math.round(rates[2]!),
    classify_p50_ms: round(percentile(samples, 0.5)),
    classify_p99_ms: round(percentile(samples, 0.99)),
    classify_load_ms: round(loadMs),
    classify_model_kib: Math.round(readFileSync(MODEL_FILE).byteLength / 1024),
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(await benchClassify());
}

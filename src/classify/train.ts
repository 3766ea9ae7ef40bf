// `npm run train:classify [-- --data FILE --out FILE --max-features N]`
// Chooses the learner by 5-fold cross-validation on the training file alone (the held-out file is
// never read here, so its scores stay honest), fits the softmax temperature on the out-of-fold
// scores, trains on everything and writes the pruned model.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { DISPUTE_TYPES, type DisputeType } from "../cases/types.js";
import { readJsonl } from "./dataset.js";
import { computeMetrics } from "./evaluate.js";
import { extractFeatures } from "./features.js";
import {
  fitTemperature,
  pruneFeatures,
  scoreRaw,
  seededRandom,
  shuffle,
  toModelFile,
  train,
  type LabelledFeatures,
  type Learner,
} from "./train-model.js";

const CANDIDATES: Learner[] = [
  { algorithm: "naive_bayes", alpha: 0.1 },
  { algorithm: "naive_bayes", alpha: 0.3 },
  { algorithm: "logistic_regression", l2: 1e-4, epochs: 30 },
  { algorithm: "logistic_regression", l2: 3e-4, epochs: 30 },
];
const FOLDS = 5;

function argmax(xs: Float64Array): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

function crossValidate(examples: LabelledFeatures[], labels: DisputeType[], learner: Learner, maxFeatures: number) {
  const folds = shuffle(examples, seededRandom(42)).map((ex, i) => ({ ex, fold: i % FOLDS }));
  const outOfFold: { scores: Float64Array; label: number }[] = [];
  const pairs: { label: DisputeType; predicted: DisputeType }[] = [];
  for (let f = 0; f < FOLDS; f++) {
    const trainSet = folds.filter((x) => x.fold !== f).map((x) => x.ex);
    const model = pruneFeatures(train(trainSet, labels, learner), maxFeatures);
    for (const { ex } of folds.filter((x) => x.fold === f)) {
      const scores = scoreRaw(model, ex.features);
      outOfFold.push({ scores, label: labels.indexOf(ex.label) });
      pairs.push({ label: ex.label, predicted: labels[argmax(scores)]! });
    }
  }
  return { metrics: computeMetrics(pairs), outOfFold };
}

async function main() {
  const { values } = parseArgs({
    options: {
      data: { type: "string", default: "corpus/classify/train.jsonl" },
      out: { type: "string", default: "models/classifier.json" },
      "max-features": { type: "string", default: "40000" },
    },
  });
  const maxFeatures = Number(values["max-features"]);
  const data = await readJsonl(values.data!);
  for (const m of data.malformed) console.warn(`${values.data}:${m.line}: skipped: ${m.error}`);
  for (const [label, n] of Object.entries(data.unknownLabels)) console.warn(`skipped ${n} line(s) with unknown label "${label}"`);
  const labels = [...DISPUTE_TYPES];
  const examples = data.examples.map((e) => ({ features: extractFeatures(e.text), label: e.label }));
  console.log(`training on ${examples.length} examples from ${values.data}`);

  let best: { learner: Learner; macroF1: number; outOfFold: { scores: Float64Array; label: number }[] } | undefined;
  for (const learner of CANDIDATES) {
    const t0 = performance.now();
    const { metrics, outOfFold } = crossValidate(examples, labels, learner, maxFeatures);
    console.log(
      `  ${JSON.stringify(learner)}  cv macro-F1 ${metrics.macro_f1.toFixed(4)}  accuracy ${metrics.accuracy.toFixed(4)}  (${Math.round(performance.now() - t0)} ms)`,
    );
    if (!best || metrics.macro_f1 > best.macroF1) best = { learner, macroF1: metrics.macro_f1, outOfFold };
  }
  const chosen = best!;
  const temperature = fitTemperature(chosen.outOfFold);
  const model = pruneFeatures(train(examples, labels, chosen.learner), maxFeatures);
  const file = toModelFile(model, temperature, {
    trainedOn: values.data,
    examples: examples.length,
    learner: chosen.learner,
    cvMacroF1: chosen.macroF1,
  });
  await mkdir(dirname(values.out!), { recursive: true });
  const json = JSON.stringify(file);
  await writeFile(values.out!, json + "\n");
  console.log(
    `chose ${JSON.stringify(chosen.learner)}, temperature ${temperature}, ${model.features.length} features, ` +
      `wrote ${values.out} (${(json.length / 1024).toFixed(0)} KiB)`,
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});

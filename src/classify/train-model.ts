// Learners for the local model. Pure functions of the examples and options; seeded, so the same
// corpus always gives the same model file.
import type { DisputeType } from "../cases/types.js";
import { encodeWeights, type FeatureTransform, type ModelFile } from "./linear-model.js";

export interface LabelledFeatures {
  features: string[];
  label: DisputeType;
}

export type Learner =
  | { algorithm: "naive_bayes"; alpha: number }
  | { algorithm: "logistic_regression"; l2: number; epochs: number };

/** A trained model before serialisation: weights row-major [feature][label]. */
export interface RawModel {
  learner: Learner;
  transform: FeatureTransform;
  labels: DisputeType[];
  features: string[];
  weights: Float64Array;
  bias: Float64Array;
}

/** Small deterministic PRNG (mulberry32): shuffles and folds must not change between runs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Features seen in at least `minDf` examples: rarer ones are mostly typos of one text and bloat the file. */
function buildVocabulary(examples: LabelledFeatures[], minDf: number): Map<string, number> {
  const df = new Map<string, number>();
  for (const ex of examples) for (const f of new Set(ex.features)) df.set(f, (df.get(f) ?? 0) + 1);
  const vocab = new Map<string, number>();
  for (const [f, n] of df) if (n >= minDf) vocab.set(f, vocab.size);
  return vocab;
}

function trainNaiveBayes(examples: LabelledFeatures[], labels: DisputeType[], vocab: Map<string, number>, alpha: number) {
  const k = labels.length;
  const v = vocab.size;
  const counts = new Float64Array(v * k);
  const totals = new Float64Array(k);
  for (const ex of examples) {
    const c = labels.indexOf(ex.label);
    for (const f of ex.features) {
      const row = vocab.get(f);
      if (row === undefined) continue;
      counts[row * k + c]!++;
      totals[c]!++;
    }
  }
  const weights = new Float64Array(v * k);
  for (let row = 0; row < v; row++) {
    for (let c = 0; c < k; c++) weights[row * k + c] = Math.log((counts[row * k + c]! + alpha) / (totals[c]! + alpha * v));
  }
  // A uniform prior: the corpus is balanced by construction, real traffic is not, and we do not know how.
  const bias = new Float64Array(k).fill(Math.log(1 / k));
  return { weights, bias };
}

function trainLogisticRegression(
  examples: LabelledFeatures[],
  labels: DisputeType[],
  vocab: Map<string, number>,
  l2: number,
  epochs: number,
  seed: number,
) {
  const k = labels.length;
  const v = vocab.size;
  const rows = examples.map((ex) => {
    const idx = [...new Set(ex.features.map((f) => vocab.get(f)).filter((i): i is number => i !== undefined))];
    return { idx, x: idx.length ? 1 / Math.sqrt(idx.length) : 0, y: labels.indexOf(ex.label) };
  });
  const weights = new Float64Array(v * k);
  const bias = new Float64Array(k);
  // AdaGrad: per-weight step sizes suit sparse n-gram features with very different frequencies.
  const g2 = new Float64Array(v * k).fill(1e-8);
  const b2 = new Float64Array(k).fill(1e-8);
  const lr = 0.5;
  const random = seededRandom(seed);
  const scores = new Float64Array(k);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const r of shuffle(rows, random)) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        let s = bias[c]!;
        for (const i of r.idx) s += weights[i * k + c]! * r.x;
        scores[c] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let c = 0; c < k; c++) sum += (scores[c] = Math.exp(scores[c]! - max));
      for (let c = 0; c < k; c++) {
        const err = scores[c]! / sum - (c === r.y ? 1 : 0);
        b2[c]! += err * err;
        bias[c]! -= (lr * err) / Math.sqrt(b2[c]!);
        for (const i of r.idx) {
          const j = i * k + c;
          const g = err * r.x + l2 * weights[j]!;
          g2[j]! += g * g;
          weights[j]! -= (lr * g) / Math.sqrt(g2[j]!);
        }
      }
    }
  }
  return { weights, bias };
}

export function train(
  examples: LabelledFeatures[],
  labels: DisputeType[],
  learner: Learner,
  options: { minDf?: number; seed?: number } = {},
): RawModel {
  const vocab = buildVocabulary(examples, options.minDf ?? 2);
  const { weights, bias } =
    learner.algorithm === "naive_bayes"
      ? trainNaiveBayes(examples, labels, vocab, learner.alpha)
      : trainLogisticRegression(examples, labels, vocab, learner.l2, learner.epochs, options.seed ?? 1);
  return {
    learner,
    transform: learner.algorithm === "naive_bayes" ? "count" : "binary_l2",
    labels,
    features: [...vocab.keys()],
    weights,
    bias,
  };
}

/**
 * Keeps the `maxFeatures` features whose weights tell the classes apart most (largest spread across
 * classes); the rest change almost no decision and only make the file bigger.
 */
export function pruneFeatures(model: RawModel, maxFeatures: number): RawModel {
  const k = model.labels.length;
  if (model.features.length <= maxFeatures) return model;
  const spread = model.features.map((_, row) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let c = 0; c < k; c++) {
      const w = model.weights[row * k + c]!;
      lo = Math.min(lo, w);
      hi = Math.max(hi, w);
    }
    return { row, spread: hi - lo };
  });
  const keep = spread.sort((a, b) => b.spread - a.spread).slice(0, maxFeatures).map((s) => s.row).sort((a, b) => a - b);
  const weights = new Float64Array(keep.length * k);
  keep.forEach((row, i) => weights.set(model.weights.subarray(row * k, row * k + k), i * k));
  return { ...model, features: keep.map((row) => model.features[row]!), weights };
}

/** Raw class scores (before softmax), the same arithmetic as LinearModel.predict. */
export function scoreRaw(model: RawModel, features: string[]): Float64Array {
  const k = model.labels.length;
  const index = new Map(model.features.map((f, i) => [f, i]));
  const rows = model.transform === "binary_l2" ? [...new Set(features)] : features;
  const scores = Float64Array.from(model.bias);
  let active = 0;
  const sum = new Float64Array(k);
  for (const f of rows) {
    const row = index.get(f);
    if (row === undefined) continue;
    active++;
    for (let c = 0; c < k; c++) sum[c]! += model.weights[row * k + c]!;
  }
  const scale = model.transform === "binary_l2" && active > 0 ? 1 / Math.sqrt(active) : 1;
  for (let c = 0; c < k; c++) scores[c]! += sum[c]! * scale;
  return scores;
}

/**
 * Softmax temperature minimising the negative log-likelihood of out-of-fold scores, so that a
 * reported 0.9 means roughly "right nine times in ten" rather than naive Bayes' habitual 0.9999.
 */
export function fitTemperature(outOfFold: { scores: Float64Array; label: number }[]): number {
  let best = { t: 1, nll: Infinity };
  for (let t = 0.05; t <= 200; t *= 1.1) {
    let nll = 0;
    for (const { scores, label } of outOfFold) {
      let max = -Infinity;
      for (const s of scores) max = Math.max(max, s / t);
      let sum = 0;
      for (const s of scores) sum += Math.exp(s / t - max);
      nll -= scores[label]! / t - max - Math.log(sum);
    }
    if (nll < best.nll) best = { t, nll };
  }
  return Math.round(best.t * 1000) / 1000;
}

export function toModelFile(model: RawModel, temperature: number, info: Record<string, unknown>): ModelFile {
  return {
    format: "onedoor-linear-classifier",
    version: 1,
    algorithm: model.learner.algorithm,
    transform: model.transform,
    labels: model.labels,
    features: model.features,
    temperature,
    bias: Array.from(model.bias, (b) => Math.round(b * 1e6) / 1e6),
    ...encodeWeights(model.weights),
    info,
  };
}

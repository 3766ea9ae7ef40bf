// Learners for the local model. Pure functions of the examples and options; seeded, so the same
// corpus always gives the same model file.
//
// Texts are turned into integer rows once (`vectorize`); cross-validation then trains on subsets of
// rows without touching strings again, which keeps a full `npm run train:classify` to a minute or two
// on the augmented corpus.
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

/** One example as integer feature ids into a shared dictionary: `counts[i]` occurrences of `ids[i]`. */
export interface Row {
  ids: Int32Array;
  counts: Int32Array;
  /** Index into the model's labels. */
  y: number;
  /** How much the example counts in training (logistic regression); 1 when absent. */
  weight?: number;
}

/** Texts' features as rows over one dictionary (every feature seen in any example). */
export interface Vectorized {
  dictionary: string[];
  rows: Row[];
}

export function vectorize(examples: readonly LabelledFeatures[], labels: readonly DisputeType[]): Vectorized {
  const ids = new Map<string, number>();
  const dictionary: string[] = [];
  const rows = examples.map((ex) => {
    const counts = new Map<number, number>();
    for (const f of ex.features) {
      let id = ids.get(f);
      if (id === undefined) {
        id = dictionary.length;
        ids.set(f, id);
        dictionary.push(f);
      }
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const y = labels.indexOf(ex.label);
    if (y < 0) throw new Error(`label ${ex.label} is not among the model's labels`);
    return { ids: Int32Array.from(counts.keys()), counts: Int32Array.from(counts.values()), y };
  });
  return { dictionary, rows };
}

/**
 * Features seen in at least `minDf` of the rows: rarer ones are mostly typos of one text and bloat the
 * file. Returns the dictionary ids kept, ascending, and a map dictionary id → column (or -1).
 */
function buildVocabulary(rows: readonly Row[], dictionarySize: number, minDf: number, allowed: (id: number) => boolean) {
  const df = new Int32Array(dictionarySize);
  for (const r of rows) for (const id of r.ids) df[id]!++;
  const column = new Int32Array(dictionarySize).fill(-1);
  const kept: number[] = [];
  for (let id = 0; id < dictionarySize; id++) {
    if (df[id]! >= minDf && allowed(id)) {
      column[id] = kept.length;
      kept.push(id);
    }
  }
  return { kept, column };
}

/** Rows re-expressed in a vocabulary's columns, features outside it dropped. */
function project(rows: readonly Row[], column: Int32Array): Row[] {
  return rows.map((r) => {
    const ids: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < r.ids.length; i++) {
      const c = column[r.ids[i]!]!;
      if (c >= 0) {
        ids.push(c);
        counts.push(r.counts[i]!);
      }
    }
    return { ids: Int32Array.from(ids), counts: Int32Array.from(counts), y: r.y, weight: r.weight };
  });
}

function trainNaiveBayes(rows: readonly Row[], k: number, v: number, alpha: number) {
  const counts = new Float64Array(v * k);
  const totals = new Float64Array(k);
  for (const r of rows) {
    for (let i = 0; i < r.ids.length; i++) {
      counts[r.ids[i]! * k + r.y]! += r.counts[i]!;
      totals[r.y]! += r.counts[i]!;
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

function trainLogisticRegression(rows: readonly Row[], k: number, v: number, l2: number, epochs: number, seed: number) {
  const weights = new Float64Array(v * k);
  const bias = new Float64Array(k);
  // AdaGrad: per-weight step sizes suit sparse n-gram features with very different frequencies.
  const g2 = new Float64Array(v * k).fill(1e-8);
  const b2 = new Float64Array(k).fill(1e-8);
  const lr = 0.5;
  const random = seededRandom(seed);
  const scores = new Float64Array(k);
  const order = Int32Array.from(rows.keys());
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    for (const o of order) {
      const r = rows[o]!;
      const idx = r.ids;
      const n = idx.length;
      // Binary presence scaled to unit length, as LinearModel scores it.
      const x = n ? 1 / Math.sqrt(n) : 0;
      const w = r.weight ?? 1;
      for (let c = 0; c < k; c++) scores[c] = 0;
      for (let a = 0; a < n; a++) {
        const base = idx[a]! * k;
        for (let c = 0; c < k; c++) scores[c]! += weights[base + c]!;
      }
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        const s = bias[c]! + scores[c]! * x;
        scores[c] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let c = 0; c < k; c++) sum += scores[c] = Math.exp(scores[c]! - max);
      for (let c = 0; c < k; c++) {
        const err = (scores[c]! / sum - (c === r.y ? 1 : 0)) * w;
        scores[c] = err;
        b2[c]! += err * err;
        bias[c]! -= (lr * err) / Math.sqrt(b2[c]!);
      }
      for (let a = 0; a < n; a++) {
        const base = idx[a]! * k;
        for (let c = 0; c < k; c++) {
          const j = base + c;
          const g = scores[c]! * x + l2 * weights[j]!;
          g2[j]! += g * g;
          weights[j]! -= (lr * g) / Math.sqrt(g2[j]!);
        }
      }
    }
  }
  return { weights, bias };
}

/** Trains on rows of a vectorised corpus; the model's features are dictionary entries. */
export function trainRows(
  data: { dictionary: readonly string[]; rows: readonly Row[] },
  labels: DisputeType[],
  learner: Learner,
  options: { minDf?: number; seed?: number; only?: ReadonlySet<string> } = {},
): RawModel {
  const { kept, column } = buildVocabulary(data.rows, data.dictionary.length, options.minDf ?? 2, (id) =>
    options.only ? options.only.has(data.dictionary[id]!) : true,
  );
  const rows = project(data.rows, column);
  const k = labels.length;
  const { weights, bias } =
    learner.algorithm === "naive_bayes"
      ? trainNaiveBayes(rows, k, kept.length, learner.alpha)
      : trainLogisticRegression(rows, k, kept.length, learner.l2, learner.epochs, options.seed ?? 1);
  return {
    learner,
    transform: learner.algorithm === "naive_bayes" ? "count" : "binary_l2",
    labels,
    features: kept.map((id) => data.dictionary[id]!),
    weights,
    bias,
  };
}

export function train(
  examples: LabelledFeatures[],
  labels: DisputeType[],
  learner: Learner,
  options: { minDf?: number; seed?: number } = {},
): RawModel {
  return trainRows(vectorize(examples, labels), labels, learner, options);
}

/** In how many rows each dictionary id occurs. */
export function documentFrequency(rows: readonly Row[], dictionarySize: number): Int32Array {
  const df = new Int32Array(dictionarySize);
  for (const r of rows) for (const id of r.ids) df[id]!++;
  return df;
}

/**
 * Keeps the `maxFeatures` features that matter most to decisions; the rest change almost none and only
 * make the file bigger. A feature's importance is the spread of its weights across classes (how much it
 * moves a decision when present) times, when `df` is given, the square root of how many texts have it
 * (how often it is present). Without `df`, spread alone: that keeps rare features with large weights,
 * which mostly memorise single training texts and did worst on other writers' texts.
 */
export function pruneFeatures(model: RawModel, maxFeatures: number, df?: (feature: string) => number): RawModel {
  const k = model.labels.length;
  if (model.features.length <= maxFeatures) return model;
  const importance = model.features.map((feature, row) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let c = 0; c < k; c++) {
      const w = model.weights[row * k + c]!;
      lo = Math.min(lo, w);
      hi = Math.max(hi, w);
    }
    return { row, importance: (hi - lo) * (df ? Math.sqrt(df(feature)) : 1) };
  });
  const keep = importance
    .sort((a, b) => b.importance - a.importance || a.row - b.row)
    .slice(0, maxFeatures)
    .map((s) => s.row)
    .sort((a, b) => a - b);
  const weights = new Float64Array(keep.length * k);
  keep.forEach((row, i) => weights.set(model.weights.subarray(row * k, row * k + k), i * k));
  return { ...model, features: keep.map((row) => model.features[row]!), weights };
}

/** Softmax of scores divided by a temperature. */
export function softmax(scores: ArrayLike<number>, temperature = 1): Float64Array {
  const out = new Float64Array(scores.length);
  let max = -Infinity;
  for (let c = 0; c < scores.length; c++) max = Math.max(max, scores[c]! / temperature);
  let sum = 0;
  for (let c = 0; c < scores.length; c++) sum += out[c] = Math.exp(scores[c]! / temperature - max);
  for (let c = 0; c < scores.length; c++) out[c]! /= sum;
  return out;
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

export function toModelFile(
  model: RawModel,
  temperature: number,
  info: Record<string, unknown>,
  decision: { minProbability?: ModelFile["minProbability"] } = {},
): ModelFile {
  return {
    format: "onedoor-linear-classifier",
    version: 1,
    algorithm: model.learner.algorithm,
    transform: model.transform,
    labels: model.labels,
    features: model.features,
    temperature,
    ...decision,
    bias: Array.from(model.bias, (b) => Math.round(b * 1e6) / 1e6),
    ...encodeWeights(model.weights),
    info,
  };
}

// The local model's file format and its scoring. Both learners (naive Bayes, logistic regression) end
// up as one weight per (feature, class) plus a bias per class, so one scorer serves both.
import { AppError } from "../lib/errors.js";
import { type DisputeType, isDisputeType } from "../cases/types.js";
import { FeatureIndex, isKnownFeature } from "./features.js";

/**
 * How a text's features become the input vector: raw counts (naive Bayes) or presence scaled to unit
 * length (logistic regression, so long texts do not get louder scores).
 */
export type FeatureTransform = "count" | "binary_l2";

/** The JSON written by `npm run train:classify` (models/classifier.json). */
export interface ModelFile {
  format: "onedoor-linear-classifier";
  version: 1;
  algorithm: "naive_bayes" | "logistic_regression";
  transform: FeatureTransform;
  labels: string[];
  features: string[];
  /** Softmax temperature fitted on cross-validation predictions (calibration). */
  temperature: number;
  /**
   * Decision gates: a label is answered only when its probability reaches this minimum; otherwise the
   * next best label is. Training sets one for `not_dispute` (a dispute answered as a legal question is
   * the costly mistake), chosen on out-of-fold scores. Absent: every label answers when it is the best.
   */
  minProbability?: Partial<Record<DisputeType, number>>;
  bias: number[];
  /** Weights as little-endian Int16, row-major [feature][label], times `weightScale`; base64. */
  weights: string;
  weightScale: number;
  /** What training saw and measured; for people, not for scoring. */
  info: Record<string, unknown>;
}

export interface Prediction {
  type: DisputeType;
  probability: number;
}

export class LinearModel {
  readonly labels: DisputeType[];
  /** Per label index, the probability it needs to be answered (0: none); see ModelFile.minProbability. */
  readonly minProbability: Float64Array;
  /** Feature string → row; built on first use of predict(features) (classification uses textIndex). */
  private index: Map<string, number> | undefined;
  private readonly textIndex: FeatureIndex;
  private readonly stamp: Uint32Array;
  private stampNow = 0;
  private readonly scores: Float64Array;
  private readonly binary: boolean;

  constructor(
    labels: DisputeType[],
    private readonly features: string[],
    private readonly weights: Float32Array,
    private readonly bias: Float64Array,
    transform: FeatureTransform,
    private readonly temperature: number,
    minProbability: Partial<Record<DisputeType, number>> = {},
  ) {
    this.labels = labels;
    this.minProbability = Float64Array.from(labels, (l) => minProbability[l] ?? 0);
    this.textIndex = new FeatureIndex(features);
    // A per-feature stamp dedupes features without allocating a Set on every call.
    this.stamp = new Uint32Array(features.length);
    this.scores = new Float64Array(labels.length);
    this.binary = transform === "binary_l2";
  }

  /** Class probabilities of a text, best first: the features of `extractFeatures(text)`, without building them. */
  predictText(text: string): Prediction[] {
    return this.predictRows(this.textIndex.rowsOf(text));
  }

  /** Class probabilities of feature strings (as `extractFeatures` gives them), best first. */
  predict(features: readonly string[]): Prediction[] {
    this.index ??= new Map(this.features.map((f, i) => [f, i]));
    const rows: number[] = [];
    for (const f of features) {
      const row = this.index.get(f);
      if (row !== undefined) rows.push(row);
    }
    return this.predictRows(Int32Array.from(rows));
  }

  /** Class probabilities from the rows of a text's features (duplicates allowed), best first. */
  private predictRows(rows: Int32Array): Prediction[] {
    const k = this.labels.length;
    const scores = this.scores;
    const weights = this.weights;
    const stamp = this.stamp;
    const binary = this.binary;
    scores.fill(0);
    if (++this.stampNow === 0xffffffff) {
      stamp.fill(0);
      this.stampNow = 1;
    }
    const now = this.stampNow;
    let active = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (binary) {
        if (stamp[row] === now) continue;
        stamp[row] = now;
      }
      active++;
      const base = row * k;
      for (let c = 0; c < k; c++) scores[c]! += weights[base + c]!;
    }
    const scale = binary && active > 0 ? 1 / Math.sqrt(active) : 1;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const s = (scores[c]! * scale + this.bias[c]!) / this.temperature;
      scores[c] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += scores[c] = Math.exp(scores[c]! - max);
    const out: Prediction[] = new Array(k);
    for (let c = 0; c < k; c++) out[c] = { type: this.labels[c]!, probability: scores[c]! / sum };
    return out.sort((a, b) => b.probability - a.probability);
  }
}

export function encodeWeights(weights: Float32Array | Float64Array): { weights: string; weightScale: number } {
  let maxAbs = 0;
  for (const w of weights) maxAbs = Math.max(maxAbs, Math.abs(w));
  const weightScale = maxAbs > 0 ? maxAbs / 32767 : 1;
  const q = new Int16Array(weights.length);
  for (let i = 0; i < weights.length; i++) q[i] = Math.round(weights[i]! / weightScale);
  return { weights: Buffer.from(q.buffer, q.byteOffset, q.byteLength).toString("base64"), weightScale };
}

/** Validates a parsed model file and builds the scorer; a bad file stops start-up with one clear line. */
export function modelFromFile(file: ModelFile): LinearModel {
  const bad = (why: string) => new AppError("CONFIG", `Classifier model file is invalid: ${why}`);
  if (file?.format !== "onedoor-linear-classifier" || file.version !== 1) throw bad("unknown format or version");
  if (!file.labels.every(isDisputeType)) throw bad("unknown label");
  const labels = file.labels as DisputeType[];
  const buf = Buffer.from(file.weights, "base64");
  const k = labels.length;
  if (buf.byteLength !== file.features.length * k * 2) throw bad("weights do not match features × labels");
  const unknown = file.features.find((f) => !isKnownFeature(f));
  if (unknown !== undefined) throw bad(`feature ${JSON.stringify(unknown)} is not one this version extracts; run \`npm run train:classify\``);
  if (file.bias.length !== k) throw bad("bias does not match labels");
  for (const [label, p] of Object.entries(file.minProbability ?? {})) {
    if (!isDisputeType(label) || !labels.includes(label)) throw bad(`minProbability for unknown label ${label}`);
    if (typeof p !== "number" || !(p >= 0 && p < 1)) throw bad(`minProbability for ${label} must be in [0, 1)`);
  }
  const q = new Int16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const weights = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) weights[i] = q[i]! * file.weightScale;
  return new LinearModel(
    labels,
    file.features,
    weights,
    Float64Array.from(file.bias),
    file.transform,
    file.temperature,
    file.minProbability,
  );
}


// The local model's file format and its scoring. Both learners (naive Bayes, logistic regression) end
// up as one weight per (feature, class) plus a bias per class, so one scorer serves both.
import { AppError } from "../lib/errors.js";
import { type DisputeType, isDisputeType } from "../cases/types.js";

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
  private readonly index: Map<string, number>;
  private readonly stamp: Uint32Array;
  private stampNow = 0;
  private readonly scores: Float64Array;

  constructor(
    labels: DisputeType[],
    features: string[],
    private readonly weights: Float32Array,
    private readonly bias: Float64Array,
    private readonly transform: FeatureTransform,
    private readonly temperature: number,
  ) {
    this.labels = labels;
    this.index = new Map(features.map((f, i) => [f, i]));
    // A per-feature stamp dedupes features without allocating a Set on every call.
    this.stamp = new Uint32Array(features.length);
    this.scores = new Float64Array(labels.length);
  }

  /** Class probabilities, best first. */
  predict(features: readonly string[]): Prediction[] {
    const k = this.labels.length;
    const scores = this.scores;
    scores.fill(0);
    if (++this.stampNow === 0xffffffff) {
      this.stamp.fill(0);
      this.stampNow = 1;
    }
    let active = 0;
    for (const f of features) {
      const row = this.index.get(f);
      if (row === undefined) continue;
      if (this.transform === "binary_l2") {
        if (this.stamp[row] === this.stampNow) continue;
        this.stamp[row] = this.stampNow;
      }
      active++;
      const base = row * k;
      for (let c = 0; c < k; c++) scores[c]! += this.weights[base + c]!;
    }
    const scale = this.transform === "binary_l2" && active > 0 ? 1 / Math.sqrt(active) : 1;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      scores[c] = (scores[c]! * scale + this.bias[c]!) / this.temperature;
      if (scores[c]! > max) max = scores[c]!;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) {
      scores[c] = Math.exp(scores[c]! - max);
      sum += scores[c]!;
    }
    const out: Prediction[] = [];
    for (let c = 0; c < k; c++) out.push({ type: this.labels[c]!, probability: scores[c]! / sum });
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
  if (file.bias.length !== k) throw bad("bias does not match labels");
  const q = new Int16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const weights = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) weights[i] = q[i]! * file.weightScale;
  return new LinearModel(labels, file.features, weights, Float64Array.from(file.bias), file.transform, file.temperature);
}


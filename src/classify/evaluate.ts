// Classifier metrics as pure functions: the eval CLI, the tests and the benchmark share them.
import { DISPUTE_TYPES, type DisputeType } from "../cases/types.js";

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** How many examples carry this label. */
  support: number;
}

export interface Metrics {
  n: number;
  accuracy: number;
  /** Unweighted mean F1 over the classes present in the data (support > 0). */
  macro_f1: number;
  /**
   * Share of the true label among the top three answers (the type and the first two alternatives, as
   * the correction buttons offer them); only when every pair carries its ranking.
   */
  top3_accuracy?: number;
  /**
   * Expected calibration error of the confidence (the predicted type's probability): 10 equal-width bins,
   * the support-weighted mean |accuracy − mean confidence|; only when every pair carries its confidence.
   */
  ece?: number;
  /**
   * Disputes answered as `not_dispute` / all disputes: residents with a dispute who were told it is a
   * legal question.
   */
  not_dispute_fpr: number;
  per_class: Record<DisputeType, ClassMetrics>;
  /** confusion[actual][predicted] = count. */
  confusion: Record<DisputeType, Record<DisputeType, number>>;
}

/** One classified example: the true label, the answer and, optionally, its confidence and ranking. */
export interface ScoredPair {
  label: DisputeType;
  predicted: DisputeType;
  /** The predicted type's probability. */
  confidence?: number;
  /** Types best first, starting with `predicted`. */
  ranked?: readonly DisputeType[];
}

export interface LatencyStats {
  mean: number;
  p50: number;
  p99: number;
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

export function confusionMatrix(pairs: readonly { label: DisputeType; predicted: DisputeType }[]) {
  const m = Object.fromEntries(
    DISPUTE_TYPES.map((a) => [a, Object.fromEntries(DISPUTE_TYPES.map((p) => [p, 0]))]),
  ) as Record<DisputeType, Record<DisputeType, number>>;
  for (const { label, predicted } of pairs) m[label][predicted]++;
  return m;
}

/** Expected calibration error over `bins` equal-width bins of confidence in [0, 1]. */
export function expectedCalibrationError(samples: readonly { confidence: number; correct: boolean }[], bins = 10): number {
  if (samples.length === 0) return 0;
  const n = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  for (const { confidence, correct } of samples) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(confidence * bins)));
    n[b]!++;
    conf[b]! += confidence;
    if (correct) hits[b]!++;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (n[b]) ece += Math.abs(hits[b]! - conf[b]!) / samples.length;
  return round(ece);
}

export function computeMetrics(pairs: readonly ScoredPair[]): Metrics {
  const confusion = confusionMatrix(pairs);
  const perClass = {} as Record<DisputeType, ClassMetrics>;
  let correct = 0;
  const f1s: number[] = [];
  for (const t of DISPUTE_TYPES) {
    const tp = confusion[t][t];
    correct += tp;
    const support = DISPUTE_TYPES.reduce((s, p) => s + confusion[t][p], 0);
    const predicted = DISPUTE_TYPES.reduce((s, a) => s + confusion[a][t], 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[t] = { precision: round(precision), recall: round(recall), f1: round(f1), support };
    if (support > 0) f1s.push(f1);
  }
  const disputes = pairs.filter((p) => p.label !== "not_dispute");
  const metrics: Metrics = {
    n: pairs.length,
    accuracy: pairs.length ? round(correct / pairs.length) : 0,
    macro_f1: f1s.length ? round(f1s.reduce((a, b) => a + b, 0) / f1s.length) : 0,
    not_dispute_fpr: disputes.length ? round(disputes.filter((p) => p.predicted === "not_dispute").length / disputes.length) : 0,
    per_class: perClass,
    confusion,
  };
  if (pairs.length && pairs.every((p) => p.ranked)) {
    metrics.top3_accuracy = round(pairs.filter((p) => p.ranked!.slice(0, 3).includes(p.label)).length / pairs.length);
  }
  if (pairs.length && pairs.every((p) => p.confidence !== undefined)) {
    metrics.ece = expectedCalibrationError(pairs.map((p) => ({ confidence: p.confidence!, correct: p.label === p.predicted })));
  }
  return metrics;
}

/** Nearest-rank percentile of an unsorted sample; q in [0, 1]. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export function latencyStats(samplesMs: readonly number[]): LatencyStats {
  const mean = samplesMs.length ? samplesMs.reduce((a, b) => a + b, 0) / samplesMs.length : 0;
  return { mean: round(mean), p50: round(percentile(samplesMs, 0.5)), p99: round(percentile(samplesMs, 0.99)) };
}

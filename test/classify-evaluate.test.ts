import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseJsonl } from "../src/classify/dataset.js";
import { computeMetrics, expectedCalibrationError, latencyStats, percentile } from "../src/classify/evaluate.js";

describe("evaluation metrics", () => {
  it("computes accuracy, per-class precision/recall/F1, macro-F1 and the confusion matrix", () => {
    const m = computeMetrics([
      { label: "labor", predicted: "labor" },
      { label: "labor", predicted: "labor" },
      { label: "labor", predicted: "contract_debt" },
      { label: "contract_debt", predicted: "contract_debt" },
    ]);
    expect(m.n).toBe(4);
    expect(m.accuracy).toBe(0.75);
    expect(m.per_class.labor).toEqual({ precision: 1, recall: 0.6667, f1: 0.8, support: 3 });
    expect(m.per_class.contract_debt).toEqual({ precision: 0.5, recall: 1, f1: 0.6667, support: 1 });
    // Only classes present in the data count towards macro-F1.
    expect(m.macro_f1).toBe(0.7333);
    expect(m.confusion.labor.contract_debt).toBe(1);
    expect(m.per_class.medical.support).toBe(0);
  });

  it("computes top-3 accuracy, calibration error and the not_dispute false-positive rate", () => {
    const m = computeMetrics([
      { label: "labor", predicted: "labor", confidence: 0.95, ranked: ["labor", "traffic", "other"] },
      { label: "labor", predicted: "not_dispute", confidence: 0.55, ranked: ["not_dispute", "labor", "other"] },
      { label: "traffic", predicted: "labor", confidence: 0.52, ranked: ["labor", "consumer", "other", "traffic"] },
      { label: "not_dispute", predicted: "not_dispute", confidence: 0.91, ranked: ["not_dispute", "other", "labor"] },
    ]);
    // The true type among the first three answers: all but the traffic text.
    expect(m.top3_accuracy).toBe(0.75);
    // One dispute of three answered as a legal question.
    expect(m.not_dispute_fpr).toBe(0.3333);
    // Bins: [0.5, 0.6) holds 0.55 (wrong) and 0.52 (wrong): |0 − 0.535| × 2/4; [0.9, 1] holds 0.95 and 0.91 (both right): |1 − 0.93| × 2/4.
    expect(m.ece).toBe(0.3025);
    expect(expectedCalibrationError([{ confidence: 1, correct: true }, { confidence: 0, correct: false }])).toBe(0);
    expect(expectedCalibrationError([])).toBe(0);
    // Without confidences and rankings the two are left out, the rest is as before.
    const plain = computeMetrics([{ label: "labor", predicted: "labor" }]);
    expect(plain.top3_accuracy).toBeUndefined();
    expect(plain.ece).toBeUndefined();
    expect(plain.not_dispute_fpr).toBe(0);
  });

  it("summarises latency with nearest-rank percentiles", () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(samples, 0.5)).toBe(50);
    expect(percentile(samples, 0.99)).toBe(99);
    expect(latencyStats([1, 2, 3, 10])).toEqual({ mean: 4, p50: 2, p99: 10 });
    expect(latencyStats([])).toEqual({ mean: 0, p50: 0, p99: 0 });
  });
});

describe("JSONL corpus files", () => {
  const content = [
    '{"text":"老板欠我工资","label":"labor"}',
    "not json at all",
    '{"text":"楼上太吵","label":"noise"}',
    '{"label":"labor"}',
    "",
    '{"text":"借钱不还","label":"contract_debt"}',
    '["an","array"]',
  ].join("\n");

  it("reports malformed lines by number and unknown labels by count, and keeps the rest", () => {
    const parsed = parseJsonl(content);
    expect(parsed.examples).toEqual([
      { text: "老板欠我工资", label: "labor" },
      { text: "借钱不还", label: "contract_debt" },
    ]);
    expect(parsed.malformed.map((m) => m.line)).toEqual([2, 4, 7]);
    expect(parsed.unknownLabels).toEqual({ noise: 1 });
  });

  it("eval CLI prints one JSON object and survives unknown labels and bad lines", async () => {
    const dir = await mkdtemp(join(tmpdir(), "onedoor-eval-"));
    const file = join(dir, "data.jsonl");
    await writeFile(file, content + "\n");
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "src/classify/evaluate-cli.ts", "--data", file, "--json"],
      { env: { ...process.env, OPENAI_API_KEY: "" } },
    );
    const out = JSON.parse(stdout);
    expect(out).toMatchObject({ n: 2, unknown_labels: { noise: 1 } });
    expect(Object.keys(out)).toEqual(expect.arrayContaining(["accuracy", "macro_f1", "per_class", "latency_ms", "confusion", "unknown_labels", "n"]));
    expect(Object.keys(out.latency_ms)).toEqual(["mean", "p50", "p99"]);
    expect(out).toMatchObject({ top3_accuracy: expect.any(Number), ece: expect.any(Number), not_dispute_fpr: expect.any(Number) });
    expect(out.per_class.labor).toHaveProperty("support", 1);
    expect(stderr).toContain(":2: skipped malformed line");
    expect(stderr).toContain('unknown label "noise"');
  });
});

describe("eval CLI on several files", () => {
  it("prints one JSON object with the metrics of each file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "onedoor-eval-"));
    const a = join(dir, "a.jsonl");
    const b = join(dir, "b.jsonl");
    await writeFile(a, '{"text":"老板欠我工资","label":"labor"}\n');
    await writeFile(b, '{"text":"楼上天天半夜跺脚","label":"neighbor"}\n{"text":"离婚要带什么材料","label":"not_dispute"}\n');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "src/classify/evaluate-cli.ts", "--data", a, "--data", b, "--json"],
      { env: { ...process.env, OPENAI_API_KEY: "" } },
    );
    const out = JSON.parse(stdout);
    expect(Object.keys(out.results)).toEqual([a, b]);
    expect(out.results[a]).toMatchObject({ n: 1, classifier: "local" });
    expect(out.results[b]).toMatchObject({ n: 2, per_class: { not_dispute: { support: 1 } } });
  });
});

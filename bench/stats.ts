// Small helpers shared by the benchmarks.
import fs from "node:fs";
import { percentile } from "../src/classify/evaluate.js";

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export interface LoadResult {
  messages: number;
  intakes: number;
  seconds: number;
  messagesPerSecond: number;
  intakesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export function summarise(latencies: number[], seconds: number, intakes: number, errors: number): LoadResult {
  return {
    messages: latencies.length,
    intakes,
    seconds: round(seconds),
    messagesPerSecond: round(latencies.length / seconds, 1),
    intakesPerSecond: round(intakes / seconds, 1),
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
    errors,
  };
}

/** Peak resident set size of a process, from /proc (Linux): VmHWM is the high-water mark. */
export function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(status.match(/VmHWM:\s+(\d+)/)?.[1] ?? NaN);
  return round(kb / 1024, 1);
}

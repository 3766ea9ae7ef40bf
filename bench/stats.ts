import fs from "node:fs";

/** Small helpers shared by the benchmarks. */
export function percentile(sortedMs: number[], q: number): number {
  if (sortedMs.length === 0) return NaN;
  const i = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil(q * sortedMs.length) - 1));
  return sortedMs[i]!;
}

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
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    messages: latencies.length,
    intakes,
    seconds: round(seconds),
    messagesPerSecond: round(latencies.length / seconds, 1),
    intakesPerSecond: round(intakes / seconds, 1),
    p50Ms: round(percentile(sorted, 0.5)),
    p99Ms: round(percentile(sorted, 0.99)),
    errors,
  };
}

/** Peak resident set size of a process, from /proc (Linux): VmHWM is the high-water mark. */
export function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(status.match(/VmHWM:\s+(\d+)/)?.[1] ?? NaN);
  return round(kb / 1024, 1);
}

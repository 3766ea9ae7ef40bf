/** Half-open spans of time in epoch milliseconds, [start, end). Lists are sorted and do not overlap. */
export type Interval = readonly [number, number];

/** Sorts and merges touching or overlapping spans. */
export function union(spans: readonly Interval[]): Interval[] {
  const sorted = spans.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** The spans in both lists (both sorted and merged). */
export function intersect(x: readonly Interval[], y: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const a = Math.max(x[i]![0], y[j]![0]);
    const b = Math.min(x[i]![1], y[j]![1]);
    if (b > a) out.push([a, b]);
    if (x[i]![1] < y[j]![1]) i++;
    else j++;
  }
  return out;
}

/** The spans of `x` not covered by `y` (both sorted and merged). */
export function subtract(x: readonly Interval[], y: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let j = 0;
  for (const [start, end] of x) {
    let a = start;
    while (j < y.length && y[j]![1] <= a) j++;
    let k = j;
    while (k < y.length && y[k]![0] < end) {
      if (y[k]![0] > a) out.push([a, y[k]![0]]);
      a = Math.max(a, y[k]![1]);
      k++;
    }
    if (a < end) out.push([a, end]);
  }
  return out;
}

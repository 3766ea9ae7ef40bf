// Text → sparse features for the local model: character 1–3-grams between punctuation. They carry the
// words ("工伤", "宅基地", "物业费") and survive typos, homophones and odd spacing, which is most of
// what residents' texts throw at us. (Jieba words on top were measured to add nothing once the corpus
// had 5,000 realistic texts, and took half the time of a classification; they were dropped.)

/** Only the head of a very long text is classified: it keeps the hot path bounded. */
export const MAX_CLASSIFY_CHARS = 2000;

const PUNCT_OR_SPACE = /[\s\p{P}\p{S}]+/u;
const DIGITS = /\d/g;

/** NFKC folds full-width letters and digits; digits collapse to 0 so "5万" and "8万" share features. */
export function normalizeText(text: string): string {
  return text.slice(0, MAX_CLASSIFY_CHARS).normalize("NFKC").toLowerCase().replace(DIGITS, "0");
}

/**
 * Feature strings of a text, duplicates kept (the model counts them): "c:" and a character n-gram
 * (of UTF-16 code units; the prefix leaves room for other kinds of feature). Training uses this;
 * classification uses FeatureIndex.rowsOf, which must give the same features (test/classify-local.test.ts
 * checks).
 */
export function extractFeatures(text: string): string[] {
  const norm = normalizeText(text);
  const out: string[] = [];
  // n-grams never cross punctuation or spaces: those boundaries are noise, not signal.
  for (const chunk of norm.split(PUNCT_OR_SPACE)) {
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      out.push("c:" + chunk[i]);
      if (i + 1 < n) out.push("c:" + chunk.slice(i, i + 2));
      if (i + 2 < n) out.push("c:" + chunk.slice(i, i + 3));
    }
  }
  return out;
}

/**
 * Boundary class of every UTF-16 code unit, from the same pattern the n-grams are split on:
 * 1 punctuation, symbol or space; 0 part of a chunk; 2 a surrogate (decided with its pair).
 */
let boundaryTable: Uint8Array | undefined;
function boundaries(): Uint8Array {
  if (boundaryTable) return boundaryTable;
  const table = new Uint8Array(0x10000);
  const single = new RegExp(`^${PUNCT_OR_SPACE.source}$`, "u");
  for (let u = 0; u < 0x10000; u++) {
    if (u >= 0xd800 && u <= 0xdfff) table[u] = 2;
    else if (single.test(String.fromCharCode(u))) table[u] = 1;
  }
  boundaryTable = table;
  return table;
}

const EMPTY = -1;

/** Whether a feature string is one extractFeatures can give: "c:" and 1–3 code units. */
export function isKnownFeature(f: string): boolean {
  return f.startsWith("c:") && f.length >= 3 && f.length <= 5;
}

/**
 * A model's features, indexed for scoring a text without building feature strings: the n-grams'
 * code units packed into two integers, in an open-addressing table. `rowsOf(text)` gives the row of
 * every feature `extractFeatures(text)` would give that the model has, duplicates kept.
 */
export class FeatureIndex {
  private readonly keyA: Uint32Array;
  private readonly keyB: Uint32Array;
  private readonly rows: Int32Array;
  private readonly mask: number;
  private buffer = new Int32Array(1024);
  private readonly units = new Uint16Array(MAX_CLASSIFY_CHARS * 4);

  constructor(features: readonly string[]) {
    const grams: [number, number, number][] = [];
    features.forEach((f, row) => {
      if (!isKnownFeature(f)) return;
      const g = f.slice(2);
      grams.push([(g.charCodeAt(0) << 16) | (g.length > 1 ? g.charCodeAt(1) : 0), ((g.length > 2 ? g.charCodeAt(2) : 0) << 2) | g.length, row]);
    });
    let size = 16;
    while (size < grams.length * 2) size *= 2;
    this.mask = size - 1;
    this.keyA = new Uint32Array(size);
    this.keyB = new Uint32Array(size);
    this.rows = new Int32Array(size).fill(EMPTY);
    for (const [a, b, row] of grams) {
      let h = this.hash(a >>> 0, b);
      while (this.rows[h] !== EMPTY) h = (h + 1) & this.mask;
      this.keyA[h] = a >>> 0;
      this.keyB[h] = b;
      this.rows[h] = row;
    }
  }

  private hash(a: number, b: number): number {
    let h = Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) ^ Math.imul(b, 0x297a2d39);
    h ^= h >>> 16;
    return h & this.mask;
  }

  private gram(a: number, b: number): number {
    let h = this.hash(a, b);
    for (;;) {
      const row = this.rows[h]!;
      if (row === EMPTY) return EMPTY;
      if (this.keyA[h] === a && this.keyB[h] === b) return row;
      h = (h + 1) & this.mask;
    }
  }

  /** Rows of the text's features, in a buffer reused by the next call. */
  rowsOf(text: string): Int32Array {
    const norm = normalizeText(text);
    const len = norm.length;
    if (this.buffer.length < 3 * len + 16) this.buffer = new Int32Array(3 * len + 16);
    const out = this.buffer;
    let n = 0;
    const table = boundaries();
    const units = len <= this.units.length ? this.units : new Uint16Array(len);
    // Chunks between boundaries, as code units; n-grams never cross a boundary.
    let start = 0;
    let i = 0;
    while (i <= len) {
      let isBoundary = i === len;
      let width = 1;
      if (!isBoundary) {
        const u = norm.charCodeAt(i);
        const cls = table[u]!;
        if (cls === 2) {
          const cp = norm.codePointAt(i)!;
          width = cp > 0xffff ? 2 : 1;
          isBoundary = width === 2 && PUNCT_OR_SPACE.test(String.fromCodePoint(cp));
        } else isBoundary = cls === 1;
      }
      if (isBoundary) {
        const m = i - start;
        for (let j = 0; j < m; j++) units[j] = norm.charCodeAt(start + j);
        for (let j = 0; j < m; j++) {
          const u1 = units[j]!;
          let row = this.gram((u1 << 16) >>> 0, 1);
          if (row !== EMPTY) out[n++] = row;
          if (j + 1 < m) {
            const a = ((u1 << 16) | units[j + 1]!) >>> 0;
            row = this.gram(a, 2);
            if (row !== EMPTY) out[n++] = row;
            if (j + 2 < m) {
              row = this.gram(a, (units[j + 2]! << 2) | 3);
              if (row !== EMPTY) out[n++] = row;
            }
          }
        }
        i += width;
        start = i;
      } else i += width;
    }
    return out.subarray(0, n);
  }
}

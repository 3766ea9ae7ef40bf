// Text → sparse features for the local model: jieba words plus character 1–3-grams. Words carry
// meaning ("工伤", "宅基地"); character n-grams survive typos, homophones and words jieba splits
// differently ("物业费" / "物业 费"), which is most of what residents' texts throw at us.
import { Jieba } from "@node-rs/jieba";
import { dict } from "@node-rs/jieba/dict.js";

/** Only the head of a very long text is classified: it keeps the hot path bounded. */
export const MAX_CLASSIFY_CHARS = 2000;

let jieba: Jieba | undefined;
/** The dictionary takes ~150 ms to load, so it loads once, on first use. */
function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

const PUNCT_OR_SPACE = /[\s\p{P}\p{S}]+/u;
const DIGITS = /\d/g;

/** NFKC folds full-width letters and digits; digits collapse to 0 so "5万" and "8万" share features. */
export function normalizeText(text: string): string {
  return text.slice(0, MAX_CLASSIFY_CHARS).normalize("NFKC").toLowerCase().replace(DIGITS, "0");
}

/**
 * Feature strings of a text, duplicates kept (the model counts them). Prefixes keep the spaces apart:
 * "w:" words, "c:" character n-grams.
 */
export function extractFeatures(text: string): string[] {
  const norm = normalizeText(text);
  const out: string[] = [];
  for (const w of segmenter().cut(norm, true)) {
    // Single characters are already unigrams below.
    if (w.length > 1 && !PUNCT_OR_SPACE.test(w)) out.push("w:" + w);
  }
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

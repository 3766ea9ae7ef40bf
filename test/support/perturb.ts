// Perturbations of residents' texts for the robustness tests: how the same dispute reads when written
// politely, with background about the writer, without punctuation, or through voice input with typos.
// These belong to the tests on purpose: training augments with its own, different templates
// (src/classify/augment.ts), so these tests measure generalisation, not memorised wrappers.
// test/classify-local.test.ts checks that none of these phrases appear in the augmentation.
import { seededRandom } from "../../src/classify/train-model.js";

const TRAILING_PUNCT = /[\s。．.！!？?，,、；;~～…]+$/u;

/** The test's polite wrapper (the outsiders' evaluation found this kind of frame sent disputes to not_dispute). */
export const POLITE_PREFIX = "您好，打扰一下，";
export const POLITE_SUFFIX = "，我该怎么办？谢谢！";
export function politeWrapper(text: string): string {
  return POLITE_PREFIX + text.replace(TRAILING_PUNCT, "") + POLITE_SUFFIX;
}

/** A background clause about the writer that says nothing about the dispute. */
export const BACKGROUND_CLAUSE = "我是在外面打工的，老家在河南周口，";
export function backgroundClause(text: string): string {
  return BACKGROUND_CLAUSE + text;
}

/** Voice input without punctuation: every punctuation mark goes, spaces between Latin words stay. */
export function stripPunctuation(text: string): string {
  return text
    .replace(/\p{P}+/gu, " ")
    .replace(/(?<=[^\x00-\x7f]) +| +(?=[^\x00-\x7f])/gu, "")
    .replace(/ {2,}/g, " ")
    .trim();
}

/**
 * Homophones a pinyin keyboard or speech input produces (same or near-same sound). Deliberately not the
 * pairs the training augmentation uses.
 */
export const TEST_HOMOPHONES: Record<string, string> = {
  赔: "陪",
  欠: "歉",
  房: "防",
  伤: "商",
  故: "顾",
  借: "接",
  退: "腿",
  拆: "柴",
  补: "捕",
  婚: "昏",
  邻: "临",
  楼: "搂",
  医: "衣",
  院: "愿",
  物: "务",
  车: "扯",
  打: "达",
  款: "宽",
  离: "梨",
  地: "第",
};

/**
 * About one typo per twelve characters: a homophone from the table where one fits, otherwise a dropped
 * character. Seeded per text, so the perturbed set is the same on every run.
 */
export function injectTypos(text: string, seed = 7): string {
  let h = seed >>> 0;
  for (const ch of text) h = Math.imul(h ^ ch.codePointAt(0)!, 0x9e3779b1) >>> 0;
  const random = seededRandom(h);
  const chars = [...text];
  const out: string[] = [];
  for (const ch of chars) {
    const r = random();
    if (/\p{Script=Han}/u.test(ch) && r < 1 / 12) {
      const sub = TEST_HOMOPHONES[ch];
      if (sub) out.push(sub);
      else if (random() < 0.5) out.push(ch, ch); // a stutter: the character twice
      // otherwise the character is dropped
      continue;
    }
    out.push(ch);
  }
  // Homophones the table offers are what speech input gets wrong most: a second pass for them alone.
  return out.map((ch) => (TEST_HOMOPHONES[ch] && random() < 0.25 ? TEST_HOMOPHONES[ch]! : ch)).join("");
}

export const PERTURBATIONS: Record<string, (text: string) => string> = {
  polite_wrapper: politeWrapper,
  background_clause: backgroundClause,
  punctuation_stripped: stripPunctuation,
  typos: (t) => injectTypos(t),
};

/** Phrases of the perturbations that the training augmentation must not contain (its homophones are checked apart). */
export const PERTURBATION_PHRASES = ["打扰一下", "我该怎么办", "在外面打工", "河南周口"];

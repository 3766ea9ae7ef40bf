// Money amounts as residents write them: "5万", "十万元", "120000元", "1.5万", "一万二", "十几万",
// "3,500块", "￥8000", "RMB 20000". We read a lower bound ("十几万" → 100000, "2万多" → 20000):
// the value feeds the large-sum risk flag and pre-fills a fact the resident can still correct.

const CN_DIGIT: Record<string, number> = {
  零: 0, 〇: 0, 一: 1, 壹: 1, 二: 2, 贰: 2, 两: 2, 三: 3, 叁: 3, 四: 4, 肆: 4,
  五: 5, 伍: 5, 六: 6, 陆: 6, 七: 7, 柒: 7, 八: 8, 捌: 8, 九: 9, 玖: 9,
  // "几" is vague; as a multiplier ("几万") it counts as 1, trailing ("十几") as 0: a lower bound.
  几: 1,
};
const CN_SMALL_UNIT: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };
const CN_BIG_UNIT: Record<string, number> = { 万: 10_000, 亿: 100_000_000 };

/** Parses a Chinese numeral such as "十二万五千", "一万二" (= 12000) or "三千五" (= 3500). */
export function parseChineseNumber(s: string): number | undefined {
  let total = 0; // finished 万/亿 sections
  let section = 0; // current section below 万
  let digit: number | undefined;
  let lastUnit = 0; // the unit just applied, for the colloquial trailing digit ("一万二")
  for (const ch of s) {
    if (ch in CN_DIGIT) {
      digit = ch === "几" && lastUnit === 10 ? 0 : CN_DIGIT[ch]!;
    } else if (ch in CN_SMALL_UNIT) {
      const unit = CN_SMALL_UNIT[ch]!;
      section += (digit ?? 1) * unit; // "十五" starts with a bare 十
      digit = undefined;
      lastUnit = unit;
    } else if (ch in CN_BIG_UNIT) {
      const unit = CN_BIG_UNIT[ch]!;
      section += digit ?? 0;
      total = (total + (section || 1)) * unit;
      section = 0;
      digit = undefined;
      lastUnit = unit;
    } else {
      return undefined;
    }
  }
  if (digit !== undefined) {
    // "一万二" means 12000 and "三千五" 3500: a lone trailing digit is one step below the last unit.
    section += lastUnit >= 100 && !s.includes("零") ? digit * (lastUnit / 10) : digit;
  }
  const value = total + section;
  return Number.isFinite(value) ? value : undefined;
}

const CN_NUM_CHARS = "零〇一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万亿几";
const AMOUNT = new RegExp(
  String.raw`(RMB|rmb|人民币|[¥￥])?\s*` +
    String.raw`(\d+(?:[,，]\d{3})*(?:\.\d+)?|[${CN_NUM_CHARS}]+)` +
    String.raw`\s*(?:多|来|余)?\s*(万|千|亿|w|W|k|K)?\s*(?:多|来|余)?\s*` +
    String.raw`(元|块|圆|rmb|RMB|yuan|人民币)?`,
  "g",
);
// A number followed by one of these counts something other than money ("3万平方", "10万公里").
const NOT_MONEY_NEXT = /^[平亩米公里斤吨人个户家字步头只次条份天年月日号楼层岁台辆套间]/;
const SUFFIX_UNIT: Record<string, number> = { 万: 10_000, w: 10_000, W: 10_000, 千: 1000, k: 1000, K: 1000, 亿: 100_000_000 };

/** The largest sum of money (in yuan) mentioned in the text, or undefined when none is. */
export function parseAmountYuan(text: string): number | undefined {
  let best: number | undefined;
  for (const m of text.matchAll(AMOUNT)) {
    const [whole, prefix, num, unit, currency] = m;
    if (!num) continue;
    const isArabic = /^\d/.test(num);
    const hasBigChineseUnit = !isArabic && /[万亿千]/.test(num);
    // Only count what is clearly money: a currency mark, or a 万/千/亿-sized figure.
    if (!prefix && !currency && !unit && !hasBigChineseUnit) continue;
    if (!currency) {
      const next = text.slice((m.index ?? 0) + whole.length);
      if (NOT_MONEY_NEXT.test(next)) continue;
    }
    // "万一", "千万别", "百万" are words, not sums: a Chinese figure starts with a digit or 十.
    if (!isArabic && /^[万亿千仟百佰]/.test(num)) continue;
    if (!isArabic && /^几+$/.test(num) && !unit) continue;
    // "5km", "3kg", "2w次": a Latin unit glued to more letters is not 千/万.
    if (unit && /[kKwW]/.test(unit) && /^[A-Za-z]/.test(text.slice((m.index ?? 0) + whole.length))) continue;
    let value = isArabic ? Number(num.replace(/[,，]/g, "")) : parseChineseNumber(num);
    if (value === undefined || !Number.isFinite(value)) continue;
    if (unit) value *= SUFFIX_UNIT[unit]!;
    if (value <= 0) continue;
    value = Math.round(value * 100) / 100;
    if (best === undefined || value > best) best = value;
  }
  return best;
}

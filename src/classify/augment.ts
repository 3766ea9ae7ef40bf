// Training-time augmentation: the same dispute as different residents would type it. Politeness,
// greetings and thanks, background about the writer (work, hometown, age, family), questions tacked on
// at the end, voice-input habits (no punctuation, filler words, homophones, dropped or doubled
// characters) and dialect words. Applied to texts of every label alike, so none of it predicts a type.
//
// Used by training only, never at classification time. Seeded: the same corpus and seed give the same
// augmented corpus. The robustness tests perturb with their own, different templates
// (test/support/perturb.ts), so they measure generalisation rather than memorised wrappers.
import type { DisputeType } from "../cases/types.js";
import type { Example } from "./dataset.js";
import { seededRandom } from "./train-model.js";

const pick = <T>(xs: readonly T[], random: () => number): T => xs[Math.floor(random() * xs.length)]!;

const GREETINGS = [
  "你好", "你好啊", "您好呀", "老师好", "领导好", "同志你好", "工作人员好", "调解员你好", "各位老师好", "在吗",
  "在不在", "有人吗", "喂", "hello", "hi", "求助", "求助求助", "急急急", "急！！", "救救我", "麻烦问下",
  "想问问", "请教一下", "咨询个事", "问个事儿", "早上好", "晚上好", "不好意思", "冒昧问一下", "请帮帮忙",
] as const;

/**
 * Thanks, urgency and questions that name no one to be in conflict with: fine after any text, a
 * general legal question's included (so that "咋整" or "法律上怎么规定" never makes a dispute).
 */
const NEUTRAL_ENDINGS = [
  "谢谢", "谢谢了", "谢谢你们", "多谢", "万分感谢", "感激不尽", "麻烦了", "辛苦了", "先谢过", "在线等",
  "急", "急急急", "求回复", "盼回复", "望答复", "求解答", "请指点", "求指教", "能回答一下吗", "帮忙看看",
  "拜托了", "感谢", "thanks", "thank you", "这种情况咋弄", "该咋整啊", "怎么处理比较好", "有什么办法没有",
  "法律上是怎么规定的", "这个找哪个部门", "需要准备啥材料", "走什么程序", "要多久", "有用吗", "去哪里办",
  "要花多少钱", "能不能网上办", "给个建议", "请专业人士解答",
] as const;

/**
 * Questions and requests that imply someone to claim from or to mediate with: added to disputes only,
 * since on a general question they would make it one.
 */
const DISPUTE_ENDINGS = [
  "能不能帮忙调解", "想申请调解", "我能告他吗", "可以起诉吗", "能要回来吗", "该找谁要", "我要怎么维权",
  "他这样违法吗", "需要准备啥证据", "你们能管吗", "请你们评评理", "帮我主持公道", "实在没办法了",
  "我该找谁说理去", "要赔多少", "对方不认怎么搞", "能让他赔吗", "打官司能赢吗",
] as const;

/** Who the writer is: irrelevant to the label, and written into texts of every label. */
const IDENTITY = [
  "我是农民工", "本人在电子厂上班", "我在工地上干活", "我是开大车的", "我是跑外卖的", "我是送快递的",
  "我是个体户", "我是退休工人", "我是宝妈", "我是全职妈妈", "我是大学生", "我刚毕业", "本人是残疾人",
  "我在镇上开了个小卖部", "我是村里的", "我是种地的", "我是外地来的", "俺是农村人没啥文化", "我是一名老师",
  "我是当兵退伍回来的", "我在城里做保洁", "我是开出租的", "我是做小生意的", "我在县城上班",
  "我是低保户", "我是单亲妈妈", "我在厂里做普工", "我是个厨师", "我在超市当收银员", "我在医院当护工",
  "我常年在外地", "我是跑长途的司机", "我是村里的网格员", "本人是党员",
] as const;

const HOMETOWN = [
  "老家四川达州", "湖北孝感人", "贵州毕节的", "老家安徽阜阳", "江西赣州人", "老家甘肃天水", "山东临沂人",
  "广西玉林的", "老家湖南邵阳", "云南昭通人", "老家重庆万州", "河北邯郸的", "陕西汉中人", "老家江苏宿迁",
  "东北黑龙江的", "老家山西运城", "浙江温州人", "福建莆田的", "老家内蒙古", "本地人",
] as const;

const PLACE_NOW = [
  "现在在东莞", "在宁波上班", "现在在苏州厂里", "在深圳做事", "在上海干活", "在县城租房住", "在杭州", "在广州这边",
  "在省城", "在镇上住", "一直在老家", "在北京打零工", "在义乌做生意",
] as const;

const AGE = [
  "今年五十八了", "三十出头", "快七十岁了", "今年二十三", "四十多岁", "六十好几了", "今年刚满十八", "八十多了",
  "三十五岁", "年纪大了",
] as const;

const FAMILY = [
  "家里有两个孩子", "孩子在老家上学", "老伴身体不好", "上有老下有小", "一个人带孩子", "家里就我一个劳力",
  "爸妈都在农村", "刚结婚没多久", "孩子还小", "家里条件不好",
] as const;

/** A clause or two about the writer, joined as residents do. */
function background(random: () => number): string {
  const parts: string[] = [];
  const pools = [IDENTITY, HOMETOWN, PLACE_NOW, AGE, FAMILY];
  const n = 1 + Math.floor(random() * 3);
  for (const pool of pools) if (parts.length < n && random() < (pool === IDENTITY ? 0.7 : 0.35)) parts.push(pick(pool, random));
  if (parts.length === 0) parts.push(pick(IDENTITY, random));
  return parts.join(pick(["，", "，", " ", "。", "、"], random));
}

/** Voice-input and pinyin-keyboard mistakes (same or similar sound). */
export const AUGMENT_HOMOPHONES: Readonly<Record<string, readonly string[]>> = {
  资: ["姿", "子"],
  偿: ["尝", "常"],
  诉: ["述", "素"],
  账: ["帐"],
  在: ["再"],
  再: ["在"],
  的: ["得", "地"],
  得: ["的"],
  已: ["以"],
  做: ["作"],
  像: ["象"],
  那: ["哪"],
  块: ["快"],
  钱: ["前"],
  修: ["休"],
  费: ["废", "飞"],
  租: ["祖"],
  债: ["寨"],
  议: ["意"],
  证: ["正", "政"],
  判: ["盼"],
  协: ["鞋"],
  律: ["率"],
  警: ["井"],
  保: ["宝"],
  险: ["现"],
  合: ["和"],
  同: ["铜"],
  签: ["前"],
  厂: ["场"],
  狗: ["够"],
  咬: ["要"],
  吵: ["炒"],
  噪: ["燥"],
  漏: ["露"],
  水: ["谁"],
  征: ["争"],
  迁: ["千"],
  安: ["按"],
  置: ["制"],
  宅: ["摘"],
  基: ["机"],
  纠: ["究"],
  纷: ["分"],
  调: ["条"],
  解: ["姐"],
  伙: ["火"],
  股: ["古"],
  谣: ["摇"],
  病: ["并"],
  术: ["树"],
  孩: ["还"],
  养: ["样"],
  老: ["劳"],
  公: ["工"],
  司: ["思"],
  事: ["是"],
  他: ["她", "它"],
  她: ["他"],
  么: ["末"],
};

const FILLERS = ["那个", "就是", "然后", "嗯", "就是说", "反正", "那个啥", "怎么说呢"] as const;

/** Dialect and spoken forms, replaced in the whole text when chosen. */
const DIALECT: readonly [RegExp, readonly string[]][] = [
  [/我们/g, ["俺们", "咱们", "我们"]],
  [/我/g, ["俺", "我"]],
  [/什么/g, ["啥", "么子", "啥子"]],
  [/怎么办/g, ["咋办", "咋整", "怎么搞"]],
  [/怎么/g, ["咋", "咋个", "怎个"]],
  [/没有/g, ["没得", "莫得", "冇"]],
  [/不知道/g, ["不晓得", "不清楚"]],
  [/知道/g, ["晓得"]],
  [/这样/g, ["这么着", "恁样"]],
  [/孩子/g, ["娃", "娃儿", "小孩"]],
];

const CLAUSE_BREAK = /[，,。；;！!？?]/u;
const TRAILING = /[\s。．.！!？?，,、；;~～…]+$/u;
const HAN = /\p{Script=Han}/u;

/** Text with its trailing punctuation and an ending attached the way residents attach it. */
function withEnding(text: string, ending: string, random: () => number): string {
  const sep = pick(["，", "，", "。", " ", "！", "？", ""], random);
  const particles = /[吗呢啊吧\x00-\x7f]$/u.test(ending) ? ["", "", "？", "！", "。", "!!"] : ["", "", "？", "！", "。", "!!", "啊", "呢"];
  const end = pick(particles, random);
  return text.replace(TRAILING, "") + sep + ending + end;
}

function withGreeting(text: string, random: () => number): string {
  return pick(GREETINGS, random) + pick(["，", "，", "！", " ", "。", "~", ""], random) + text;
}

/** The background clause goes first, or after the first clause ("老板欠我工资，我是四川人，…"). */
function withBackground(text: string, random: () => number): string {
  const clause = background(random);
  const m = random() < 0.3 ? CLAUSE_BREAK.exec(text) : null;
  if (m && m.index > 0 && m.index < text.length - 1) {
    return text.slice(0, m.index + 1) + clause + "，" + text.slice(m.index + 1);
  }
  return clause + pick(["，", "。", "，", " "], random) + text;
}

function dropPunctuation(text: string, random: () => number): string {
  if (random() < 0.5) return text.replace(/[\p{P}]+/gu, "").replace(/\s+(?=\p{Script=Han})|(?<=\p{Script=Han})\s+/gu, "");
  // Commas and full stops to spaces, the way some keyboards and speech apps leave them.
  return text.replace(/[，,。、；;]+/gu, " ").replace(/[！!？?]+/gu, "");
}

function addPunctuation(text: string, random: () => number): string {
  return text
    .replace(/[，,]/gu, () => pick(["，", "，", "、", "...", "…", ",", "，，"], random))
    .replace(/[。]/gu, () => pick(["。", "！", "!!", "。。。", "~", "😭", "🙏"], random))
    .replace(/[？?]/gu, () => pick(["？", "??", "？？？", "?"], random));
}

function addFillers(text: string, random: () => number): string {
  return text
    .split(/(?<=[，,。！？])/u)
    .map((part) => (random() < 0.35 ? pick(FILLERS, random) + part : part))
    .join("");
}

function speakDialect(text: string, random: () => number): string {
  let out = text;
  for (const [pattern, forms] of DIALECT) if (random() < 0.5) out = out.replace(pattern, () => pick(forms, random));
  return out;
}

/** Homophones where the table has one (about one in three such characters), and the odd dropped or doubled character. */
function typos(text: string, random: () => number): string {
  const out: string[] = [];
  for (const ch of text) {
    const subs = AUGMENT_HOMOPHONES[ch];
    if (subs && random() < 0.3) {
      out.push(pick(subs, random));
      continue;
    }
    if (HAN.test(ch)) {
      const r = random();
      if (r < 0.02) continue; // dropped
      if (r < 0.03) {
        out.push(ch, ch); // doubled
        continue;
      }
    }
    out.push(ch);
  }
  return out.join("");
}

/** The ways of writing augmentation knows; `augmentText` may be limited to some of them. */
export type AugmentOp = "background" | "dialect" | "fillers" | "ending" | "greeting" | "typos" | "punctuation";

/** Applied in this order, each with its own probability. */
const STEPS: readonly { op: AugmentOp; p: number; apply: (text: string, label: DisputeType, random: () => number) => string }[] = [
  { op: "background", p: 0.35, apply: (t, _, r) => withBackground(t, r) },
  { op: "dialect", p: 0.15, apply: (t, _, r) => speakDialect(t, r) },
  { op: "fillers", p: 0.15, apply: (t, _, r) => addFillers(t, r) },
  {
    op: "ending",
    p: 0.45,
    apply: (t, label, r) => withEnding(t, pick(label === "not_dispute" || r() < 0.6 ? NEUTRAL_ENDINGS : DISPUTE_ENDINGS, r), r),
  },
  { op: "greeting", p: 0.4, apply: (t, _, r) => withGreeting(t, r) },
  { op: "typos", p: 0.3, apply: (t, _, r) => typos(t, r) },
  { op: "punctuation", p: 0.3, apply: (t, _, r) => (r() < 0.6 ? dropPunctuation(t, r) : addPunctuation(t, r)) },
];

/**
 * One augmented version of a text: each way of writing (all, or those in `ops`) is applied with its own
 * probability, and at least one changes the text (after 20 tries the text is returned as it is).
 * Endings that imply another party go on dispute labels alone.
 */
export function augmentText(text: string, label: DisputeType, random: () => number, ops?: readonly AugmentOp[]): string {
  for (let attempt = 0; attempt <= 20; attempt++) {
    let out = text;
    for (const step of STEPS) {
      if (random() < step.p && (!ops || ops.includes(step.op))) out = step.apply(out, label, random);
    }
    if (out !== text) return out;
  }
  return text;
}

/**
 * The corpus with `copies` augmented versions of every example after the originals. `source[i]` is the
 * index of the original example row i was made from, so cross-validation keeps a text and its versions
 * in one fold.
 */
export function augmentExamples(
  examples: readonly Example[],
  options: { copies: number; seed: number; ops?: readonly AugmentOp[] },
): { examples: Example[]; source: number[] } {
  const random = seededRandom(options.seed);
  const out: Example[] = [...examples];
  const source = examples.map((_, i) => i);
  for (let copy = 0; copy < options.copies; copy++) {
    examples.forEach((ex, i) => {
      out.push({ text: augmentText(ex.text, ex.label, random, options.ops), label: ex.label });
      source.push(i);
    });
  }
  return { examples: out, source };
}

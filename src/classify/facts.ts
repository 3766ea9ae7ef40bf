// Facts the local classifier reads out of a story, so the intake need not ask for them: the other side,
// the place, since when, the sum, and for a crew how many claimants and who. Rules, not a model: each
// is shown back to the resident ("我理解的是…") and can be corrected, so they aim for precision.
import { parseAmountYuan, parseChineseNumber } from "./amount.js";

export interface LocalFacts {
  parties?: string[];
  place?: string;
  since?: string;
  amountYuan?: number;
  claimantCount?: number;
  claimantNames?: string[];
}

/** The other side as residents name them; longer names first so "物业公司" wins over "公司". */
const PARTY_WORDS = [
  "包工头", "二房东", "房东", "租客", "租户", "物业公司", "物业", "开发商", "装修公司", "施工队", "快递公司", "物流公司",
  "保险公司", "培训机构", "健身房", "美容院", "4S店", "网店", "商家", "店家", "卖家", "平台", "医院", "卫生院", "诊所",
  "幼儿园", "学校", "村委会", "居委会", "村委", "银行", "老板娘", "老板", "工头", "公司", "厂里", "单位", "邻居", "楼上",
  "楼下", "对门", "隔壁", "前夫", "前妻", "老公", "老婆", "丈夫", "妻子", "婆婆", "公公", "岳父", "岳母", "继父", "继母",
  "合伙人", "股东", "司机", "对方",
].sort((a, b) => b.length - a.length);
const PARTY = new RegExp(
  // A role, optionally with the name that follows it ("老板王某", "包工头老李", "房东张阿姨").
  `(${PARTY_WORDS.join("|")})(?:(?<=楼上|楼下|隔壁|对门)(?:邻居|那家|那户|家))?((?:[\\u4e00-\\u9fa5]某+)|(?:[老小][\\u4e00-\\u9fa5](?![\\u4e00-\\u9fa5]某))|(?:[\\u4e00-\\u9fa5](?:总|经理|师傅|阿姨|大爷|老板)))?`,
  "u",
);
/** A person named on their own: "张某某", "老王", "李师傅", "王老板". */
const NAMED = /(?<![\u4e00-\u9fa5])(?:[\u4e00-\u9fa5]某某?|[老小][\u4e00-\u9fa5](?=[\u4e00-\u9fa5]{0,2}(?:欠|不|说|打|把|让|跟|借|拖|骂))|[\u4e00-\u9fa5](?:师傅|老板|经理|总))(?![\u4e00-\u9fa5]某)/u;
const PARTY_EN = /\b(?:my |the |our )(boss|employer|company|landlord|landlady|tenant|neighbou?r|property (?:management|company)|developer|husband|wife|ex-husband|ex-wife|hospital|clinic|doctor|school|shop|seller|platform|driver|partner|contractor)\b/i;

const PLACE_SUFFIX = "村|社区|小区|花园|家园|公寓|镇|乡|街道|工地|工业园|开发区|市场|商场|广场";
/** 2–6 characters ending in a place word, after a word that introduces a place. */
const PLACE = new RegExp(`(?:住在|位于|在|住|到|去|从|是)([\\u4e00-\\u9fa5A-Za-z0-9]{1,6}?(?:${PLACE_SUFFIX}))`, "u");
const PLACE_STOP = /^(?:我们|咱们|我|咱|他们|他|她|这个|那个|一个|一家|老家|本|同一个|同个|这|那)/u;

const CN_NUM = "[一二两三四五六七八九十百几\\d]+";
const SINCE = new RegExp(
  [
    `\\d{4}\\s*年(?:\\s*\\d{1,2}\\s*月(?:份)?(?:\\s*\\d{1,2}\\s*[日号])?)?`,
    `(?:去年|今年|前年|上个?月|这个月|本月)(?:${CN_NUM}月(?:份)?)?(?:${CN_NUM}[日号])?(?:底|初|中旬)?`,
    `${CN_NUM}\\s*(?:个)?\\s*(?:月|年|天|周|星期)(?:多)?(?:前|以前|之前)`,
    `(?:已经|都|快)${CN_NUM}\\s*(?:个)?\\s*(?:月|年|天|星期)(?:多)?了`,
    `(?:上周|上星期|上礼拜|前几天|前天|昨天|今天|年前|春节前|过年前|年后)`,
  ].join("|"),
  "u",
);
const SINCE_EN = /\b(?:last (?:week|month|year)|yesterday|\d+ (?:days|weeks|months|years) ago|since (?:january|february|march|april|may|june|july|august|september|october|november|december|\d{4}))\b/i;

const PEOPLE = "人|工友|工人|农民工|民工|师傅|兄弟|老乡|员工|名工人";
const COUNTED = new RegExp(`(?:我们|咱们|一共|总共|共|有)[^，。,.]{0,6}?(\\d+|[一二两三四五六七八九十百几]+)\\s*(?:多|来|余)?\\s*(?:个|名|位)?\\s*(?:${PEOPLE})`, "u");
/** An answer to "how many?": a number first ("12人", "一共二十多个"), then perhaps names. */
const ANSWER_COUNT = new RegExp(
  `^(?:一共|总共|共|有)?\\s*(\\d+|[一二两三四五六七八九十百几]+)\\s*(?:多|来|余)?\\s*(?:个|名|位)?\\s*(?:${PEOPLE})?(?=$|[，,、。；;:：\\s])`,
  "u",
);
/** Common surnames: a 2–3 character token starting with one is read as a name in a list of claimants. */
const SURNAMES =
  "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";

function firstParty(text: string): string | undefined {
  const role = text.match(PARTY);
  const named = text.match(NAMED);
  if (role && (!named || (role.index ?? 0) <= (named.index ?? 0))) return role[0];
  if (named) return named[0];
  const en = text.match(PARTY_EN);
  return en ? en[0].replace(/^(?:my|the|our) /i, "") : undefined;
}

function place(text: string): string | undefined {
  const m = text.match(PLACE);
  if (!m) return undefined;
  const p = m[1]!.replace(PLACE_STOP, "");
  return p.length >= 2 && !new RegExp(`^(?:${PLACE_SUFFIX})$`, "u").test(p) ? p : undefined;
}

function toCount(raw: string): number | undefined {
  const n = /^\d/.test(raw) ? Number(raw) : parseChineseNumber(raw);
  return n !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Names in a list such as "张三、李四、王五": tokens of 2–3 characters that start with a surname. */
export function claimantNames(text: string): string[] {
  const names = new Set<string>();
  for (const token of text.split(/[、，,；;\s和及还有]+/u)) {
    const t = token.replace(/^(?:我|有|是|叫|名字|名单)[:：]?/u, "").trim();
    if (/^[\u4e00-\u9fa5]{2,3}$/u.test(t) && SURNAMES.includes(t[0]!) && !/[人个们工友师傅某]$/u.test(t)) names.add(t);
  }
  return [...names];
}

/** How many claimants and who, from an answer such as "12人，张三、李四" or a story's "我们一共十几个人". */
export function countClaimants(text: string, asAnswer = false): { count?: number; names: string[] } {
  const m = text.match(COUNTED) ?? (asAnswer ? text.match(ANSWER_COUNT) : null);
  const names = claimantNames(text);
  const count = m ? toCount(m[1]!) : undefined;
  return { count: count ?? (asAnswer && names.length ? names.length : undefined), names };
}

export function extractFacts(text: string): LocalFacts {
  const facts: LocalFacts = {};
  const party = firstParty(text);
  if (party) facts.parties = [party];
  const where = place(text);
  if (where) facts.place = where;
  const since = text.match(SINCE)?.[0] ?? text.match(SINCE_EN)?.[0];
  if (since) facts.since = since.replace(/\s+/g, "");
  const amount = parseAmountYuan(text);
  if (amount !== undefined) facts.amountYuan = amount;
  const crew = countClaimants(text);
  if (crew.count && crew.count > 1) {
    facts.claimantCount = crew.count;
    if (crew.names.length) facts.claimantNames = crew.names;
  }
  return facts;
}

// Rule-based risk flags (涉稳风险). They are the safety net under any classifier: a flagged case skips
// the queue and pages a human, so the rules lean towards recall, while the unit tests pin down the
// everyday phrases that must NOT trip them ("打官司", "打工", "楼上漏水", "大数据杀熟").
import type { RiskFlag } from "../cases/types.js";
import { parseAmountYuan, parseChineseNumber } from "./amount.js";

export { parseAmountYuan } from "./amount.js";

/** Sums at or above this (yuan) raise `large_sum`. */
export const LARGE_SUM_YUAN = 100_000;
/** This many claimants or households make a group claim. */
const GROUP_MIN = 5;

const PEOPLE =
  "人(?!民币)|工友|工人|农民工|民工|村民|户|业主|员工|职工|同事|兄弟|老乡|师傅|租户|住户|学员|家长|老人|客户|投资人|债权人|买家|会员";
// "十几个工友", "30多名工人", "二十来户", "上百人".
const COUNTED_PEOPLE = new RegExp(
  String.raw`(\d+|[一二两三四五六七八九十百千几]+)\s*(?:多|来|余)?\s*(?:个|名|位|号)?\s*(?:${PEOPLE})`,
  "g",
);
const GROUP_WORDS = new RegExp(
  [
    String.raw`(?:上百|上千|数十|数百|好几十|好几百|成百上千|几十|十几)(?:个|名|位)?(?:${PEOPLE})`,
    String.raw`(?:工友|村民|业主|老乡|兄弟|员工|工人|家长|租户|住户)们`,
    // "全村都知道" is gossip, not a claim.
    String.raw`(?:全村|整个村|整村)(?!人?都(?:知道|在传|晓得|听说|看到)|人的面)`,
    String.raw`全组|全体(?:业主|村民|员工|职工|工人|住户)|全厂|整栋楼|整个(?:工地|班组|车间|厂|小区)`,
    String.raw`(?:我们|咱们|咱)(?:村|组|小区|楼|厂|工地).{0,6}(?:十几|几十|好多|很多|一半|大半|大部分|所有|\d{2,})(?:个|名)?(?:户|家|人)`,
    // "很多人说…" is a manner of speaking, not a count of claimants.
    String.raw`(?<![很好许太那这])多(?:人|名|户|位)`,
    String.raw`一(?:群|帮|大帮|大群)(?:工友|工人|农民工|村民|业主|老乡|家长)`,
    String.raw`集体(?:上访|讨薪|维权|起诉|投诉|停工|罢工)|联名|联合起来|组团(?:维权|投诉)|拉横幅|围堵`,
  ].join("|"),
);

const WAGE_ARREARS = new RegExp(
  [
    String.raw`欠薪|讨薪|讨工钱|要工钱|工钱|血汗钱|辛苦钱|农民工工资`,
    String.raw`(?:欠|拖欠|克扣|扣)(?:着|了)?.{0,14}(?:工资|薪水|薪资|工钱)`,
    String.raw`(?:工资|薪水|薪资)\S{0,10}(?:不给|没给|没发|不发|拖着|欠着|拿不到|要不到|结不了|没结|不结)`,
  ].join("|"),
);

const VIOLENCE = new RegExp(
  [
    String.raw`砍(?:死|人|他|她|你|伤)|要砍|拿刀|带刀|持刀|动刀|菜刀|刀子|捅(?:死|了|他|人|伤)`,
    String.raw`弄死|整死|搞死|打死(?!也不|都不|我也不)|杀(?:了|死|人|他|你|全家)|血债|同归于尽|鱼死网破|跟.{0,3}拼(?:了|命)`,
    String.raw`(?:打|揍|踢|殴打)(?:了)?(?:我|人|伤|残|他|她|得)(?![^，。！？,.!?\s]{0,5}(?:电话|手机|官司))`,
    String.raw`被(?![子褥窝单])[^，。！？,.!?\s]{0,4}(?:打|揍|殴打|踢)(?!击|折|卡|扰|款|开|算|听|印|包|量|[^，。！？,.!?\s]{0,5}(?:电话|官司))|殴打|动手(?!术)|打架|斗殴|围殴|群殴|揍了`,
    // "砸门" is banging on a door (a nuisance); smashing a home, car or shop, or a door broken in, is violence.
    String.raw`放火|烧了(?:他|她|你)|浇汽油|炸(?:了|死)?(?:他|她|你)|炸药|报复(?:他|她|你|社会)|泼硫酸|砸(?:了|烂)?(?:他|她|你)?(?:家|车|店)|砸(?:烂|坏|破)(?:了)?(?:他|她|你|我)?(?:家)?(?:的)?门|门(?:被)?砸(?:烂|坏|破)`,
  ].join("|"),
);

const SELF_HARM = new RegExp(
  [
    String.raw`跳楼|跳河|跳江|跳湖|跳桥|跳海|从.{0,6}跳下去|上吊|割腕|卧轨|自杀|自尽|轻生|寻死`,
    String.raw`喝农药|喝敌敌畏|喝百草枯|喝药自|服毒|吞药|吃安眠药|吃了.{0,4}安眠药`,
    String.raw`不想活|活不下去|不活了|没法活|活着没意思|一死了之|死给.{0,4}看|了结自己|结束(?:自己的)?生命|死了算了|去死算了`,
  ].join("|"),
);

/** People counted where they live ("群租房十几个人", "一间屋住了八个人") are neighbours, not claimants. */
const DWELLING = /群租|合租|出租屋|宿舍|一间(?:屋|房|小屋)|挤(?:在|着|了)/u;

function dwellingNear(text: string, index: number, length: number): boolean {
  const before = text.slice(Math.max(0, index - 8), index);
  const after = text.slice(index + length, index + length + 4);
  return DWELLING.test(before) || DWELLING.test(after) || /住(?:了|着)$/u.test(before);
}

const GROUP_WORDS_ALL = new RegExp(GROUP_WORDS.source, "g");

function hasGroupWords(text: string): boolean {
  for (const m of text.matchAll(GROUP_WORDS_ALL)) {
    if (!dwellingNear(text, m.index ?? 0, m[0].length)) return true;
  }
  return false;
}

function hasCountedGroup(text: string): boolean {
  for (const m of text.matchAll(COUNTED_PEOPLE)) {
    const raw = m[1]!;
    const n = /^\d/.test(raw) ? Number(raw) : parseChineseNumber(raw);
    // "我们家户口上有五个人" counts a family, not claimants.
    const before = text.slice(Math.max(0, (m.index ?? 0) - 6), m.index);
    if (n !== undefined && n >= GROUP_MIN && !/家[^，。,.]{0,5}$/.test(before) && !dwellingNear(text, m.index ?? 0, m[0].length)) return true;
  }
  return false;
}

/** Flags a counted group of claimants raises: five or more, and for labour a group wage claim. */
export function groupFlags(type: string, claimants: number): RiskFlag[] {
  if (claimants < GROUP_MIN) return [];
  return type === "labor" ? ["group_claim", "wage_arrears_group"] : ["group_claim"];
}

/** The flags that mean someone may be in danger now: a person is paged whatever the intake does. */
export const DANGER_FLAGS: readonly RiskFlag[] = ["self_harm", "violence"];

/** Risk flags the rules find in a resident's text; `facts.amountYuan` overrides the parsed sum. */
export function detectRiskFlags(text: string, facts: { amountYuan?: number } = {}): RiskFlag[] {
  const flags: RiskFlag[] = [];
  const group = hasGroupWords(text) || hasCountedGroup(text);
  if (group) flags.push("group_claim");
  if (group && WAGE_ARREARS.test(text)) flags.push("wage_arrears_group");
  if (VIOLENCE.test(text)) flags.push("violence");
  if (SELF_HARM.test(text)) flags.push("self_harm");
  const amount = facts.amountYuan ?? parseAmountYuan(text);
  if (amount !== undefined && amount >= LARGE_SUM_YUAN) flags.push("large_sum");
  return flags;
}

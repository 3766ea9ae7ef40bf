// Plain words understood at any step. Residents do not type commands: they write "在吗", "查一下进度",
// "转人工", "算了不弄了". These are decided here, in one place, before any flow step reads the text as an
// answer. A story is never an intent: the rules look at short messages only (a strong status phrase is
// the exception, since "我上周登记的那个案子现在到哪一步了" runs long).
import { CASE_CODE_PATTERN } from "../cases/types.js";
import type { Locale } from "../i18n/index.js";

export type Intent =
  | { kind: "case_code"; code: string }
  | { kind: "greeting" }
  | { kind: "thanks" }
  | { kind: "ack" }
  | { kind: "handoff" }
  | { kind: "cancel" }
  | { kind: "back" }
  | { kind: "help" }
  | { kind: "language"; locale?: Locale }
  | { kind: "status" }
  | { kind: "booking" }
  | { kind: "documents" }
  /** 不要电子送达: documents on paper from now on (consent to e-service withdrawn). */
  | { kind: "paper_service" }
  | { kind: "withdraw" }
  | { kind: "new" };

/** Longest message read for an intent (characters, after dropping punctuation and spaces). */
const SHORT = 40;
/** Cancel and back words only count in a reply this short: "对方说算了不赔了" is an answer. */
const VERY_SHORT = 16;

/** Punctuation, symbols, emoji and spaces: not words. */
const NOISE = /[\s\p{P}\p{S}\p{Extended_Pictographic}~～]+/gu;
/** Politeness and fillers around the words that matter. */
const FILLER =
  /^(?:你好|您好|哈喽|嗨|请问一下|请问|麻烦问一下|麻烦问下|麻烦你|麻烦|打扰了|打扰一下|我想问一下|我想问下|想问一下|问一下|问下|那个|就是|嗯|喂|亲|同志|老师)+|(?:好吗|可以吗|行吗|谢谢你|谢谢|多谢|呢|啊|呀|吧|哦|哈|嘛|么)+$/gu;

const CODE_LOOSE = /([A-Za-z]{2,6})\s*[-－—_ ]\s*(\d{8})\s*[-－—_ ]\s*(\d{4,})/;

const GREETING_ONLY =
  /^(?:你好|您好|你们好|大家好|哈喽|嗨|在吗|在不在|在么|在嘛|有人吗|有人在吗|有没有人|有人没|早|早上好|上午好|中午好|下午好|晚上好|喂|请问|打扰了|啊|呀|哈)+$/u;
const GREETING_EN = /^(?:(?:hi|hello|hey|hallo|good (?:morning|afternoon|evening)|anyone there|is anyone there|are you there)\s*)+$/;
const THANKS_ONLY = /^(?:谢谢|多谢|感谢|谢了|谢谢你们?|非常感谢|万分感谢|辛苦了|麻烦了)+(?:啦|了|哈|呀|啊)*$/u;
const THANKS_EN = /^(?:(?:thanks|thank you|thank you very much|thx|ty|many thanks)\s*)+$/;
const ACK_ONLY = /^(?:好的?|好滴|好哒|嗯+|哦+|噢|行|知道了|明白了?|收到|懂了|了解|没事了?|没问题)+(?:啦|了|哈|呀|啊)*$/u;
const ACK_EN = /^(?:ok|okay|okk|got it|i see|understood|fine|alright)$/;

const HANDOFF =
  /转人工|找人工|要人工|人工(?:客服|服务|接待|坐席)|^人工$|真人|活人|找(?:个|一下)?(?:工作人员|调解员|客服|领导|负责人|真人)|(?:跟|和|同)(?:工作人员|真人|调解员|客服)(?:说|聊|谈|讲)|(?:打|回)(?:个)?电话给我|给我(?:打|回)(?:个)?电话|你们打给我|能不能打电话|机器人.{0,4}(?:听不懂|没用|不行)/u;
const HANDOFF_EN = /\b(?:human|real person|an? (?:person|agent|operator)|someone real|talk to (?:someone|a person|staff|a human)|speak (?:to|with) (?:someone|a person|staff|a human)|call me)\b/;
const CANCEL =
  /^(?:算了|不弄了|不办了|不搞了|不填了|不说了|不想(?:登记|弄|办|说|填|搞|调解|管)了?|我?不想登记了?|不登记了|我?不要了|不需要了|放弃|取消(?:登记)?|别弄了|撤销登记|不用登记了|退出)/u;
const CANCEL_EN = /^(?:cancel|quit|stop|forget it|never ?mind|i don ?t want to (?:register|continue|do this))\b/;
const BACK = /^(?:上一步|返回上一步|返回|回去|退回|后退|回到上一步|说错了|填错了|写错了|弄错了)$/u;
const BACK_EN = /^(?:back|go back|previous|undo)$/;
const HELP = /^(?:帮助|怎么用|怎么弄|怎么操作|菜单|功能|你能做什么|你们能做什么|能做什么|你是谁|这是什么|这是哪里)$/u;
const HELP_EN = /^(?:help|menu|what can you do|who are you)$/;
const LANGUAGE = /^(?:英文|英语|说英文|用英文|中文|说中文|用中文|汉语|语言|切换语言|中en)$/u;
const LANGUAGE_EN = /^(?:english|english please|in english|chinese|in chinese|language)$/;

/** A status question: a case word and a status phrase count at any length, the rest only in a short message. */
const STATUS_STRONG =
  /(?:案子|案件|登记|申请|调解).{0,12}(?:进度|进展|怎么样了|到哪(?:一步|步|了|里了)|处理(?:得)?(?:怎么样|到哪|了没|了吗|好了没)|有(?:没有)?(?:结果|消息|回音|人联系)了?(?:吗|没)|受理了(?:吗|没)|什么时候(?:处理|解决|有结果|联系))/u;
const STATUS_SHORT =
  /进度|进展|怎么样了|到哪(?:一步|步)了|有(?:没有)?(?:结果|消息|回音|回复)了?(?:吗|没)|什么时候(?:处理|解决|有结果|联系我|回复)|受理了(?:吗|没)|状态|我的(?:案件|案子)|^查询$|^查一下$/u;
const STATUS_EN = /\b(?:status|progress|my case|any (?:update|news)|what happened (?:to|with) my)\b/;
const BOOKING =
  /预约|视频调解|视频(?:连线|通话|会议|见面)|(?:能|可以|能不能|可不可以)(?:用|通过|在)?视频|视频(?:吗|行吗|可以吗)|约(?:个)?时间|远程调解|线上调解|网上调解|在线调解|什么时候(?:能)?调解/u;
const BOOKING_EN = /\b(?:video (?:mediation|call|meeting)|book(?:ing)? (?:a|an|the) (?:session|time|meeting|mediation)|appointment|schedule a)\b/;
const PAPER = /(?:要|寄|给我|发)纸质|纸质(?:的|版|文书|送达)|不要电子送达|不同意电子送达|撤回电子送达|别发到这里|不要发到这里/u;
const PAPER_EN = /\b(?:paper (?:copy|copies|documents?|service)|by post|no e-?service)\b/;
const DOCUMENTS = /通知书|文书|受理(?:通知|回执|单|证明)|协议书|回执|送达/u;
const DOCUMENTS_EN = /\b(?:documents?|notices?|certificates?|receipts?|paperwork)\b/;
const WITHDRAW = /撤回|撤诉|撤销(?:案件|申请)|不想调解了|不调解了/u;
const WITHDRAW_EN = /\bwithdraw\b/;
const NEW =
  /^(?:新的纠纷|新纠纷|登记|我要登记|登记纠纷|登记一下|我要(?:投诉|反映|调解|申请调解|反映问题|举报)|申请调解|想申请调解|我想调解|我要求助|求助)$/u;
const NEW_EN = /^(?:new|new case|report|register|report a dispute|i want to report)$/;

export function compact(text: string): string {
  return text.normalize("NFKC").replace(NOISE, "").toLowerCase();
}

/** Lower-case words separated by single spaces: what the English patterns read. */
function words(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/['’]/g, " ").replace(NOISE, " ").trim();
}

/** A case code anywhere in a message, in any case or spacing ("od 20261123 0007" → "OD-20261123-0007"). */
export function findCaseCode(text: string): string | undefined {
  const strict = text.toUpperCase().match(CASE_CODE_PATTERN)?.[0];
  if (strict) return strict;
  const m = text.normalize("NFKC").match(CODE_LOOSE);
  return m ? `${m[1]!.toUpperCase()}-${m[2]}-${m[3]}` : undefined;
}

/** The intent of a message, or null when it is not one (a story, an answer to the open question). */
export function recognise(text: string): Intent | null {
  const c = compact(text);
  if (c === "") return null;
  const w = words(text);
  const code = findCaseCode(text);
  if (code && c.length <= 60) return { kind: "case_code", code };
  if (GREETING_ONLY.test(c) || GREETING_EN.test(w)) return { kind: "greeting" };
  if (THANKS_ONLY.test(c) || THANKS_EN.test(w)) return { kind: "thanks" };
  if (ACK_ONLY.test(c) || ACK_EN.test(w)) return { kind: "ack" };

  const core = c.replace(FILLER, "") || c;
  const short = c.length <= SHORT;
  if (short && (HANDOFF.test(core) || HANDOFF_EN.test(w))) return { kind: "handoff" };
  if (core.length <= VERY_SHORT && CANCEL.test(core)) return { kind: "cancel" };
  if (c.length <= VERY_SHORT * 2 && CANCEL_EN.test(w)) return { kind: "cancel" };
  if (BACK.test(core) || BACK_EN.test(w)) return { kind: "back" };
  if (LANGUAGE.test(core) || LANGUAGE_EN.test(w)) {
    const en = /英文|英语|english/.test(core);
    const zh = /中文|汉语|chinese/.test(core);
    return en !== zh ? { kind: "language", locale: en ? "en" : "zh-CN" } : { kind: "language" };
  }
  if (HELP.test(core) || HELP_EN.test(w)) return { kind: "help" };
  if (NEW.test(core) || NEW_EN.test(w)) return { kind: "new" };
  if (c.length <= 120 && STATUS_STRONG.test(c)) return { kind: "status" };
  if (!short) return null;
  if (WITHDRAW.test(core) || WITHDRAW_EN.test(w)) return { kind: "withdraw" };
  if (STATUS_SHORT.test(core) || STATUS_EN.test(w)) return { kind: "status" };
  if (BOOKING.test(core) || BOOKING_EN.test(w)) return { kind: "booking" };
  if (PAPER.test(core) || PAPER_EN.test(w)) return { kind: "paper_service" };
  if (DOCUMENTS.test(core) || DOCUMENTS_EN.test(w)) return { kind: "documents" };
  return null;
}

const YES = /^(?:是|是的|对|对的|对啊|没错|嗯|嗯嗯|好|好的|可以|行|同意|确认|正确|yes|y|yeah|yep|ok|okay|sure|right|correct|agree)$/iu;
const NO = /^(?:不是|不对|否|不|没有|不同意|不行|错了|不正确|no|n|nope|wrong|disagree)$/iu;

/** A typed yes or no (for questions asked with buttons), or undefined. */
export function yesNo(text: string): boolean | undefined {
  const c = compact(text).replace(/[啊呀的啦]+$/u, "");
  if (YES.test(c)) return true;
  if (NO.test(c)) return false;
  return undefined;
}

/** Mostly Latin letters, a few words: the resident writes English. */
export function looksEnglish(text: string): boolean {
  const latin = (text.match(/[A-Za-z]/g) ?? []).length;
  const han = (text.match(/\p{Script=Han}/gu) ?? []).length;
  return latin >= 8 && latin > han * 4 && /[A-Za-z]+\s+[A-Za-z]+/.test(text);
}

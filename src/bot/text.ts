/** What the resident typed, cleaned for storage: no control characters, no surrounding blanks. */
export function cleanText(raw: string | undefined): string {
  if (!raw) return "";
  // Keep newlines and tabs; drop other control and zero-width characters a cheap keyboard may insert.
  return raw
    .normalize("NFC")
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u200B-\u200D\uFEFF]/g, "")
    .trim();
}

/** Text with no letter or digit in it (emoji, punctuation, stickers as text) says nothing we can route. */
export function hasWords(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}

/** Enough to be a story: four Chinese characters, or three words. "嗯", "好的" and "???" are not. */
export function hasStory(text: string): boolean {
  const han = (text.match(/\p{Script=Han}/gu) ?? []).length;
  const latinWords = (text.match(/[A-Za-z]{2,}/g) ?? []).length;
  return han >= 4 || latinWords >= 3 || han + latinWords >= 4;
}

/** Normalise a mainland mobile number, or undefined if it is not one. */
export function parseMobile(text: string): string | undefined {
  const digits = text.replace(/[\s\-()（）]/g, "").replace(/^(\+?86)/, "");
  return /^1[3-9]\d{9}$/.test(digits) ? digits : undefined;
}

/** A mobile (11 digits, 1[3-9]…) or a landline with its area code (0xx-xxxxxxx[x]), normalised. */
export function parsePhone(text: string): string | undefined {
  const mobile = parseMobile(text);
  if (mobile) return mobile;
  const compact = text.replace(/[\s()（）]/g, "").replace(/^\+?86-?/, "");
  const land = compact.match(/^(0\d{2,3})-?(\d{7,8})(?:-\d{1,5})?$/);
  return land ? `${land[1]}-${land[2]}` : undefined;
}

const PHONE_LIKE = /(?:\+?86[-\s]?)?(?:\d[\d\s-]{5,16}\d)/;
const NAME_NOISE =
  /^(?:我叫|我是|叫我|姓名|名字|称呼|联系人|本人|my name is|i am|i'm|name)[:：\s]*|(?:的?(?:电话|手机|手机号|联系方式|号码)(?:是|为)?|phone|tel|mobile)[:：\s]*$/giu;

/**
 * A name and a phone number from one message: "王师傅 13800001234", "我叫李娟，电话0371-12345678".
 * `badPhone` when something that looks like a number is not a valid one (a digit missing).
 */
export function parseContact(text: string): { name?: string; phone?: string; badPhone?: boolean } {
  const normal = text.normalize("NFKC");
  const m = normal.match(PHONE_LIKE);
  let phone: string | undefined;
  let rest = normal;
  if (m) {
    phone = parsePhone(m[0]);
    rest = normal.replace(m[0], " ");
  }
  const name = rest
    .replace(/(?:电话|手机|手机号|联系方式|号码|phone|tel|mobile)(?:是|为)?[:：]?/giu, " ")
    .replace(NAME_NOISE, "")
    .replace(/[，,。.;；:：!！?？\s]+/gu, " ")
    .trim()
    .slice(0, 40);
  return {
    ...(name && /[\p{L}]/u.test(name) ? { name } : {}),
    ...(phone ? { phone } : {}),
    ...(m && !phone && m[0].replace(/\D/g, "").length >= 6 ? { badPhone: true } : {}),
  };
}

export function parsePlainNumber(text: string): number | undefined {
  const m = text.replace(/[,，\s]/g, "").match(/^(\d+(?:\.\d+)?)(元|块|rmb|yuan)?$/i);
  return m ? Number(m[1]) : undefined;
}

/** Longest text kept from one message; anything longer is cut here and the resident is told. */
export const MAX_TEXT_CHARS = 50_000;
/** A description longer than this is summarised in the summary view. */
export const PREVIEW_CHARS = 120;

export function preview(text: string, max = PREVIEW_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

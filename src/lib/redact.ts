/**
 * Personal numbers never reach the logs: mainland ID card numbers (18 characters, last may be X) and
 * mobile numbers (11 digits starting 13–19), also with +86 or separators, and landlines with their area code. Applied to every string a log
 * line carries, not just to known keys, because residents type these anywhere in their text.
 */
const ID_CARD = /(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])/g;
const MOBILE = /(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)/g;
/** Landlines with their area code, as residents leave them for a call back: 0371-66123456, (010) 12345678. */
const LANDLINE = /(?<![\d-])(?:\(0\d{2,3}\)\s?|0\d{2,3}[-\s])\d{7,8}(?![\d-])/g;

export function redactText(text: string): string {
  return text.replace(ID_CARD, "[ID]").replace(MOBILE, "[PHONE]").replace(LANDLINE, "[PHONE]");
}

export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactText(value);
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    return { type: value.name, message: redactText(value.message), stack: value.stack && redactText(value.stack) };
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, depth + 1);
  return out;
}

/** A phone number as shown back to its owner: "139****5678". */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, "");
  if (digits.length < 7) return "****";
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}

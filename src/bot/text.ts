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

/** Normalise a mainland mobile number, or undefined if it is not one. */
export function parseMobile(text: string): string | undefined {
  const digits = text.replace(/[\s\-()（）]/g, "").replace(/^(\+?86)/, "");
  return /^1[3-9]\d{9}$/.test(digits) ? digits : undefined;
}

/** Longest text kept from one message; anything longer is cut here and the resident is told. */
export const MAX_TEXT_CHARS = 50_000;
/** A description longer than this is summarised in the summary view. */
export const PREVIEW_CHARS = 120;

export function preview(text: string, max = PREVIEW_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

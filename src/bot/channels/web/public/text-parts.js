// The bot's text cut into what the page shows differently: phone numbers (tappable tel: links) and case
// codes (never broken across lines). A plain module with no DOM, so its rules are tested on their own
// (test/web-chat.test.ts).

/** Emergency and public-service hotlines: police, fire, ambulance, traffic police, legal aid, mental health, government, labour. */
const HOTLINES = new Set(["110", "119", "120", "122", "12348", "12356", "12345", "12333"]);
const MOBILE = /^1[3-9]\d{9}$/;
const LANDLINE = /^0\d{2,3}-\d{7,8}$/;
const CASE_CODE = /^[A-Z]{2,6}-\d{8}-\d{4,}$/;
// A short hotline is a number to call only where the text says to call it ("拨打 110", "热线 12356",
// "call 110"): "欠我120元" or "People: 120" must never dial an ambulance on a tap.
const CALL_BEFORE = /(?:拨打|拨|打|电话|热线|报警|急救|火警|call|dial|phone|hotline|line|ring)[^\n]{0,16}$/i;
const CALL_AFTER = /^[^\n]{0,8}(?:热线|hotline)/i;
const UNIT_AFTER = /^\s*(?:元|块|万|千|百|亿|米|平|人|名|个|次|天|日|月|年|号|岁|斤|克|吨|分|秒|小时|%|％|度|栋|楼|室|层|户|亩|yuan|rmb|people|days?|months?|years?)/i;

/**
 * The text cut into pieces: `{ text }`, `{ text, tel }` or `{ text, code: true }`; joined, they are the
 * text again. A number counts only as a whole token: a run of letters, digits and hyphens is read as
 * one, so digits inside a case code (OD-20261123-0007), a longer number or a word are never taken for
 * a phone number.
 */
export function textParts(text) {
  const parts = [];
  const pieces = String(text).split(/([A-Za-z0-9-]+)/);
  let plain = "";
  let before = "";
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i];
    const special = i % 2 === 1 ? kindOf(piece, before.slice(-24), () => pieces.slice(i + 1, i + 6).join("")) : null;
    if (special) {
      if (plain) parts.push({ text: plain });
      parts.push(special === "tel" ? { text: piece, tel: piece } : { text: piece, code: true });
      plain = "";
    } else {
      plain += piece;
    }
    before += piece;
  }
  if (plain) parts.push({ text: plain });
  return parts;
}

function kindOf(token, before, after) {
  if (CASE_CODE.test(token)) return "code";
  if (MOBILE.test(token) || LANDLINE.test(token)) return "tel";
  if (!HOTLINES.has(token)) return null;
  const next = after();
  if (UNIT_AFTER.test(next)) return null;
  return CALL_BEFORE.test(before) || CALL_AFTER.test(next) ? "tel" : null;
}

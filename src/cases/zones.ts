import type { Locale } from "../i18n/index.js";

/**
 * Time zones a party far from home is likely in, offered as buttons (the first is the centre's usual
 * zone), with the city names people type for them. Anything else is taken as a typed IANA name.
 */
export const COMMON_ZONES: readonly { zone: string; zh: string; en: string; aliases: readonly string[] }[] = [
  { zone: "Asia/Shanghai", zh: "北京时间", en: "Beijing time", aliases: ["北京", "上海", "中国", "国内", "beijing", "shanghai", "china"] },
  { zone: "America/New_York", zh: "纽约时间", en: "New York time", aliases: ["纽约", "美东", "波士顿", "华盛顿", "new york", "boston", "washington"] },
  { zone: "America/Los_Angeles", zh: "洛杉矶时间", en: "Los Angeles time", aliases: ["洛杉矶", "旧金山", "西雅图", "美西", "los angeles", "san francisco", "seattle"] },
  { zone: "Europe/London", zh: "伦敦时间", en: "London time", aliases: ["伦敦", "英国", "london", "uk"] },
  { zone: "Europe/Paris", zh: "巴黎/柏林时间", en: "Paris/Berlin time", aliases: ["巴黎", "柏林", "法国", "德国", "意大利", "西班牙", "罗马", "马德里", "paris", "berlin", "rome", "madrid"] },
  { zone: "Asia/Dubai", zh: "迪拜时间", en: "Dubai time", aliases: ["迪拜", "阿联酋", "dubai"] },
  { zone: "Asia/Singapore", zh: "新加坡/吉隆坡时间", en: "Singapore/Kuala Lumpur time", aliases: ["新加坡", "吉隆坡", "马来西亚", "singapore", "kuala lumpur", "malaysia"] },
  { zone: "Asia/Tokyo", zh: "东京/首尔时间", en: "Tokyo/Seoul time", aliases: ["东京", "日本", "首尔", "韩国", "大阪", "tokyo", "japan", "seoul", "korea", "osaka"] },
  { zone: "Australia/Sydney", zh: "悉尼时间", en: "Sydney time", aliases: ["悉尼", "墨尔本", "澳大利亚", "澳洲", "sydney", "melbourne", "australia"] },
];

/** Whether the runtime knows this IANA zone ("America/New_York"; "UTC" too). */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** What a person typed ("纽约", "new york", "America/New_York") as an IANA zone; null when not recognised. */
export function zoneFromText(text: string): string | null {
  const t = text.trim().replace(/[。.!！]+$/, "").replace(/(时间|时区|time)$/i, "").trim();
  if (!t) return null;
  const lower = t.toLowerCase();
  const known = COMMON_ZONES.find((z) => z.aliases.some((a) => lower === a || (a.length > 1 && /\p{Script=Han}/u.test(a) && t.includes(a))));
  if (known) return known.zone;
  if (isTimeZone(t)) {
    // The runtime's own spelling ("america/new_york" → "America/New_York").
    return new Intl.DateTimeFormat("en-US", { timeZone: t }).resolvedOptions().timeZone;
  }
  return null;
}

/** A zone as a person reads it: "纽约时间", or the IANA name for one we have no name for. */
export function zoneLabel(zone: string, locale: Locale): string {
  const known = COMMON_ZONES.find((z) => z.zone === zone);
  return known ? (locale === "en" ? known.en : known.zh) : zone;
}

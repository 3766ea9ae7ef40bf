import { COMMON_ZONES } from "../../../cases/zones.js";
import type { Locale } from "../../../i18n/index.js";
import { toLocal } from "../../../lib/time.js";
import { localDayOf } from "../../../scheduling/local-days.js";
import { tr } from "../../texts.js";

const ZH_WEEKDAYS = ["一", "二", "三", "四", "五", "六", "日"];
const EN_WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "北京时间" / "纽约当地时间" / "New York time": how a party's times are labelled, in their zone. */
export function zoneLabel(locale: Locale, zone: string, centreZone: string): string {
  if (zone === centreZone || zone === "Asia/Shanghai") return tr(locale, "booking.zone.centre");
  // The city names of the zones the consent step offers; any other zone reads by its IANA city.
  const known = COMMON_ZONES.find((z) => z.zone === zone);
  const city = known ? (locale === "en" ? known.en.replace(/ time$/, "") : known.zh.replace(/时间$/, "")) : zone.split("/").pop()!.replace(/_/g, " ");
  return tr(locale, "booking.zone.other", { city });
}

/** "11月28日 周六 09:00" / "Sat 28 Nov 09:00" in the party's zone. */
export function whenLabel(locale: Locale, zone: string, at: Date | number): string {
  const ms = typeof at === "number" ? at : at.getTime();
  const d = toLocal(zone, new Date(ms));
  const weekday = localDayOf(zone, ms).weekday;
  const hm = `${String(d.hour).padStart(2, "0")}:${String(d.minute).padStart(2, "0")}`;
  return locale === "en"
    ? `${EN_WEEKDAYS[weekday - 1]} ${d.day} ${EN_MONTHS[d.month - 1]} ${hm}`
    : `${d.month}月${d.day}日 周${ZH_WEEKDAYS[weekday - 1]} ${hm}`;
}

/** The time of day only, "19:00". */
export function timeLabel(zone: string, at: Date): string {
  const d = toLocal(zone, at);
  return `${String(d.hour).padStart(2, "0")}:${String(d.minute).padStart(2, "0")}`;
}

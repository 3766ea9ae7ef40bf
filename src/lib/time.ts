/**
 * Calendar arithmetic in a named time zone without a date library: the centre's day boundaries
 * (same-day deadlines, daily case-code sequence) depend on local dates, not UTC ones.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    // Building a DateTimeFormat costs far more than using one; a centre has one zone.
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Offset of `zone` from UTC at instant `at`, in minutes (Asia/Shanghai → 480). */
export function zoneOffsetMinutes(zone: string, at: Date): number {
  const parts = formatterFor(zone).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

export interface LocalDate {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
}

export function toLocal(zone: string, at: Date): LocalDate {
  const shifted = new Date(at.getTime() + zoneOffsetMinutes(zone, at) * 60_000);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
  };
}

/** "20261123" for the local calendar day of `at`. */
export function localDateStamp(zone: string, at: Date): string {
  const d = toLocal(zone, at);
  return `${d.year}${String(d.month).padStart(2, "0")}${String(d.day).padStart(2, "0")}`;
}

/** The last millisecond of the local day `addDays` after the local day of `at`, as a UTC instant. */
export function endOfLocalDay(zone: string, at: Date, addDays = 0): Date {
  const d = toLocal(zone, at);
  // Midnight starting the following day, in local wall-clock terms, then back to UTC.
  const wallNextMidnight = Date.UTC(d.year, d.month - 1, d.day + addDays + 1, 0, 0, 0);
  const offset = zoneOffsetMinutes(zone, new Date(wallNextMidnight));
  return new Date(wallNextMidnight - offset * 60_000 - 1);
}

const EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Render an instant for a person in the zone: "11月23日 17:00" / "23 Nov 17:00". */
export function formatLocal(at: Date, zone: string, locale: string): string {
  const d = toLocal(zone, at);
  const hm = `${String(d.hour).padStart(2, "0")}:${String(d.minute).padStart(2, "0")}`;
  return locale === "en" ? `${d.day} ${EN_MONTHS[d.month - 1]} ${hm}` : `${d.month}月${d.day}日 ${hm}`;
}

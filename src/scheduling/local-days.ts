import { zoneOffsetMinutes } from "../lib/time.js";

/**
 * Wall-clock days in a time zone, turned into instants fast: a slot search over 200 mediators asks
 * for thousands of local times, and Intl is slow, so offsets are cached per zone and quarter hour
 * (every zone's transitions fall on one).
 */

const QUARTER = 15 * 60_000;
const offsets = new Map<string, number>();

function offsetAt(zone: string, at: number): number {
  const key = `${zone}|${Math.floor(at / QUARTER)}`;
  let off = offsets.get(key);
  if (off === undefined) {
    if (offsets.size > 100_000) offsets.clear();
    off = zoneOffsetMinutes(zone, new Date(at));
    offsets.set(key, off);
  }
  return off;
}

export interface LocalDay {
  /** YYYY-MM-DD in the zone. */
  date: string;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
  year: number;
  month: number;
  day: number;
}

/** The instant of a wall-clock time (minutes after midnight) on a local day; in a DST gap, the time after it. */
export function localToUtc(zone: string, day: Pick<LocalDay, "year" | "month" | "day">, minutes: number): number {
  const wall = Date.UTC(day.year, day.month - 1, day.day) + minutes * 60_000;
  let t = wall - offsetAt(zone, wall) * 60_000;
  const second = offsetAt(zone, t);
  if (wall - second * 60_000 !== t) t = wall - second * 60_000;
  return t;
}

/** The local day an instant falls on. */
export function localDayOf(zone: string, at: number): LocalDay {
  const d = new Date(at + offsetAt(zone, at) * 60_000);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  return { date: `${year}-${pad(month)}-${pad(day)}`, weekday: ((d.getUTCDay() + 6) % 7) + 1, year, month, day };
}

/** Every local day that overlaps [from, to). */
export function localDays(zone: string, from: number, to: number): LocalDay[] {
  const out: LocalDay[] = [];
  let day = localDayOf(zone, from);
  for (let guard = 0; guard < 400; guard++) {
    out.push(day);
    const next = new Date(Date.UTC(day.year, day.month - 1, day.day + 1));
    const nextDay = { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
    if (localToUtc(zone, nextDay, 0) >= to) break;
    day = localDayOf(zone, localToUtc(zone, nextDay, 0));
  }
  return out;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

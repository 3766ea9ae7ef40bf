import { toLocal, zoneOffsetMinutes } from "./time.js";

/**
 * The centre's opening hours, in its own time zone: "08:30"–"17:30" on the weekdays listed (1 = Monday),
 * except on the dates of its calendar: a public holiday (false) is closed, a make-up working day (调休,
 * true) is open, whatever its weekday.
 */
export interface WorkingHours {
  zone: string;
  open: string;
  close: string;
  days: number[];
  /** Local date "YYYY-MM-DD" → open that day or not; dates not listed follow `days`. */
  calendar?: ReadonlyMap<string, boolean>;
}

/** How far ahead to look for an opening: past the longest holiday (春节 with its weekends). */
const MAX_DAYS_AHEAD = 60;

/** "09:30" → 570: minutes after midnight of a clock time written HH:MM. */
export const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(":").map(Number);
  return h! * 60 + m!;
};

/** ISO weekday (1 = Monday … 7 = Sunday) of a local date. */
function weekday(year: number, month: number, day: number): number {
  const d = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return d === 0 ? 7 : d;
}

const stamp = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;

/** Is this local date a working day: the calendar's word first, else the usual weekdays. */
export function isWorkday(hours: WorkingHours, year: number, month: number, day: number): boolean {
  return hours.calendar?.get(stamp(year, month, day)) ?? hours.days.includes(weekday(year, month, day));
}

/** The UTC instant of a local wall-clock time in `zone`. */
function atLocal(zone: string, year: number, month: number, day: number, minutes: number): Date {
  const wall = Date.UTC(year, month - 1, day, 0, minutes);
  return new Date(wall - zoneOffsetMinutes(zone, new Date(wall)) * 60_000);
}

export function isOpen(hours: WorkingHours, at: Date): boolean {
  const l = toLocal(hours.zone, at);
  const m = l.hour * 60 + l.minute;
  return isWorkday(hours, l.year, l.month, l.day) && m >= minutesOf(hours.open) && m < minutesOf(hours.close);
}

/** The next moment the centre opens at or after `at` (`at` itself when it is open). */
export function nextOpening(hours: WorkingHours, at: Date): Date {
  if (isOpen(hours, at)) return at;
  const l = toLocal(hours.zone, at);
  const openMin = minutesOf(hours.open);
  for (let add = 0; add <= MAX_DAYS_AHEAD; add++) {
    const probe = new Date(Date.UTC(l.year, l.month - 1, l.day + add));
    const [y, mo, d] = [probe.getUTCFullYear(), probe.getUTCMonth() + 1, probe.getUTCDate()];
    if (!isWorkday(hours, y, mo, d)) continue;
    const opening = atLocal(hours.zone, y, mo, d, openMin);
    if (opening.getTime() >= at.getTime()) return opening;
  }
  return at; // no working day configured: treat as always open
}

/**
 * When a person will have answered, if they answer within `minutes` of working time: now + minutes
 * while open (running on into the following openings as each day ends), else the next opening + minutes.
 */
export function replyBy(hours: WorkingHours, at: Date, minutes: number): { by: Date; openNow: boolean } {
  const openNow = isOpen(hours, at);
  let start = nextOpening(hours, at);
  let remaining = minutes;
  for (let day = 0; day <= MAX_DAYS_AHEAD; day++) {
    const l = toLocal(hours.zone, start);
    const closing = atLocal(hours.zone, l.year, l.month, l.day, minutesOf(hours.close));
    const left = (closing.getTime() - start.getTime()) / 60_000;
    if (left >= remaining || left <= 0) return { by: new Date(start.getTime() + remaining * 60_000), openNow };
    remaining -= left;
    start = nextOpening(hours, new Date(closing.getTime() + 60_000));
  }
  return { by: new Date(start.getTime() + remaining * 60_000), openNow };
}

/**
 * The end of the local day `at` falls on, moved on to the end of the next working day when that day
 * is not one: a time limit whose last day is a holiday ends on the first working day after it.
 */
export function endOfWorkday(hours: WorkingHours, at: Date): Date {
  const l = toLocal(hours.zone, at);
  for (let add = 0; add <= MAX_DAYS_AHEAD; add++) {
    const probe = new Date(Date.UTC(l.year, l.month - 1, l.day + add));
    const [y, mo, d] = [probe.getUTCFullYear(), probe.getUTCMonth() + 1, probe.getUTCDate()];
    if (isWorkday(hours, y, mo, d)) return new Date(atLocal(hours.zone, y, mo, d + 1, 0).getTime() - 1);
  }
  return new Date(atLocal(hours.zone, l.year, l.month, l.day + 1, 0).getTime() - 1);
}

import { toLocal, zoneOffsetMinutes } from "./time.js";

/** The centre's opening hours, in its own time zone: "08:30"–"17:30" on the weekdays listed (1 = Monday). */
export interface WorkingHours {
  zone: string;
  open: string;
  close: string;
  days: number[];
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(":").map(Number);
  return h! * 60 + m!;
};

/** ISO weekday (1 = Monday … 7 = Sunday) of a local date. */
function weekday(year: number, month: number, day: number): number {
  const d = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return d === 0 ? 7 : d;
}

/** The UTC instant of a local wall-clock time in `zone`. */
function atLocal(zone: string, year: number, month: number, day: number, minutes: number): Date {
  const wall = Date.UTC(year, month - 1, day, 0, minutes);
  return new Date(wall - zoneOffsetMinutes(zone, new Date(wall)) * 60_000);
}

export function isOpen(hours: WorkingHours, at: Date): boolean {
  const l = toLocal(hours.zone, at);
  const m = l.hour * 60 + l.minute;
  return hours.days.includes(weekday(l.year, l.month, l.day)) && m >= minutesOf(hours.open) && m < minutesOf(hours.close);
}

/** The next moment the centre opens at or after `at` (`at` itself when it is open). */
export function nextOpening(hours: WorkingHours, at: Date): Date {
  if (isOpen(hours, at)) return at;
  const l = toLocal(hours.zone, at);
  const openMin = minutesOf(hours.open);
  for (let add = 0; add <= 14; add++) {
    const probe = new Date(Date.UTC(l.year, l.month - 1, l.day + add));
    const [y, mo, d] = [probe.getUTCFullYear(), probe.getUTCMonth() + 1, probe.getUTCDate()];
    if (!hours.days.includes(weekday(y, mo, d))) continue;
    const opening = atLocal(hours.zone, y, mo, d, openMin);
    if (opening.getTime() >= at.getTime()) return opening;
  }
  return at; // no working day configured: treat as always open
}

/**
 * When a person will have answered, if they answer within `minutes` of working time: now + minutes
 * while open (running on into the next opening if the day ends first), else the next opening + minutes.
 */
export function replyBy(hours: WorkingHours, at: Date, minutes: number): { by: Date; openNow: boolean } {
  const openNow = isOpen(hours, at);
  const start = nextOpening(hours, at);
  const l = toLocal(hours.zone, start);
  const closing = atLocal(hours.zone, l.year, l.month, l.day, minutesOf(hours.close));
  const left = (closing.getTime() - start.getTime()) / 60_000;
  if (left >= minutes) return { by: new Date(start.getTime() + minutes * 60_000), openNow };
  const next = nextOpening(hours, new Date(closing.getTime() + 60_000));
  return { by: new Date(next.getTime() + (minutes - left) * 60_000), openNow };
}

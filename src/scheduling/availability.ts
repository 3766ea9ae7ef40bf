import { intersect, subtract, union, type Interval } from "./intervals.js";
import { localDays, localToUtc } from "./local-days.js";

/** One open stretch of a mediator's week, in the centre's zone. */
export interface WeeklyHours {
  weekday: number;
  startMin: number;
  endMin: number;
}

export interface Exception {
  kind: "leave" | "open";
  startsAt: Date;
  endsAt: Date;
}

/** A window of a party's week in their own zone (a preset such as "weekday evenings"). */
export interface WeeklyWindow {
  days: readonly number[];
  fromMin: number;
  toMin: number;
}

/**
 * When a mediator can hold sessions in [from, to): their weekly hours on the centre's local days
 * (not on the centre's holidays), plus one-off openings, minus leave.
 */
export function mediatorOpen(
  zone: string,
  hours: readonly WeeklyHours[],
  exceptions: readonly Exception[],
  range: { from: number; to: number; closedDates?: ReadonlySet<string> },
): Interval[] {
  const spans: Interval[] = [];
  for (const day of localDays(zone, range.from, range.to)) {
    if (range.closedDates?.has(day.date)) continue;
    for (const h of hours) {
      if (h.weekday === day.weekday) spans.push([localToUtc(zone, day, h.startMin), localToUtc(zone, day, h.endMin)]);
    }
  }
  const opened = exceptions.filter((e) => e.kind === "open").map((e): Interval => [e.startsAt.getTime(), e.endsAt.getTime()]);
  const leave = union(exceptions.filter((e) => e.kind === "leave").map((e): Interval => [e.startsAt.getTime(), e.endsAt.getTime()]));
  const open = union([...spans, ...opened]);
  return intersect(subtract(open, leave), [[range.from, range.to]]);
}

/** When a party can meet in [from, to), from weekly windows in their own zone (availability-presets.ts windowsOf). */
export function partyWindows(zone: string, windows: readonly WeeklyWindow[], range: { from: number; to: number }): Interval[] {
  const spans: Interval[] = [];
  for (const day of localDays(zone, range.from, range.to)) {
    for (const w of windows) {
      if (w.days.includes(day.weekday)) spans.push([localToUtc(zone, day, w.fromMin), localToUtc(zone, day, w.toMin)]);
    }
  }
  return intersect(union(spans), [[range.from, range.to]]);
}

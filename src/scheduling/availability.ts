import { intersect, subtract, union, type Interval } from "./intervals.js";
import { DAY } from "../lib/clock.js";
import { localDays, localToUtc, type LocalDay } from "./local-days.js";

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
 * The centre's local days over a search's horizon, built once and shared by every mediator: each day's
 * wall-clock instants are worked out once (a search of 200 mediators would otherwise ask for thousands).
 */
export interface DayGrid {
  zone: string;
  days: readonly LocalDay[];
  /** The first instant of each day (its 00:00, or the time after a gap), ascending. */
  starts: readonly number[];
  closed: readonly boolean[];
  /** The instant of `minutes` after midnight on day `i`. */
  at(i: number, minutes: number): number;
}

export function dayGrid(zone: string, range: { from: number; to: number; closedDates?: ReadonlySet<string> }): DayGrid {
  const days = localDays(zone, range.from, range.to);
  const memo = days.map(() => new Map<number, number>());
  return {
    zone,
    days,
    starts: days.map((d) => localToUtc(zone, d, 0)),
    closed: days.map((d) => range.closedDates?.has(d.date) ?? false),
    at(i, minutes) {
      let t = memo[i]!.get(minutes);
      if (t === undefined) {
        t = localToUtc(zone, days[i]!, minutes);
        memo[i]!.set(minutes, t);
      }
      return t;
    },
  };
}

/**
 * When a mediator can hold sessions in [from, to) (within the grid's range): their weekly hours on the
 * centre's local days (not on the centre's holidays), plus one-off openings, minus leave. The same spans
 * whatever range the grid was built for, so a search can ask one window at a time and stop early.
 */
export function mediatorOpenIn(grid: DayGrid, hours: readonly WeeklyHours[], exceptions: readonly Exception[], range: { from: number; to: number }): Interval[] {
  const spans: Interval[] = [];
  for (let i = 0; i < grid.days.length; i++) {
    // A day's hours lie within a day and a bit of its start (24:00 at most, a DST hour either way).
    if (grid.starts[i]! >= range.to) break;
    if (grid.starts[i]! + 2 * DAY <= range.from || grid.closed[i]) continue;
    const weekday = grid.days[i]!.weekday;
    for (const h of hours) {
      if (h.weekday === weekday) spans.push([grid.at(i, h.startMin), grid.at(i, h.endMin)]);
    }
  }
  if (exceptions.length === 0) return intersect(union(spans), [[range.from, range.to]]);
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

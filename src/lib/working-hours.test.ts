import { describe, expect, it } from "vitest";
import { endOfWorkday, isOpen, nextOpening, replyBy, type WorkingHours } from "./working-hours.js";

const hours: WorkingHours = { zone: "Asia/Shanghai", open: "08:30", close: "17:30", days: [1, 2, 3, 4, 5] };
const at = (iso: string) => new Date(iso);

describe("the centre's working hours", () => {
  it("knows when it is open, in the centre's own zone", () => {
    expect(isOpen(hours, at("2026-11-23T02:00:00Z"))).toBe(true); // Mon 10:00
    expect(isOpen(hours, at("2026-11-23T00:29:00Z"))).toBe(false); // Mon 08:29
    expect(isOpen(hours, at("2026-11-23T09:30:00Z"))).toBe(false); // Mon 17:30 is closing time
    expect(isOpen(hours, at("2026-11-28T02:00:00Z"))).toBe(false); // Saturday
  });

  it("finds the next opening: the next working morning after a late evening or a weekend", () => {
    expect(nextOpening(hours, at("2026-11-23T02:00:00Z"))).toEqual(at("2026-11-23T02:00:00Z"));
    expect(nextOpening(hours, at("2026-11-23T12:00:00Z"))).toEqual(at("2026-11-24T00:30:00Z")); // Mon 20:00 → Tue 08:30
    expect(nextOpening(hours, at("2026-11-27T14:00:00Z"))).toEqual(at("2026-11-30T00:30:00Z")); // Fri 22:00 → Mon 08:30
    expect(nextOpening(hours, at("2026-11-22T20:00:00Z"))).toEqual(at("2026-11-23T00:30:00Z")); // Mon 04:00 → 08:30
  });

  it("promises a reply within working minutes, running on into the next day when the day ends first", () => {
    expect(replyBy(hours, at("2026-11-23T02:00:00Z"), 30)).toEqual({ by: at("2026-11-23T02:30:00Z"), openNow: true });
    // Mon 17:15 + 30 working minutes = 15 today, 15 tomorrow from 08:30
    expect(replyBy(hours, at("2026-11-23T09:15:00Z"), 30)).toEqual({ by: at("2026-11-24T00:45:00Z"), openNow: true });
    expect(replyBy(hours, at("2026-11-28T13:00:00Z"), 30)).toEqual({ by: at("2026-11-30T01:00:00Z"), openNow: false });
  });

  it("runs a long wait on over several working days", () => {
    // Mon 17:00 + 600 working minutes: 30 today, 540 Tuesday (a full day), 30 Wednesday
    expect(replyBy(hours, at("2026-11-23T09:00:00Z"), 600).by).toEqual(at("2026-11-25T01:00:00Z"));
  });

  it("follows the calendar: a holiday is closed, a make-up Saturday open, a last day off moves to the next working day", () => {
    const calendar = new Map([
      ["2026-11-24", false], // Tuesday, a holiday
      ["2026-11-28", true], // Saturday, 调休
    ]);
    const withCalendar = { ...hours, calendar };
    expect(isOpen(withCalendar, at("2026-11-24T02:00:00Z"))).toBe(false);
    expect(isOpen(withCalendar, at("2026-11-28T02:00:00Z"))).toBe(true);
    expect(nextOpening(withCalendar, at("2026-11-23T12:00:00Z"))).toEqual(at("2026-11-25T00:30:00Z")); // Mon evening → Wed
    expect(replyBy(withCalendar, at("2026-11-27T09:15:00Z"), 30).by).toEqual(at("2026-11-28T00:45:00Z")); // Fri 17:15 → Sat 08:45
    expect(endOfWorkday(withCalendar, at("2026-11-24T02:00:00Z"))).toEqual(at("2026-11-25T15:59:59.999Z")); // Tue off → end of Wed
    expect(endOfWorkday(withCalendar, at("2026-11-28T02:00:00Z"))).toEqual(at("2026-11-28T15:59:59.999Z")); // worked Saturday
    expect(endOfWorkday(hours, at("2026-11-29T02:00:00Z"))).toEqual(at("2026-11-30T15:59:59.999Z")); // Sunday → Monday
  });
});

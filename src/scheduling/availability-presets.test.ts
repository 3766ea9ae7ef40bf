import { describe, expect, it } from "vitest";
import { availabilitySchema, parseAvailability, windowsOf } from "./availability-presets.js";

describe("availability presets", () => {
  it("reads what the chat stores, and turns it into the windows the slot search uses", () => {
    expect(windowsOf('{"presets":["weekday_evening","weekend"]}')).toEqual([
      { days: [1, 2, 3, 4, 5], from: "18:00", to: "22:00", fromMin: 18 * 60, toMin: 22 * 60 },
      { days: [6, 7], from: "09:00", to: "21:00", fromMin: 9 * 60, toMin: 21 * 60 },
    ]);
    // 都可以 is every preset: waking hours in the party's zone, not the middle of their night.
    const waking = windowsOf('{"presets":["weekday_day","weekday_evening","weekend"]}');
    expect(windowsOf({ presets: ["any"] })).toEqual(waking);
    // Nothing given, or a row that is not ours: the same, never a crash.
    expect(windowsOf(null)).toEqual(waking);
    expect(parseAvailability("not json")).toBeNull();
    expect(parseAvailability('{"presets":["night_shift"]}')).toBeNull();
  });

  it("refuses an empty or repeated choice", () => {
    expect(availabilitySchema.safeParse({ presets: [] }).success).toBe(false);
    expect(availabilitySchema.safeParse({ presets: ["weekend", "weekend"] }).success).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { endOfLocalDay, formatLocal, localDateStamp, zoneOffsetMinutes } from "./time.js";

describe("centre time zone arithmetic", () => {
  it("finds local days and their ends", () => {
    const at = new Date("2026-11-23T16:30:00Z"); // 00:30 on 24 Nov in Shanghai
    expect(zoneOffsetMinutes("Asia/Shanghai", at)).toBe(480);
    expect(localDateStamp("Asia/Shanghai", at)).toBe("20261124");
    expect(localDateStamp("UTC", at)).toBe("20261123");
    expect(endOfLocalDay("Asia/Shanghai", at).toISOString()).toBe("2026-11-24T15:59:59.999Z");
    expect(endOfLocalDay("Asia/Shanghai", at, 3).toISOString()).toBe("2026-11-27T15:59:59.999Z");
  });

  it("handles zones with daylight saving across the change", () => {
    // Europe/Berlin leaves summer time on 25 Oct 2026
    const before = new Date("2026-10-24T10:00:00Z");
    expect(endOfLocalDay("Europe/Berlin", before, 1).toISOString()).toBe("2026-10-25T22:59:59.999Z");
  });

  it("renders for people in both languages", () => {
    const at = new Date("2026-11-26T15:59:59.999Z");
    expect(formatLocal(at, "Asia/Shanghai", "zh-CN")).toBe("11月26日 23:59");
    expect(formatLocal(at, "Asia/Shanghai", "en")).toBe("26 Nov 23:59");
  });
});

import { describe, expect, it } from "vitest";
import { zoneNote } from "./session-notice.js";

describe("the session notice's zone line", () => {
  const session = { start: new Date("2026-11-28T01:00:00Z"), end: new Date("2026-11-28T02:00:00Z") };

  it("names the centre's clock for a party at home, or on the same clock elsewhere", () => {
    expect(zoneNote("Asia/Shanghai", null, session)).toBe("北京时间");
    expect(zoneNote("Asia/Shanghai", "Asia/Shanghai", session)).toBe("北京时间");
    expect(zoneNote("Asia/Shanghai", "Asia/Singapore", session)).toBe("北京时间"); // UTC+8 as well
  });

  it("gives a party abroad the same times on their own clock, day included", () => {
    expect(zoneNote("Asia/Shanghai", "America/New_York", session)).toBe("北京时间；您当地时间为2026年11月27日（星期五）20:00至21:00（纽约时间）");
  });
});

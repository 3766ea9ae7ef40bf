import { describe, expect, it } from "vitest";
import { sessionModeFor } from "../../../scheduling/book-session.js";
import type { SchedulingDeps } from "../../../scheduling/deps.js";
import type { SessionType } from "../../../scheduling/scheduling.repository.js";
import { offerMessage } from "./booking.messages.js";

const TYPE: SessionType = { id: "standard", nameZh: "调解", nameEn: "mediation", minutes: 60, bufferMinutes: 15, minNoticeMinutes: 120, dailyCap: 4, maxParticipants: 6 };
const deps = (video: boolean, down: boolean) => ({ video, videoDown: () => down }) as unknown as SchedulingDeps;

describe("booking while the video service is down", () => {
  it("offers a phone session, and the offer says why, rather than a room that will not open", () => {
    const far = [{ timeZone: "America/New_York" }];
    expect(sessionModeFor(deps(true, false), { remote: true }, far)).toBe("video");
    expect(sessionModeFor(deps(true, true), { remote: false }, [{ timeZone: null }])).toBe("phone");
    const mode = sessionModeFor(deps(true, true), { remote: true }, far);
    const slots = [{ startsAt: Date.parse("2026-11-28T01:00:00Z"), staffId: "m1" }];
    const offer = offerMessage("zh-CN", { code: "OD-20261123-0001", zone: "Asia/Shanghai", centreZone: "Asia/Shanghai", slots, type: TYPE, mode, videoDown: true });
    expect(offer.kind === "text" && offer.text).toContain("视频服务现在连不上，这次先约电话调解");
    expect(offer.kind === "text" && offer.text).toContain("电话调解");
    const normal = offerMessage("zh-CN", { code: "OD-20261123-0001", zone: "Asia/Shanghai", centreZone: "Asia/Shanghai", slots, type: TYPE, mode: "video" });
    expect(normal.kind === "text" && normal.text).not.toContain("连不上");
  });
});

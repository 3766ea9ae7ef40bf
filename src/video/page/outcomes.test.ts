import { describe, expect, it } from "vitest";
import { countdownText, disconnectOutcome } from "./outcomes.js";

describe("join page outcomes", () => {
  it("tells a device that another one took its place, apart from leaving, a closed room and a lost connection", () => {
    expect(disconnectOutcome("DUPLICATE_IDENTITY")).toBe("takenOver");
    expect(disconnectOutcome("CLIENT_INITIATED")).toBe("left");
    expect(disconnectOutcome("ROOM_DELETED")).toBe("roomClosed");
    expect(disconnectOutcome("PARTICIPANT_REMOVED")).toBe("roomClosed");
    expect(disconnectOutcome("SIGNAL_CLOSE")).toBe("connectFailed");
    expect(disconnectOutcome(undefined)).toBe("connectFailed");
  });

  it("counts down in hours, minutes and seconds, with days past a day", () => {
    expect(countdownText(3_723_000, "天")).toBe("01:02:03");
    expect(countdownText(2 * 86_400_000 + 61_000, "d")).toBe("2 d 00:01:01");
    expect(countdownText(-5000, "天")).toBe("00:00:00");
    expect(countdownText(500, "天")).toBe("00:00:01");
  });
});

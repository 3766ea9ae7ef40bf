import { describe, expect, it } from "vitest";
import { loadState, STATE_VERSION } from "./state.js";

const draft = { intakeKey: "k", description: "楼上漏水", type: "neighbor", alternatives: [], riskFlags: [], files: [], insisted: false, editing: false };

describe("stored dialogue state across releases", () => {
  it("reads the current version as it is", () => {
    const loaded = loadState(JSON.stringify({ v: STATE_VERSION, active: "idle", greeted: true }));
    expect(loaded).toEqual({ state: expect.objectContaining({ v: STATE_VERSION, active: "idle", greeted: true }) });
  });

  it.each([
    ["an intake at a question", { step: "other_party", draft }, { active: "intake", intake: expect.objectContaining({ step: "other_party" }) }],
    ["an intake at the old 'since' question", { step: "since", draft }, { active: "intake", intake: expect.objectContaining({ step: "away" }) }],
    ["SMS service, which never existed: asked again", { step: "summary", draft: { ...draft, serviceChannel: "sms", servicePhone: "13800001234" } }, { active: "intake", intake: expect.objectContaining({ step: "service", draft: expect.objectContaining({ phone: "13800001234" }) }) }],
    ["a story kept before consent", { step: "consent", pendingText: "老板欠钱" }, { active: "intake", intake: expect.objectContaining({ step: "consent", pendingText: "老板欠钱" }) }],
    ["a withdrawal being confirmed", { step: "confirm_withdraw", withdrawCode: "OD-20261123-0001", resumeStep: "idle" }, { active: "status", status: { step: "confirm_withdraw", code: "OD-20261123-0001" } }],
    ["nothing in progress", { step: "idle", consentAt: "2026-11-01T00:00:00.000Z" }, { active: "idle", greeted: true, consentAt: "2026-11-01T00:00:00.000Z" }],
    ["a brand-new conversation", { step: "start" }, { active: "idle", greeted: false }],
  ])("migrates version 1: %s", (_name, v1, expected) => {
    const loaded = loadState(JSON.stringify(v1));
    expect("lost" in loaded).toBe(false);
    expect(loaded).toMatchObject({ migratedFrom: 1, state: { v: STATE_VERSION, ...expected } });
  });

  it.each([
    ["not JSON", "{oops"],
    ["a version from the future", JSON.stringify({ v: 99, active: "booking" })],
    ["a shape that fits nothing", JSON.stringify({ v: STATE_VERSION, active: "nowhere" })],
  ])("reports %s as lost (to log and tell the resident), never silently", (_name, json) => {
    const loaded = loadState(json);
    expect("lost" in loaded && loaded.lost.reason).toBeTruthy();
    expect(loaded.state.active).toBe("idle");
  });
});

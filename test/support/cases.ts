import type { OpenCaseInput } from "../../src/cases/open-case.js";
import { newId } from "../../src/lib/ids.js";

/** A web resident's property-management case, as the intake would open it; override what a test needs. */
export function caseInput(over: Partial<OpenCaseInput> = {}): OpenCaseInput {
  return {
    intakeKey: newId(),
    actor: "resident:web:u1",
    description: "小区物业停了我家的水",
    type: "property_mgmt",
    riskFlags: [],
    language: "zh-CN",
    claimant: { channel: "web", channelUserId: "u1" },
    ...over,
  };
}

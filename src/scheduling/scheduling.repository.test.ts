import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sql } from "../db/sql.js";
import { createTestDb, type TestDb } from "../../test/support/db.js";
import { caseDeps } from "../../test/support/dialogue.js";
import { agreedCase, schedulingDeps } from "../../test/support/scheduling.js";
import { eligibleMediators } from "./find-slots.js";
import { setSkills } from "./mediator-time.js";
import type { MediatorRecord } from "./scheduling.repository.js";

describe("scheduling repository: a case with its mediators in one statement", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("picks the mediators eligibleMediators picks from all of them: by room, by speciality, the case's own, or everyone", async () => {
    const cases = caseDeps(t);
    const deps = schedulingDeps(cases);
    // Another room's mediator who also takes property cases, and speaks a dialect.
    await setSkills(deps, { staffId: "duty_family", types: ["marriage_family", "property_mgmt"], languages: ["zh-CN", "yue"] });
    const c = await agreedCase(cases, { claimant: { presets: ["any"] }, respondent: { presets: ["any"] } });
    const update = (set: { mediatorId?: string | null; roomId?: string | null; disputeType?: string }) =>
      t.sql.execute(sql`UPDATE "Case" SET "mediatorId" = ${set.mediatorId ?? null}, "roomId" = ${set.roomId ?? null},
        "disputeType" = ${set.disputeType ?? "property_mgmt"} WHERE "id" = ${c.id}`);

    // Skills come in no particular order from either read.
    const sorted = (ms: MediatorRecord[]) => ms.map((m) => ({ ...m, types: [...m.types].sort(), languages: [...m.languages].sort() }));
    const expectSame = async (label: string) => {
      const row = (await cases.repos.cases.byId(c.id))!;
      const expected = sorted(eligibleMediators(await deps.scheduling.mediators(), row));
      const found = await deps.scheduling.searchCase(c.id);
      expect(found && { case: found.case, mediators: sorted(found.mediators) }, label).toEqual({
        case: { id: c.id, disputeType: row.disputeType, roomId: row.roomId, mediatorId: row.mediatorId },
        mediators: expected,
      });
      expect(sorted(await deps.scheduling.mediatorsFor(row)), label).toEqual(expected);
      return expected.map((m) => m.id);
    };

    // Routed to the property room: its mediator, and the family room's who takes property cases too.
    expect(await expectSame("room and speciality")).toEqual(["duty_family", "duty_property"]);
    await update({ roomId: null });
    expect(await expectSame("speciality only")).toEqual(["duty_family", "duty_property"]);
    await update({ roomId: "traffic_room", disputeType: "traffic" });
    expect(await expectSame("room only")).toEqual(["duty_traffic"]);
    await update({ mediatorId: "duty_land", roomId: "property_room" });
    expect(await expectSame("the case's mediator")).toEqual(["duty_land"]);
    await t.sql.execute(sql`UPDATE "Staff" SET "active" = ${false} WHERE "id" = 'duty_land'`);
    expect(await expectSame("the case's mediator, inactive")).toEqual([]);
    // No room and a type no one takes: every active mediator.
    await update({ disputeType: "not_dispute" });
    const everyone = await expectSame("no one fits");
    expect(everyone.length).toBeGreaterThan(5);
    expect(everyone).not.toContain("duty_land");

    expect(await deps.scheduling.searchCase("no-such-case")).toBeNull();
  });
});

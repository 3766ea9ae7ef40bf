import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sql } from "../db/sql.js";
import { createTestDb, type TestDb } from "../../test/support/db.js";
import { caseDeps } from "../../test/support/dialogue.js";
import { agreedCase, schedulingDeps } from "../../test/support/scheduling.js";
import { DAY, HOUR } from "../lib/clock.js";
import { newId } from "../lib/ids.js";
import { eligibleMediators, sessionTypeFor } from "./find-slots.js";
import { setSkills } from "./mediator-time.js";
import type { MediatorRecord } from "./scheduling.repository.js";

describe("scheduling repository: a case's search inputs in one statement", () => {
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
    const now = cases.clock.now();
    const window = { leaveFrom: now, busyFrom: new Date(now.getTime() - DAY), to: new Date(now.getTime() + 14 * DAY), now };
    const update = (set: { mediatorId?: string | null; roomId?: string | null; disputeType?: string }) =>
      t.sql.execute(sql`UPDATE "Case" SET "mediatorId" = ${set.mediatorId ?? null}, "roomId" = ${set.roomId ?? null},
        "disputeType" = ${set.disputeType ?? "property_mgmt"} WHERE "id" = ${c.id}`);

    // Skills come in no particular order from either read.
    const sorted = (ms: MediatorRecord[]) => ms.map((m) => ({ ...m, types: [...m.types].sort(), languages: [...m.languages].sort() }));
    const expectSame = async (label: string) => {
      const row = (await cases.repos.cases.byId(c.id))!;
      const expected = sorted(eligibleMediators(await deps.scheduling.mediators(), row));
      const found = await deps.scheduling.searchInputs(c.id, window);
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

    expect(await deps.scheduling.searchInputs("no-such-case", window)).toBeNull();
  });

  it("reads the hours, leave, sessions, parties and session types that the separate reads give", async () => {
    const cases = caseDeps(t);
    const deps = schedulingDeps(cases);
    await setSkills(deps, { staffId: "duty_family", types: ["marriage_family", "property_mgmt"], languages: ["zh-CN", "yue"] });
    const c = await agreedCase(cases, { claimant: { presets: ["weekend"], preferLanguage: "yue" }, respondent: { presets: ["any"], timeZone: "Europe/London" } });
    const other = await agreedCase(cases, { claimant: { presets: ["any"] }, respondent: { presets: ["any"] } });
    const now = cases.clock.now();
    const at = (hours: number) => new Date(now.getTime() + hours * HOUR);
    const type = await sessionTypeFor(deps);
    await cases.sql.transaction(async (tx) => {
      // Leave before, across and after the window; one of another room's mediator.
      for (const [staffId, from, to] of [["duty_property", -48, -30], ["duty_property", -2, 3], ["duty_family", 30, 54], ["duty_property", 400, 420], ["duty_traffic", 5, 9]] as const) {
        await deps.scheduling.addException(tx, { id: newId(), staffId, kind: "leave", startsAt: at(from), endsAt: at(to), note: null, createdAt: now });
      }
      await deps.scheduling.addException(tx, { id: newId(), staffId: "duty_family", kind: "open", startsAt: at(100), endsAt: at(104), note: null, createdAt: now });
      // Sessions: booked, held and live, held and lapsed, cancelled; the day before, in and past the window.
      const sessions = [
        ["duty_property", -20, "booked", null],
        ["duty_property", 24, "booked", null],
        ["duty_property", 27, "held", 1],
        ["duty_family", 26, "held", -1],
        ["duty_family", 50, "cancelled", null],
        ["duty_family", 72, "booked", null],
        ["duty_family", 500, "booked", null],
        ["duty_traffic", 30, "booked", null],
      ] as const;
      for (const [staffId, start, state, hold] of sessions) {
        await deps.scheduling.insertSession(tx, {
          id: newId(), caseId: other.id, staffId, sessionTypeId: type.id, startsAt: at(start), endsAt: at(start + 1), mode: "video", state,
          heldByPartyId: null, holdExpiresAt: hold === null ? null : at(hold), createdAt: now,
        });
      }
    });
    await cases.sql.execute(sql`UPDATE "Party" SET "mediationConsent" = 'declined' WHERE "caseId" = ${other.id} AND "role" = 'respondent'`);

    const window = { leaveFrom: now, busyFrom: new Date(now.getTime() - DAY), to: new Date(now.getTime() + 14 * DAY), now };
    const found = (await deps.scheduling.searchInputs(c.id, window))!;
    const ids = found.mediators.map((m) => m.id);
    expect(ids).toEqual(["duty_family", "duty_property"]);
    expect(found.hours.length).toBeGreaterThan(0);
    expect(found.hours).toEqual(await deps.scheduling.hours(ids));
    const byTime = <T extends { staffId: string; startsAt: Date }>(xs: T[]) => [...xs].sort((a, b) => a.staffId.localeCompare(b.staffId) || +a.startsAt - +b.startsAt);
    expect(byTime(found.exceptions)).toEqual(byTime(await deps.scheduling.exceptions(now, window.to, ids)));
    expect(found.exceptions).toHaveLength(3);
    // busy() reads from a day before `from`.
    expect(found.busy).toEqual(await deps.scheduling.busy(new Date(now.getTime() + DAY - DAY), window.to, now, ids));
    expect(found.busy.map((b) => b.startsAt)).toEqual([at(72), at(-20), at(24), at(27)]);
    expect(found.parties).toEqual((await deps.scheduling.meetingPrefs(c.id)).map(({ id, availability, timeZone, preferLanguage }) => ({ id, availability, timeZone, preferLanguage })));
    expect(found.parties.map((p) => p.timeZone).sort()).toEqual(["Europe/London", null]);
    expect(found.sessionTypes).toEqual(await deps.scheduling.sessionTypes());

    // The other case: its respondent declined, so only its claimant.
    expect((await deps.scheduling.searchInputs(other.id, window))!.parties).toHaveLength(1);
  });
});

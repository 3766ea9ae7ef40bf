import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cancelSession, confirmSession, holdSlot, lapseHold, moveSession } from "../src/scheduling/book-session.js";
import { findSlots } from "../src/scheduling/find-slots.js";
import { addTimeOff } from "../src/scheduling/mediator-time.js";
import { recordOutcome } from "../src/scheduling/record-outcome.js";
import { HOUR, MINUTE } from "../src/lib/clock.js";
import { isAppError } from "../src/lib/errors.js";
import { createTestDb, type TestDb } from "./support/db.js";
import { caseDeps } from "./support/dialogue.js";
import { all, count, one, sql } from "./support/query.js";
import { agreedCase, schedulingDeps } from "./support/scheduling.js";

const iso = (ms: number) => new Date(ms).toISOString();

describe("scheduling: slots and booking", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  function setup() {
    const cases = caseDeps(t);
    cases.clock.set("2026-11-23T02:00:00Z"); // Monday 10:00 in Shanghai
    return { cases, deps: schedulingDeps(cases) };
  }

  it("offers only times the mediator is open and both parties can meet, in each party's own zone", async () => {
    const { cases, deps } = setup();
    // The claimant at weekends in China; the respondent on weekday evenings in New York (UTC-5 in winter).
    // The property room's mediator is open on Saturday 09:00–12:00 Shanghai = Friday 20:00–23:00 New York.
    const c = await agreedCase(cases, {
      claimant: { presets: ["weekend"] },
      respondent: { presets: ["weekday_evening"], timeZone: "America/New_York" },
    });
    const { slots } = await findSlots(deps, { caseId: c.id, limit: 6 });
    // Friday 18–22 in New York overlaps Saturday 09:00–11:00 in Shanghai: three one-hour starts a week.
    expect(slots.map((s) => iso(s.startsAt))).toEqual([
      "2026-11-28T01:00:00.000Z",
      "2026-11-28T01:30:00.000Z",
      "2026-11-28T02:00:00.000Z",
      "2026-12-05T01:00:00.000Z",
      "2026-12-05T01:30:00.000Z",
      "2026-12-05T02:00:00.000Z",
    ]);
    expect(new Set(slots.map((s) => s.staffId))).toEqual(new Set(["duty_property"]));
    // "more" continues after the last one shown.
    const more = await findSlots(deps, { caseId: c.id, after: new Date(slots[2]!.startsAt), limit: 2 });
    expect(more.slots.map((s) => iso(s.startsAt))).toEqual(["2026-12-05T01:00:00.000Z", "2026-12-05T01:30:00.000Z"]);
  });

  it("fifty cases pressing one slot at once: exactly one holds it, the others are told it went and offered the next ones", async () => {
    const { cases, deps } = setup();
    const list = [];
    for (let i = 0; i < 50; i++) list.push(await agreedCase(cases, { claimant: { presets: ["any"] }, respondent: { presets: ["any"] } }));
    const [first] = (await findSlots(deps, { caseId: list[0]!.id, limit: 1 })).slots;
    const at = new Date(first!.startsAt);
    const results = await Promise.allSettled(list.map((c) => holdSlot(deps, { caseId: c.id, partyId: c.claimantId, startsAt: at })));
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(49);
    for (const r of lost) expect(isAppError(r.reason, "SLOT_TAKEN")).toBe(true);
    // One session, its blocks taken once, the day counted once.
    expect(await count(t.sql, sql`SELECT 1 FROM "MediationSession" WHERE "startsAt" = ${at}`)).toBe(1);
    expect(await count(t.sql, sql`SELECT 1 FROM "StaffBusy" WHERE "staffId" = 'duty_property'`)).toBe((60 + 15) / 5);
    expect((await one(t.sql, sql`SELECT "booked" FROM "StaffDay" WHERE "staffId" = 'duty_property'`)).booked).toBe(1);
    // A loser's next offer no longer has that time (nor the 30 minutes either side that would overlap it).
    const loser = list.find((c, i) => results[i]!.status === "rejected")!;
    const next = await findSlots(deps, { caseId: loser.id, limit: 2 });
    expect(next.slots.map((s) => s.startsAt)).not.toContain(at.getTime());
    expect(next.slots[0]!.startsAt).toBeGreaterThanOrEqual(at.getTime() + 75 * MINUTE);
  });

  it("a hold becomes a booking when the other party confirms: reminders at 24 h, 1 h and 10 min, and the end-of-session step", async () => {
    const { cases, deps } = setup();
    const c = await agreedCase(cases, { claimant: { presets: ["any"] }, respondent: { presets: ["any"] } });
    const [slot] = (await findSlots(deps, { caseId: c.id, limit: 1, after: new Date("2026-11-25T00:00:00Z") })).slots;
    const at = new Date(slot!.startsAt);
    const held = await holdSlot(deps, { caseId: c.id, partyId: c.claimantId, startsAt: at });
    expect(held.state).toBe("held");
    // Pressing the same time again changes nothing.
    expect((await holdSlot(deps, { caseId: c.id, partyId: c.claimantId, startsAt: at })).session.id).toBe(held.session.id);
    const booked = await confirmSession(deps, { sessionId: held.session.id, partyId: c.respondentId });
    expect(booked.state).toBe("booked");
    const jobs = await all(t.sql, sql`SELECT "kind", "dueAt" FROM "Job" WHERE "kind" LIKE 'session.%' ORDER BY "dueAt"`);
    const reminders = jobs.filter((j) => j.kind === "session.remind").map((j) => (at.getTime() - j.dueAt.getTime()) / MINUTE);
    expect(reminders).toEqual([24 * 60, 60, 10]);
    expect(jobs.find((j) => j.kind === "session.ended")!.dueAt.getTime()).toBe(at.getTime() + 70 * MINUTE);
    const participants = await all(t.sql, sql`SELECT "role", "confirmedAt" FROM "SessionParticipant" WHERE "sessionId" = ${held.session.id} ORDER BY "role"`);
    expect(participants.map((p) => p.role)).toEqual(["claimant", "mediator", "respondent"]);
    expect(participants.every((p) => p.confirmedAt !== null)).toBe(true);
  });

  it("the other party declining the held time frees it and offers the times after it; an unconfirmed hold lapses", async () => {
    const { cases, deps } = setup();
    const c = await agreedCase(cases, { claimant: { presets: ["any"] }, respondent: { presets: ["any"] } });
    const [slot] = (await findSlots(deps, { caseId: c.id, limit: 1 })).slots;
    const held = await holdSlot(deps, { caseId: c.id, partyId: c.claimantId, startsAt: new Date(slot!.startsAt) });
    await cancelSession(deps, { sessionId: held.session.id, by: { partyId: c.respondentId }, reason: "declined", offerAgain: true });
    expect(await count(t.sql, sql`SELECT 1 FROM "StaffBusy"`)).toBe(0);
    const offer = await one(t.sql, sql`SELECT "payload" FROM "Job" WHERE "kind" = 'booking.offer'`);
    expect(JSON.parse(offer.payload)).toMatchObject({ caseId: c.id, after: new Date(slot!.startsAt).toISOString(), reason: "declined" });

    const again = await holdSlot(deps, { caseId: c.id, partyId: c.respondentId, startsAt: new Date(slot!.startsAt) });
    expect(await lapseHold(deps, { sessionId: again.session.id, version: 1 })).toBe(false); // not yet
    cases.clock.advance(31 * MINUTE);
    expect(await lapseHold(deps, { sessionId: again.session.id, version: 1 })).toBe(true);
    expect((await one(t.sql, sql`SELECT "state" FROM "MediationSession" WHERE "id" = ${again.session.id}`)).state).toBe("expired");
    expect(await count(t.sql, sql`SELECT 1 FROM "StaffBusy"`)).toBe(0);
  });

  it("a party cannot move or cancel inside the minimum notice; the mediator can, and the old reminders go stale", async () => {
    const { cases, deps } = setup();
    const c = await agreedCase(cases, { claimant: { presets: ["any"] }, respondent: { presets: ["any"] } });
    const [slot] = (await findSlots(deps, { caseId: c.id, limit: 1, after: new Date("2026-11-24T00:00:00Z") })).slots;
    const [later] = (await findSlots(deps, { caseId: c.id, limit: 1, after: new Date(slot!.startsAt + 3 * 24 * HOUR) })).slots;
    const held = await holdSlot(deps, { caseId: c.id, partyId: c.claimantId, startsAt: new Date(slot!.startsAt) });
    await confirmSession(deps, { sessionId: held.session.id, partyId: c.respondentId });
    cases.clock.set(new Date(slot!.startsAt - 90 * MINUTE)); // the minimum notice is two hours
    await expect(moveSession(deps, { sessionId: held.session.id, startsAt: new Date(later!.startsAt), by: { partyId: c.claimantId } })).rejects.toMatchObject({ code: "TOO_LATE" });
    await expect(cancelSession(deps, { sessionId: held.session.id, by: { partyId: c.claimantId }, reason: "party" })).rejects.toMatchObject({ code: "TOO_LATE" });
    const moved = await moveSession(deps, { sessionId: held.session.id, startsAt: new Date(later!.startsAt), by: { staffId: "duty_property" }, override: true });
    expect(moved.state).toBe("booked");
    expect(moved.session.version).toBe(2);
    const row = await one(t.sql, sql`SELECT "startsAt", "version" FROM "MediationSession" WHERE "id" = ${held.session.id}`);
    expect(row.startsAt.getTime()).toBe(later!.startsAt);
    const reminders = await all(t.sql, sql`SELECT "payload" FROM "Job" WHERE "kind" = 'session.remind'`);
    expect(reminders.filter((j) => JSON.parse(j.payload).version === 2)).toHaveLength(3);
  });

  it("leave added over a booked session cancels it and offers the parties new times", async () => {
    const { cases, deps } = setup();
    const c = await agreedCase(cases, { claimant: { presets: ["any"] }, respondent: { presets: ["any"] } });
    const [slot] = (await findSlots(deps, { caseId: c.id, limit: 1 })).slots;
    const held = await holdSlot(deps, { caseId: c.id, partyId: c.claimantId, startsAt: new Date(slot!.startsAt) });
    await confirmSession(deps, { sessionId: held.session.id, partyId: c.respondentId });
    const day = new Date(slot!.startsAt);
    const { cancelled } = await addTimeOff(deps, { staffId: "duty_property", kind: "leave", startsAt: new Date(day.getTime() - HOUR), endsAt: new Date(day.getTime() + 8 * HOUR), actor: "staff:supervisor" });
    expect(cancelled).toEqual([held.session.id]);
    expect(await count(t.sql, sql`SELECT 1 FROM "Job" WHERE "kind" = 'booking.offer'`)).toBe(1);
    const { slots } = await findSlots(deps, { caseId: c.id, limit: 20 });
    for (const s of slots) expect(s.startsAt < day.getTime() - HOUR || s.startsAt >= day.getTime() + 8 * HOUR || s.staffId !== "duty_property").toBe(true);
  });

  it("the mediator records the outcome: failed closes the case, another asks for new times", async () => {
    const { cases, deps } = setup();
    const c = await agreedCase(cases, { claimant: { presets: ["any"] }, respondent: { presets: ["any"] } });
    await cases.sql.execute(sql`UPDATE "Case" SET "status" = 'in_mediation', "mediatorId" = 'duty_property' WHERE "id" = ${c.id}`);
    const [slot] = (await findSlots(deps, { caseId: c.id, limit: 1 })).slots;
    const held = await holdSlot(deps, { caseId: c.id, partyId: c.claimantId, startsAt: new Date(slot!.startsAt) });
    await confirmSession(deps, { sessionId: held.session.id, partyId: c.respondentId });
    await expect(recordOutcome(deps, { sessionId: held.session.id, staffId: "duty_property", outcome: "failed" })).rejects.toMatchObject({ code: "TOO_LATE" });
    cases.clock.set(new Date(slot!.startsAt + 65 * MINUTE));
    await expect(recordOutcome(deps, { sessionId: held.session.id, staffId: "duty_family", outcome: "failed" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await recordOutcome(deps, { sessionId: held.session.id, staffId: "duty_property", outcome: "failed" });
    const stored = await one(t.sql, sql`SELECT "status", "outcome" FROM "Case" WHERE "id" = ${c.id}`);
    expect(stored).toMatchObject({ status: "closed", outcome: "failed" });
  });
});

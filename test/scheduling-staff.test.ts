import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOUR } from "../src/lib/clock.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { delivered, shown } from "./support/consent.js";
import { all, count, sql } from "./support/query.js";
import { agreedCase } from "./support/scheduling.js";

const TOKEN = "staff-secret-token-0123456789";

describe("scheduling through the staff API", () => {
  let app: TestApp;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  beforeEach(async () => {
    app = await startTestApp({ env: { STAFF_API_TOKEN: TOKEN } });
  });
  afterEach(async () => {
    await app.stop();
  });

  it("refuses without the staff token", async () => {
    const res = await fetch(`${app.url}/api/staff/sessions`);
    expect(res.status).toBe(401);
  });

  it("sets a mediator's week; a phone party's time is held by staff and confirmed in the chat; moved, then the outcome recorded", async () => {
    // A week of Sunday afternoons only: the search offers nothing else.
    const hours = await call("PUT", "/api/staff/mediators/duty_property/hours", { hours: [{ weekday: 7, from: "14:00", to: "16:00" }] });
    expect(hours.status).toBe(200);
    const bad = await call("PUT", "/api/staff/mediators/duty_property/hours", { hours: [{ weekday: 8, from: "25:00", to: "16:00" }] });
    expect(bad.status).toBe(400);
    const c = await agreedCase(app.cases, { claimantUser: "c1", respondentUser: "r1", claimant: { presets: ["any"] }, respondent: { presets: ["any"] } });
    const slots = await call("GET", `/api/staff/cases/${c.code}/slots`);
    expect(slots.body.slots.map((s: any) => s.startsAt)).toEqual([
      "2026-11-29T06:00:00.000Z",
      "2026-11-29T06:30:00.000Z",
      "2026-11-29T07:00:00.000Z",
      "2026-12-06T06:00:00.000Z",
      "2026-12-06T06:30:00.000Z",
      "2026-12-06T07:00:00.000Z",
    ]);

    const held = await call("POST", `/api/staff/cases/${c.code}/sessions`, { partyId: c.claimantId, startsAt: "2026-11-29T06:00:00Z" });
    expect(held.status).toBe(201);
    expect(held.body).toMatchObject({ state: "held", caseCode: c.code, mode: "onsite" });
    // The same slot for the same case again: nothing new.
    const twice = await call("POST", `/api/staff/cases/${c.code}/sessions`, { partyId: c.claimantId, startsAt: "2026-11-29T06:00:00Z" });
    expect(twice.body.id).toBe(held.body.id);
    await app.worker.sweep();
    expect(shown(await delivered(app, "r1"))).toContain("对方选了 11月29日 周日 14:00");
    const confirmed = await call("POST", `/api/staff/sessions/${held.body.id}/confirm`, { partyId: c.respondentId });
    expect(confirmed.body.state).toBe("booked");

    const moved = await call("POST", `/api/staff/sessions/${held.body.id}/move`, { staffId: "duty_property", startsAt: "2026-12-06T06:30:00Z" });
    expect(moved.body).toMatchObject({ state: "booked", version: 2, startsAt: "2026-12-06T06:30:00.000Z" });
    const taken = await call("POST", `/api/staff/cases/${c.code}/sessions`, { partyId: c.claimantId, startsAt: "2026-12-06T09:00:00Z" });
    expect(taken.status).toBe(409);

    const early = await call("POST", `/api/staff/sessions/${held.body.id}/outcome`, { staffId: "duty_property", outcome: "another" });
    expect(early.status).toBe(409);
    app.clock.set(new Date("2026-12-06T08:00:00Z"));
    const outcome = await call("POST", `/api/staff/sessions/${held.body.id}/outcome`, { staffId: "duty_property", outcome: "another" });
    expect(outcome.body).toMatchObject({ state: "done", outcome: "another" });
    expect(await count(app.t.sql, sql`SELECT 1 FROM "Job" WHERE "kind" = 'booking.offer'`)).toBe(1);
  });

  it("leave over a booked day is found when it is added: the session is cancelled and both parties offered new times", async () => {
    const c = await agreedCase(app.cases, { claimantUser: "c1", respondentUser: "r1", claimant: { presets: ["any"] }, respondent: { presets: ["any"] } });
    const [slot] = (await call("GET", `/api/staff/cases/${c.code}/slots`)).body.slots;
    const held = await call("POST", `/api/staff/cases/${c.code}/sessions`, { partyId: c.claimantId, startsAt: slot.startsAt });
    await call("POST", `/api/staff/sessions/${held.body.id}/confirm`, { partyId: c.respondentId });
    await app.worker.sweep();
    const start = new Date(slot.startsAt).getTime();
    const leave = await call("POST", "/api/staff/mediators/duty_property/time-off", {
      kind: "leave",
      startsAt: new Date(start - 2 * HOUR).toISOString(),
      endsAt: new Date(start + 10 * HOUR).toISOString(),
    });
    expect(leave.body.cancelled).toEqual([held.body.id]);
    await app.worker.sweep();
    const toClaimant = shown(await delivered(app, "c1"));
    expect(toClaimant).toContain("调解员那天有事");
    expect(toClaimant).toContain("请重新选一个");
    const rows = await all(app.t.sql, sql`SELECT "state", "note" FROM "MediationSession" WHERE "caseId" = ${c.id}`);
    expect(rows).toEqual([{ state: "cancelled", note: "mediator_leave" }]);
    expect(await count(app.t.sql, sql`SELECT 1 FROM "StaffBusy"`)).toBe(0);
  });
});

// The staff API of the closed loop: the triage queue and routing from it, the SLA policy and the
// calendar as data a centre edits, each change applying to the next deadline computed.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { declineCase } from "../src/cases/change-status.js";
import { openCase } from "../src/cases/open-case.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { count, one, sql } from "./support/query.js";
import { caseInput } from "./support/cases.js";

describe("staff API: triage queue, SLA policy, calendar", () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp(); // Monday 2026-11-23 10:00 in Shanghai
  });
  afterEach(async () => {
    await app.stop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  it("lists returned cases as DTOs, oldest deadline first, and routes one by a triage officer only", async () => {
    const a = await openCase(app.cases, caseInput());
    const b = await openCase(app.cases, caseInput({ type: "neighbor", description: "邻居家的树挡了我家的窗" }));
    await declineCase(app.cases, { caseId: b.id, actor: "staff:duty_village", reason: "涉及两个村" });
    app.clock.advance(5 * 60_000);
    await declineCase(app.cases, { caseId: a.id, actor: "staff:duty_property", reason: "不是物业问题" });

    const queue = await call("GET", "/api/staff/triage");
    expect(queue.status).toBe(200);
    expect(queue.body.cases.map((c: any) => [c.code, c.returnedFrom, c.returnReason, c.triageDueAt, c.overdue])).toEqual([
      [b.code, "village_committee", "涉及两个村", "2026-11-23T03:00:00.000Z", false],
      [a.code, "property_room", "不是物业问题", "2026-11-23T03:05:00.000Z", false],
    ]);
    expect(Object.keys(queue.body.cases[0])).not.toContain("id");

    // A mediator is not a triage officer.
    const refused = await call("POST", `/api/staff/cases/${a.code}/route`, { roomId: "township_committee", staffId: "duty_property" });
    expect(refused).toMatchObject({ status: 403, body: { error: "FORBIDDEN" } });
    expect(await call("POST", `/api/staff/cases/${a.code}/route`, { roomId: "no_such_room", staffId: "duty_desk" })).toMatchObject({
      status: 400,
      body: { error: "BAD_INPUT" },
    });
    expect((await call("POST", "/api/staff/cases/OD-20261123-9999/route", { roomId: "township_committee", staffId: "duty_desk" })).status).toBe(404);
    expect((await call("POST", `/api/staff/cases/${a.code}/route`, { roomId: "township_committee" })).status).toBe(400);

    app.clock.advance(10 * 60_000); // 10:15
    const routed = await call("POST", `/api/staff/cases/${a.code}/route`, { roomId: "township_committee", staffId: "duty_desk", reason: "转乡镇" });
    expect(routed).toMatchObject({ status: 200, body: { code: a.code, status: "routed", acceptDueAt: "2026-11-23T03:15:00.000Z" } });
    const stored = await one(app.sql, sql`SELECT "status", "roomId", "acceptDueAt" FROM "Case" WHERE "id" = ${a.id}`);
    expect([stored.status, stored.roomId, stored.acceptDueAt.toISOString()]).toEqual(["routed", "township_committee", "2026-11-23T03:15:00.000Z"]);
    const event = await one(app.sql, sql`SELECT "actor", "reason" FROM "CaseEvent" WHERE "caseId" = ${a.id} AND "action" = ${"status:routed"}`);
    expect(event).toMatchObject({ actor: "staff:duty_desk", reason: "转乡镇" });
    expect((await call("GET", "/api/staff/triage")).body.cases.map((c: any) => c.code)).toEqual([b.code]);
  });

  it("an SLA change through the API changes the next deadline; a bad policy is refused whole", async () => {
    const before = await call("GET", "/api/staff/sla");
    expect(before.body.sla).toMatchObject({
      triageMinutes: 60,
      acceptMinutes: 60,
      resolveDays: { simple: 0, general: 3, complex: 10, difficult: 30 },
      escalationMarginMinutes: 60,
      hours: { open: "08:30", close: "17:30", days: [1, 2, 3, 4, 5] },
    });
    const first = await openCase(app.cases, caseInput());
    expect(first.acceptDueAt.toISOString()).toBe("2026-11-23T03:00:00.000Z");

    const { updatedAt: _, ...policy } = before.body.sla;
    const changed = { ...policy, acceptMinutes: 120, resolveDays: { ...policy.resolveDays, general: 5 } };
    const put = await call("PUT", "/api/staff/sla", changed);
    expect(put.status).toBe(200);
    expect(put.body.sla).toMatchObject({ acceptMinutes: 120, resolveDays: { general: 5 } });
    const row = await one(app.sql, sql`SELECT "acceptMinutes", "resolveDaysGeneral" FROM "SlaSetting" WHERE "id" = ${"default"}`);
    expect(row).toEqual({ acceptMinutes: 120, resolveDaysGeneral: 5 });

    const next = await openCase(app.cases, caseInput({ type: "labor", description: "老板欠了我两个月工资" }));
    expect(next.acceptDueAt.toISOString()).toBe("2026-11-23T04:00:00.000Z"); // 12:00, two working hours
    expect(next.resolveDueAt.toISOString()).toBe("2026-11-30T15:59:59.999Z"); // 5 days end on Saturday 28th: rolled to Monday 30th
    const jobs = await count(app.sql, sql`SELECT 1 FROM "Job" WHERE "kind" = ${"sla.remind"} AND "dueAt" = ${next.acceptDueAt}`);
    expect(jobs).toBe(1);

    for (const bad of [
      { ...changed, acceptMinutes: 0 },
      { ...changed, hours: { ...changed.hours, open: "18:00" } },
      { ...changed, hours: { ...changed.hours, days: [1, 1, 2] } },
      { ...changed, resolveDays: { simple: 0, general: 3 } },
      { ...changed, extra: true },
    ]) {
      expect(await call("PUT", "/api/staff/sla", bad)).toMatchObject({ status: 400, body: { error: "BAD_INPUT" } });
    }
    expect((await call("GET", "/api/staff/sla")).body.sla.acceptMinutes).toBe(120);
  });

  it("a holiday set through the API moves the next deadline and a handoff's promise; removing it moves it back", async () => {
    app.clock.set("2026-11-23T09:00:00Z"); // Monday 17:00
    expect(await call("GET", "/api/staff/calendar/2026-11-24")).toMatchObject({
      status: 200,
      body: { day: { date: "2026-11-24", workday: true, listed: false } },
    });
    expect((await call("GET", "/api/staff/calendar/2026-11-28")).body.day.workday).toBe(false);
    const put = await call("PUT", "/api/staff/calendar/2026-11-24", { workday: false, name: "测试假日" });
    expect(put).toMatchObject({ status: 200, body: { day: { date: "2026-11-24", workday: false, name: "测试假日", listed: true } } });
    expect((await call("GET", "/api/staff/calendar/2026-11-24")).body.day).toMatchObject({ workday: false, name: "测试假日", listed: true });

    const c = await openCase(app.cases, caseInput());
    expect(c.acceptDueAt.toISOString()).toBe("2026-11-25T01:00:00.000Z"); // Wednesday 09:00, not Tuesday

    expect((await call("DELETE", "/api/staff/calendar/2026-11-24")).body).toEqual({ deleted: true });
    expect((await openCase(app.cases, caseInput())).acceptDueAt.toISOString()).toBe("2026-11-24T01:00:00.000Z");

    // A person's answer to a handoff follows the calendar too: Saturday evening, with Monday a holiday.
    app.clock.set("2026-11-28T13:00:00Z");
    await call("PUT", "/api/staff/calendar/2026-11-30", { workday: false, name: "测试假日" });
    await app.dialogue.handle({ channel: "web", userId: "holiday-resident", button: "cmd:start" });
    const reply = await app.dialogue.handle({ channel: "web", userId: "holiday-resident", text: "找人工" });
    const said = reply.messages.map((m) => (m.kind === "text" ? m.text : "")).join("\n");
    expect(said).toContain("现在是下班时间");
    expect(said).toContain("12月1日 09:00 前"); // Tuesday opening + 30 minutes

    expect((await call("PUT", "/api/staff/calendar/2026-02-30", { workday: false })).status).toBe(400);
    expect((await call("PUT", "/api/staff/calendar/2026-12-01", { workday: "no" })).status).toBe(400);
  });
});

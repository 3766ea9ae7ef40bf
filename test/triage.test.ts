// The loop closed: a case a room returns waits in a triage queue with its own deadline, 催办 and 督办;
// reminders of a deadline that no longer holds stay silent; deadlines follow the centre's calendar;
// who may act on a case is decided by the use cases.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { assignRoom } from "../src/cases/assign-room.js";
import { acceptCase, closeCase, declineCase } from "../src/cases/change-status.js";
import { createStaffInvite, linkStaffByInvite } from "../src/cases/link-staff.js";
import { listTriageQueue } from "../src/cases/list-triage-queue.js";
import { openCase } from "../src/cases/open-case.js";
import { seedReferenceData } from "../src/cases/seed.js";
import { createSlaRepository } from "../src/cases/sla.repository.js";
import type { Outbound } from "../src/bot/messages.js";
import { createMediatorJobHandlers } from "../src/bot/mediator.js";
import { createCaseJobHandlers } from "../src/cases/case-jobs.js";
import { createJobWorker } from "../src/jobs/worker.js";
import { MINUTE } from "../src/lib/clock.js";
import { isAppError } from "../src/lib/errors.js";
import { silentLogger } from "../src/lib/logger.js";
import { createTestDb, type TestDb } from "./support/db.js";
import { scriptedClassifier } from "./support/classifiers.js";
import { caseDeps, makeDialogue, Resident } from "./support/dialogue.js";
import { all, count, one, sql } from "./support/query.js";
import { caseInput } from "./support/cases.js";

/** Stands in for the channels: what reached each chat. */
function recordingMessenger() {
  const sent: { channel: string; userId: string; text: string }[] = [];
  const messenger = {
    send: async (channel: string, userId: string, messages: Outbound[]) => {
      for (const m of messages) if (m.kind === "text") sent.push({ channel, userId, text: m.text });
    },
    sendText: async (channel: string, userId: string, text: string) => void sent.push({ channel, userId, text }),
  };
  return { sent, messenger };
}

describe("the triage queue and its deadlines", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  function setup(at = "2026-11-23T02:00:00Z") {
    const deps = caseDeps(t);
    deps.clock.set(at); // Monday 10:00 in Shanghai: open
    const { sent, messenger } = recordingMessenger();
    const worker = createJobWorker({
      sql: t.sql,
      clock: deps.clock,
      logger: silentLogger,
      handlers: { ...createCaseJobHandlers({ ...deps, messenger }), ...createMediatorJobHandlers({ ...deps, messenger }) },
    });
    const notices = () => all(t.sql, sql`SELECT "kind", "staffId", "text" FROM "Notification" ORDER BY "createdAt", "kind"`);
    return { deps, sent, worker, notices };
  }

  it("a declined case waits in the triage queue, the resident is told plainly, the desk is reminded and the supervisor told on time", async () => {
    const { deps, sent, worker, notices } = setup();
    const c = await openCase(deps, caseInput());
    await worker.sweep(); // the property room hears of it
    deps.clock.advance(30 * MINUTE); // 10:30
    await declineCase(deps, { caseId: c.id, actor: "staff:duty_property", reason: "属于业主间漏水，不是物业纠纷" });

    const stored = await one(t.sql, sql`SELECT "status", "triageDueAt", "mediatorId" FROM "Case" WHERE "id" = ${c.id}`);
    expect(stored.status).toBe("received");
    expect(stored.triageDueAt.toISOString()).toBe("2026-11-23T03:30:00.000Z"); // one working hour: 11:30

    const queue = await listTriageQueue(deps);
    expect(queue.map((q) => [q.code, q.roomId, q.returnReason, q.triageDueAt.toISOString()])).toEqual([
      [c.code, "property_room", "属于业主间漏水，不是物业纠纷", "2026-11-23T03:30:00.000Z"],
    ]);

    await worker.sweep(); // the resident's notice
    const told = sent.filter((m) => m.userId === "u1").map((m) => m.text);
    expect(told).toHaveLength(1);
    expect(told[0]).toContain(c.code);
    expect(told[0]).toContain("中心正在为您找合适的调解室");
    expect(told[0]).toContain("11月23日 11:30");
    expect(told[0]).not.toContain("不需要您做什么");

    deps.clock.set("2026-11-23T03:00:00Z"); // 11:00: the old acceptance deadline; it is moot
    expect(await worker.sweep()).toBe(1);
    expect((await notices()).map((n) => n.kind)).toEqual(["case_assigned"]);

    deps.clock.set("2026-11-23T03:30:00Z"); // 11:30: the triage deadline → 催办 to the duty desk
    expect(await worker.sweep()).toBe(1);
    const remind = await one(t.sql, sql`SELECT * FROM "Notification" WHERE "kind" = ${"sla_remind"}`);
    expect(remind.staffId).toBe("duty_desk");
    expect(remind.text).toContain("【催办】");
    expect(remind.text).toContain(c.code);
    expect(remind.text).toContain("分流时限");

    deps.clock.set("2026-11-23T04:30:00Z"); // one working hour past it → 督办 to the supervisor
    await worker.sweep();
    const escalate = await one(t.sql, sql`SELECT * FROM "Notification" WHERE "kind" = ${"sla_escalate"}`);
    expect(escalate.staffId).toBe("supervisor");
    expect(escalate.text).toContain("【督办】");
    expect(escalate.text).toContain(c.code);
    expect((await notices()).map((n) => n.kind)).toEqual(["case_assigned", "sla_remind", "sla_escalate"]);
  });

  it("routed from triage, the case gets a fresh acceptance deadline; the old reminders and the triage ones stay silent", async () => {
    const { deps, sent, worker, notices } = setup();
    const c = await openCase(deps, caseInput({ type: "neighbor", description: "隔壁装修天天早上六点打钻" })); // village committee
    await worker.sweep();
    deps.clock.advance(10 * MINUTE);
    await declineCase(deps, { caseId: c.id, actor: "staff:duty_village", reason: "两村之间，本村调不了" });
    deps.clock.advance(10 * MINUTE); // 10:20: the duty desk sends it to the township
    const routed = await assignRoom(deps, { code: c.code, roomId: "township_committee", actor: "staff:duty_desk" });
    expect(routed.acceptDueAt.toISOString()).toBe("2026-11-23T03:20:00.000Z");
    expect(await listTriageQueue(deps)).toEqual([]);

    await worker.sweep();
    const assigned = (await notices()).filter((n) => n.kind === "case_assigned").map((n) => n.staffId);
    expect(assigned).toEqual(["duty_village", "duty_township"]);
    const residentHeard = sent.filter((m) => m.userId === "u1").map((m) => m.text);
    expect(residentHeard.at(-1)).toContain(c.code);
    expect(residentHeard.at(-1)).toContain("乡镇");
    expect(residentHeard.at(-1)).toContain("11月23日 11:20");

    // 11:00 the old acceptance deadline, 11:10 the triage deadline: both moot, both done, nothing sent.
    deps.clock.set("2026-11-23T03:10:00Z");
    expect(await worker.sweep()).toBe(2);
    expect((await notices()).map((n) => n.kind)).toEqual(["case_assigned", "case_assigned"]);
    const staleDone = await count(t.sql, sql`SELECT 1 FROM "Job" WHERE "kind" = ${"sla.remind"} AND "doneAt" IS NOT NULL`);
    expect(staleDone).toBe(2);

    deps.clock.set("2026-11-23T03:20:00Z"); // the new deadline: the township is reminded
    await worker.sweep();
    const reminds = await all(t.sql, sql`SELECT "staffId", "text" FROM "Notification" WHERE "kind" = ${"sla_remind"}`);
    expect(reminds.map((r) => r.staffId)).toEqual(["duty_township"]);
    expect(reminds[0]!.text).toContain("11月23日 11:20");

    deps.clock.set("2026-11-23T04:20:00Z"); // past the new one by the margin; the old escalations (12:00, 12:10) said nothing
    await worker.sweep();
    const escalations = await all(t.sql, sql`SELECT "staffId", "text" FROM "Notification" WHERE "kind" = ${"sla_escalate"}`);
    expect(escalations).toHaveLength(1);
    expect(escalations[0]!.text).toContain("11月23日 11:20");
  });

  it("a re-routed case's old reminder does not fire, even back in the same room", async () => {
    const { deps, worker, notices } = setup();
    const c = await openCase(deps, caseInput({ type: "neighbor", description: "邻居的狗天天夜里叫" }));
    await worker.sweep();
    deps.clock.advance(20 * MINUTE); // 10:20: the supervisor re-routes it to the same room (a fresh start)
    await assignRoom(deps, { code: c.code, roomId: "village_committee", actor: "staff:supervisor", reason: "重新分派" });
    await worker.sweep();
    expect((await notices()).map((n) => [n.kind, n.staffId])).toEqual([
      ["case_assigned", "duty_village"],
      ["case_assigned", "duty_village"],
    ]);
    deps.clock.set("2026-11-23T03:00:00Z"); // the first deadline
    await worker.sweep();
    expect(await count(t.sql, sql`SELECT 1 FROM "Notification" WHERE "kind" = ${"sla_remind"}`)).toBe(0);
    deps.clock.set("2026-11-23T03:20:00Z"); // the second
    await worker.sweep();
    expect(await count(t.sql, sql`SELECT 1 FROM "Notification" WHERE "kind" = ${"sla_remind"}`)).toBe(1);
  });
});

describe("deadlines on the centre's calendar", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("a holiday moves the acceptance and resolution deadlines to the next working day; a make-up Saturday is worked", async () => {
    const deps = caseDeps(t);
    deps.clock.set("2026-11-23T09:00:00Z"); // Monday 17:00: half an hour left today
    const before = await openCase(deps, caseInput());
    expect(before.acceptDueAt.toISOString()).toBe("2026-11-24T01:00:00.000Z"); // Tuesday 09:00

    await deps.repos.sla.setDay({ date: "2026-11-24", workday: false, name: "测试假日" });
    const after = await openCase(deps, caseInput());
    expect(after.acceptDueAt.toISOString()).toBe("2026-11-25T01:00:00.000Z"); // Wednesday 09:00
    const stored = await one(t.sql, sql`SELECT "acceptDueAt" FROM "Case" WHERE "id" = ${after.id}`);
    expect(stored.acceptDueAt.toISOString()).toBe("2026-11-25T01:00:00.000Z");

    // 3 days for a labour case opened Saturday 28 November end on Tuesday 1 December … unless that is a holiday.
    deps.clock.set("2026-11-28T02:00:00Z");
    expect((await openCase(deps, caseInput({ type: "labor" }))).resolveDueAt.toISOString()).toBe("2026-12-01T15:59:59.999Z");
    await deps.repos.sla.setDay({ date: "2026-12-01", workday: false, name: null });
    expect((await openCase(deps, caseInput({ type: "labor" }))).resolveDueAt.toISOString()).toBe("2026-12-02T15:59:59.999Z");

    // Saturday as a make-up working day (调休): a case opened then is to be accepted that morning.
    await deps.repos.sla.setDay({ date: "2026-11-28", workday: true, name: "调休" });
    expect((await openCase(deps, caseInput())).acceptDueAt.toISOString()).toBe("2026-11-28T03:00:00.000Z");
  });
});

describe("who may act on a case is decided in the domain", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("refuses staff outside the room, a mediator assigning someone else, a resident withdrawing another's case: FORBIDDEN, nothing stored", async () => {
    const deps = caseDeps(t);
    deps.clock.set("2026-11-23T02:00:00Z");
    const c = await openCase(deps, caseInput()); // the property room
    const attempts = [
      () => acceptCase(deps, { caseId: c.id, mediatorId: "duty_township", actor: "staff:duty_township" }),
      () => declineCase(deps, { caseId: c.id, actor: "staff:duty_township", reason: "-" }),
      () => acceptCase(deps, { caseId: c.id, mediatorId: "duty_township", actor: "staff:duty_property" }),
      () => assignRoom(deps, { code: c.code, roomId: "village_committee", actor: "staff:duty_property" }),
      () => closeCase(deps, { caseId: c.id, outcome: "withdrawn", actor: "resident:web:someone-else" }),
      () => closeCase(deps, { caseId: c.id, outcome: "referred", actor: "resident:web:u1" }),
      () => acceptCase(deps, { caseId: c.id, mediatorId: "duty_property", actor: "staff:nobody" }),
    ];
    for (const attempt of attempts) {
      const err = await attempt().catch((e: unknown) => e);
      expect(isAppError(err, "FORBIDDEN")).toBe(true);
    }
    const stored = await one(t.sql, sql`SELECT "status", "mediatorId", "roomId" FROM "Case" WHERE "id" = ${c.id}`);
    expect([stored.status, stored.mediatorId, stored.roomId]).toEqual(["routed", null, "property_room"]);
    expect(await count(t.sql, sql`SELECT 1 FROM "CaseEvent" WHERE "caseId" = ${c.id}`)).toBe(2);

    // The room's own mediator may; the claimant may withdraw their own case.
    await acceptCase(deps, { caseId: c.id, mediatorId: "duty_property", actor: "staff:duty_property" });
    await closeCase(deps, { caseId: c.id, outcome: "withdrawn", actor: "resident:web:u1" });
    expect((await one(t.sql, sql`SELECT "status" FROM "Case" WHERE "id" = ${c.id}`)).status).toBe("closed");
  });
});

describe("the SLA policy read by several instances", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("a write is seen at once by its own instance and by another within the cache's lifetime", async () => {
    let elapsed = 0;
    const here = createSlaRepository(t.sql, { ttlMs: 30_000, monotonicMs: () => elapsed });
    const there = createSlaRepository(t.sql, { ttlMs: 30_000, monotonicMs: () => elapsed });
    expect((await there.current()).policy.acceptMinutes).toBe(60);
    const { policy } = await here.current();
    await here.save({ ...policy, acceptMinutes: 90 }, new Date("2026-11-23T02:00:00Z"));
    await here.setDay({ date: "2026-11-24", workday: false, name: null });
    expect((await here.current()).policy.acceptMinutes).toBe(90);
    expect((await here.current()).calendar.get("2026-11-24")).toBe(false);
    elapsed = 29_000;
    expect((await there.current()).policy.acceptMinutes).toBe(60); // still its cached read
    elapsed = 30_001;
    expect((await there.current()).policy.acceptMinutes).toBe(90);
    expect((await there.current()).calendar.get("2026-11-24")).toBe(false);
  });

  it("seeding twice keeps the centre's edits", async () => {
    const repo = createSlaRepository(t.sql);
    const { policy } = await repo.current();
    await repo.save({ ...policy, triageMinutes: 45 }, new Date());
    await seedReferenceData(t.sql);
    expect((await repo.current()).policy.triageMinutes).toBe(45);
    expect(await count(t.sql, sql`SELECT 1 FROM "SlaSetting"`)).toBe(1);
  });
});

describe("a staff member with several chats", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("links a second chat with a second invite and is known as the mediator from either; someone outside the room is told so", async () => {
    const deps = caseDeps(t);
    deps.clock.set("2026-11-23T02:00:00Z");
    const dialogue = makeDialogue(deps, scriptedClassifier([]));
    const phone = new Resident(dialogue, "700", "telegram");
    const desk = new Resident(dialogue, "desk-700", "web");
    for (const chat of [phone, desk]) {
      const invite = await createStaffInvite(deps, { staffId: "duty_village" });
      await chat.send({ startPayload: `m_${invite.code}`, text: `/start m_${invite.code}` });
      expect(chat.text()).toContain("已绑定工作人员账号：村调委会值班调解员");
    }
    expect(await deps.repos.staff.channelsOf("duty_village")).toEqual([
      { channel: "telegram", channelUserId: "700" },
      { channel: "web", channelUserId: "desk-700" },
    ]);
    // The first chat is still theirs: the second link added a chat, it did not move the person.
    expect(await deps.repos.staff.chatHolder("telegram", "700")).toBe("duty_village");

    const c = await openCase(deps, caseInput({ type: "neighbor", description: "邻居占了我家的过道" }));
    for (const chat of [phone, desk]) {
      await chat.say("/queue");
      expect(chat.text()).toContain("待受理");
      expect(chat.text()).toContain(c.code);
    }

    // A chat already linked to someone cannot be linked to another person.
    const other = await createStaffInvite(deps, { staffId: "duty_township" });
    expect(await linkStaffByInvite(deps, { code: other.code, channel: "web", channelUserId: "desk-700" })).toEqual({ error: "taken" });

    // The township's mediator presses accept on the village's case: the use case refuses, the chat says why.
    const township = new Resident(dialogue, "800", "telegram");
    await township.send({ startPayload: `m_${other.code}`, text: `/start m_${other.code}` });
    await township.send({ button: `med:acc:${c.code}`, buttonLabel: "受理" });
    expect(township.text()).toContain("不属于您的调解室");
    expect((await one(t.sql, sql`SELECT "status" FROM "Case" WHERE "id" = ${c.id}`)).status).toBe("routed");

    // The village returns a second case; the duty desk, linked on its own chat, sees it waiting for a room.
    const second = await openCase(deps, caseInput({ type: "neighbor", description: "邻居把垃圾堆在楼道" }));
    await phone.send({ button: `med:dec:${second.code}`, buttonLabel: "退回" });
    expect(phone.text()).toContain("已退回");
    const dutyInvite = await createStaffInvite(deps, { staffId: "duty_desk" });
    const dutyDesk = new Resident(dialogue, "900", "telegram");
    await dutyDesk.send({ startPayload: `m_${dutyInvite.code}`, text: `/start m_${dutyInvite.code}` });
    await dutyDesk.say("/queue");
    expect(dutyDesk.text()).toContain("待分流（1）");
    expect(dutyDesk.text()).toContain(second.code);
    expect(dutyDesk.text()).toContain("分流时限：11月23日 11:00");

    // From the second chat the village mediator accepts the first.
    await desk.send({ button: `med:acc:${c.code}`, buttonLabel: "受理" });
    const stored = await one(t.sql, sql`SELECT "status", "mediatorId" FROM "Case" WHERE "id" = ${c.id}`);
    expect([stored.status, stored.mediatorId]).toEqual(["in_mediation", "duty_village"]);
  });
});

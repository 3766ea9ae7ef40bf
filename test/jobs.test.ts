import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMediatorJobHandlers } from "../src/bot/mediator.js";
import { createCaseJobHandlers } from "../src/cases/case-jobs.js";
import { acceptCase, closeCase } from "../src/cases/change-status.js";
import { openCase } from "../src/cases/open-case.js";
import { openDatabase } from "../src/db/client.js";
import { enqueueJob } from "../src/jobs/job.repository.js";
import { backoffMs, createJobWorker } from "../src/jobs/worker.js";
import { HOUR, MINUTE } from "../src/lib/clock.js";
import { silentLogger } from "../src/lib/logger.js";
import { runChild } from "./support/child.js";
import { createTestDb, type TestDb } from "./support/db.js";
import { caseDeps } from "./support/dialogue.js";
import { ledgerMessenger } from "./support/ledger.js";
import { all, count, one, sql } from "./support/query.js";
import { caseInput } from "./support/cases.js";


describe("durable jobs and SLA reminders", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  function setup() {
    const deps = caseDeps(t);
    deps.clock.set("2026-11-23T02:00:00Z");
    const messenger = ledgerMessenger(t.sql, deps.clock);
    const worker = createJobWorker({
      sql: t.sql,
      clock: deps.clock,
      logger: silentLogger,
      handlers: { ...createCaseJobHandlers({ ...deps, messenger }), ...createMediatorJobHandlers({ ...deps, messenger }) },
    });
    return { deps, messenger, worker };
  }

  it("reminds the owner at the acceptance deadline (催办) and the supervisor past the margin (督办)", async () => {
    const { deps, messenger, worker } = setup();
    // The property room's duty mediator has linked a chat; the supervisor has not.
    await t.sql.execute(sql`INSERT INTO "StaffChannel" ("channel", "channelUserId", "staffId", "createdAt")
      VALUES (${"web"}, ${"mediator-chat"}, ${"duty_property"}, ${deps.clock.now()})`);
    const c = await openCase(deps, caseInput());

    expect(await worker.sweep()).toBe(1); // at once: the room's mediator hears of the new case
    expect((await messenger.sent())[0]!.text).toContain("【新案件分派】");
    expect(await worker.sweep()).toBe(0); // nothing else due yet
    deps.clock.advance(HOUR); // the acceptance deadline
    expect(await worker.sweep()).toBe(1);
    expect((await messenger.sent())).toHaveLength(2);
    expect((await messenger.sent())[1]!.userId).toBe("mediator-chat");
    expect((await messenger.sent())[1]!.text).toContain("【催办】");
    expect((await messenger.sent())[1]!.text).toContain(c.code);

    deps.clock.advance(HOUR); // past it by the margin
    expect(await worker.sweep()).toBe(1);
    const escalation = await one(t.sql, sql`SELECT * FROM "Notification" WHERE "kind" = ${"sla_escalate"}`);
    expect(escalation.staffId).toBe("supervisor");
    expect(escalation.text).toContain("【督办】");
    expect(escalation.text).toContain(c.code);
    // no channel for the supervisor: it waits in the notifications list, undelivered
    expect(escalation.deliveredAt).toBeNull();
    expect((await messenger.sent())).toHaveLength(2);
  });

  it("a staff member with two linked chats gets each notice on both, once each however often the job runs", async () => {
    const { deps, messenger, worker } = setup();
    await t.sql.execute(sql`INSERT INTO "StaffChannel" ("channel", "channelUserId", "staffId", "createdAt") VALUES
      (${"web"}, ${"desk-pc"}, ${"duty_property"}, ${deps.clock.now()}),
      (${"telegram"}, ${"555"}, ${"duty_property"}, ${deps.clock.now()})`);
    const c = await openCase(deps, caseInput());
    expect(await worker.sweep()).toBe(1);
    // The same job again (a retry after a crash): nothing is handed over twice.
    const [job] = await all(t.sql, sql`SELECT "id" FROM "Job" WHERE "kind" = ${"case.assigned"} AND "doneAt" IS NOT NULL`);
    expect(job).toBeDefined();
    await t.sql.execute(sql`UPDATE "Job" SET "doneAt" = NULL, "claimedAt" = NULL, "claimedBy" = NULL WHERE "id" = ${job!.id}`);
    expect(await worker.sweep()).toBe(1);
    const sent = await messenger.sent();
    expect(sent.map((m) => [m.channel, m.userId, m.kind])).toEqual([
      ["telegram", "555", "staff_notice"],
      ["web", "desk-pc", "staff_notice"],
    ]);
    expect(sent[0]!.text).toContain(c.code);
    // The web chat's transcript is its delivery: sent at once; Telegram's waits for its sender.
    expect(sent.map((m) => m.state)).toEqual(["queued", "sent"]);
  });

  it("sends nothing when the case moved on before its deadline", async () => {
    const { deps, messenger, worker } = setup();
    const c = await openCase(deps, caseInput());
    deps.clock.advance(30 * MINUTE);
    await acceptCase(deps, { caseId: c.id, mediatorId: "duty_property", actor: "staff:duty_property" });
    deps.clock.advance(3 * HOUR);
    await worker.sweep();
    expect(await count(t.sql, sql`SELECT 1 FROM "Notification"`)).toBe(0);
    // staff hear nothing; the resident only hears that the case was accepted
    expect((await messenger.sent()).map((m) => m.userId)).toEqual(["u1"]);
    expect((await messenger.sent())[0]!.text).toContain("已由调解员受理");
    // the resolution deadline (3 days, general) is now what is watched
    const pending = await all(t.sql, sql`SELECT * FROM "Job" WHERE "doneAt" IS NULL AND "kind" LIKE ${"sla.%"}`);
    expect(pending.map((j) => JSON.parse(j.payload).stage)).toEqual(["resolve", "resolve"]);
  });

  it("reminds whoever answers for the case now: a mediator who has left is not reminded, the room is, else the duty desk and supervisors", async () => {
    const { deps, worker } = setup();
    const c = await openCase(deps, caseInput());
    await acceptCase(deps, { caseId: c.id, mediatorId: "duty_property", actor: "staff:duty_property" });
    // The mediator leaves the centre; the property room has nobody else.
    await t.sql.execute(sql`UPDATE "Staff" SET "active" = ${false} WHERE "id" = ${"duty_property"}`);
    deps.clock.advance(10 * 24 * HOUR); // past the resolution deadline and its margin
    while ((await worker.sweep()) > 0);
    const reminded = await all<{ staffId: string }>(t.sql, sql`SELECT "staffId" FROM "Notification" WHERE "kind" = ${"sla_remind"} ORDER BY "staffId"`);
    expect(reminded.map((r) => r.staffId)).toEqual(["duty_desk", "supervisor"]);

    // A second case in the same room, now with a clerk there: the clerk is reminded, not the desk.
    await t.sql.execute(sql`INSERT INTO "Staff" ("id", "name", "role", "roomId", "active", "createdAt")
      VALUES (${"property_clerk"}, ${"物业调解室文员"}, ${"staff"}, ${"property_room"}, ${true}, ${deps.clock.now()})`);
    const d = await openCase(deps, caseInput());
    deps.clock.advance(HOUR); // the acceptance deadline
    while ((await worker.sweep()) > 0);
    const second = await all<{ staffId: string }>(t.sql, sql`SELECT "staffId" FROM "Notification" WHERE "kind" = ${"sla_remind"} AND "caseId" = ${d.id}`);
    expect(second.map((r) => r.staffId)).toEqual(["property_clerk"]);
  });

  it("pages staff at once for a risk-flagged case", async () => {
    const { deps, worker } = setup();
    const c = await openCase(deps, caseInput({ type: "labor", riskFlags: ["wage_arrears_group", "violence"] }));
    expect(await worker.sweep()).toBe(2); // due now, no clock movement needed: the page and the assignment
    const pages = await all(t.sql, sql`SELECT * FROM "Notification" WHERE "kind" = ${"risk_page"}`);
    expect(pages.map((p) => p.staffId).sort()).toEqual(["duty_labor", "supervisor"]);
    expect(pages[0]!.text).toContain(c.code);
    expect(pages[0]!.text).toContain("群体欠薪");
    expect(pages[0]!.text).toContain("暴力威胁");
  });

  it("running the sweep twice, or in two processes at once, notifies once", async () => {
    const { deps, worker } = setup();
    for (let i = 0; i < 5; i++) await openCase(deps, caseInput());
    deps.clock.advance(3 * HOUR); // every remind and escalate is due
    const at = deps.clock.now().toISOString();
    const [here, childA, childB] = await Promise.all([
      worker.sweep(),
      runChild("test/support/sweep-child.ts", [t.url, at]),
      runChild("test/support/sweep-child.ts", [t.url, at]),
    ]);
    expect(here + Number(childA) + Number(childB)).toBeGreaterThanOrEqual(15);
    await worker.sweep();
    // 5 cases × (1 room mediator reminded + 1 supervisor escalated), each exactly once
    expect(await count(t.sql, sql`SELECT 1 FROM "Notification" WHERE "kind" = ${"sla_remind"}`)).toBe(5);
    expect(await count(t.sql, sql`SELECT 1 FROM "Notification" WHERE "kind" = ${"sla_escalate"}`)).toBe(5);
    expect(await count(t.sql, sql`SELECT 1 FROM "Job" WHERE "doneAt" IS NULL`)).toBe(0);
  });

  it("a job survives a restart: scheduled by one client, run by the next", async () => {
    const { deps } = setup();
    await openCase(deps, caseInput());
    await t.close();
    const reopened = await openDatabase(t.url);
    Object.assign(t, reopened); // cleanup closes this one
    const next = caseDeps(reopened, deps.clock);
    const messenger = ledgerMessenger(t.sql, deps.clock);
    deps.clock.advance(HOUR);
    const worker = createJobWorker({
      sql: reopened.sql,
      clock: deps.clock,
      logger: silentLogger,
      handlers: { ...createCaseJobHandlers({ ...next, messenger }), ...createMediatorJobHandlers({ ...next, messenger }) },
    });
    expect(await worker.sweep()).toBe(2); // the assignment notice and the reminder
    expect(await count(reopened.sql, sql`SELECT 1 FROM "Notification" WHERE "kind" = ${"sla_remind"}`)).toBe(1);
    expect(await count(reopened.sql, sql`SELECT 1 FROM "Notification" WHERE "kind" = ${"case_assigned"}`)).toBe(1);
  });

  it("retries a failing job with back-off and gives up after the last attempt", async () => {
    const { deps } = setup();
    let calls = 0;
    const worker = createJobWorker({
      sql: t.sql,
      clock: deps.clock,
      logger: silentLogger,
      maxAttempts: 3,
      handlers: {
        flaky: async () => {
          calls++;
          throw new Error("channel down");
        },
      },
    });
    await enqueueJob(t.sql, { kind: "flaky", payload: {}, dueAt: deps.clock.now() }, deps.clock.now());
    await worker.sweep();
    let job = await one(t.sql, sql`SELECT * FROM "Job"`);
    expect(job.attempts).toBe(1);
    expect(job.dueAt.getTime()).toBe(deps.clock.now().getTime() + backoffMs(1));
    expect(job.lastError).toBe("channel down");

    await worker.sweep(); // not due yet: nothing runs
    expect(calls).toBe(1);
    deps.clock.advance(backoffMs(1));
    await worker.sweep();
    deps.clock.advance(backoffMs(2));
    await worker.sweep();
    job = await one(t.sql, sql`SELECT * FROM "Job"`);
    expect(calls).toBe(3);
    expect(job.failedAt).not.toBeNull();
    deps.clock.advance(HOUR);
    await worker.sweep();
    expect(calls).toBe(3);
  });

  it("takes over a job whose claim is older than the lease (its process died)", async () => {
    const { deps, worker } = setup();
    await openCase(deps, caseInput({ riskFlags: ["self_harm"] }));
    // another process claimed the page and crashed before finishing
    await t.sql.execute(sql`UPDATE "Job" SET "claimedAt" = ${deps.clock.now()}, "claimedBy" = ${"dead"}, "attempts" = 1 WHERE "kind" = ${"risk.page"}`);
    expect(await worker.sweep()).toBe(1); // only the assignment notice; the claimed page waits
    deps.clock.advance(6 * MINUTE);
    expect(await worker.sweep()).toBe(1);
    expect(await count(t.sql, sql`SELECT 1 FROM "Notification" WHERE "kind" = ${"risk_page"}`)).toBe(2);
  });
});

describe("news for the parties", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("tells the resident on their channel when a mediator accepts and when the case closes", async () => {
    const deps = caseDeps(t);
    const messenger = ledgerMessenger(t.sql, deps.clock);
    const sent = async () => (await messenger.sent()).map(({ channel, userId, text }) => ({ channel, userId, text }));
    const worker = createJobWorker({ sql: t.sql, clock: deps.clock, logger: silentLogger, handlers: createCaseJobHandlers({ ...deps, messenger }) });
    await t.sql.execute(sql`DELETE FROM "Job"`); // only the news for the resident matters here
    const c = await openCase(deps, caseInput({ claimant: { channel: "telegram", channelUserId: "4242" } }));
    await acceptCase(deps, { caseId: c.id, mediatorId: "duty_property", actor: "staff:duty_property" });
    await worker.sweep();
    expect(await sent()).toEqual([{ channel: "telegram", userId: "4242", text: expect.stringContaining(`${c.code} 已由调解员受理`) }]);
    await closeCase(deps, { caseId: c.id, outcome: "resolved", actor: "staff:duty_property" });
    await worker.sweep();
    expect((await sent())[1]!.text).toContain("已结案：调解成功");
    await worker.sweep();
    expect(await sent()).toHaveLength(2);
  });
});

describe("nightly clean-up", () => {
  it("deletes finished jobs past retention, unused web sessions and old rate windows, keeps the rest, and schedules the next night once", async () => {
    const t = await createTestDb();
    try {
      const { createPruneHandler, schedulePrune, PRUNE } = await import("../src/jobs/prune.js");
      const deps = caseDeps(t);
      deps.clock.set("2026-11-23T02:00:00Z");
      const old = new Date("2026-10-01T00:00:00Z");
      const recent = new Date("2026-11-20T00:00:00Z");
      await t.sql.execute(sql`
        INSERT INTO "Job" ("id", "kind", "payload", "dueAt", "doneAt", "failedAt", "attempts", "createdAt") VALUES
          (${"old"}, ${"x"}, ${"{}"}, ${old}, ${old}, ${null}, 0, ${old}),
          (${"recent"}, ${"x"}, ${"{}"}, ${old}, ${recent}, ${null}, 0, ${old}),
          (${"failed"}, ${"x"}, ${"{}"}, ${old}, ${null}, ${old}, 0, ${old})`);
      // Web sessions: one opened and left, one that is a resident's identity (it has a conversation), one new.
      await t.sql.execute(sql`
        INSERT INTO "WebSession" ("id", "createdAt", "lastSeenAt") VALUES
          (${"left"}, ${old}, ${old}), (${"resident"}, ${old}, ${old}), (${"new"}, ${deps.clock.now()}, ${deps.clock.now()})`);
      await t.sql.execute(sql`
        INSERT INTO "Conversation" ("id", "channel", "userId", "state", "createdAt", "updatedAt")
        VALUES (${"c1"}, ${"web"}, ${"resident"}, ${"{}"}, ${old}, ${old})`);
      await t.sql.execute(sql`
        INSERT INTO "RateWindow" ("key", "windowStart", "count") VALUES (${"web:send-d:x"}, ${old}, 3), (${"web:send-d:y"}, ${deps.clock.now()}, 1)`);

      await schedulePrune(t.sql, deps.zone, deps.clock.now());
      await schedulePrune(t.sql, deps.zone, deps.clock.now()); // a second start schedules nothing more
      const scheduled = await all(t.sql, sql`SELECT * FROM "Job" WHERE "kind" = ${PRUNE}`);
      expect(scheduled.map((j) => j.dueAt.toISOString())).toEqual(["2026-11-23T19:00:00.000Z"]); // 03:00 Shanghai

      deps.clock.set("2026-11-23T19:00:00Z");
      const worker = createJobWorker({ sql: t.sql, clock: deps.clock, logger: silentLogger, handlers: { [PRUNE]: createPruneHandler({ sql: t.sql, zone: deps.zone }) } });
      expect(await worker.sweep()).toBe(1);
      const left = (await all(t.sql, sql`SELECT "id" FROM "Job" WHERE "kind" = ${"x"}`)).map((j) => j.id).sort();
      expect(left).toEqual(["failed", "recent"]); // failures are kept for a person to look at
      expect((await all(t.sql, sql`SELECT "id" FROM "WebSession" ORDER BY "id"`)).map((r) => r.id)).toEqual(["new", "resident"]);
      expect((await all(t.sql, sql`SELECT "key" FROM "RateWindow"`)).map((r) => r.key)).toEqual(["web:send-d:y"]);
      const next = await one(t.sql, sql`SELECT * FROM "Job" WHERE "kind" = ${PRUNE} AND "doneAt" IS NULL`);
      expect(next.dueAt.toISOString()).toBe("2026-11-24T19:00:00.000Z");
    } finally {
      await t.cleanup();
    }
  });
});

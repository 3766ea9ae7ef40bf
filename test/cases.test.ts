import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acceptCase, changeCaseStatus, closeCase, declineCase } from "../src/cases/change-status.js";
import { openCase, type OpenCaseInput } from "../src/cases/open-case.js";
import { CASE_CODE_PATTERN } from "../src/cases/types.js";
import { HOUR } from "../src/lib/clock.js";
import { isAppError } from "../src/lib/errors.js";
import { newId } from "../src/lib/ids.js";
import { runChild } from "./support/child.js";
import { createTestDb, type TestDb } from "./support/db.js";
import { caseDeps } from "./support/dialogue.js";

function input(over: Partial<OpenCaseInput> = {}): OpenCaseInput {
  return {
    intakeKey: newId(),
    actor: "resident:web:u1",
    description: "隔壁装修每天早上六点就开始打钻，说了好几次都不听",
    type: "neighbor",
    riskFlags: [],
    language: "zh-CN",
    claimant: { channel: "web", channelUserId: "u1", serviceChannel: "chat", consentAt: new Date() },
    respondent: { name: "隔壁王某" },
    ...over,
  };
}

describe("cases", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("opens a case with one code, routed by the table, with parties, deadlines and an audit trail", async () => {
    const deps = caseDeps(t);
    deps.clock.set("2026-11-23T02:00:00Z"); // 10:00 in Shanghai
    const opened = await openCase(deps, input());
    expect(opened.code).toBe("OD-20261123-0001");
    expect(opened.code).toMatch(CASE_CODE_PATTERN);
    expect(opened.route.roomId).toBe("village_committee");
    expect(opened.route.tier).toBe("village");

    const stored = await t.db.case.findUniqueOrThrow({ where: { id: opened.id }, include: { parties: true, events: true } });
    expect(stored.status).toBe("routed");
    expect(stored.parties.map((p) => p.role).sort()).toEqual(["claimant", "respondent"]);
    expect(stored.triageDueAt.toISOString()).toBe("2026-11-23T03:00:00.000Z");
    expect(stored.acceptDueAt?.toISOString()).toBe("2026-11-23T03:00:00.000Z");
    // neighbour disputes are simple: due the same local day, 23:59:59.999 Shanghai = 15:59:59.999Z
    expect(stored.resolveDueAt?.toISOString()).toBe("2026-11-23T15:59:59.999Z");
    expect(stored.events.map((e) => [e.action, e.fromStatus, e.toStatus])).toEqual([
      ["opened", null, "received"],
      ["routed", "received", "routed"],
    ]);
    const jobs = await t.db.job.findMany({ orderBy: { dueAt: "asc" } });
    expect(jobs.map((j) => [j.kind, j.dueAt.toISOString()])).toEqual([
      ["case.assigned", "2026-11-23T02:00:00.000Z"],
      ["sla.remind", "2026-11-23T03:00:00.000Z"],
      ["sla.escalate", "2026-11-23T04:00:00.000Z"],
    ]);
  });

  it("gives deadlines by complexity in the centre's time zone", async () => {
    const deps = caseDeps(t);
    deps.clock.set("2026-11-23T10:00:00Z"); // 18:00 Shanghai: past the same-day cut-off
    const late = await openCase(deps, input());
    expect(late.resolveDueAt.toISOString()).toBe("2026-11-24T15:59:59.999Z");
    const labor = await openCase(deps, input({ type: "labor" })); // general: 3 days
    expect(labor.resolveDueAt.toISOString()).toBe("2026-11-26T15:59:59.999Z");
    const medical = await openCase(deps, input({ type: "medical" })); // complex: 10 days
    expect(medical.resolveDueAt.toISOString()).toBe("2026-12-03T15:59:59.999Z");
    const land = await openCase(deps, input({ type: "expropriation" })); // difficult: 30 days
    expect(land.resolveDueAt.toISOString()).toBe("2026-12-23T15:59:59.999Z");
    // a group wage claim is harder than a usual labour case
    const group = await openCase(deps, input({ type: "labor", riskFlags: ["wage_arrears_group"] }));
    expect(group.route.complexity).toBe("complex");
  });

  it("numbers codes by the local day, and never hands out a number twice under concurrency", async () => {
    const deps = caseDeps(t);
    deps.clock.set("2026-11-23T16:30:00Z"); // already 24 November in Shanghai
    const first = await openCase(deps, input());
    expect(first.code).toBe("OD-20261124-0001");

    // 60 at once in this process, and 2 × 30 more from two other processes on the same file.
    const [here, a, b] = await Promise.all([
      Promise.all(Array.from({ length: 60 }, () => openCase(deps, input()))),
      runChild("test/support/open-cases-child.ts", [t.url, "30"]),
      runChild("test/support/open-cases-child.ts", [t.url, "30"]),
    ]);
    const codes = [
      ...here.map((o) => o.code),
      ...(JSON.parse(a) as string[]),
      ...(JSON.parse(b) as string[]),
    ];
    expect(new Set(codes).size).toBe(120);
    for (const code of codes) expect(code).toMatch(CASE_CODE_PATTERN);
    expect(await t.db.case.count()).toBe(121);
  });

  it("opening the same intake twice returns the first case", async () => {
    const deps = caseDeps(t);
    const i = input();
    const a = await openCase(deps, i);
    const b = await openCase(deps, i);
    expect(b.code).toBe(a.code);
    expect(b.created).toBe(false);
    expect(await t.db.case.count()).toBe(1);
  });

  it("routes by the table, so a centre changes routing by editing data", async () => {
    const deps = caseDeps(t);
    await t.db.routingRule.update({ where: { disputeType: "neighbor" }, data: { roomId: "township_committee", tier: "township" } });
    const opened = await openCase(deps, input());
    expect(opened.route.roomId).toBe("township_committee");
  });

  it("follows the lifecycle and refuses illegal transitions with a coded error", async () => {
    const deps = caseDeps(t);
    const c = await openCase(deps, input());

    const illegal = await changeCaseStatus(deps, { caseId: c.id, to: "followed_up", actor: "staff:x" }).catch((e) => e);
    expect(isAppError(illegal, "ILLEGAL_TRANSITION")).toBe(true);
    const resolvedTooEarly = await closeCase(deps, { caseId: c.id, outcome: "resolved", actor: "staff:x" }).catch((e) => e);
    expect(isAppError(resolvedTooEarly, "ILLEGAL_TRANSITION")).toBe(true);

    await declineCase(deps, { caseId: c.id, actor: "staff:duty_village", reason: "不属本村" });
    await changeCaseStatus(deps, { caseId: c.id, to: "routed", roomId: "township_committee", actor: "staff:supervisor" });
    deps.clock.advance(HOUR / 2);
    await acceptCase(deps, { caseId: c.id, mediatorId: "duty_township", actor: "staff:duty_township" });
    await closeCase(deps, { caseId: c.id, outcome: "resolved", actor: "staff:duty_township", reason: "达成协议" });
    await changeCaseStatus(deps, { caseId: c.id, to: "followed_up", actor: "staff:supervisor" });

    const stored = await t.db.case.findUniqueOrThrow({ where: { id: c.id }, include: { events: { orderBy: { at: "asc" } } } });
    expect(stored.status).toBe("followed_up");
    expect(stored.outcome).toBe("resolved");
    expect(stored.roomId).toBe("township_committee");
    expect(stored.mediatorId).toBe("duty_township");
    expect(stored.events.map((e) => `${e.fromStatus ?? ""}>${e.toStatus}:${e.actor}`)).toEqual([
      ">received:resident:web:u1",
      "received>routed:system",
      "routed>received:staff:duty_village",
      "received>routed:staff:supervisor",
      "routed>in_mediation:staff:duty_township",
      "in_mediation>closed:staff:duty_township",
      "closed>followed_up:staff:supervisor",
    ]);
    expect(stored.events.find((e) => e.toStatus === "received" && e.fromStatus)?.reason).toBe("不属本村");
  });

  it("lets only one of two simultaneous status changes win", async () => {
    const deps = caseDeps(t);
    const c = await openCase(deps, input());
    const results = await Promise.allSettled([
      acceptCase(deps, { caseId: c.id, mediatorId: "duty_village", actor: "staff:a" }),
      acceptCase(deps, { caseId: c.id, mediatorId: "duty_township", actor: "staff:b" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const failure = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(isAppError(failure.reason, "CONFLICT")).toBe(true);
    const events = await t.db.caseEvent.count({ where: { caseId: c.id, toStatus: "in_mediation" } });
    expect(events).toBe(1);
  });
});

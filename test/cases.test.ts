import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addEvidence } from "../src/cases/add-evidence.js";
import { acceptCase, changeCaseStatus, closeCase, declineCase } from "../src/cases/change-status.js";
import { createPartyInvite, linkPartyByInvite } from "../src/cases/link-party.js";
import { createStaffInvite, linkStaffByInvite } from "../src/cases/link-staff.js";
import { openCase, type OpenCaseInput } from "../src/cases/open-case.js";
import { CASE_CODE_PATTERN } from "../src/cases/types.js";
import { HOUR } from "../src/lib/clock.js";
import { isAppError } from "../src/lib/errors.js";
import { newId } from "../src/lib/ids.js";
import { runChild } from "./support/child.js";
import { createTestDb, type TestDb } from "./support/db.js";
import { caseDeps } from "./support/dialogue.js";
import { all, count, one, sql } from "./support/query.js";

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

    const stored = await one(t.sql, sql`SELECT * FROM "Case" WHERE "id" = ${opened.id}`);
    const parties = await all(t.sql, sql`SELECT "role" FROM "Party" WHERE "caseId" = ${opened.id}`);
    const events = await all(t.sql, sql`SELECT * FROM "CaseEvent" WHERE "caseId" = ${opened.id} ORDER BY "at"`);
    expect(stored.status).toBe("routed");
    expect(parties.map((p) => p.role).sort()).toEqual(["claimant", "respondent"]);
    expect(stored.triageDueAt.toISOString()).toBe("2026-11-23T03:00:00.000Z");
    expect(stored.acceptDueAt?.toISOString()).toBe("2026-11-23T03:00:00.000Z");
    // neighbour disputes are simple: due the same local day, 23:59:59.999 Shanghai = 15:59:59.999Z
    expect(stored.resolveDueAt?.toISOString()).toBe("2026-11-23T15:59:59.999Z");
    expect(events.map((e) => [e.action, e.fromStatus, e.toStatus])).toEqual([
      ["opened", null, "received"],
      ["routed", "received", "routed"],
    ]);
    const jobs = await all(t.sql, sql`SELECT * FROM "Job" ORDER BY "dueAt"`);
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
    expect(await count(t.sql, sql`SELECT 1 FROM "Case"`)).toBe(121);
  });

  it("opening the same intake twice returns the first case", async () => {
    const deps = caseDeps(t);
    const i = input();
    const a = await openCase(deps, i);
    const b = await openCase(deps, i);
    expect(b.code).toBe(a.code);
    expect(b.created).toBe(false);
    expect(await count(t.sql, sql`SELECT 1 FROM "Case"`)).toBe(1);
  });

  it("routes by the table, so a centre changes routing by editing data", async () => {
    const deps = caseDeps(t);
    await t.sql.execute(sql`UPDATE "RoutingRule" SET "roomId" = ${"township_committee"}, "tier" = ${"township"} WHERE "disputeType" = ${"neighbor"}`);
    const opened = await openCase(deps, input());
    expect(opened.route.roomId).toBe("township_committee");
  });

  it("follows the lifecycle and refuses illegal transitions with a coded error", async () => {
    const deps = caseDeps(t);
    const c = await openCase(deps, input());

    const illegal = await changeCaseStatus(deps, { caseId: c.id, to: "followed_up", actor: "staff:supervisor" }).catch((e) => e);
    expect(isAppError(illegal, "ILLEGAL_TRANSITION")).toBe(true);
    const resolvedTooEarly = await closeCase(deps, { caseId: c.id, outcome: "resolved", actor: "staff:supervisor" }).catch((e) => e);
    expect(isAppError(resolvedTooEarly, "ILLEGAL_TRANSITION")).toBe(true);

    await declineCase(deps, { caseId: c.id, actor: "staff:duty_village", reason: "不属本村" });
    await changeCaseStatus(deps, { caseId: c.id, to: "routed", roomId: "township_committee", actor: "staff:supervisor" });
    deps.clock.advance(HOUR / 2);
    await acceptCase(deps, { caseId: c.id, mediatorId: "duty_township", actor: "staff:duty_township" });
    await closeCase(deps, { caseId: c.id, outcome: "resolved", actor: "staff:duty_township", reason: "达成协议" });
    await changeCaseStatus(deps, { caseId: c.id, to: "followed_up", actor: "staff:supervisor" });

    const stored = await one(t.sql, sql`SELECT * FROM "Case" WHERE "id" = ${c.id}`);
    const events = await all(t.sql, sql`SELECT * FROM "CaseEvent" WHERE "caseId" = ${c.id} ORDER BY "at"`);
    expect(stored.status).toBe("followed_up");
    expect(stored.outcome).toBe("resolved");
    expect(stored.roomId).toBe("township_committee");
    expect(stored.mediatorId).toBe("duty_township");
    expect(events.map((e) => `${e.fromStatus ?? ""}>${e.toStatus}:${e.actor}`)).toEqual([
      ">received:resident:web:u1",
      "received>routed:system",
      "routed>received:staff:duty_village",
      "received>routed:staff:supervisor",
      "routed>in_mediation:staff:duty_township",
      "in_mediation>closed:staff:duty_township",
      "closed>followed_up:staff:supervisor",
    ]);
    expect(events.find((e) => e.toStatus === "received" && e.fromStatus)?.reason).toBe("不属本村");
  });

  it("lets only one of two simultaneous status changes win", async () => {
    const deps = caseDeps(t);
    const c = await openCase(deps, input());
    const results = await Promise.allSettled([
      acceptCase(deps, { caseId: c.id, mediatorId: "duty_village", actor: "staff:duty_village" }),
      acceptCase(deps, { caseId: c.id, mediatorId: "supervisor", actor: "staff:supervisor" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const failure = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    // The loser either lost the conditional update (CONFLICT) or read the case after the winner had
    // committed (ILLEGAL_TRANSITION: it is in mediation now); which one is timing, not correctness.
    expect(isAppError(failure.reason, "CONFLICT") || isAppError(failure.reason, "ILLEGAL_TRANSITION")).toBe(true);
    const events = await count(t.sql, sql`SELECT 1 FROM "CaseEvent" WHERE "caseId" = ${c.id} AND "toStatus" = ${"in_mediation"}`);
    expect(events).toBe(1);
  });
});

// Each of these used to read first and write after, which only SQLite's one-writer-at-a-time kept
// correct, and not even there when two requests read before either wrote: now a key or a conditional
// write decides, as it must on PostgreSQL with requests side by side. Each test fails on the old code.
describe("decided by the database when two requests race", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("opens one case when the same intake is submitted twice at once, and spends no code on the repeat", async () => {
    const deps = caseDeps(t);
    deps.clock.set("2026-11-23T02:00:00Z");
    const i = input();
    const [a, b] = await Promise.all([openCase(deps, i), openCase(deps, i)]);
    expect(b.code).toBe(a.code);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(await count(t.sql, sql`SELECT 1 FROM "Case"`)).toBe(1);
    expect(await count(t.sql, sql`SELECT 1 FROM "Party"`)).toBe(2);
    expect(await count(t.sql, sql`SELECT 1 FROM "CaseEvent"`)).toBe(2);
    expect((await openCase(deps, input())).code).toBe("OD-20261123-0002");
  });

  it("numbers twenty cases opened at once 0001 to 0020, each once, and goes past 9999 with every digit", async () => {
    const deps = caseDeps(t);
    deps.clock.set("2026-11-23T02:00:00Z");
    const codes = (await Promise.all(Array.from({ length: 20 }, () => openCase(deps, input())))).map((c) => c.code);
    expect(codes.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `OD-20261123-${String(i + 1).padStart(4, "0")}`));
    // What a resident was shown is what is stored: no case keeps its provisional code.
    expect((await all<{ code: string }>(t.sql, sql`SELECT "code" FROM "Case" ORDER BY "code"`)).map((r) => r.code)).toEqual(codes);
    await t.sql.execute(sql`UPDATE "CaseCounter" SET "seq" = 9999 WHERE "key" = 'OD-20261123'`);
    expect((await openCase(deps, input())).code).toBe("OD-20261123-10000");
  });

  it("lists a file once when the same bytes arrive twice at once", async () => {
    const deps = caseDeps(t);
    const c = await openCase(deps, input());
    const file = {
      caseId: c.id,
      kind: "photo" as const,
      mime: "image/jpeg",
      size: 10,
      sha256: "b".repeat(64),
      storagePath: "/tmp/b",
      uploadedBy: "resident:web:u1",
    };
    const results = await Promise.all([addEvidence(deps, file), addEvidence(deps, file)]);
    expect(results.map((r) => r.added).sort()).toEqual([false, true]);
    expect(await count(t.sql, sql`SELECT 1 FROM "Evidence" WHERE "caseId" = ${c.id}`)).toBe(1);
    expect(await count(t.sql, sql`SELECT 1 FROM "CaseEvent" WHERE "caseId" = ${c.id} AND "action" = ${"evidence_added"}`)).toBe(1);
  });

  it("adds one respondent when two invitations of a case are made at once; one of the two links", async () => {
    const deps = caseDeps(t);
    const c = await openCase(deps, input({ respondent: undefined }));
    const [a, b] = await Promise.all([
      createPartyInvite(deps, { caseCode: c.code, actor: "staff:a" }),
      createPartyInvite(deps, { caseCode: c.code, actor: "staff:b" }),
    ]);
    expect(b.partyId).toBe(a.partyId);
    const respondents = await all(t.sql, sql`SELECT "id" FROM "Party" WHERE "caseId" = ${c.id} AND "role" = ${"respondent"}`);
    expect(respondents.map((p) => p.id)).toEqual([a.partyId]);
    // The later invitation replaced the earlier, as when they are made one after the other.
    const links = await Promise.all([
      linkPartyByInvite(deps, { token: a.token, channel: "telegram", channelUserId: "501" }),
      linkPartyByInvite(deps, { token: b.token, channel: "telegram", channelUserId: "502" }),
    ]);
    expect(links.filter((l) => "linked" in l)).toHaveLength(1);
    expect(links.filter((l) => "error" in l && l.error === "invalid")).toHaveLength(1);
  });

  it("gives a chat to one person when two staff invitations are used from it at once; the other code stays usable", async () => {
    const deps = caseDeps(t);
    const village = await createStaffInvite(deps, { staffId: "duty_village" });
    const township = await createStaffInvite(deps, { staffId: "duty_township" });
    const chat = { channel: "telegram", channelUserId: "900" };
    const results = await Promise.all([
      linkStaffByInvite(deps, { code: village.code, ...chat }),
      linkStaffByInvite(deps, { code: township.code, ...chat }),
    ]);
    const won = results.flatMap((r) => ("linked" in r ? [r.linked.id] : []));
    expect(won).toHaveLength(1);
    expect(results.filter((r) => "error" in r && r.error === "taken")).toHaveLength(1);
    const holders = await all(t.sql, sql`SELECT "id" FROM "Staff" WHERE "channel" = ${chat.channel} AND "channelUserId" = ${chat.channelUserId}`);
    expect(holders.map((h) => h.id)).toEqual(won);
    // The refused code was not used up: its owner links their own chat with it.
    const [lost, owner] = won[0] === "duty_village" ? [township, "duty_township"] : [village, "duty_village"];
    expect(await linkStaffByInvite(deps, { code: lost.code, channel: "telegram", channelUserId: "901" })).toMatchObject({ linked: { id: owner } });
  });
});

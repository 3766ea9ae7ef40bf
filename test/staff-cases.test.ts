// The staff API's case list (risk flags and the rest queryable) and a case's deliveries (what went to its
// parties and what became of it).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acceptCase } from "../src/cases/change-status.js";
import { openCase } from "../src/cases/open-case.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { all, sql } from "./support/query.js";
import { caseInput } from "./support/cases.js";

describe("staff API: cases and their deliveries", () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(async () => {
    await app.stop();
  });

  const get = async (path: string) => {
    const res = await fetch(`${app.url}${path}`);
    return { status: res.status, body: (await res.json()) as any };
  };

  it("lists cases by risk flag, status and type, newest first, in pages, without internal ids", async () => {
    const plain = await openCase(app.cases, caseInput());
    const violent = await openCase(app.cases, caseInput({ type: "neighbor", description: "邻居说要打我", riskFlags: ["violence"] }));
    const both = await openCase(app.cases, caseInput({ type: "labor", description: "老板欠薪，我不想活了", riskFlags: ["self_harm", "violence"] }));
    // Stored one row a flag: what the list is filtered by.
    expect(await all(app.t.sql, sql`SELECT "flag" FROM "CaseRiskFlag" WHERE "caseId" = ${both.id} ORDER BY "flag"`)).toEqual([
      { flag: "self_harm" },
      { flag: "violence" },
    ]);

    const flagged = await get("/api/staff/cases?risk=violence");
    expect(flagged.status).toBe(200);
    expect(flagged.body.cases.map((c: any) => [c.code, c.riskFlags])).toEqual([
      [both.code, ["self_harm", "violence"]],
      [violent.code, ["violence"]],
    ]);
    expect(Object.keys(flagged.body.cases[0])).not.toContain("id");
    expect((await get("/api/staff/cases?risk=self_harm")).body.cases.map((c: any) => c.code)).toEqual([both.code]);
    expect((await get("/api/staff/cases?type=property_mgmt")).body.cases.map((c: any) => c.code)).toEqual([plain.code]);
    expect((await get("/api/staff/cases?status=routed,in_mediation")).body.cases).toHaveLength(3);
    expect((await get("/api/staff/cases?status=closed")).body.cases).toEqual([]);

    // Pages: `next` is where the next one starts; the last page says null.
    const first = await get("/api/staff/cases?limit=2");
    expect(first.body.cases.map((c: any) => c.code)).toEqual([both.code, violent.code]);
    const second = await get(`/api/staff/cases?limit=2&before=${first.body.next}`);
    expect(second.body).toMatchObject({ cases: [{ code: plain.code }], next: null });

    expect(await get("/api/staff/cases?risk=unknown_flag")).toMatchObject({ status: 400, body: { error: "BAD_INPUT" } });
  });

  it("shows what went to a case's parties and what became of it, without their chat ids", async () => {
    const c = await openCase(app.cases, caseInput());
    await acceptCase(app.cases, { caseId: c.id, mediatorId: "duty_property", actor: "staff:duty_property" });
    await app.worker.sweep(); // the resident hears the case was accepted
    const res = await get(`/api/staff/cases/${c.code}/deliveries`);
    expect(res.status).toBe(200);
    expect(res.body.deliveries).toEqual([
      expect.objectContaining({ channel: "web", kind: "notice", state: "sent", text: expect.stringContaining("已由调解员受理") }),
    ]);
    expect(JSON.stringify(res.body)).not.toContain("u1");
    expect((await get("/api/staff/cases/OD-20990101-0001/deliveries")).status).toBe(404);
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Outbound } from "../src/bot/messages.js";
import { confirmSession, holdSlot } from "../src/scheduling/book-session.js";
import { DAY, HOUR } from "../src/lib/clock.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { delivered } from "./support/consent.js";
import { all, one, sql } from "./support/query.js";
import { agreedCase, schedulingDeps } from "./support/scheduling.js";

/** Saturday 28 November, 09:00 in China: 20:00 on Friday in New York. */
const SATURDAY_9 = new Date("2026-11-28T01:00:00Z");

describe("the manage link: a party sees, moves or cancels the session on a web page", () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(async () => {
    await app.stop();
  });

  /** A booked session (the claimant chose, the New York respondent confirmed) and each party's manage link, as the booking notice carries it. */
  async function booked() {
    const c = await agreedCase(app.cases, {
      claimantUser: "c1",
      respondentUser: "r1",
      claimant: { presets: ["any"] },
      respondent: { presets: ["any"], timeZone: "America/New_York" },
    });
    const sd = schedulingDeps(app.cases);
    const held = await holdSlot(sd, { caseId: c.id, partyId: c.claimantId, startsAt: SATURDAY_9 });
    await confirmSession(sd, { sessionId: held.session.id, partyId: c.respondentId });
    await app.worker.sweep();
    const linkOf = async (user: string) => {
      const m = (await delivered(app, user)).find((o): o is Extract<Outbound, { kind: "link" }> => o.kind === "link" && o.url.includes("/manage/"));
      expect(m?.text).toContain("也可以在网页上查看、改时间或取消");
      return new URL(m!.url).pathname;
    };
    return { c, sessionId: held.session.id, claimant: await linkOf("c1"), respondent: await linkOf("r1") };
  }

  const get = (path: string) => fetch(`${app.url}${path}`, { redirect: "manual" });
  const post = (path: string, fields: Record<string, string> = {}) =>
    fetch(`${app.url}${path}`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });
  /** Follows the post's redirect as a browser would, and returns the page it lands on. */
  async function follow(res: Response): Promise<string> {
    expect(res.status).toBe(303);
    return (await get(res.headers.get("location")!)).text();
  }

  it("shows the booking in the reader's own zone; moving it holds the new time for the other side to confirm", async () => {
    const { c, sessionId, claimant, respondent } = await booked();
    expect(claimant).not.toBe(respondent);

    const page = await get(respondent);
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-store");
    const html = await page.text();
    expect(html).toContain(c.code);
    expect(html).toContain("时间按纽约当地时间显示");
    expect(html).toContain("已约好：11月27日 周五 20:00，电话调解");
    expect(html).toContain(`href="${respondent}/times?lang=zh-CN"`);

    // The times page lists the slots after now, in New York time; the respondent picks the first that is not the booked one.
    const times = await (await get(`${respondent}/times?lang=zh-CN`)).text();
    const picks = [...times.matchAll(/name="at" value="(\d+)"><button type="submit">([^<]+)</g)].map((m) => ({ at: m[1]!, label: m[2]! }));
    expect(picks.length).toBeGreaterThan(2);
    const next = picks.find((p) => Number(p.at) * 60_000 !== SATURDAY_9.getTime())!;
    const after = await follow(await post(`${respondent}/pick?lang=zh-CN`, { at: next.at }));
    expect(after).toContain("已为您保留这个时间");
    expect(after).toContain(`已为您保留 ${next.label}`);

    const s = await one(app.t.sql, sql`SELECT "state", "version", "startsAt", "heldByPartyId" FROM "MediationSession" WHERE "id" = ${sessionId}`);
    expect(s).toMatchObject({ state: "held", version: 2, heldByPartyId: c.respondentId });
    expect(new Date(s.startsAt as string).getTime()).toBe(Number(next.at) * 60_000);
    // The claimant is asked in the chat, and can answer on the page too: yes books it again.
    await app.worker.sweep();
    expect((await delivered(app, "c1")).some((m) => m.kind === "text" && m.text.includes("对方选了"))).toBe(true);
    const claimantPage = await (await get(claimant)).text();
    expect(claimantPage).toContain("对方选了");
    expect(await follow(await post(`${claimant}/answer?lang=zh-CN`, { answer: "yes" }))).toContain("好了，时间约定了");
    expect(await one(app.t.sql, sql`SELECT "state" FROM "MediationSession" WHERE "id" = ${sessionId}`)).toMatchObject({ state: "booked" });
    // A reload of the answer (the browser posting again) changes nothing and says the time is gone from the hold.
    expect(await follow(await post(`${claimant}/answer?lang=zh-CN`, { answer: "yes" }))).toContain("这个时间已经不再保留了");
    expect(await one(app.t.sql, sql`SELECT "state", "version" FROM "MediationSession" WHERE "id" = ${sessionId}`)).toMatchObject({ state: "booked", version: 2 });
  });

  it("cancels after a confirm step; both parties are told in the chat", async () => {
    const { c, sessionId, claimant } = await booked();
    const ask = await (await get(`${claimant}/cancel?lang=zh-CN`)).text();
    expect(ask).toContain("确定取消 11月28日 周六 09:00 这次调解吗");
    expect(await one(app.t.sql, sql`SELECT "state" FROM "MediationSession" WHERE "id" = ${sessionId}`)).toMatchObject({ state: "booked" });
    const done = await follow(await post(`${claimant}/cancel?lang=zh-CN`));
    expect(done).toContain("已取消");
    expect(done).toContain("目前没有约好的调解");
    expect(await one(app.t.sql, sql`SELECT "state", "note" FROM "MediationSession" WHERE "id" = ${sessionId}`)).toMatchObject({ state: "cancelled", note: "party" });
    await app.worker.sweep();
    for (const user of ["c1", "r1"]) {
      expect((await delivered(app, user)).some((m) => m.kind === "text" && m.text.includes("取消") && m.text.includes(c.code))).toBe(true);
    }
  });

  it("inside the minimum notice: the page says to contact the mediator, offers no change, and a forced post changes nothing", async () => {
    const { sessionId, claimant } = await booked();
    app.clock.set(new Date(SATURDAY_9.getTime() - HOUR));
    const html = await (await get(claimant)).text();
    expect(html).toContain("开始前 2 小时内不能在网上改时间或取消");
    expect(html).not.toContain("/times?");
    expect(html).not.toContain("/cancel?");
    expect((await post(`${claimant}/cancel?lang=zh-CN`)).status).toBe(303);
    expect((await get(`${claimant}/times?lang=zh-CN`)).status).toBe(303);
    expect(await one(app.t.sql, sql`SELECT "state" FROM "MediationSession" WHERE "id" = ${sessionId}`)).toMatchObject({ state: "booked" });
    expect(await all(app.t.sql, sql`SELECT 1 FROM "Job" WHERE "kind" = 'session.cancelled'`)).toHaveLength(0);
  });

  it("a tampered link and an expired one get a clear page and nothing of the case; a join link is not a manage link", async () => {
    const { c, claimant } = await booked();
    const token = claimant.split("/").pop()!;
    const tampered = `/manage/${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`;
    const bad = await get(tampered);
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain("这个链接无效");
    expect(badHtml).not.toContain(c.code);
    expect((await post(`${tampered}/cancel`)).status).toBe(400);
    expect((await get("/manage/not-a-token")).status).toBe(400);

    // The join page's token, signed with the same key for another purpose, opens nothing here.
    const { createJoinLinks } = await import("../src/video/join-link.js");
    const join = await createJoinLinks({ sql: app.t.sql, publicBaseUrl: "http://x" }).url({ sessionId: "s", participantId: c.claimantId, notAfter: new Date(SATURDAY_9.getTime() + DAY) });
    expect((await get(`/manage/${join.split("/").pop()}`)).status).toBe(400);

    // A day after the session's end the link has expired.
    app.clock.set(new Date(SATURDAY_9.getTime() + 2 * DAY));
    const old = await get(claimant);
    expect(old.status).toBe(410);
    const oldHtml = await old.text();
    expect(oldHtml).toContain("这个链接已过期");
    expect(oldHtml).not.toContain(c.code);
  });

  it("reads in English with ?lang=en", async () => {
    const { respondent } = await booked();
    const html = await (await get(`${respondent}?lang=en`)).text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain("Times are in New York time");
    expect(html).toContain("Booked: Fri 27 Nov 20:00, phone mediation");
  });
});

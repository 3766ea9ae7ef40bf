import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Outbound } from "../src/bot/messages.js";
import { enqueueJob } from "../src/jobs/job.repository.js";
import { HOUR, MINUTE } from "../src/lib/clock.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { delivered, shown } from "./support/consent.js";
import { Resident } from "./support/dialogue.js";
import { all, count, one, sql } from "./support/query.js";
import { agreedCase } from "./support/scheduling.js";

/** The messages handed to a chat since the last look, as the person would see them arrive. */
function inbox(app: TestApp, userId: string) {
  let seen = 0;
  return async (): Promise<Outbound[]> => {
    const all = await delivered(app, userId);
    const fresh = all.slice(seen);
    seen = all.length;
    return fresh;
  };
}

const slotLabels = (out: Outbound[]) =>
  out.flatMap((m) => (m.kind === "text" ? (m.buttons ?? []).flat() : [])).filter((b) => b.data.startsWith("bk:")).map((b) => b.label);

describe("booking a mediation in the chat (web), with a party in New York", () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
    // The property room's mediator has linked a chat: booked sessions and outcomes reach them there.
    await app.t.sql.execute(sql`INSERT INTO "StaffChannel" ("channel", "channelUserId", "staffId", "createdAt") VALUES ('web', 'm1', 'duty_property', ${app.clock.now()})`);
  });
  afterEach(async () => {
    await app.stop();
  });

  async function agreed() {
    const c = await agreedCase(app.cases, {
      claimantUser: "c1",
      respondentUser: "r1",
      claimant: { presets: ["weekend"] },
      respondent: { presets: ["weekday_evening"], timeZone: "America/New_York" },
    });
    await app.t.sql.transaction((tx) => enqueueJob(tx, { kind: "booking.start", payload: { caseId: c.id }, dueAt: app.clock.now(), dedupeKey: `booking.start:${c.id}` }, app.clock.now()));
    return c;
  }

  it("offers times in each party's zone, holds the first choice, books on the other's yes, sends the ICS, reminds at 24 h, 1 h and 10 min, and asks the mediator for the outcome", async () => {
    const c = await agreed();
    const claimantInbox = inbox(app, "c1");
    const respondentInbox = inbox(app, "r1");
    const mediatorInbox = inbox(app, "m1");
    await app.worker.sweep();

    // The same Saturday-morning slots, each in the reader's own time: 09:00 in China is 20:00 Friday in New York.
    const claimantOffer = await claimantInbox();
    const respondentOffer = await respondentInbox();
    expect(shown(claimantOffer)).toContain("北京时间");
    expect(shown(respondentOffer)).toContain("纽约当地时间");
    expect(slotLabels(claimantOffer)[0]).toBe("11月28日 周六 09:00");
    expect(slotLabels(respondentOffer)[0]).toBe("11月27日 周五 20:00");

    // The respondent picks first: the slot is held for them.
    const respondent = new Resident(app.dialogue, "r1");
    respondent.last = respondentOffer;
    await respondent.press("11月27日 周五 20:00");
    expect(respondent.text()).toContain("已为您保留 11月27日 周五 20:00");

    // The claimant is asked to confirm that time, in China time.
    await app.worker.sweep();
    const ask = await claimantInbox();
    expect(shown(ask)).toContain("对方选了 11月28日 周六 09:00");
    const claimant = new Resident(app.dialogue, "c1");
    claimant.last = ask;
    await claimant.press("可以");

    // Booked: both parties and the mediator get it, each with a calendar file.
    await app.worker.sweep();
    const bookedC = await claimantInbox();
    const bookedR = await respondentInbox();
    expect(shown(bookedC)).toMatch(/已约好：11月28日 周六 09:00，电话调解/);
    expect(shown(bookedR)).toMatch(/已约好：11月27日 周五 20:00，电话调解/);
    const ics = bookedC.find((m): m is Extract<Outbound, { kind: "file" }> => m.kind === "file")!;
    expect(ics.name).toBe(`${c.code}.ics`);
    const calendar = fs.readFileSync(path.join(app.t.dir, ics.ref), "utf8");
    expect(calendar).toContain("DTSTART:20261128T010000Z");
    expect(calendar).toContain(`人民调解 ${c.code}`);
    const toMediator = await mediatorInbox();
    expect(shown(toMediator)).toContain(`【已预约】11月28日 周六 09:00 电话调解，案件 ${c.code}`);
    expect(toMediator.some((m) => m.kind === "file" && m.name.endsWith(".ics"))).toBe(true);
    // The case is now the mediator's.
    expect(await one(app.t.sql, sql`SELECT "status", "mediatorId" FROM "Case" WHERE "id" = ${c.id}`)).toMatchObject({ status: "in_mediation", mediatorId: "duty_property" });

    // Reminders at the right instants, on each party's channel, in their time.
    const start = new Date("2026-11-28T01:00:00Z").getTime();
    app.clock.set(new Date(start - 24 * HOUR));
    await app.worker.sweep();
    expect(shown(await respondentInbox())).toContain("提醒：明天 20:00 调解");
    expect(shown(await claimantInbox())).toContain("提醒：明天 09:00 调解");
    app.clock.set(new Date(start - 60 * MINUTE));
    await app.worker.sweep();
    expect(shown(await claimantInbox())).toContain("1 小时后调解");
    app.clock.set(new Date(start - 10 * MINUTE));
    await app.worker.sweep();
    await app.worker.sweep(); // a second sweep sends nothing again
    expect(shown(await claimantInbox())).toContain("10 分钟后开始调解");
    expect(await count(app.t.sql, sql`SELECT 1 FROM "Delivery" WHERE "recipient" = 'c1' AND "content" LIKE ${"%提醒：%"}`)).toBe(3);

    // After the session the mediator is asked for the outcome and records it; the parties hear it.
    app.clock.set(new Date(start + 75 * MINUTE));
    await app.worker.sweep();
    const ended = await mediatorInbox();
    expect(shown(ended)).toContain("【请记录结果】");
    const mediator = new Resident(app.dialogue, "m1");
    mediator.last = ended;
    await mediator.press("谈成了");
    expect(mediator.text()).toContain(`已记录：案件 ${c.code}，谈成了`);
    await app.worker.sweep();
    expect(shown(await claimantInbox())).toContain("双方谈成了");
    expect(await one(app.t.sql, sql`SELECT "state", "outcome" FROM "MediationSession" WHERE "caseId" = ${c.id}`)).toMatchObject({ state: "done", outcome: "resolved" });
  });

  it("a time pressed after someone else took it: told so, and offered the times still free", async () => {
    const c = await agreed();
    const other = await agreedCase(app.cases, { claimant: { presets: ["any"] }, respondent: { presets: ["any"] } });
    await app.worker.sweep();
    const offer = await delivered(app, "c1");
    // Another case takes Saturday 09:00 with the same mediator first.
    const { holdSlot } = await import("../src/scheduling/book-session.js");
    const { schedulingDeps } = await import("./support/scheduling.js");
    await holdSlot(schedulingDeps(app.cases), { caseId: other.id, partyId: other.claimantId, startsAt: new Date("2026-11-28T01:00:00Z") });
    const claimant = new Resident(app.dialogue, "c1");
    claimant.last = offer;
    await claimant.press("11月28日 周六 09:00");
    expect(claimant.text()).toContain("这个时间刚被别人约走了");
    expect(slotLabels(claimant.last)).not.toContain("11月28日 周六 09:00");
    // 09:30 and 10:00 overlap it, and 10:30 would run past the respondent's evening: next Saturday.
    expect(slotLabels(claimant.last)[0]).toBe("12月5日 周六 09:00");
    expect(await count(app.t.sql, sql`SELECT 1 FROM "MediationSession" WHERE "caseId" = ${c.id}`)).toBe(0);
  });

  it("a party cannot move the session inside the minimum notice: told to ask a person, the session unchanged", async () => {
    const c = await agreed();
    await app.worker.sweep();
    const claimant = new Resident(app.dialogue, "c1");
    claimant.last = await delivered(app, "c1");
    await claimant.press("11月28日 周六 09:00");
    const respondent = new Resident(app.dialogue, "r1");
    await app.worker.sweep();
    const all_ = await delivered(app, "r1");
    respondent.last = all_.slice(-1);
    await respondent.press("可以");
    await app.worker.sweep();
    app.clock.set(new Date(new Date("2026-11-28T01:00:00Z").getTime() - HOUR));
    respondent.last = (await delivered(app, "r1")).filter((m) => m.kind === "text" && m.text.includes("已约好"));
    await respondent.press("取消这次");
    await respondent.press("确定取消");
    expect(respondent.text()).toContain("离开始不到 2 小时，这里不能再改了");
    expect(await one(app.t.sql, sql`SELECT "state" FROM "MediationSession" WHERE "caseId" = ${c.id}`)).toMatchObject({ state: "booked" });
    const rows = await all(app.t.sql, sql`SELECT "kind" FROM "Job" WHERE "kind" = 'session.cancelled'`);
    expect(rows).toHaveLength(0);
  });
});

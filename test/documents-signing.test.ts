import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Outbound } from "../src/bot/messages.js";
import { acceptCase } from "../src/cases/change-status.js";
import { CASE_CODE_PATTERN } from "../src/cases/types.js";
import { DAY, HOUR, ManualClock } from "../src/lib/clock.js";
import { seen, until } from "./fakes/telegram-api.js";
import { scriptedClassifier } from "./support/classifiers.js";
import { all, count, one, sql } from "./support/query.js";
import { telegramWorld, WEBHOOK_SECRET } from "./support/telegram.js";
import { WebResident } from "./support/web-client.js";

/**
 * Issue 11: the agreement, drafted by the mediator, reviewed and signed in the chat with a one-time
 * code by a claimant on the web chat and a respondent on Telegram who is in New York; the signed copy
 * served to both, the case closed as resolved, and the follow-ups (judicial confirmation on day 7 and
 * day 25, the performance of a term on its deadline).
 */

const BASE = "https://onedoor.example.org";
const MEDIATOR = "duty_labor";
const PDFTOTEXT = fs.existsSync("/usr/bin/pdftotext");
if (!PDFTOTEXT && process.env.CI) throw new Error("pdftotext is missing: apt-get install poppler-utils");

const pdfText = (file: string) => execFileSync("/usr/bin/pdftotext", ["-layout", file, "-"], { encoding: "utf8" });

describe.skipIf(!PDFTOTEXT)("signing the mediation agreement in the chat", () => {
  const w = telegramWorld();


  /** A claimant on the web and a respondent on Telegram (in New York) who both agreed to mediate; the labour mediator accepted. */
  async function twoParties() {
    const clock = new ManualClock("2026-11-23T02:00:00Z");
    await w.start({ clock, classifier: scriptedClassifier([{ match: "工资", type: "labor", confidence: 0.9 }]), env: { PUBLIC_BASE_URL: BASE, TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET } });
    const app = w.app!;
    const db = w.t.sql;
    const claimant = await WebResident.open(app.url);
    const claimantInbox = claimant.inbox();
    await claimant.say("老板欠我三个月工资，八千块");
    for (const step of ["同意", "对", "不留电话", "在本地", "确认提交"]) await claimant.press(step);
    const code = claimant.text().match(CASE_CODE_PATTERN)![0];
    await w.quiet(clock);
    const invitation = (await claimantInbox()).map((m) => (m.kind === "link" ? m.url : m.kind === "text" ? m.text : "")).join("\n");
    const payload = invitation.match(/start=(r_[A-Za-z0-9_-]+)/)?.[1];
    if (!payload) throw new Error(`no invitation in: ${invitation}`);

    const respondent = w.chat(202, { first_name: "李老板", language_code: "zh-hans" });
    await respondent.say(`/start ${payload}`);
    await respondent.press("同意调解");
    const c = await one<{ id: string }>(db, sql`SELECT "id" FROM "Case" WHERE "code" = ${code}`);
    await db.execute(sql`UPDATE "Party" SET "timeZone" = 'America/New_York' WHERE "caseId" = ${c.id} AND "role" = 'respondent'`);
    await acceptCase(app.cases, { caseId: c.id, mediatorId: MEDIATOR, actor: `staff:${MEDIATOR}` });
    await w.quiet(clock);
    await claimantInbox();
    return { app, db, clock, claimant, claimantInbox, respondent, code, caseId: c.id };
  }


  async function draft(appUrl: string, code: string, extra: Record<string, unknown> = {}) {
    const res = await fetch(`${appUrl}/api/staff/cases/${code}/agreement`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        staffId: MEDIATOR,
        facts: "申请人在被申请人的工地做木工，2026年8月至10月的工资共八千元未发。",
        issues: "被申请人应否支付拖欠的工资及支付期限。",
        responsibility: "被申请人作为用工方应当按时足额支付劳动报酬。",
        terms: [
          { text: "被申请人于2026年12月10日前一次性支付申请人工资人民币8,000元。", due: "2026-12-10", creditor: "claimant" },
          { text: "双方就本纠纷再无其他争议。" },
        ],
        performanceMethod: "银行转账至申请人本人账户",
        performanceBy: "2026-12-10",
        ...extra,
      }),
    });
    if (res.status !== 201) throw new Error(`draft: HTTP ${res.status} ${await res.text()}`);
    return ((await res.json()) as { document: { id: string; version: number; sha256: string } }).document;
  }

  const codeIn = (texts: string[]) => texts.map((t) => t.match(/签署验证码：(\d{6})/)?.[1]).find(Boolean);
  const sentTo = (id: number) => w.fake.calls.filter((c) => (c.method === "sendMessage" || c.method === "sendDocument") && String(c.params.chat_id) === String(id));

  it("web and Telegram, one party in New York: review, sign with a code each, the signed copy to both, the case resolved, then the follow-ups", async () => {
    const { app, db, clock, claimant, claimantInbox, respondent, code, caseId } = await twoParties();
    const v1 = await draft(app.url, code);
    expect(v1.version).toBe(1);
    await w.quiet(clock);

    // The claimant's chat: the draft as a PDF, and a line asking them to check it, with 签署.
    const got = await claimantInbox();
    const pdf = got.find((m): m is Extract<Outbound, { kind: "file" }> => m.kind === "file" && m.name === `${code} 人民调解协议书.pdf`);
    expect(pdf).toBeDefined();
    expect(pdfText(path.join(w.t.dir, pdf!.ref))).toContain("被申请人于2026年12月10日前一次性支付申请人工资人民币8,000元");
    const review = got.find((m) => m.kind === "text" && m.text.includes("请仔细看一遍"))!;
    claimant.last = [review];
    await claimant.press("签署");
    expect(claimant.text()).toContain("验证码已发给您");
    const claimantCode = codeIn((await claimantInbox()).map((m) => (m.kind === "text" ? m.text : "")))!;
    expect(claimantCode).toMatch(/^\d{6}$/);
    // A wrong code first: refused and counted.
    await claimant.say(claimantCode === "000000" ? "111111" : "000000");
    expect(claimant.text()).toContain("验证码不对，还可以再试 4 次");
    await claimant.say(claimantCode);
    expect(claimant.text()).toContain("已签署（11月23日 10:00）");
    expect(await one(db, sql`SELECT "status" FROM "Case" WHERE "id" = ${caseId}`)).toMatchObject({ status: "in_mediation" });

    // The respondent on Telegram got the same version as a document (the very bytes recorded).
    const doc = await one<{ sha256: string }>(db, sql`SELECT "sha256" FROM "Document" WHERE "id" = ${v1.id}`);
    const upload = sentTo(202).find((c) => c.method === "sendDocument" && c.uploads?.[0]?.name === `${code} 人民调解协议书.pdf`);
    expect(upload?.uploads?.[0]?.sha256).toBe(doc.sha256);
    clock.advance(HOUR); // signing an hour later: 22:00 the evening before in New York
    await respondent.press("签署");
    expect(respondent.text()).toContain("验证码已发给您");
    await until(() => codeIn(sentTo(202).map((c) => seen(c).text)) !== undefined, "the respondent's code sent");
    await respondent.say(codeIn(sentTo(202).map((c) => seen(c).text))!);
    // Told in New York time: 22:00 on the evening before.
    expect(respondent.text()).toContain("已签署（11月22日 22:00）。各方都已签署，协议生效");
    await w.quiet(clock);

    // The signed agreement: each signature's time, channel and identity, and the SHA-256 of the version signed.
    const final = await one<{ id: string; fileRef: string; signedFromId: string; version: number; issuedAt: Date }>(db, sql`
      SELECT "id", "fileRef", "signedFromId", "version", "issuedAt" FROM "Document" WHERE "caseId" = ${caseId} AND "kind" = 'agreement' AND "signedFromId" IS NOT NULL`);
    expect(final).toMatchObject({ signedFromId: v1.id, version: 1 });
    const text = pdfText(path.join(w.t.dir, final.fileRef));
    if (process.env.ONEDOOR_SHOTS) fs.copyFileSync(path.join(w.t.dir, final.fileRef), "/tmp/onedoor-shots/signed-agreement.pdf");
    expect(text).toContain(code);
    expect(text).toContain("签署方式：网页");
    expect(text).toContain("签署方式：Telegram");
    expect(text).toContain("Telegram用户 202");
    expect(text.replace(/\s+/g, "")).toContain(doc.sha256);
    expect(text).toContain("2026年11月23日（星期一）10:00");
    expect(text).toContain("2026年11月23日（星期一）11:00");
    const signatures = await all<{ channel: string; recipient: string }>(db, sql`SELECT "channel", "recipient" FROM "Signature" WHERE "documentId" = ${v1.id} ORDER BY "signedAt"`);
    expect(signatures.map((s) => s.channel)).toEqual(["web", "telegram"]);
    expect(await one(db, sql`SELECT "status", "outcome" FROM "Case" WHERE "id" = ${caseId}`)).toMatchObject({ status: "closed", outcome: "resolved" });
    const finalPdf = sentTo(202).find((c) => c.method === "sendDocument" && c.uploads?.[0]?.sha256 !== doc.sha256 && c.uploads?.[0]?.name === `${code} 人民调解协议书.pdf`);
    expect(finalPdf).toBeDefined();
    const toClaimant = await claimantInbox();
    expect(toClaimant.some((m) => m.kind === "text" && m.text.includes("各方签好的《人民调解协议书》"))).toBe(true);

    // Day 7 and day 25: both are reminded about judicial confirmation, with the agreement.
    clock.advance(7 * DAY);
    await w.quiet(clock);
    const day7 = await claimantInbox();
    expect(day7.some((m) => m.kind === "text" && m.text.includes("还有 23 天") && m.text.includes("县人民法院申请司法确认"))).toBe(true);
    const packageFiles = day7.filter((m): m is Extract<Outbound, { kind: "file" }> => m.kind === "file").map((m) => m.name);
    // (Beside the package, the documents the claimant never opened were sent again on day 3.)
    expect(packageFiles).toEqual(expect.arrayContaining([`${code} 人民调解协议书.pdf`, `${code} 司法确认申请书.pdf`]));
    const application = day7.find((m): m is Extract<Outbound, { kind: "file" }> => m.kind === "file" && m.name.includes("司法确认申请书"))!;
    const applicationText = pdfText(path.join(w.t.dir, application.ref)).replace(/\s+/g, "");
    expect(applicationText).toContain("请求县人民法院对申请人于2026年11月23日");
    expect(applicationText).toContain(`${code}-XY`);
    expect(sentTo(202).some((c) => seen(c).text.includes("还有 23 天"))).toBe(true);

    // The term due 10 December: the claimant (its creditor) is asked the next morning; "not yet" tells the mediator.
    clock.set(new Date("2026-12-11T01:00:00Z"));
    await w.quiet(clock);
    const ask = (await claimantInbox()).find((m) => m.kind === "text" && m.text.includes("对方做到了吗"))!;
    expect(ask).toBeDefined();
    claimant.last = [ask];
    await claimant.press("还没有");
    expect(claimant.text()).toContain("已告诉调解员");
    const told = await all<{ text: string }>(db, sql`SELECT "text" FROM "Notification" WHERE "caseId" = ${caseId} AND "kind" = 'performance_missed'`);
    expect(told).toEqual([{ text: expect.stringContaining("协议第1条") }]);
    claimant.last = [ask];
    await claimant.press("还没有");
    expect(claimant.text()).toContain("已经回答过了");

    clock.set(new Date(final.issuedAt.getTime() + 25 * DAY));
    await w.quiet(clock);
    expect((await claimantInbox()).some((m) => m.kind === "text" && m.text.includes("还有 5 天"))).toBe(true);
  });

  it("a superseded version cannot be signed; five wrong codes lock signing and tell the mediator", async () => {
    const { app, db, clock, claimant, claimantInbox, respondent, code } = await twoParties();
    await draft(app.url, code);
    await w.quiet(clock);
    const v1Review = (await claimantInbox()).find((m) => m.kind === "text" && m.text.includes("请仔细看一遍"))!;

    // The mediator corrects the amount: version 2 replaces version 1.
    const v2 = await draft(app.url, code, { terms: [{ text: "被申请人于2026年12月10日前支付申请人工资人民币7,500元。", due: "2026-12-10" }] });
    expect(v2.version).toBe(2);
    await w.quiet(clock);
    const v2Review = (await claimantInbox()).find((m) => m.kind === "text" && m.text.includes("第 2 版"))!;
    expect(v2Review).toBeDefined();
    claimant.last = [v1Review];
    await claimant.press("签署");
    expect(claimant.text()).toContain("这一版协议已经改过，不能再签。请看最新的第 2 版");
    expect(await count(db, sql`SELECT 1 FROM "SigningCode"`)).toBe(0);

    // Two codes asked for: the older one no longer signs (refused and counted); the newer one does.
    await claimantInbox();
    for (let i = 0; i < 2; i++) {
      claimant.last = [v2Review];
      await claimant.press("签署");
    }
    const codes = (await claimantInbox()).flatMap((m) => (m.kind === "text" ? [m.text.match(/签署验证码：(\d{6})/)?.[1]] : [])).filter(Boolean) as string[];
    expect(codes).toHaveLength(2);
    if (codes[0] !== codes[1]) {
      await claimant.say(codes[0]!);
      expect(claimant.text()).toContain("验证码不对，还可以再试 4 次");
    }
    await claimant.say(codes[1]!);
    expect(claimant.text()).toContain("已签署");
    expect(await all(db, sql`SELECT "documentId" FROM "Signature"`)).toEqual([{ documentId: v2.id }]);

    // The respondent asks for a code and types wrong ones: the fifth locks it.
    await respondent.press("签署");
    for (const left of [4, 3, 2, 1]) {
      await respondent.say("999999");
      expect(respondent.text()).toContain(`还可以再试 ${left} 次`);
    }
    await respondent.say("999999");
    expect(respondent.text()).toContain("签署已暂停");
    const locked = await all<{ staffId: string; text: string }>(db, sql`SELECT "staffId", "text" FROM "Notification" WHERE "kind" = 'signing_locked'`);
    expect(locked).toEqual([{ staffId: MEDIATOR, text: expect.stringContaining("验证码输错 5 次，已锁定") }]);
    // Even the right code now: refused, and nothing signed.
    await respondent.press("签署");
    expect(respondent.text()).toContain("签署已暂停");
    expect(await count(db, sql`SELECT 1 FROM "Signature"`)).toBe(1); // the claimant's only
  });
});

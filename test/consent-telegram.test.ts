import { createHash } from "node:crypto";
import { QR_OPTIONS } from "../src/cases/invitation.js";
import { qrPng } from "../src/lib/qr-png.js";
import { describe, expect, it } from "vitest";
import { CASE_CODE_PATTERN } from "../src/cases/types.js";
import { until } from "./fakes/telegram-api.js";
import { scriptedClassifier } from "./support/classifiers.js";
import { telegramWorld, WEBHOOK_SECRET } from "./support/telegram.js";
import { all, one, sql } from "./support/query.js";


describe("the other party's invitation on Telegram", () => {
  const w = telegramWorld();

  const chat = w.chat;

  it("sends the claimant the text with a t.me deep link and a web link, and both QR codes as PNG documents; the respondent accepts in New York time and booking starts", async () => {
    await w.start({
      env: { PUBLIC_BASE_URL: "https://onedoor.example.org", TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET },
      classifier: scriptedClassifier([{ match: "工资", type: "labor", confidence: 0.9 }]),
    });
    const claimant = chat(201);
    await claimant.say("/start");
    await claimant.press("同意");
    await claimant.say("老板欠我三个月工资，八千块");
    for (const step of ["对", "不留电话", "在本地", "确认提交"]) await claimant.press(step);
    const code = claimant.text().match(CASE_CODE_PATTERN)![0];

    // The invitation job runs in the background: the claimant's chat gets the text and two documents.
    await until(() => w.fake.sent("sendDocument", 201).length === 2, "two QR codes sent");
    await until(() => w.fake.sent("sendMessage", 201).some((c) => String(c.params.text).includes("您什么时候方便")), "availability asked");
    const texts = w.fake.sent("sendMessage", 201).map((c) => String(c.params.text)).join("\n");
    const deepLink = texts.match(/https:\/\/t\.me\/OneDoorTestBot\?start=(r_[A-Za-z0-9_-]+)/);
    expect(deepLink).not.toBeNull();
    expect(texts).toContain(`https://onedoor.example.org/?start=${deepLink![1]}`); // the same invitation, without Telegram
    const docs = w.fake.sent("sendDocument", 201);
    expect(docs.map((d) => d.uploads?.[0]?.name)).toEqual(["调解邀请-网页.png", "调解邀请-Telegram.png"]);
    // Each document is the QR code of its link (qrPng draws qrcode's picture: src/lib/qr-png.test.ts).
    const sha = async (url: string) => createHash("sha256").update(qrPng(url, QR_OPTIONS)).digest("hex");
    expect(docs.map((d) => d.uploads?.[0]?.sha256)).toEqual([await sha(`https://onedoor.example.org/?start=${deepLink![1]}`), await sha(deepLink![0])]);

    // The claimant answers under the invitation; the other side opens the deep link.
    await claimant.press("周末");
    await claimant.press("好了");
    const respondent = chat(202, { first_name: "李老板" });
    await respondent.say(`/start ${deepLink![1]}`);
    expect(respondent.text()).toContain(`与您有关的纠纷（劳动争议，案件 ${code}）`);
    expect(respondent.text()).not.toContain("八千");
    await respondent.press("同意调解");
    await respondent.press("工作日晚上");
    await respondent.press("改时区");
    await respondent.press("纽约时间");
    expect(respondent.text()).toContain("时间按纽约时间显示");
    await respondent.press("好了");
    expect(respondent.text()).toContain("记下了：工作日晚上（按纽约时间）");

    const party = await one(w.t.sql, sql`
      SELECT p.* FROM "Party" AS p JOIN "Case" AS c ON c."id" = p."caseId" WHERE c."code" = ${code} AND p."role" = ${"respondent"}`);
    expect(party).toMatchObject({ channel: "telegram", channelUserId: "202", mediationConsent: "accepted", timeZone: "America/New_York" });
    expect(await all(w.t.sql, sql`SELECT 1 FROM "Job" WHERE "kind" = ${"booking.start"}`)).toHaveLength(1);
    await until(() => w.fake.sent("sendMessage", 201).some((c) => String(c.params.text).includes("对方同意调解了")), "claimant told");
  });
});

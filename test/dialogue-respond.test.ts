import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPartyInvite } from "../src/cases/link-party.js";
import { CASE_CODE_PATTERN } from "../src/cases/types.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { scriptedClassifier } from "./support/classifiers.js";
import { Resident } from "./support/dialogue.js";
import { all, sql } from "./support/query.js";

describe("the other party's reply", () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp({ classifier: scriptedClassifier([{ match: "工资", type: "labor", confidence: 0.9 }]) });
  });
  afterEach(async () => {
    await app.stop();
  });

  it("shows the invited party a neutral summary, records their account on the case, and tells the mediator", async () => {
    const dialogue = app.dialogue;
    const claimant = new Resident(dialogue, "claimant");
    await claimant.say("老板欠我三个月工资，八千块");
    for (const step of ["同意", "对", "不留电话", "在本地", "确认提交"]) await claimant.press(step);
    const code = claimant.text().match(CASE_CODE_PATTERN)![0];

    const invite = await createPartyInvite(app.cases, { caseCode: code, actor: "staff:api" });
    const respondent = new Resident(dialogue, "respondent");
    await respondent.send({ startPayload: `r_${invite.token}`, text: `/start r_${invite.token}`, messageId: "r1" });
    expect(respondent.text()).toContain(`与您有关的纠纷（劳动争议，案件 ${code}）`);
    expect(respondent.text()).toContain("自愿、免费");
    expect(respondent.text()).not.toContain("八千"); // the claimant's story is not shown to the other side
    // A question or their side goes to staff, as before they answer whether they take part.
    await respondent.press("我有问题");
    await respondent.say("他干活不认真，我扣了他一部分，愿意坐下来谈");
    expect(respondent.text()).toContain(`已记下（案件 ${code}），工作人员会看到`);

    const events = await all(app.t.sql, sql`
      SELECT e.* FROM "CaseEvent" AS e JOIN "Case" AS c ON c."id" = e."caseId" WHERE c."code" = ${code}`);
    const statement = events.find((e) => e.action === "party_statement")!;
    expect(JSON.parse(statement.data!).text).toBe("他干活不认真，我扣了他一部分，愿意坐下来谈");
    expect(statement.actor).toBe("resident:web:respondent");
    await app.worker.sweep();
    // The room's mediator hears what the other side said.
    const told = await all(app.t.sql, sql`SELECT * FROM "Notification" WHERE "kind" = ${"party_statement"}`);
    expect(told.map((n) => n.staffId)).toEqual(["duty_labor"]);
    expect(told[0]!.text).toContain(`案件 ${code}：他干活不认真`);
  });
});

// How long the way to a case code is, for five scripted residents on the web chat's dialogue with the
// real local classifier: steps (messages and button presses the resident sends; the page's automatic
// start is not one) and characters of bot text read on the way (greeting and case card included).
// Target (issue 8): a plain story in ≤ 8 steps and ≤ 900 characters of bot text.
// Run alone with `npx tsx bench/conversation.ts`; `npm run bench` calls benchConversation().
import { createSchedulingRepository } from "../src/scheduling/scheduling.repository.js";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createDialogue } from "../src/bot/dialogue.js";
import type { Button, Outbound } from "../src/bot/messages.js";
import { createCaseRepositories } from "../src/cases/repositories.js";
import { seedReferenceData } from "../src/cases/seed.js";
import { CASE_CODE_PATTERN, type DisputeType } from "../src/cases/types.js";
import { createLocalClassifier } from "../src/classify/local-model.js";
import { openDatabase } from "../src/db/client.js";
import { migrateDatabase } from "../src/db/migrate.js";
import { ManualClock } from "../src/lib/clock.js";
import { silentLogger } from "../src/lib/logger.js";

interface Script {
  name: string;
  plain: boolean;
  story: string;
  expect: DisputeType;
  otherParty?: string;
  place?: string;
  amount?: string;
  claimants?: string;
  contact: string;
  away: boolean;
}

const SCRIPTS: Script[] = [
  {
    name: "unpaid wages, told plainly",
    plain: true,
    story: "老板拖欠我三个月工资，一共九千块，打电话也不接，我该怎么办？",
    expect: "labor",
    contact: "王强 13912345678",
    away: true,
  },
  {
    name: "leaking ceiling with typos",
    plain: false,
    story: "楼上漏水把我家天花板泡怀了，找他好几次都不里，物业也不管",
    expect: "neighbor",
    place: "幸福小区5栋",
    contact: "李娟 13800001234",
    away: false,
  },
  {
    name: "broken phone bought online",
    plain: false,
    story: "在网上买的手机用了三天就坏了，商家不给退也不给换，花了2999",
    expect: "consumer",
    contact: "小张 13700001234",
    away: false,
  },
  {
    name: "traffic accident, in English",
    plain: false,
    story: "A car hit my e-bike yesterday near the market and the driver refuses to pay for my hospital bills",
    expect: "traffic",
    place: "Dongfeng Road market",
    amount: "5000",
    contact: "Li Ming 13600001234",
    away: false,
  },
  {
    name: "a crew's wage arrears",
    plain: false,
    story: "我们在城东工地干了半年，包工头欠了二十多万工资，一直拖着不给，工友们都急了",
    expect: "labor",
    claimants: "15人，张三、李四、王五",
    contact: "赵六 13500001234",
    away: true,
  },
];

const buttonsOf = (out: Outbound[]): Button[] => out.flatMap((o) => (o.kind === "text" ? (o.buttons ?? []).flat() : []));
const textOf = (out: Outbound[]) => out.map((o) => (o.kind === "text" ? o.text : "")).join("\n");

/** What this resident answers to whatever the bot asks last. */
function answer(s: Script, out: Outbound[]): { text: string } | { button: string } | undefined {
  const b = buttonsOf(out).map((x) => x.data);
  const text = textOf(out);
  if (b.includes("consent:yes")) return { button: "consent:yes" };
  if (b.includes("type:yes")) return { button: "type:yes" };
  if (b.includes(`type:${s.expect}`)) return { button: `type:${s.expect}` };
  if (b.includes("claimants:solo")) return s.claimants ? { text: s.claimants } : { button: "claimants:solo" };
  if (b.includes("contact:skip")) return { text: s.contact };
  if (b.includes("amount:none")) return s.amount ? { text: s.amount } : { button: "amount:none" };
  if (b.includes("away:yes")) return { button: s.away ? "away:yes" : "away:no" };
  if (b.includes("summary:submit")) return { button: "summary:submit" };
  if (b.includes("skip")) {
    if (/对方是谁|other side/i.test(text)) return s.otherParty ? { text: s.otherParty } : { button: "skip" };
    return s.place ? { text: s.place } : { button: "skip" };
  }
  return undefined;
}

export async function benchConversation(): Promise<Record<string, unknown>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onedoor-bench-conv-"));
  const url = `file:${path.join(dir, "bench.db")}`;
  await migrateDatabase(url);
  const database = await openDatabase(url);
  await seedReferenceData(database.sql);
  const clock = new ManualClock("2026-11-23T02:00:00Z"); // a Monday morning: the centre is open
  const repos = createCaseRepositories(database.sql);
  const cases = { repos, sql: database.sql, clock, zone: "Asia/Shanghai", codePrefix: "OD" };
  const dialogue = createDialogue({
    cases,
    scheduling: { cases, scheduling: createSchedulingRepository(database.sql), video: false },
    classifier: createLocalClassifier(),
    logger: silentLogger,
    centre: {
      nameZh: "县矛盾纠纷调处化解中心",
      nameEn: "county dispute mediation centre",
      hours: { zone: "Asia/Shanghai", open: "08:30", close: "17:30", days: [1, 2, 3, 4, 5] },
      handoffReplyMinutes: 30,
    },
  });

  const results = [];
  try {
    for (const [i, s] of SCRIPTS.entries()) {
      const userId = `bench-${i}`;
      let seq = 0;
      const send = async (m: { text?: string; button?: string }) =>
        (await dialogue.handle({ channel: "web", userId, messageId: `${userId}-${++seq}`, ...m })).messages;
      // The page opens the chat by itself; then the resident types the story first, as most do.
      let out = await send({ button: "cmd:start" });
      let botChars = textOf(out).length;
      let buttonChars = buttonsOf(out).reduce((n, b) => n + b.label.length, 0);
      let steps = 0;
      let next: { text: string } | { button: string } | undefined = { text: s.story };
      let code: string | undefined;
      while (next && steps < 20) {
        out = await send(next);
        steps++;
        botChars += textOf(out).length;
        buttonChars += buttonsOf(out).reduce((n, b) => n + b.label.length, 0);
        code = textOf(out).match(CASE_CODE_PATTERN)?.[0];
        if (code) break;
        next = answer(s, out);
      }
      const stored = code ? await repos.cases.byCode(code) : null;
      results.push({
        story: s.name,
        plain: s.plain,
        steps,
        bot_chars: botChars,
        button_chars: buttonChars,
        reached_code: Boolean(code),
        type: stored?.disputeType ?? null,
        type_right: stored?.disputeType === s.expect,
      });
    }
  } finally {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const plain = results.filter((r) => r.plain);
  return {
    stories: results,
    plain_max_steps: Math.max(...plain.map((r) => r.steps)),
    plain_max_bot_chars: Math.max(...plain.map((r) => r.bot_chars)),
    all_reached_code: results.every((r) => r.reached_code),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(JSON.stringify(await benchConversation(), null, 2));
}

// Run as a separate process by tests: opens N cases at once on the given database and prints their codes.
import { openCase } from "../../src/cases/open-case.js";
import { createCaseRepositories } from "../../src/cases/repositories.js";
import { openDatabase } from "../../src/db/client.js";
import { systemClock } from "../../src/lib/clock.js";
import { newId } from "../../src/lib/ids.js";

const [url, count] = process.argv.slice(2);
const { sql, close } = await openDatabase(url!);
const deps = { repos: createCaseRepositories(sql), sql, clock: systemClock, zone: "Asia/Shanghai", codePrefix: "OD" };
const opened = await Promise.all(
  Array.from({ length: Number(count) }, () =>
    openCase(deps, {
      intakeKey: newId(),
      actor: "resident:web:child",
      description: "工地老板欠了三个月工资",
      type: "labor",
      riskFlags: [],
      language: "zh-CN",
      claimant: { channel: "web", channelUserId: `child-${process.pid}` },
    }),
  ),
);
process.stdout.write(JSON.stringify(opened.map((o) => o.code)));
await close();

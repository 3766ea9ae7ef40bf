// Run as a separate process by tests: one job sweep at the given instant, as a second server would.
import { transcriptWriter } from "../../src/bot/conversation.repository.js";
import { createMediatorJobHandlers } from "../../src/bot/mediator.js";
import { createMessenger } from "../../src/notify/messenger.js";
import { createCaseJobHandlers } from "../../src/cases/case-jobs.js";
import { createCaseRepositories } from "../../src/cases/repositories.js";
import { openDatabase } from "../../src/db/client.js";
import { createJobWorker } from "../../src/jobs/worker.js";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";

const [url, at] = process.argv.slice(2);
const { sql, close } = await openDatabase(url!);
const clock = new ManualClock(at!);
const deps = { repos: createCaseRepositories(sql), sql, clock, zone: "Asia/Shanghai", codePrefix: "OD" };
// Staff in these tests have no chat channel, so nothing is sent; notifications are only recorded.
const messenger = createMessenger({ sql, clock, transcript: transcriptWriter });
const worker = createJobWorker({ sql, clock, logger: silentLogger, handlers: { ...createCaseJobHandlers({ ...deps, messenger }), ...createMediatorJobHandlers({ ...deps, messenger }) } });
process.stdout.write(String(await worker.sweep()));
await close();

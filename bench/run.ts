// `npm run bench [-- --json] [-- --only=a,b]`: every benchmark, figures printed at the end. Targets live
// in the README. Parts: classify, conversation, web (the floor, SQLite, PostgreSQL with one instance, in four
// interleaved rounds a concurrency; then two instances), sqlite or pg (the floor and that database only), telegram, scheduling (slot search, contended
// bookings, a reminder burst; --reminders=N, default 10,000, ≈ 333 s a database at Telegram's 30/s),
// documents (PDF render time and size per kind against plain pdfkit; --renders=N, default 200),
// documents-service (acceptance notices served end to end through the job worker, the ledger and the
// dispatcher to the fake Bot API, SQLite and PostgreSQL, against a plain loop; --notices=N, default 1,000,
// and --paced=N, default 300, at Telegram's real limits; ≈ 2 minutes), outages (stop time under each Bot API
// fault, the drain of 1,000 deliveries after an outage, web-chat p99 during it; ≈ 2 minutes).
import { benchClassify } from "./classify.js";
import { benchConversation } from "./conversation.js";
import { benchDocuments } from "./documents.js";
import { benchDocumentsService } from "./documents-service.js";
import { benchOutages } from "./outages.js";
import { benchScheduling } from "./scheduling.js";
import { benchTelegram } from "./telegram.js";
import { benchWebChat } from "./web-chat.js";

const PARTS = ["classify", "conversation", "web", "sqlite", "pg", "telegram", "scheduling", "documents", "documents-service", "outages"];
const json = process.argv.includes("--json");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const unknown = only?.filter((p) => !PARTS.includes(p)) ?? [];
if (unknown.length) {
  console.error(`unknown part ${unknown.join(", ")}: --only= takes ${PARTS.join(", ")}`);
  process.exit(2);
}
const wanted = (part: string) => !only || only.includes(part);

const results: Record<string, unknown> = {};
if (wanted("classify")) results.classify = await benchClassify();
if (wanted("conversation")) results.conversation = await benchConversation();
const sqlite = wanted("web") || wanted("sqlite");
const postgres = wanted("web") || wanted("pg");
if (sqlite || postgres) results.webChat = await benchWebChat({ concurrency: [10, 50], messages: 4000, rounds: 4, sqlite, postgres });
if (wanted("telegram")) results.telegram = await benchTelegram({ concurrency: [10, 40], updates: 2000 });
if (wanted("scheduling")) {
  const reminders = Number(process.argv.find((a) => a.startsWith("--reminders="))?.slice(12) ?? 10_000);
  results.scheduling = await benchScheduling({ reminders, postgres: true });
}
if (wanted("documents")) {
  const renders = Number(process.argv.find((a) => a.startsWith("--renders="))?.slice(10) ?? 200);
  results.documents = await benchDocuments({ renders });
}
if (wanted("documents-service")) {
  const flag = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
  results.documentsService = await benchDocumentsService({ notices: flag("notices", 1000), paced: flag("paced", 300) });
}

if (wanted("outages")) results.outages = await benchOutages();

if (json) console.log(JSON.stringify(results));
else console.log(JSON.stringify(results, null, 2));

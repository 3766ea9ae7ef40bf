// Load generator for bench/telegram.ts, run as its own process so the server's numbers are not its own.
// Usage: tsx bench/telegram-load.ts '<json options>'; prints one JSON line with latencies.
import { percentile } from "../src/classify/evaluate.js";
import { createPoster } from "./post.js";

interface LoadOptions {
  url: string;
  secret: string;
  concurrency: number;
  updates: number;
  firstUpdateId: number;
  firstChatId: number;
}

const opts = JSON.parse(process.argv[2]!) as LoadOptions;
const STORY = "隔壁装修每天早上六点就开始打钻，说了好几次都不听，物业也不管";

/** A chat's updates in the order a resident sends them: a story, the consent press, the type press, an answer. */
function chatUpdates(chatId: number, nextId: () => number): Record<string, unknown>[] {
  const from = { id: chatId, is_bot: false, first_name: "压测", language_code: "zh-hans" };
  const chat = { id: chatId, type: "private", first_name: "压测" };
  const msg = (text: string) => ({ update_id: nextId(), message: { message_id: nextId(), date: Math.floor(Date.now() / 1000), chat, from, text } });
  const press = (data: string) => ({
    update_id: nextId(),
    callback_query: { id: `cq${chatId}-${data}`, from, chat_instance: `ci${chatId}`, data, message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat, text: "…" } },
  });
  return [msg(STORY), press("consent:yes"), press("type:yes"), msg("隔壁王某")];
}

let id = opts.firstUpdateId;
const nextId = () => id++;
// Each worker is one connection's worth of load and owns its chats, so a chat's updates go in order.
const queues: Record<string, unknown>[][] = Array.from({ length: opts.concurrency }, () => []);
let total = 0;
for (let chat = opts.firstChatId; total < opts.updates; chat++) {
  const q = queues[(chat - opts.firstChatId) % opts.concurrency]!;
  for (const u of chatUpdates(chat, nextId)) {
    if (total >= opts.updates) break;
    q.push(u);
    total++;
  }
}

const { post, connect } = createPoster(opts.concurrency);
const headers = { "x-telegram-bot-api-secret-token": opts.secret };
const latencies: number[] = [];
let errors = 0;
await connect(new URL(opts.url).origin);
const started = performance.now();
await Promise.all(
  queues.map(async (q) => {
    for (const update of q) {
      const t0 = performance.now();
      try {
        const res = await post(opts.url, JSON.stringify(update), headers);
        if (res.status !== 200) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  JSON.stringify({
    sent: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: Math.max(0, ...latencies),
  }),
);

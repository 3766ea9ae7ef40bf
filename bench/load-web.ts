// The load process: simulated residents completing intakes through the web-chat API, or the baseline
// route, at a fixed concurrency for a fixed number of messages. Separate from the server, as real
// residents are. Prints a LoadResult as JSON.
import { CASE_CODE_PATTERN } from "../src/cases/types.js";
import type { Outbound } from "../src/bot/messages.js";
import { createPoster } from "./post.js";
import { summarise } from "./stats.js";

const [mode, url, concurrencyArg, messagesArg] = process.argv.slice(2);
const concurrency = Number(concurrencyArg);
const budget = Number(messagesArg);

const STORIES = [
  "我在工地干了三个月，包工头一直拖欠工资，一共八千多块",
  "楼上邻居家卫生间漏水，把我家天花板泡坏了，找他也不管",
  "在超市买的电饭煲用了两天就坏了，商家不给退",
  "骑电动车被一辆小轿车撞了，腿骨折，对方保险公司不肯赔",
  "物业费涨了一倍，小区电梯天天坏，物业也不修",
  "借给朋友五万块钱，说好半年还，现在两年了电话都不接",
];

let sent = 0;
let intakes = 0;
let errors = 0;
const latencies: number[] = [];

const { post, connect } = createPoster(concurrency);

async function timed(body: unknown, headers: Record<string, string>, target: string): Promise<{ messages: Outbound[] }> {
  const t0 = performance.now();
  const res = await post(target, JSON.stringify(body), headers);
  latencies.push(performance.now() - t0);
  if (res.status >= 400) errors++;
  return JSON.parse(res.text) as { messages: Outbound[] };
}

/** What a resident taps or types next, judging from the buttons they were shown. */
function answer(messages: Outbound[], story: string): Record<string, string> {
  const data = messages.flatMap((m) => (m.kind === "text" ? (m.buttons ?? []).flat().map((b) => b.data) : []));
  const has = (d: string) => data.includes(d);
  if (has("consent:yes")) return { button: "consent:yes" };
  if (has("type:yes")) return { button: "type:yes" };
  const type = data.find((d) => d.startsWith("type:") && d !== "type:not_dispute");
  if (type) return { button: type };
  if (has("nd:insist")) return { button: "nd:insist" };
  if (has("summary:submit")) return { button: "summary:submit" };
  if (has("service:chat")) return { button: "service:chat" };
  if (has("away:no")) return { button: "away:no" };
  if (has("contact:skip")) return { text: "王师傅 13800001234" };
  if (has("claimants:solo")) return { button: "claimants:solo" };
  if (has("amount:none")) return { text: "5000元" };
  if (has("skip")) return { text: "张某" };
  return { text: story };
}

async function resident(id: number): Promise<void> {
  let round = 0;
  while (sent < budget) {
    // A session from the server, as the page gets one (not timed: it is not a message).
    round++;
    const issued = await post(`${url}/api/chat/session`, "");
    if (issued.status !== 201) throw new Error(`POST /api/chat/session: HTTP ${issued.status} ${issued.text}`);
    const headers = { "x-chat-session": (JSON.parse(issued.text) as { sessionId: string }).sessionId };
    const story = STORIES[(id + round) % STORIES.length]!;
    let reply = await timed({ button: "cmd:start" }, headers, `${url}/api/chat/messages`);
    sent++;
    for (let step = 0; step < 15 && sent < budget; step++) {
      reply = await timed(answer(reply.messages, story), headers, `${url}/api/chat/messages`);
      sent++;
      if (reply.messages?.some((m) => m.kind === "text" && CASE_CODE_PATTERN.test(m.text))) {
        intakes++;
        break;
      }
    }
  }
}

async function baseline(id: number): Promise<void> {
  while (sent < budget) {
    sent++;
    await timed({ text: STORIES[id % STORIES.length] }, {}, url!);
  }
}

await connect(new URL(url!).origin);
const t0 = performance.now();
await Promise.all(Array.from({ length: concurrency }, (_, i) => (mode === "baseline" ? baseline(i) : resident(i))));
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(JSON.stringify(summarise(latencies, seconds, intakes, errors)));

// The load process: simulated residents completing intakes through the web-chat API, or the floor
// route, at a fixed concurrency for a fixed number of messages. Separate from the server, as real
// residents are. Usage: tsx bench/load-web.ts '<json WebLoadOptions>'; prints a WebLoadResult as JSON.
//
// Closed loop: a resident sends its next message only when the answer to the last one has arrived.
// With several server URLs (instances on one database) residents are spread across them, and every
// `bothEvery`-th resident writes to all of them at once: it opens the chat in two tabs (two different
// first messages, at the same instant, one per instance), then sends each answer to every instance at
// once with the same client message id, as a retry that a load balancer sends to another instance does.
// The first must be two turns, the others one turn each, answered alike.
import { CASE_CODE_PATTERN } from "../src/cases/types.js";
import type { Outbound } from "../src/bot/messages.js";
import { webUserIdOf } from "../src/bot/channels/web/web-session.repository.js";
import { createPoster } from "./post.js";
import { summarise, type LoadResult } from "./stats.js";

export interface WebLoadOptions {
  mode: "onedoor" | "baseline";
  /** One URL per instance (the floor's route itself in baseline mode). */
  urls: string[];
  concurrency: number;
  messages: number;
  /** With several URLs: every n-th resident writes to all instances at once (0: none). */
  bothEvery?: number;
  /** Report what every session sent and got, to compare with the database afterwards. */
  ledger?: boolean;
}

/** What one resident's session sent and got, as the client saw it. */
export interface SessionLedger {
  /** The web conversation's user id (the token's hash), as the server stores it. */
  userId: string;
  /** Distinct client message ids answered with 200: turns the database must hold, once each. */
  accepted: number;
  /** Reply messages of those turns (a turn answered twice counted once). */
  replies: number;
  /** The case code the resident was given, if it got that far. */
  code: string | null;
  /** Sent to every instance at once. */
  both: boolean;
}

export interface WebLoadResult extends LoadResult {
  /** Requests answered 429 (counted in `errors` too): must be 0, the bench measures throughput, not the limiter. */
  limited: number;
  /** Messages sent to every instance at once with one client message id, and how many of those pairs were answered differently. */
  repeatedSends: number;
  repeatedAnsweredDifferently: number;
  /**
   * The most requests in flight at once, and the most a closed loop allows (one a resident, one an
   * instance for a resident writing to all at once): a check that no resident sends ahead of its answer.
   */
  maxInFlight: number;
  closedLoopBound: number;
  sessions?: SessionLedger[];
}

const opts = JSON.parse(process.argv[2]!) as WebLoadOptions;
const { concurrency, messages: budget, urls } = opts;
const writesToAll = (id: number) => opts.mode === "onedoor" && urls.length > 1 && (opts.bothEvery ?? 0) > 0 && id % opts.bothEvery! === 0;

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
let limited = 0;
let repeatedSends = 0;
let repeatedAnsweredDifferently = 0;
let inFlight = 0;
let maxInFlight = 0;
const latencies: number[] = [];
const sessions: SessionLedger[] = [];

const { post, connect } = createPoster(concurrency);

interface Answered {
  ok: boolean;
  messages: Outbound[];
}

async function timed(body: unknown, headers: Record<string, string>, target: string): Promise<Answered> {
  const t0 = performance.now();
  maxInFlight = Math.max(maxInFlight, ++inFlight);
  const res = await post(target, JSON.stringify(body), headers);
  inFlight--;
  latencies.push(performance.now() - t0);
  sent++;
  if (res.status !== 200) {
    errors++;
    if (res.status === 429) limited++;
    return { ok: false, messages: [] };
  }
  return { ok: true, messages: (JSON.parse(res.text) as { messages: Outbound[] }).messages };
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

const codeIn = (messages: Outbound[]) => {
  for (const m of messages) {
    const code = m.kind === "text" ? m.text.match(CASE_CODE_PATTERN)?.[0] : undefined;
    if (code) return code;
  }
  return null;
};

async function resident(id: number): Promise<void> {
  const both = writesToAll(id);
  // A resident who does not write to all instances stays on one, as behind a sticky load balancer.
  const home = urls[id % urls.length]!;
  let round = 0;
  while (sent < budget) {
    round++;
    // A session from the server, as the page gets one (not timed: it is not a message).
    const issued = await post(`${home}/api/chat/session`, "");
    if (issued.status !== 201) throw new Error(`POST /api/chat/session: HTTP ${issued.status} ${issued.text}`);
    const token = (JSON.parse(issued.text) as { sessionId: string }).sessionId;
    const headers = { "x-chat-session": token };
    const ledger: SessionLedger = { userId: webUserIdOf(token), accepted: 0, replies: 0, code: null, both };
    sessions.push(ledger);
    const story = STORIES[(id + round) % STORIES.length]!;
    let n = 0;
    const mid = () => `r${id}s${round}m${++n}`;

    // The page opens the chat by itself; in two tabs, twice at once.
    const opened = await Promise.all(
      (both ? urls : [home]).map((u) => timed({ clientMessageId: mid(), button: "cmd:start" }, headers, `${u}/api/chat/messages`)),
    );
    for (const r of opened) if (r.ok) (ledger.accepted++, (ledger.replies += r.messages.length));
    let last = opened.find((r) => r.ok)?.messages ?? [];

    for (let step = 0; step < 15 && sent < budget; step++) {
      const body = { clientMessageId: mid(), ...answer(last, story) };
      const answered = await Promise.all((both ? urls : [home]).map((u) => timed(body, headers, `${u}/api/chat/messages`)));
      const ok = answered.filter((r) => r.ok);
      if (both) {
        repeatedSends++;
        if (ok.some((r) => JSON.stringify(r.messages) !== JSON.stringify(ok[0]!.messages))) repeatedAnsweredDifferently++;
      }
      if (ok.length === 0) continue;
      last = ok[0]!.messages;
      ledger.accepted++;
      ledger.replies += last.length;
      const code = codeIn(last);
      if (code) {
        ledger.code = code;
        intakes++;
        break;
      }
    }
  }
}

async function baseline(id: number): Promise<void> {
  while (sent < budget) await timed({ text: STORIES[id % STORIES.length] }, {}, urls[0]!);
}

await Promise.all(urls.map((u) => connect(new URL(u).origin)));
const t0 = performance.now();
await Promise.all(Array.from({ length: concurrency }, (_, i) => (opts.mode === "baseline" ? baseline(i) : resident(i))));
const seconds = (performance.now() - t0) / 1000;
const result: WebLoadResult = {
  ...summarise(latencies, seconds, intakes, errors),
  limited,
  repeatedSends,
  repeatedAnsweredDifferently,
  maxInFlight,
  closedLoopBound: Array.from({ length: concurrency }, (_, i) => (writesToAll(i) ? urls.length : 1)).reduce((a, b) => a + b, 0),
  ...(opts.ledger ? { sessions } : {}),
};
process.stdout.write(JSON.stringify(result));

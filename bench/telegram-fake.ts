// The fake Bot API in its own process for bench/telegram.ts and bench/scheduling.ts: Telegram's servers
// are not our CPU. Prints {"apiRoot","token","sendsUrl"} as one line, then serves until killed.
// GET <sendsUrl>?since=<epoch ms>: the sendMessage calls since then, as Telegram saw them: per chat how
// many, and when each arrived (what a benchmark needs to prove none went twice and the rate held).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startFakeTelegram } from "../test/fakes/telegram-api.js";

const fake = await startFakeTelegram();
/** Arrival times of every sendMessage and its chat, kept apart from `calls`, which is pruned. */
const sends: { at: number; chat: string }[] = [];
let seen = 0;
function collect(): void {
  // `calls` only grows between prunes; new calls are those with a seq past the last one seen.
  for (let i = fake.calls.length - 1; i >= 0 && fake.calls[i]!.seq > seen; i--) {
    const c = fake.calls[i]!;
    if (c.method === "sendMessage") sends.push({ at: c.at, chat: String(c.params.chat_id) });
  }
  seen = fake.calls.at(-1)?.seq ?? seen;
}
// Keep the record small over long runs: the benchmark reads counts from /_stats only.
setInterval(() => {
  collect();
  if (fake.calls.length > 200_000) fake.calls.splice(0, 100_000);
}, 100).unref();

const sendsServer = http.createServer((req, res) => {
  collect();
  const since = Number(new URL(req.url ?? "/", "http://127.0.0.1").searchParams.get("since") ?? 0);
  const mine = sends.filter((s) => s.at >= since).sort((a, b) => a.at - b.at);
  const perChat: Record<string, number> = {};
  for (const s of mine) perChat[s.chat] = (perChat[s.chat] ?? 0) + 1;
  const body = JSON.stringify({ at: mine.map((s) => s.at), perChat });
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
});
await new Promise<void>((resolve) => sendsServer.listen(0, "127.0.0.1", resolve));
const sendsUrl = `http://127.0.0.1:${(sendsServer.address() as AddressInfo).port}/sends`;

process.stdout.write(`${JSON.stringify({ apiRoot: fake.apiRoot, token: fake.token, sendsUrl })}\n`);
process.on("SIGTERM", () => void fake.close().then(() => process.exit(0)));
// The parent holds our stdin open: when it is gone (finished, crashed, interrupted), so are we.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();

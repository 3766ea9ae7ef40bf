// The fake Bot API in its own process for bench/telegram.ts: Telegram's servers are not our CPU.
// Prints {"apiRoot","token"} as one line, then serves until killed.
import { startFakeTelegram } from "../test/fakes/telegram-api.js";

const fake = await startFakeTelegram();
// Keep the record small over long runs: the benchmark reads counts from /_stats only.
setInterval(() => {
  if (fake.calls.length > 200_000) fake.calls.splice(0, 100_000);
}, 1000).unref();
process.stdout.write(`${JSON.stringify({ apiRoot: fake.apiRoot, token: fake.token })}\n`);
process.on("SIGTERM", () => void fake.close().then(() => process.exit(0)));
// The parent holds our stdin open: when it is gone (finished, crashed, interrupted), so are we.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();

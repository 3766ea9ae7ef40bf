// Run as a separate process by tests: one OneDoor instance on a shared database, with the environment
// and start options given as JSON. Prints one JSON line ({url, pid} once it serves, or {error}) and runs
// until stdin closes, or until the test kills it (-9).
import { loadConfig } from "../../src/config/env.js";
import { silentLogger } from "../../src/lib/logger.js";
import { start, type StartOptions } from "../../src/main.js";

const [env, options] = process.argv.slice(2).map((a) => JSON.parse(a) as Record<string, unknown>);
try {
  const config = loadConfig({ PORT: "0", LOG_LEVEL: "silent", ...(env as Record<string, string>) });
  const running = await start(config, { logger: silentLogger, migrate: false, ...(options as StartOptions) });
  process.stdout.write(`${JSON.stringify({ url: running.url, pid: process.pid })}\n`);
  process.stdin.resume();
  process.stdin.on("end", () => {
    void running.close().finally(() => process.exit(0));
  });
} catch (err) {
  process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`);
  process.exit(1);
}

// Run as a separate process by tests: the service as `npm start` builds it, migrations included, on the
// given database. Prints one JSON line ({url} once it serves, or {error}) and runs until stdin closes.
import { loadConfig } from "../../src/config/env.js";
import { silentLogger } from "../../src/lib/logger.js";
import { start } from "../../src/main.js";

const [url, dataDir] = process.argv.slice(2);
try {
  const running = await start(loadConfig({ DATABASE_URL: url!, PORT: "0", LOG_LEVEL: "silent", DATA_DIR: dataDir! }), { logger: silentLogger });
  process.stdout.write(`${JSON.stringify({ url: running.url })}\n`);
  process.stdin.resume();
  process.stdin.on("end", () => {
    void running.close().finally(() => process.exit(0));
  });
} catch (err) {
  process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`);
  process.exit(1);
}

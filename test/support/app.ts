import type { Classifier } from "../../src/classify/port.js";
import { loadConfig } from "../../src/config/env.js";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger, type Logger } from "../../src/lib/logger.js";
import { start, type Running, type StartOptions } from "../../src/main.js";
import { createTestDb, type TestDb } from "./db.js";

export interface TestApp extends Running {
  t: TestDb;
  clock: ManualClock;
  stop(): Promise<void>;
}

/** The whole service, as `npm start` builds it, on a fresh database and a free port. */
export async function startTestApp(
  options: {
    env?: Record<string, string>;
    classifier?: Classifier;
    t?: TestDb;
    logger?: Logger;
    /** More of what `start` takes: breakers, health checks, outage alerts sooner. */
    start?: Pick<StartOptions, "breakers" | "dependencyCheckMs" | "outageAlerts">;
  } = {},
): Promise<TestApp> {
  const t = options.t ?? (await createTestDb());
  await t.close();
  const clock = new ManualClock("2026-11-23T02:00:00Z");
  const config = loadConfig({ DATABASE_URL: t.url, PORT: "0", LOG_LEVEL: "silent", DATA_DIR: t.dir, ...options.env });
  const running = await start(config, {
    clock,
    logger: options.logger ?? silentLogger,
    migrate: false,
    startWorker: false,
    classifier: options.classifier,
    ...options.start,
  });
  // The test's handle is now the app's own connection (closed by running.close()).
  Object.assign(t, { sql: running.sql, close: async () => undefined });
  return {
    ...running,
    t,
    clock,
    async stop() {
      await running.close();
      await t.cleanup().catch(() => undefined);
    },
  };
}

import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sql } from "../db/sql.js";
import { openDatabase, type Database } from "../db/client.js";
import { systemClock } from "../lib/clock.js";
import { silentLogger } from "../lib/logger.js";
import { createTestDb, testDatabaseKind, type TestDb } from "../../test/support/db.js";
import { until } from "../../test/fakes/telegram-api.js";
import { enqueueJob } from "./job.repository.js";
import { JOBS_CHANNEL, listenForJobs, type JobListener } from "./wake-up.js";
import { createJobWorker, type JobWorker } from "./worker.js";

describe.runIf(testDatabaseKind() === "postgres")("waking another instance's worker (LISTEN/NOTIFY)", () => {
  let t: TestDb;
  let other: Database;
  let listener: JobListener | undefined;
  let worker: JobWorker | undefined;
  beforeEach(async () => {
    t = await createTestDb({ seed: false });
    other = await openDatabase(t.url);
  });
  afterEach(async () => {
    await listener?.close();
    await worker?.stop();
    await other.close();
    await t.cleanup();
  });

  it("runs a job enqueued on another instance at once, not at its next poll", async () => {
    const ran: string[] = [];
    let woken = 0;
    // This instance polls once a minute: only the notification can make it run the job within the test.
    worker = createJobWorker({ sql: t.sql, clock: systemClock, logger: silentLogger, owner: "a", pollMs: 60_000, handlers: { ping: async () => void ran.push("ping") } });
    worker.start();
    listener = listenForJobs({ url: t.url, logger: silentLogger, onWake: () => ((woken++), worker!.kick()) });
    await until(() => woken > 0, "the listener connected"); // it sweeps once on (re)connecting
    await until(async () => (await worker!.sweep()) === 0, "the first sweep");
    const since = Date.now();
    // The other instance enqueues it inside a transaction: the notification arrives with the commit.
    await other.sql.transaction((tx) => enqueueJob(tx, { kind: "ping", payload: {}, dueAt: systemClock.now(), dedupeKey: "ping:1" }, systemClock.now()));
    await until(() => ran.length === 1, "the job run", 5_000);
    expect(Date.now() - since).toBeLessThan(5_000);
  });

  it("says nothing for a job due later (nothing to wake for)", async () => {
    const heard: string[] = [];
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    try {
      client.on("notification", (n) => void heard.push(n.payload ?? ""));
      await client.query(`LISTEN ${JOBS_CHANNEL}`);
      await enqueueJob(other.sql, { kind: "later", payload: {}, dueAt: new Date(Date.now() + 3_600_000), dedupeKey: "later:1" }, systemClock.now());
      await enqueueJob(other.sql, { kind: "now", payload: {}, dueAt: systemClock.now(), dedupeKey: "now:1" }, systemClock.now());
      // Notifications arrive in commit order: once this one is heard, any before it has been too.
      await other.sql.execute(sql`SELECT pg_notify(${JOBS_CHANNEL}, 'end')`);
      await until(() => heard.includes("end"), "the last notification");
      expect(heard).toEqual(["", "end"]);
    } finally {
      await client.end();
    }
  });
});

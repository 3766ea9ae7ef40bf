// The one inbound pipeline every webhook channel shares (Telegram now, WeCom next): an update is
// written down before the sender gets its answer, handled at once in the background, and finished by
// the job sweep if this process dies first. A redelivery is recognised by its key and handled once.
import { sql, type Sql } from "../db/sql.js";
import { backoffMs, markJobDone, releaseJob, type JobHandler } from "../jobs/worker.js";
import type { Clock } from "../lib/clock.js";
import { newId } from "../lib/ids.js";
import type { Logger } from "../lib/logger.js";

export interface InboundPipelineDeps<U> {
  sql: Sql;
  clock: Clock;
  logger: Logger;
  /** The job kind the updates are stored as ("telegram.update"). */
  kind: string;
  /** The claim name of this process (jobs/lease.ts): its lease keeper renews the claims while they run. */
  owner: string;
  /** A key unique to the update at its sender ("telegram:<bot>:<update_id>"): a second delivery is a no-op. */
  keyOf(update: U): string;
  /** Handles one update; throws to have the sweep retry it with back-off. */
  handle(update: U): Promise<void>;
}

export interface InboundPipeline<U> {
  /**
   * Stores the update, claimed by this process, and starts handling it in the background. Resolves once
   * it is stored (answer the sender then): true when new, false for a delivery already stored.
   */
  accept(update: U): Promise<boolean>;
  /** The job sweep's handler for updates stored but not finished (this or a dead process's). */
  jobHandlers: Record<string, JobHandler>;
  /** Stops taking new updates into handling (they are still stored) and waits for those in hand. */
  drain(): Promise<void>;
  /** Updates in hand now. */
  readonly inHand: number;
}

export function createInboundPipeline<U>(deps: InboundPipelineDeps<U>): InboundPipeline<U> {
  const { sql: db, clock, logger } = deps;
  const inHand = new Map<string, Promise<void>>();
  const background = new Set<Promise<void>>();
  let draining = false;

  /** Handles an update, joining the run already in hand for the same key rather than running it twice. */
  function run(update: U): Promise<void> {
    const key = deps.keyOf(update);
    const running = inHand.get(key);
    if (running) return running;
    const p = deps.handle(update).finally(() => inHand.delete(key));
    inHand.set(key, p);
    return p;
  }

  function dispatch(jobId: string, update: U): void {
    const p = (async () => {
      try {
        await run(update);
        await markJobDone(db, jobId, clock.now());
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        logger.error({ err: message, key: deps.keyOf(update) }, "inbound update failed; the job sweep retries it");
        await releaseJob(db, jobId, message, new Date(clock.now().getTime() + backoffMs(1))).catch((e: unknown) =>
          logger.error({ err: e }, "could not release an inbound update"),
        );
      }
    })();
    background.add(p);
    void p.finally(() => background.delete(p));
  }

  return {
    async accept(update) {
      const now = clock.now();
      const id = newId();
      const claim = !draining;
      // ON CONFLICT makes a redelivery a no-op, not an error. Stored claimed when handled at once here,
      // so another instance's sweep leaves it alone unless this process stops renewing the claim.
      const inserted = await db.execute(sql`
        INSERT INTO "Job" ("id", "kind", "payload", "dedupeKey", "dueAt", "claimedAt", "claimedBy", "attempts", "createdAt")
        VALUES (${id}, ${deps.kind}, ${JSON.stringify({ update })}, ${deps.keyOf(update)},
                ${now}, ${claim ? now : null}, ${claim ? deps.owner : null}, ${claim ? 1 : 0}, ${now})
        ON CONFLICT ("dedupeKey") DO NOTHING`);
      if (inserted !== 1) return false;
      if (claim) dispatch(id, update);
      return true;
    },
    jobHandlers: { [deps.kind]: async (payload) => run(payload.update as U) },
    async drain() {
      draining = true;
      while (background.size > 0) await Promise.allSettled([...background]);
    },
    get inHand() {
      return inHand.size;
    },
  };
}

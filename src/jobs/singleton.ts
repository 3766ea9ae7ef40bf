import { sql, type Sql } from "../db/sql.js";
import type { Clock } from "../lib/clock.js";
import type { Logger } from "../lib/logger.js";
import { HEARTBEAT_MS, LEASE_MS } from "./lease.js";

/**
 * Port: a named lease in the "Lease" table, for work only one instance may do at a time (the Telegram
 * long poll). Held by one holder until `expiresAt`; the holder extends it, anyone may take it once it
 * has run out. One statement decides, on both databases, so two instances asking at once cannot both win.
 */
export interface NamedLease {
  readonly name: string;
  readonly holder: string;
  /** Takes the lease, or extends it when this holder has it; false while another holder's lease runs. */
  acquire(): Promise<boolean>;
  /** Gives it up (only if this holder has it), so another instance need not wait for it to run out. */
  release(): Promise<void>;
}

export function createNamedLease(deps: { sql: Sql; clock: Clock; name: string; holder: string; leaseMs?: number }): NamedLease {
  const { sql: db, clock, name, holder } = deps;
  const leaseMs = deps.leaseMs ?? LEASE_MS;
  return {
    name,
    holder,
    async acquire() {
      const now = clock.now();
      // The upsert's WHERE is the whole decision: a row held by someone else and still running is left
      // as it is, and then no row comes back.
      const rows = await db.query<{ holder: string }>(sql`
        INSERT INTO "Lease" ("name", "holder", "expiresAt") VALUES (${name}, ${holder}, ${new Date(now.getTime() + leaseMs)})
        ON CONFLICT ("name") DO UPDATE SET "holder" = ${holder}, "expiresAt" = ${new Date(now.getTime() + leaseMs)}
        WHERE "Lease"."holder" = ${holder} OR "Lease"."expiresAt" < ${now}
        RETURNING "holder"`);
      return rows[0]?.holder === holder;
    },
    async release() {
      await db.execute(sql`DELETE FROM "Lease" WHERE "name" = ${name} AND "holder" = ${holder}`);
    },
  };
}

export interface SingletonCallbacks {
  /** This instance has the lease now: begin the work (resolves once it has begun). */
  onAcquired(): Promise<void>;
  /** The lease is gone (lost, or stopping): end the work before anyone else may begin it. */
  onLost(): Promise<void>;
  /** Another instance holds the lease: this one stands by (called after every attempt that finds so). */
  onStandby?(): void;
}

export interface SingletonRole {
  readonly held: boolean;
  /** Makes the first attempt (and, when it wins, begins the work); then keeps renewing or trying. */
  start(): Promise<void>;
  /** Gives the role up after the work it guards failed, and tries again only after a lease's length. */
  relinquish(): Promise<void>;
  /** Ends the work if this instance has it, releases the lease, and stops trying. */
  stop(): Promise<void>;
}

/**
 * One holder at a time for a role, whatever the number of instances: the holder renews its lease every
 * heartbeat; the others try every heartbeat too, so one takes over within a lease and a heartbeat of
 * the holder dying (kill -9, a lost host). A holder that cannot renew in time (its process stalled,
 * the database was away) stops the work at once: by then another may have taken the lease.
 */
export function createSingletonRole(
  deps: { lease: NamedLease; clock: Clock; logger: Logger; leaseMs?: number; heartbeatMs?: number } & SingletonCallbacks,
): SingletonRole {
  const { lease, clock, logger } = deps;
  const leaseMs = deps.leaseMs ?? LEASE_MS;
  const heartbeatMs = deps.heartbeatMs ?? HEARTBEAT_MS;
  let held = false;
  /** When the lease this instance last obtained runs out. */
  let heldUntil = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;

  async function lose(why: string): Promise<void> {
    if (!held) return;
    held = false;
    logger.warn({ lease: lease.name, why }, "singleton lease lost; stopping its work");
    await deps.onLost().catch((err: unknown) => logger.error({ err, lease: lease.name }, "stopping singleton work failed"));
  }

  async function attempt(): Promise<void> {
    const asked = clock.now().getTime();
    let won: boolean;
    try {
      won = await lease.acquire();
    } catch (err) {
      logger.warn({ err: (err as Error).message, lease: lease.name }, "could not renew or take a singleton lease");
      if (held && clock.now().getTime() >= heldUntil) await lose("lease ran out while the database was unreachable");
      return;
    }
    if (stopped) {
      // stop() came while asking: a lease just taken is not kept for nobody.
      if (won && !held) await lease.release().catch(() => undefined);
      return;
    }
    if (won) {
      heldUntil = asked + leaseMs;
      if (held) return;
      held = true;
      logger.info({ lease: lease.name }, "singleton lease taken");
      try {
        await deps.onAcquired();
      } catch (err) {
        logger.error({ err, lease: lease.name }, "singleton work did not start; giving the lease up");
        await giveUp();
      }
      return;
    }
    await lose("another instance holds the lease");
    deps.onStandby?.();
  }

  function schedule(ms: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void tick(), ms);
    timer.unref();
  }

  function tick(): Promise<void> {
    ticking ??= attempt().finally(() => {
      ticking = undefined;
      schedule(heartbeatMs);
    });
    return ticking;
  }

  async function giveUp(): Promise<void> {
    await lose("its work failed");
    await lease.release().catch((err: unknown) => logger.warn({ err: (err as Error).message }, "could not release a singleton lease"));
  }

  return {
    get held() {
      return held;
    },
    start() {
      stopped = false;
      return tick();
    },
    async relinquish() {
      await ticking;
      // No attempt may run (and take the lease back) between losing the work and releasing the lease.
      clearTimeout(timer);
      await giveUp();
      // Others (trying every heartbeat) get the first chance at it.
      schedule(leaseMs);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await ticking;
      const had = held;
      await lose("stopping");
      if (had) await lease.release().catch((err: unknown) => logger.warn({ err: (err as Error).message }, "could not release a singleton lease"));
    },
  };
}

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sql } from "../db/sql.js";
import { ManualClock, SECOND, systemClock } from "../lib/clock.js";
import { silentLogger } from "../lib/logger.js";
import { createTestDb, type TestDb } from "../../test/support/db.js";
import { until } from "../../test/fakes/telegram-api.js";
import { createNamedLease, createSingletonRole, type NamedLease, type SingletonRole } from "./singleton.js";

describe("a named lease (one holder at a time)", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb({ seed: false });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("is held by one holder until it runs out or is released", async () => {
    const clock = new ManualClock("2026-11-23T02:00:00Z");
    const lease = (holder: string) => createNamedLease({ sql: t.sql, clock, name: "poller", holder, leaseMs: 15 * SECOND });
    const a = lease("a");
    const b = lease("b");
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    clock.advance(10 * SECOND);
    expect(await a.acquire()).toBe(true); // a renews: now good until 25 s
    clock.advance(10 * SECOND);
    expect(await b.acquire()).toBe(false); // 20 s: a's renewed lease still runs
    clock.advance(6 * SECOND);
    expect(await b.acquire()).toBe(true); // a stopped renewing: b takes over
    expect(await a.acquire()).toBe(false); // and a, come back, does not get it back
    await a.release(); // not a's to release
    expect(await t.sql.query(sql`SELECT "holder" FROM "Lease" WHERE "name" = 'poller'`)).toEqual([{ holder: "b" }]);
    await b.release();
    expect(await a.acquire()).toBe(true); // released: at once, not a lease later
  });

  it("goes to exactly one of many holders asking at the same moment", async () => {
    const clock = new ManualClock("2026-11-23T02:00:00Z");
    for (let round = 0; round < 5; round++) {
      const name = `race-${round}`;
      const won = await Promise.all(
        Array.from({ length: 8 }, (_, i) => createNamedLease({ sql: t.sql, clock, name, holder: `h${i}` }).acquire()),
      );
      expect(won.filter(Boolean)).toHaveLength(1);
    }
  });

  describe("the role on it", () => {
    const leaseMs = 400;
    const heartbeatMs = 40;
    const roles: SingletonRole[] = [];
    afterEach(async () => {
      for (const r of roles.splice(0)) await r.stop();
    });

    function role(holder: string, wrap: (l: NamedLease) => NamedLease = (l) => l) {
      const state = { working: false, standby: 0, started: 0, lost: 0 };
      const lease = wrap(createNamedLease({ sql: t.sql, clock: systemClock, name: "poller", holder, leaseMs }));
      const r = createSingletonRole({
        lease,
        clock: systemClock,
        logger: silentLogger,
        leaseMs,
        heartbeatMs,
        onAcquired: async () => {
          state.working = true;
          state.started++;
        },
        onLost: async () => {
          state.working = false;
          state.lost++;
        },
        onStandby: () => void state.standby++,
      });
      roles.push(r);
      return { r, state };
    }

    it("works on one instance; the other stands by, and takes over once the holder stops", async () => {
      const a = role("a");
      const b = role("b");
      await a.r.start();
      await b.r.start();
      expect(a.state.working).toBe(true);
      expect(b.state).toMatchObject({ working: false, standby: 1 });
      await until(() => b.state.standby >= 3, "b trying again");
      expect(b.state.started).toBe(0); // a renews: b never gets it
      await a.r.stop(); // releases
      expect(a.state.working).toBe(false);
      await until(() => b.state.working, "b taking over", 2_000);
    });

    it("stops the work of a holder that stalled past its lease, once another has taken over", async () => {
      // a's process freezes: its heartbeat's statement does not come back until we let it.
      let frozen = false;
      let thaw!: () => void;
      const a = role("a", (l) => ({
        ...l,
        name: l.name,
        holder: l.holder,
        acquire: async () => {
          if (frozen) await new Promise<void>((r) => (thaw = r));
          return l.acquire();
        },
      }));
      const b = role("b");
      await a.r.start();
      await b.r.start();
      frozen = true;
      await until(() => b.state.working, "b taking over from the frozen a", 3_000);
      expect(a.state.working).toBe(true); // a does not know yet
      frozen = false;
      thaw();
      await until(() => !a.state.working, "a stopping its work");
      expect(a.state.lost).toBe(1);
      expect(b.state.working).toBe(true);
    });

    it("stops the work when the lease cannot be renewed before it runs out (database away)", async () => {
      let away = false;
      const a = role("a", (l) => ({
        ...l,
        name: l.name,
        holder: l.holder,
        acquire: async () => {
          if (away) throw new Error("connection refused");
          return l.acquire();
        },
      }));
      await a.r.start();
      expect(a.state.working).toBe(true);
      const since = Date.now();
      away = true;
      await until(() => !a.state.working, "a stopping", 3_000);
      // Not before its lease could have run out: a short blip does not stop the work.
      expect(Date.now() - since).toBeGreaterThanOrEqual(leaseMs - 2 * heartbeatMs);
      away = false;
      await until(() => a.state.working, "a working again once the database is back", 3_000);
    });

    it("gives the role up when its work fails, so another instance can try", async () => {
      const a = role("a");
      const b = role("b");
      await a.r.start();
      await b.r.start();
      await a.r.relinquish();
      expect(a.state.working).toBe(false);
      await until(() => b.state.working, "b taking over", 2_000);
    });
  });
});

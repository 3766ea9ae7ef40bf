import { sql, type Sql } from "../db/sql.js";

/**
 * Outages of outside services as all instances see them (`DependencyOutage`, one row per service), so
 * that staff hear of one outage once however many instances notice it. Each claim is one statement:
 * two instances asking at the same moment cannot both win.
 */
export function createOutageRepository(db: Sql) {
  return {
    /**
     * This instance found `name` down since `since`, past the alert time: true when it is the one to tell
     * staff — no outage of it is open, and the last one had ended before this one began.
     */
    async claimAlert(name: string, since: Date, at: Date): Promise<boolean> {
      const rows = await db.query<{ name: string }>(sql`
        INSERT INTO "DependencyOutage" ("name", "since", "alertedAt", "recoveredAt") VALUES (${name}, ${since}, ${at}, NULL)
        ON CONFLICT ("name") DO UPDATE SET "since" = excluded."since", "alertedAt" = excluded."alertedAt", "recoveredAt" = NULL
          WHERE "DependencyOutage"."recoveredAt" IS NOT NULL AND "DependencyOutage"."recoveredAt" <= excluded."since"
        RETURNING "name"`);
      return rows.length > 0;
    },

    /**
     * This instance reached `name` at `okAt`: the open outage's start when that was after the alert and
     * this is the one to say it is back, else null. Any instance may close it — also one started after
     * the instance that told staff went away — so an outage row is never left open for good.
     */
    async claimRecovery(name: string, okAt: Date, at: Date): Promise<Date | null> {
      const [row] = await db.query<{ since: Date }>(sql`
        UPDATE "DependencyOutage" SET "recoveredAt" = ${at}
        WHERE "name" = ${name} AND "recoveredAt" IS NULL AND "alertedAt" < ${okAt}
        RETURNING "since"`);
      return row?.since ?? null;
    },
  };
}

export type OutageRepository = ReturnType<typeof createOutageRepository>;

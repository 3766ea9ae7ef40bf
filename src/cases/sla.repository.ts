import { sql, type Sql } from "../db/sql.js";
import { AppError } from "../lib/errors.js";
import type { SlaPolicy } from "./deadlines.js";

/** A day off the usual weekdays: a public holiday (workday false) or a make-up working day (调休, true). */
export interface CalendarDay {
  /** Local date, YYYY-MM-DD. */
  date: string;
  workday: boolean;
  name: string | null;
}

/** The policy and calendar as deadlines read them. */
export interface SlaSnapshot {
  policy: SlaPolicy;
  calendar: ReadonlyMap<string, boolean>;
  updatedAt: Date;
}

/** How long another instance may go on with the policy it read before seeing a change: deadlines are minutes. */
export const SLA_CACHE_TTL_MS = 30_000;

const SETTING_ID = "default";

interface SettingRow {
  triageMinutes: number;
  acceptMinutes: number;
  resolveDaysSimple: number;
  resolveDaysGeneral: number;
  resolveDaysComplex: number;
  resolveDaysDifficult: number;
  sameDayCutoffHour: number;
  escalationMarginMinutes: number;
  opensAt: string;
  closesAt: string;
  workdays: string;
  updatedAt: Date;
}

function toPolicy(r: SettingRow): SlaPolicy {
  return {
    triageMinutes: r.triageMinutes,
    acceptMinutes: r.acceptMinutes,
    resolveDays: {
      simple: r.resolveDaysSimple,
      general: r.resolveDaysGeneral,
      complex: r.resolveDaysComplex,
      difficult: r.resolveDaysDifficult,
    },
    sameDayCutoffHour: r.sameDayCutoffHour,
    escalationMarginMinutes: r.escalationMarginMinutes,
    hours: { open: r.opensAt, close: r.closesAt, days: JSON.parse(r.workdays) as number[] },
  };
}

function settingValues(p: SlaPolicy, now: Date) {
  return sql`${SETTING_ID}, ${p.triageMinutes}, ${p.acceptMinutes}, ${p.resolveDays.simple}, ${p.resolveDays.general},
    ${p.resolveDays.complex}, ${p.resolveDays.difficult}, ${p.sameDayCutoffHour}, ${p.escalationMarginMinutes},
    ${p.hours.open}, ${p.hours.close}, ${JSON.stringify(p.hours.days)}, ${now}`;
}

const SETTING_COLUMNS = sql`"id", "triageMinutes", "acceptMinutes", "resolveDaysSimple", "resolveDaysGeneral", "resolveDaysComplex",
  "resolveDaysDifficult", "sameDayCutoffHour", "escalationMarginMinutes", "opensAt", "closesAt", "workdays", "updatedAt"`;

/**
 * The centre's SLA policy (one SlaSetting row) and its calendar (CalendarDay), on the Sql port.
 * Deadlines are computed on every case opening, so the two are cached: a write through this repository
 * drops the cache at once in this process; another instance sees the change within `ttlMs`.
 */
export function createSlaRepository(db: Sql, options: { ttlMs?: number; monotonicMs?: () => number } = {}) {
  const ttlMs = options.ttlMs ?? SLA_CACHE_TTL_MS;
  // A monotonic clock: this is a cache's age, not a time the domain reasons about (tests pass their own).
  const monotonicMs = options.monotonicMs ?? (() => performance.now());
  let cached: { readAt: number; snapshot: Promise<SlaSnapshot> } | null = null;

  async function load(): Promise<SlaSnapshot> {
    const [row] = await db.query<SettingRow>(sql`SELECT ${SETTING_COLUMNS} FROM "SlaSetting" WHERE "id" = ${SETTING_ID}`);
    if (!row) throw new AppError("INTERNAL", `No SlaSetting row "${SETTING_ID}"; start-up seeds it (seedReferenceData)`);
    const days = await db.query<{ date: string; workday: boolean }>(sql`SELECT "date", "workday" FROM "CalendarDay"`);
    return { policy: toPolicy(row), calendar: new Map(days.map((d) => [d.date, d.workday])), updatedAt: row.updatedAt };
  }

  const invalidate = () => {
    cached = null;
  };

  return {
    /** The policy and calendar in force (cached; see above). */
    current(): Promise<SlaSnapshot> {
      const now = monotonicMs();
      if (!cached || now - cached.readAt > ttlMs) {
        const snapshot = load();
        cached = { readAt: now, snapshot };
        snapshot.catch(() => {
          if (cached?.snapshot === snapshot) cached = null;
        });
      }
      return cached.snapshot;
    },

    /** Writes the default row unless there is one: the centre's edits survive every restart. */
    async seed(policy: SlaPolicy, now: Date): Promise<void> {
      await db.execute(sql`INSERT INTO "SlaSetting" (${SETTING_COLUMNS}) VALUES (${settingValues(policy, now)})
        ON CONFLICT ("id") DO NOTHING`);
      invalidate();
    },

    async save(policy: SlaPolicy, now: Date): Promise<void> {
      await db.execute(sql`INSERT INTO "SlaSetting" (${SETTING_COLUMNS}) VALUES (${settingValues(policy, now)})
        ON CONFLICT ("id") DO UPDATE SET "triageMinutes" = excluded."triageMinutes", "acceptMinutes" = excluded."acceptMinutes",
          "resolveDaysSimple" = excluded."resolveDaysSimple", "resolveDaysGeneral" = excluded."resolveDaysGeneral",
          "resolveDaysComplex" = excluded."resolveDaysComplex", "resolveDaysDifficult" = excluded."resolveDaysDifficult",
          "sameDayCutoffHour" = excluded."sameDayCutoffHour", "escalationMarginMinutes" = excluded."escalationMarginMinutes",
          "opensAt" = excluded."opensAt", "closesAt" = excluded."closesAt", "workdays" = excluded."workdays",
          "updatedAt" = excluded."updatedAt"`);
      invalidate();
    },

    async day(date: string): Promise<CalendarDay | null> {
      const [row] = await db.query<CalendarDay>(sql`SELECT "date", "workday", "name" FROM "CalendarDay" WHERE "date" = ${date}`);
      return row ?? null;
    },

    async setDay(day: CalendarDay): Promise<void> {
      await db.execute(sql`INSERT INTO "CalendarDay" ("date", "workday", "name") VALUES (${day.date}, ${day.workday}, ${day.name})
        ON CONFLICT ("date") DO UPDATE SET "workday" = excluded."workday", "name" = excluded."name"`);
      invalidate();
    },

    /** The date follows the usual weekdays again. */
    async clearDay(date: string): Promise<boolean> {
      const n = await db.execute(sql`DELETE FROM "CalendarDay" WHERE "date" = ${date}`);
      invalidate();
      return n === 1;
    },
  };
}

export type SlaRepository = ReturnType<typeof createSlaRepository>;

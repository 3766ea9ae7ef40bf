import { sql, type Sql } from "../db/sql.js";
import { localDateStamp } from "../lib/time.js";

/**
 * Hands out the next case code (一案一码) for the centre's local day: PREFIX-YYYYMMDD-NNNN.
 * One atomic INSERT … ON CONFLICT … RETURNING per code, valid in SQLite and PostgreSQL alike, so two
 * requests (or two processes) can never draw the same number, and numbers are never handed out again.
 */
export async function nextCaseCode(db: Sql, prefix: string, zone: string, now: Date): Promise<string> {
  const key = `${prefix}-${localDateStamp(zone, now)}`;
  const rows = await db.query<{ seq: number }>(sql`
    INSERT INTO "CaseCounter" ("key", "seq") VALUES (${key}, 1)
    ON CONFLICT ("key") DO UPDATE SET "seq" = "CaseCounter"."seq" + 1
    RETURNING "seq"`);
  const seq = Number(rows[0]?.seq);
  return `${key}-${String(seq).padStart(4, "0")}`;
}

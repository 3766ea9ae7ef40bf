import { sql, type Sql } from "../db/sql.js";
import { AppError } from "../lib/errors.js";
import { localDateStamp } from "../lib/time.js";

/** What a case is inserted with until `assignCaseCode` numbers it, in the same transaction (unique, never seen outside it). */
export const provisionalCode = (caseId: string) => `pending:${caseId}`;

/**
 * Gives a case, inserted in this transaction with its `provisionalCode`, the next case code (一案一码)
 * for the centre's local day: PREFIX-YYYYMMDD-NNNN. One atomic upsert on the day's counter, valid in
 * SQLite and PostgreSQL alike, so two requests (or two processes) can never draw the same number, and a
 * transaction that rolls back gives its number back (no gaps).
 *
 * Call it as the transaction's last write: the counter row is locked from here until COMMIT, and every
 * other case opened that day waits for it. Taken first, it held the lock through the whole opening (six
 * round trips on PostgreSQL) and case openings queued behind one another (85 ms a wait in the web-chat
 * benchmark). On PostgreSQL the upsert and the case's update are one statement, so the lock is held for
 * that statement and the COMMIT only.
 */
export async function assignCaseCode(tx: Sql, caseId: string, prefix: string, zone: string, now: Date): Promise<string> {
  const key = `${prefix}-${localDateStamp(zone, now)}`;
  const bump = sql`
    INSERT INTO "CaseCounter" ("key", "seq") VALUES (${key}, 1)
    ON CONFLICT ("key") DO UPDATE SET "seq" = "CaseCounter"."seq" + 1
    RETURNING "seq"`;
  if (tx.kind === "postgres") {
    const rows = await tx.query<{ seq: number }>(sql`
      WITH n AS (${bump})
      UPDATE "Case" SET "code" = ${`${key}-`} || lpad(n."seq"::text, greatest(4, length(n."seq"::text)), '0')
      FROM n WHERE "Case"."id" = ${caseId} AND "Case"."code" = ${provisionalCode(caseId)}
      RETURNING n."seq"`);
    return codeOf(key, rows[0]?.seq);
  }
  const rows = await tx.query<{ seq: number }>(bump);
  const code = codeOf(key, rows[0]?.seq);
  await tx.execute(sql`UPDATE "Case" SET "code" = ${code} WHERE "id" = ${caseId} AND "code" = ${provisionalCode(caseId)}`);
  return code;
}

function codeOf(key: string, seq: number | undefined): string {
  if (seq === undefined) throw new AppError("INTERNAL", "case code: the case to number is not in this transaction");
  return `${key}-${String(seq).padStart(4, "0")}`;
}

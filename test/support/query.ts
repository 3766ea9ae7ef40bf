// Reading and writing stored rows in tests over the `Sql` port, so the integration suite runs the same
// on SQLite and PostgreSQL: plain SQL with bound values, rows as the port returns them (DATETIME as
// Date, BOOLEAN as boolean; JSON columns are TEXT, parsed by the test as it needs).
import { sql, type Query, type Sql } from "../../src/db/sql.js";

export { sql };

/** A stored row: columns by name. Tests read what they assert on. */
export type Row = Record<string, any>;

/** Every row of the query. */
export function all<T extends object = Row>(db: Sql, q: Query): Promise<T[]> {
  return db.query<T>(q);
}

/** The first row of the query, or undefined when there is none. */
export async function first<T extends object = Row>(db: Sql, q: Query): Promise<T | undefined> {
  return (await db.query<T>(q))[0];
}

/** The one row the query must find: fails the test when there is none. */
export async function one<T extends object = Row>(db: Sql, q: Query): Promise<T> {
  const row = (await db.query<T>(q))[0];
  if (!row) throw new Error(`no row for: ${q.sql}`);
  return row;
}

/** How many rows the query returns: `count(db, sql\`SELECT 1 FROM "Case" WHERE …\`)`. */
export async function count(db: Sql, q: Query): Promise<number> {
  const [row] = await db.query<{ n: number | string }>(sql`SELECT COUNT(*) AS "n" FROM (${q}) AS "counted"`);
  return Number(row?.n ?? 0);
}

/** LIKE pattern for "contains this text" (the text must not hold % or _). */
export function containing(text: string): string {
  if (/[%_\\]/.test(text)) throw new Error(`containing(): escape ${text} first`);
  return `%${text}%`;
}

import { Prisma } from "./generated/client.js";

/**
 * A statement with its parameters, built with the `sql` tag: values are always bound, never spliced
 * into the text. The same object renders `?` placeholders for SQLite and `$1…` for PostgreSQL.
 */
export type Query = Prisma.Sql;
export const sql = Prisma.sql;
/** Joins fragments (a VALUES list, a SET list) with a separator. */
export const join = Prisma.join;

/**
 * Port: plain SQL for the paths that run on every message, and every transaction.
 *
 * Rows come back as objects keyed by column name; DATETIME columns as Date, BOOLEAN columns as boolean,
 * integers as numbers. Parameters may be strings, numbers, booleans, Dates or null (undefined = null).
 *
 * Inside `transaction`, use the `tx` it hands you for every statement; the outer runner (and Prisma's
 * model API) waits until the transaction is over, so using either inside it is a bug, reported as
 * `INTERNAL` after a timeout rather than a hang. Keep transactions to database work: no network calls.
 */
export interface Sql {
  query<T extends object = Record<string, unknown>>(q: Query): Promise<T[]>;
  /** Rows changed (or returned, for a statement with RETURNING). */
  execute(q: Query): Promise<number>;
  /** Runs `work` in one transaction: committed if it returns, rolled back if it throws. Nested calls join. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
}

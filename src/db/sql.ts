import { AppError, isAppError } from "../lib/errors.js";

/** A value bound to a placeholder (undefined is bound as null). */
export type Value = string | number | boolean | Date | null | undefined;

/**
 * A statement with its parameters, built with the `sql` tag: values are always bound, never spliced
 * into the text. A fragment nested in another is flattened into it, its values with it.
 *
 * `strings` has one more element than `values`: the text is strings[0] value[0] strings[1] … .
 */
export class Query {
  readonly strings: readonly string[];
  readonly values: readonly Value[];

  constructor(strings: readonly string[], parts: readonly unknown[]) {
    const texts = [strings[0] ?? ""];
    const values: Value[] = [];
    parts.forEach((part, i) => {
      const next = strings[i + 1] ?? "";
      if (part instanceof Query) {
        texts[texts.length - 1] += part.strings[0]!;
        for (let j = 0; j < part.values.length; j++) {
          values.push(part.values[j]);
          texts.push(part.strings[j + 1]!);
        }
        texts[texts.length - 1] += next;
      } else {
        values.push(part as Value);
        texts.push(next);
      }
    });
    this.strings = texts;
    this.values = values;
  }

  /** The text with `?` placeholders (SQLite). */
  get sql(): string {
    return this.strings.join("?");
  }

  /** The text with `$1 … $n` placeholders (PostgreSQL). */
  get text(): string {
    let out = this.strings[0]!;
    for (let i = 1; i < this.strings.length; i++) out += `$${i}${this.strings[i]}`;
    return out;
  }
}

/** `sql\`SELECT … WHERE "id" = ${id}\``: a statement; interpolate values or other fragments. */
export function sql(strings: TemplateStringsArray, ...parts: unknown[]): Query {
  return new Query(strings, parts);
}

/** Joins fragments or values (a VALUES list, a SET list, an IN list) with a separator. */
export function join(parts: readonly unknown[], separator = ", "): Query {
  if (parts.length === 0) throw new AppError("INTERNAL", "join() needs at least one fragment or value");
  return new Query(["", ...parts.slice(1).map(() => separator), ""], parts);
}

/** Which database a `Sql` runs on, for the rare statement that has no portable form. */
export type DatabaseKind = "sqlite" | "postgres";

/**
 * Port: plain SQL for the paths that run on every message, and every transaction. Two implementations
 * behave alike: SQLite (`sqlite.ts`) and PostgreSQL (`postgres.ts`). Write SQL both accept: quoted
 * identifiers, `ON CONFLICT … DO …`, `RETURNING`, no date functions (pass instants as parameters).
 *
 * Rows come back as objects keyed by column name; DATETIME columns as Date, BOOLEAN columns as boolean,
 * integers and counts as numbers. Parameters may be strings, numbers, booleans, Dates or null
 * (undefined = null).
 *
 * A unique-key violation is thrown as `AppError` `CONFLICT` on both databases (see `isUniqueViolation`);
 * the statement's transaction is rolled back with it.
 *
 * Inside `transaction`, use the `tx` it hands you for every statement; using the outer runner (or
 * Prisma's model API) inside it is a bug: on SQLite it waits for the transaction to end and fails as
 * `INTERNAL` after a timeout; on PostgreSQL it runs outside the transaction, on another connection.
 * Keep transactions to database work: no network calls.
 *
 * Isolation: on SQLite a transaction is exclusive (one at a time); on PostgreSQL transactions run at
 * READ COMMITTED, side by side. Code that must hold on both decides inside one statement: a conditional
 * UPDATE (`… WHERE "version" = ${v}`), an upsert, `UPDATE … RETURNING` on a counter; never "SELECT,
 * then write what the SELECT saw" across two statements.
 */
export interface Sql {
  readonly kind: DatabaseKind;
  query<T extends object = Record<string, unknown>>(q: Query): Promise<T[]>;
  /** Rows changed (or returned, for a statement with RETURNING). */
  execute(q: Query): Promise<number>;
  /** Runs `work` in one transaction: committed if it returns, rolled back if it throws. Nested calls join. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
}

/** The error both implementations throw for a duplicate key. */
export function uniqueViolation(constraint: string, cause: unknown): AppError {
  return new AppError("CONFLICT", `unique constraint violated: ${constraint}`, { cause, details: { unique: constraint } });
}

/** True for a duplicate key on either database (`details.unique` names the constraint or its columns). */
export function isUniqueViolation(err: unknown): err is AppError {
  return isAppError(err, "CONFLICT") && typeof err.details?.unique === "string";
}

import pg from "pg";
import { AppError } from "../lib/errors.js";
import { uniqueViolation, type Query, type Sql, type Value } from "./sql.js";

/**
 * PostgreSQL, for a centre that runs several instances (or wants a database server): the `Sql` port on
 * node-postgres. A pool of connections; a transaction runs on one connection checked out for it, at
 * READ COMMITTED, beside the others (see `Sql` for how code stays correct without the gate SQLite has).
 */

/** Connections per process. Each request holds one only while a statement or transaction runs. */
const POOL_SIZE = 10;
/**
 * Connections opened at start and kept through quiet hours: requests arriving together do not wait
 * for a connection to be set up (a few milliseconds each, more under load) behind one that has one.
 */
const WARM_CONNECTIONS = 2;
/**
 * A wait this long for a row or table lock, or for a free connection, is a deadlock of ours (a
 * statement on the outer runner waiting for the transaction that issued it, see `Sql`), not load:
 * fail as SQLite's gate does instead of hanging.
 */
const WAIT_LIMIT_MS = 10_000;

const OID = { int8: 20, numeric: 1700, timestamp: 1114 } as const;

/**
 * Rows as the port documents them, whatever the column type: counts (COUNT, SUM are int8 / numeric)
 * as numbers; a timestamp without time zone (none of ours, but an expression can make one) as UTC.
 * timestamptz → Date, boolean → boolean and int4 / float8 → number are node-postgres's own defaults.
 */
const PARSERS: Record<number, (text: string) => unknown> = {
  [OID.int8]: Number,
  [OID.numeric]: Number,
  [OID.timestamp]: (text) => new Date(`${text.replace(" ", "T")}Z`),
};
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    (format ?? "text") === "text" && PARSERS[oid] ? PARSERS[oid] : pg.types.getTypeParser(oid, format as "text")) as pg.CustomTypesConfig["getTypeParser"],
};

function toParam(value: Value): unknown {
  if (value === undefined) return null;
  // An instant, with its zone: the same whatever the server's or the session's TimeZone.
  if (value instanceof Date) return value.toISOString();
  return value;
}

/** A duplicate key as the port reports it; other errors as they are. */
function translated(err: unknown): unknown {
  const e = err as { code?: string; constraint?: string; detail?: string };
  if (e.code === "23505") return uniqueViolation(e.constraint ?? e.detail ?? "unknown", err);
  return err;
}

type Queryable = pg.Pool | pg.PoolClient;

/**
 * Statements run as named prepared statements: each connection parses and plans a text once, not on
 * every message (a message is a dozen statements). Names go to the first texts seen, up to a bound, so
 * texts that vary with a row count (multi-row VALUES) cannot fill every connection's memory.
 */
const MAX_NAMED = 1000;
const names = new Map<string, string>();
function nameOf(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `od${names.size}`;
    names.set(text, name);
  }
  return name;
}

async function run(on: Queryable, q: Query): Promise<pg.QueryResult<Record<string, unknown>>> {
  const text = q.text;
  const name = nameOf(text);
  try {
    return await on.query({ text, values: q.values.map(toParam), ...(name ? { name } : {}) });
  } catch (err) {
    throw translated(err);
  }
}

/** The `Sql` runner on a pool. */
export function createPostgresSql(pool: pg.Pool): Sql {
  const outer: Sql = {
    kind: "postgres",
    async query<T extends object>(q: Query) {
      return (await run(pool, q)).rows as T[];
    },
    async execute(q) {
      return (await run(pool, q)).rowCount ?? 0;
    },
    async transaction(work) {
      const client = await pool.connect();
      let open = true;
      const check = () => {
        if (!open) throw new AppError("INTERNAL", "statement on a transaction that has ended");
      };
      const tx: Sql = {
        kind: "postgres",
        async query<T extends object>(q: Query) {
          check();
          return (await run(client, q)).rows as T[];
        },
        async execute(q) {
          check();
          return (await run(client, q)).rowCount ?? 0;
        },
        transaction: (inner) => inner(tx),
      };
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const result = await work(tx);
        await client.query("COMMIT");
        return result;
      } catch (err) {
        // A connection that cannot even roll back is dropped, not handed to the next request.
        await client.query("ROLLBACK").catch((e: Error) => void (broken = e));
        throw err;
      } finally {
        open = false;
        client.release(broken);
      }
    },
  };
  return outer;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** Where a URL points, without its password: for error messages. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}

function createPool(url: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    types,
    max: POOL_SIZE,
    min: WARM_CONNECTIONS,
    connectionTimeoutMillis: WAIT_LIMIT_MS,
    lock_timeout: WAIT_LIMIT_MS,
    application_name: "onedoor",
  });
  // An idle connection that the server closes (a restart, a failover) is dropped from the pool and
  // the next statement opens a new one; without a listener the error would end the process.
  pool.on("error", () => undefined);
  return pool;
}

/** A pool on DATABASE_URL, checked once so a wrong URL stops start-up with one line. */
export async function openPostgres(url: string): Promise<{ pool: pg.Pool; sql: Sql }> {
  const pool = createPool(url);
  try {
    const warm = await Promise.allSettled(Array.from({ length: WARM_CONNECTIONS }, () => pool.connect()));
    for (const w of warm) if (w.status === "fulfilled") w.value.release();
    const failed = warm.find((w): w is PromiseRejectedResult => w.status === "rejected");
    if (failed) throw failed.reason;
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new AppError("CONFIG", `Cannot reach PostgreSQL at ${describePostgresUrl(url)}: ${(err as Error).message}`, { cause: err });
  }
  return { pool, sql: createPostgresSql(pool) };
}

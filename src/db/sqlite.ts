import Database from "better-sqlite3";
import { AppError } from "../lib/errors.js";
import { uniqueViolation, type Query, type Sql } from "./sql.js";

/**
 * SQLite, the embedded default: one better-sqlite3 connection for the `Sql` port, in one process.
 *
 * Two things this file exists for:
 *
 * 1. **A transaction is exclusive.** A transaction spans awaits on the one connection; without a gate,
 *    a statement from another request would run meanwhile, join the open transaction and be rolled back
 *    with it after its caller was told it succeeded. The `Gate` below is held for the whole of a
 *    transaction, and every other statement waits for it.
 * 2. **The per-message path is cheap.** Statements are prepared once, cached, and run synchronously in
 *    tens of microseconds (Prisma's model API took 0.3–2 ms a statement; it is no longer used at run time).
 */

/** One holder at a time, first come first served; the holder's work may span awaits. */
export class Gate {
  private held = false;
  private readonly waiting: Array<() => void> = [];

  /** A wait this long means a deadlock (see `Sql`), not a busy database: fail rather than hang. */
  constructor(private readonly timeoutMs = 10_000) {}

  get free(): boolean {
    return !this.held;
  }

  /** Resolves with the function that lets the next one in (safe to call twice). */
  async enter(): Promise<() => void> {
    if (this.held) {
      await new Promise<void>((resolve, reject) => {
        const admit = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(admit), 1);
          // Only a statement issued on the outer runner from inside a transaction waits this long.
          reject(new AppError("INTERNAL", `waited ${this.timeoutMs} ms for a database transaction to end`));
        }, this.timeoutMs);
        this.waiting.push(admit);
      });
    }
    this.held = true;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.held = false;
    };
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const leave = await this.enter();
    try {
      return await work();
    } finally {
      leave();
    }
  }
}

type Statement = Database.Statement<unknown[], Record<string, unknown>>;

interface Prepared {
  stmt: Statement;
  /** Columns declared DATETIME / BOOLEAN, converted on the way out. */
  dates: string[];
  booleans: string[];
}

/** Prisma's SQLite encoding (ISO text with +00:00, 0/1), kept so rows written by earlier releases read the same. */
function toParam(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString().replace("Z", "+00:00");
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

const MAX_CACHED_STATEMENTS = 500;

/** A duplicate key as the port reports it; other errors as they are. */
function translated(err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    // "UNIQUE constraint failed: ChatMessage.externalKey"
    return uniqueViolation((err as Error).message.replace(/^.*failed: /, ""), err);
  }
  return err;
}

function createStatementCache(conn: Database.Database) {
  const cache = new Map<string, Prepared>();
  function prepare(text: string): Prepared {
    let p = cache.get(text);
    if (p) return p;
    const stmt = conn.prepare(text) as Statement;
    stmt.safeIntegers(false);
    const columns = stmt.reader ? stmt.columns() : [];
    const declared = (type: string) => columns.filter((c) => c.type?.toUpperCase() === type).map((c) => c.name);
    p = { stmt, dates: declared("DATETIME"), booleans: declared("BOOLEAN") };
    // Statements with a varying number of rows (multi-row VALUES) make new texts: keep the cache bounded.
    if (cache.size >= MAX_CACHED_STATEMENTS) cache.delete(cache.keys().next().value!);
    cache.set(text, p);
    return p;
  }
  return {
    all(q: Query): Record<string, unknown>[] {
      const p = prepare(q.sql);
      const params = q.values.map(toParam);
      let rows: Record<string, unknown>[];
      try {
        if (!p.stmt.reader) {
          p.stmt.run(...params);
          return [];
        }
        rows = p.stmt.all(...params);
      } catch (err) {
        throw translated(err);
      }
      if (p.dates.length > 0 || p.booleans.length > 0) {
        for (const row of rows) {
          for (const c of p.dates) if (row[c] != null) row[c] = new Date(row[c] as string);
          for (const c of p.booleans) if (row[c] != null) row[c] = row[c] === 1 || row[c] === true;
        }
      }
      return rows;
    },
    run(q: Query): number {
      const p = prepare(q.sql);
      const params = q.values.map(toParam);
      try {
        return p.stmt.reader ? p.stmt.all(...params).length : p.stmt.run(...params).changes;
      } catch (err) {
        throw translated(err);
      }
    },
  };
}

/** The `Sql` runner on the shared connection. */
export function createSqliteSql(conn: Database.Database, gate: Gate): Sql {
  const statements = createStatementCache(conn);
  const begin = conn.prepare("BEGIN IMMEDIATE");
  const commit = conn.prepare("COMMIT");
  const rollback = conn.prepare("ROLLBACK");

  /** Statements of an open transaction: straight to the connection, refused once it has ended. */
  function transactionRunner(): { tx: Sql; end(): void } {
    let open = true;
    const check = () => {
      if (!open) throw new AppError("INTERNAL", "statement on a transaction that has ended");
    };
    const tx: Sql = {
      kind: "sqlite",
      async query<T extends object>(q: Query) {
        check();
        return statements.all(q) as T[];
      },
      async execute(q) {
        check();
        return statements.run(q);
      },
      transaction: (work) => work(tx),
    };
    return { tx, end: () => void (open = false) };
  }

  return {
    kind: "sqlite",
    // The gate is checked and the statement run in the same tick: nothing can start a transaction
    // in between. Only while one is open does a statement wait.
    async query<T extends object>(q: Query) {
      if (!gate.free) return gate.run(async () => statements.all(q) as T[]);
      return statements.all(q) as T[];
    },
    async execute(q) {
      if (!gate.free) return gate.run(async () => statements.run(q));
      return statements.run(q);
    },
    async transaction(work) {
      const leave = await gate.enter();
      const { tx, end } = transactionRunner();
      try {
        // IMMEDIATE takes SQLite's write lock now (waiting up to busy_timeout for another process),
        // instead of failing to upgrade a read lock half-way through.
        begin.run();
        const result = await work(tx);
        commit.run();
        return result;
      } catch (err) {
        if (conn.inTransaction) rollback.run();
        throw err;
      } finally {
        end();
        leave();
      }
    },
  };
}

/** The embedded default's one connection, and the gate its transactions hold. */
export function createSqliteConnection(file: string, options: { busyTimeoutMs: number }): { connection: Database.Database; gate: Gate } {
  return { connection: new Database(file, { timeout: options.busyTimeoutMs }), gate: new Gate() };
}

// Writes a new migration, for SQLite and for PostgreSQL, from the difference between the last committed
// schema and the one in the working tree. Usage: npm run db:migration -- <name>
//
// `prisma migrate dev` does not work with the JS engine (P1014), and with an adapter in prisma.config.ts
// `migrate diff` can read neither a database URL nor a migrations folder, so the committed schema (which
// every commit keeps in step with its migrations) is the starting point: `git show HEAD:…`.
//
// 1. SQLite: prisma/schema.prisma at HEAD → in the working tree, into prisma/migrations/<stamp>_<name>/.
// 2. PostgreSQL: prisma/postgres/schema.prisma is generated from prisma/schema.prisma (see
//    postgres-schema.ts), and the PostgreSQL schema at HEAD → the generated one goes into
//    prisma/postgres/migrations/<stamp>_<name>/. Before any PostgreSQL migration exists, from empty.
//
// Check the SQL before committing: a new required column on a table with rows needs a backfill, which
// is written by hand into both files (see 20261202001103_conversation_seq).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { POSTGRES_MIGRATIONS_DIR, POSTGRES_SCHEMA_FILE, SQLITE_SCHEMA_FILE, toPostgresSchema } from "./postgres-schema.js";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <snake_case_name>");
  process.exit(2);
}

const PRISMA = path.resolve("node_modules/prisma/build/index.js");
const SQLITE_MIGRATIONS_DIR = "prisma/migrations";
const scratch = path.resolve("data/.migration-scratch");
fs.mkdirSync(scratch, { recursive: true });

const hasMigrations = (dir: string) => fs.existsSync(dir) && fs.readdirSync(dir).some((d) => /^\d{14}_/.test(d));

/** The file as committed, or undefined if HEAD has none. */
function atHead(file: string): string | undefined {
  try {
    return execFileSync("git", ["show", `HEAD:${file}`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return undefined;
  }
}

/** `prisma migrate diff` between two datamodels (undefined: from empty) as a SQL script. */
function diff(previous: string | undefined, next: string, label: string): string {
  const from = path.join(scratch, `${label}.previous.prisma`);
  if (previous !== undefined) fs.writeFileSync(from, previous);
  try {
    return execFileSync(
      process.execPath,
      [PRISMA, "migrate", "diff", ...(previous !== undefined ? ["--from-schema-datamodel", from] : ["--from-empty"]), "--to-schema-datamodel", next, "--script"],
      { encoding: "utf8" },
    );
  } finally {
    fs.rmSync(from, { force: true });
  }
}

const changes = (script: string) => /\b(CREATE|ALTER|DROP|INSERT)\b/.test(script);

const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
function write(dir: string, provider: string, script: string): void {
  const target = path.join(dir, `${stamp}_${name}`);
  fs.mkdirSync(target, { recursive: true });
  fs.writeFileSync(path.join(target, "migration.sql"), script);
  if (!fs.existsSync(path.join(dir, "migration_lock.toml"))) fs.writeFileSync(path.join(dir, "migration_lock.toml"), `provider = "${provider}"\n`);
  console.log(`wrote ${target}/migration.sql`);
}

// SQLite.
const sqliteScript = diff(hasMigrations(SQLITE_MIGRATIONS_DIR) ? atHead(SQLITE_SCHEMA_FILE) : undefined, SQLITE_SCHEMA_FILE, "sqlite");
if (changes(sqliteScript)) write(SQLITE_MIGRATIONS_DIR, "sqlite", sqliteScript);
else console.log("SQLite: prisma/schema.prisma matches its migrations; nothing to write");

// PostgreSQL. Without the committed PostgreSQL schema (its first migration was made in this working
// tree), the committed SQLite schema converted is the same thing.
fs.mkdirSync(path.dirname(POSTGRES_SCHEMA_FILE), { recursive: true });
fs.writeFileSync(POSTGRES_SCHEMA_FILE, toPostgresSchema(fs.readFileSync(SQLITE_SCHEMA_FILE, "utf8")));
const headSqlite = atHead(SQLITE_SCHEMA_FILE);
const previousPostgres = hasMigrations(POSTGRES_MIGRATIONS_DIR)
  ? (atHead(POSTGRES_SCHEMA_FILE) ?? (headSqlite !== undefined ? toPostgresSchema(headSqlite) : undefined))
  : undefined;
const postgresScript = diff(previousPostgres, POSTGRES_SCHEMA_FILE, "postgres");
if (changes(postgresScript)) write(POSTGRES_MIGRATIONS_DIR, "postgresql", postgresScript);
else console.log("PostgreSQL: prisma/postgres/schema.prisma matches its migrations; nothing to write");
fs.rmSync(scratch, { recursive: true, force: true });

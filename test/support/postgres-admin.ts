// Creating and dropping the PostgreSQL databases the suite runs on (TEST_DATABASE_URL), over a short
// connection of their own: statements such as CREATE DATABASE cannot run inside a transaction.
import pg from "pg";

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The same server and credentials, another database. */
export function databaseUrl(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

export async function adminQuery<T extends object = Record<string, unknown>>(adminUrl: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: "onedoor-tests" });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export function dropDatabase(adminUrl: string, database: string): Promise<unknown> {
  // FORCE: a connection a failed test left open does not keep the database.
  return adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
}

/** Drops every database whose name starts with `prefix` (what one test run created). */
export async function dropDatabases(adminUrl: string, prefix: string): Promise<void> {
  const rows = await adminQuery<{ datname: string }>(adminUrl, `SELECT datname FROM pg_database WHERE left(datname, length($1)) = $1`, [prefix]);
  for (const { datname } of rows) await dropDatabase(adminUrl, datname);
}

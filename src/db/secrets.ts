import { randomBytes } from "node:crypto";
import { sql, type Sql } from "./sql.js";

/**
 * Keys the service makes for itself (the signing key of links in messages), kept in `AppSecret` so every
 * instance on one database signs and checks with the same key, and a restart keeps links valid.
 * The first instance to need a key creates it; a racing one loses the insert and reads the winner's.
 */
export interface SecretStore {
  /** The key named `name`, created (32 random bytes) when no instance has made it yet. */
  key(name: string): Promise<Buffer>;
}

export function createSecretStore(db: Sql, clock: { now(): Date } = { now: () => new Date() }): SecretStore {
  // A key never changes once stored, so a process may keep what it read.
  const known = new Map<string, Promise<Buffer>>();
  async function load(name: string): Promise<Buffer> {
    await db.execute(sql`
      INSERT INTO "AppSecret" ("name", "value", "createdAt") VALUES (${name}, ${randomBytes(32).toString("base64url")}, ${clock.now()})
      ON CONFLICT ("name") DO NOTHING`);
    const [row] = await db.query<{ value: string }>(sql`SELECT "value" FROM "AppSecret" WHERE "name" = ${name}`);
    if (!row) throw new Error(`AppSecret ${name} vanished after it was created`);
    return Buffer.from(row.value, "base64url");
  }
  return {
    key(name) {
      let k = known.get(name);
      if (!k) {
        k = load(name);
        known.set(name, k);
        k.catch(() => known.delete(name));
      }
      return k;
    },
  };
}

/** The key that signs links in messages (join links, download links); each use signs with its own purpose. */
export const LINK_SIGNING_KEY = "links.signing";

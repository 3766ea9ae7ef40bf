import { createHash } from "node:crypto";
import { sql, type Sql } from "../../../db/sql.js";
import { HOUR } from "../../../lib/clock.js";
import { newToken } from "../../../lib/ids.js";

/** The channel whose identities this repository holds (the same as WEB_CHANNEL). */
const WEB = "web";
/** lastSeenAt is a day-scale fact (which sessions are in use); refreshing it hourly spares a write a message. */
const SEEN_PRECISION_MS = HOUR;
/** Sessions remembered per process (about 100 bytes each). */
const MAX_REMEMBERED = 20_000;

/** A token's SHA-256, hex: the session's row id and the web conversation's user id. */
export function webUserIdOf(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Web chat sessions. The server issues the token (32 random bytes, base64url) and keeps only its
 * SHA-256, which is also the conversation's user id for channel "web": a copy of the database holds no
 * token that could be sent back as somebody's identity.
 */
export function createWebSessionRepository(db: Sql) {
  /**
   * Sessions this process saw lately, and when it last looked them up. A session is never withdrawn
   * (only ones never used are pruned, days later), so a hit is as good as the row for an hour, when
   * lastSeenAt is due again anyway: a message costs no session lookup. Misses are never kept, so a
   * made-up token is asked of the database every time.
   */
  const seen = new Map<string, number>();
  const remember = (userId: string, at: number) => {
    seen.delete(userId);
    seen.set(userId, at);
    if (seen.size > MAX_REMEMBERED) seen.delete(seen.keys().next().value!);
  };
  return {
    /** A new session: the token goes to the browser, once; only its hash is stored. */
    async issue(now: Date): Promise<{ token: string; userId: string }> {
      const token = newToken(32);
      const userId = webUserIdOf(token);
      await db.execute(sql`INSERT INTO "WebSession" ("id", "createdAt", "lastSeenAt") VALUES (${userId}, ${now}, ${now})`);
      // Written just now: the page's first message costs no lookup.
      remember(userId, now.getTime());
      return { token, userId };
    },

    /** The user id of a token this server issued (or adopted), or null: an invented token is nobody. */
    async resolve(token: string, now: Date): Promise<string | null> {
      const userId = webUserIdOf(token);
      const at = seen.get(userId);
      if (at !== undefined && now.getTime() - at < SEEN_PRECISION_MS && now.getTime() >= at) return userId;
      const found = await lookUp(token, userId, now);
      if (found) remember(found, now.getTime());
      return found;
    },
  };

  /** The row, its lastSeenAt refreshed when due; or a last-release token adopted; or nobody. */
  async function lookUp(token: string, userId: string, now: Date): Promise<string | null> {
    const [row] = await db.query<{ lastSeenAt: Date }>(sql`SELECT "lastSeenAt" FROM "WebSession" WHERE "id" = ${userId}`);
    if (!row) return adoptLegacy(token, userId, now);
    if (now.getTime() - row.lastSeenAt.getTime() >= SEEN_PRECISION_MS) {
      await db.execute(sql`UPDATE "WebSession" SET "lastSeenAt" = ${now} WHERE "id" = ${userId} AND "lastSeenAt" < ${now}`);
    }
    return userId;
  }

  /**
   * Before sessions were stored, the web user id was the token itself (issued by the server to the
   * page, but accepted from anyone). A token that still names a conversation is the resident of that
   * conversation coming back: its hash becomes a session and every row that named the web user by the
   * token names it by the hash instead, in one transaction, so the page keeps its token and the raw
   * token leaves the database. A token that names no conversation is refused like any other.
   *
   * This is the one place that writes another aggregate's identity columns; it runs once per old
   * session, and the work still to do (jobs, deliveries) moves with the rows, so no notice goes astray.
   */
  async function adoptLegacy(token: string, userId: string, now: Date): Promise<string | null> {
    // A read first: an invented token (the common case here) costs no write transaction. A user id
    // that is already a session's hash is not an old token: the hash is never a credential.
    const [old] = await db.query<{ id: string }>(sql`
      SELECT c."id" FROM "Conversation" AS c LEFT JOIN "WebSession" AS s ON s."id" = c."userId"
      WHERE c."channel" = ${WEB} AND c."userId" = ${token} AND s."id" IS NULL`);
    if (!old) return null;
    // The token (16+ random characters of A-Z a-z 0-9 _ -) stands in text only as itself: in a job's
    // payload, an inbound message's user and message id, a receipt key. Replacing it is exact.
    const holds = `%${token}%`;
    return db.transaction(async (tx) => {
      const moved = await tx.query<{ id: string }>(sql`
        UPDATE "Conversation" SET "userId" = ${userId} WHERE "channel" = ${WEB} AND "userId" = ${token} RETURNING "id"`);
      // Moved meanwhile by the same resident's other request: the session is there now.
      if (moved.length === 0) return (await tx.query(sql`SELECT 1 AS "ok" FROM "WebSession" WHERE "id" = ${userId}`)).length ? userId : null;
      await tx.execute(sql`
        INSERT INTO "WebSession" ("id", "createdAt", "lastSeenAt") VALUES (${userId}, ${now}, ${now}) ON CONFLICT ("id") DO NOTHING`);
      await tx.execute(sql`
        UPDATE "ChatMessage" SET "payload" = REPLACE("payload", ${token}, ${userId}), "externalKey" = REPLACE("externalKey", ${token}, ${userId})
        WHERE "conversationId" = ${moved[0]!.id} AND ("payload" LIKE ${holds} OR "externalKey" LIKE ${holds})`);
      await tx.execute(sql`UPDATE "Party" SET "channelUserId" = ${userId} WHERE "channel" = ${WEB} AND "channelUserId" = ${token}`);
      await tx.execute(sql`UPDATE "Handoff" SET "userId" = ${userId} WHERE "channel" = ${WEB} AND "userId" = ${token}`);
      await tx.execute(sql`UPDATE "Staff" SET "channelUserId" = ${userId} WHERE "channel" = ${WEB} AND "channelUserId" = ${token}`);
      await tx.execute(sql`
        UPDATE "StaffChannel" SET "channelUserId" = ${userId} WHERE "channel" = ${WEB} AND "channelUserId" = ${token}`);
      await tx.execute(sql`UPDATE "Delivery" SET "recipient" = ${userId} WHERE "channel" = ${WEB} AND "recipient" = ${token}`);
      await tx.execute(sql`
        UPDATE "Job" SET "payload" = REPLACE("payload", ${token}, ${userId})
        WHERE "doneAt" IS NULL AND "failedAt" IS NULL AND "payload" LIKE ${holds}`);
      return userId;
    });
  }
}

export type WebSessionRepository = ReturnType<typeof createWebSessionRepository>;

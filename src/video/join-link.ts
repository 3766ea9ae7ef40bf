import { z } from "zod";
import { createSecretStore, LINK_SIGNING_KEY, type SecretStore } from "../db/secrets.js";
import type { Sql } from "../db/sql.js";
import { signToken, verifyToken, type TokenCheck } from "../lib/signed-token.js";

/** Signed into every join token, so no other signed link of the service opens a room. */
export const JOIN_PURPOSE = "video.join";

/**
 * A participant's join link: `PUBLIC_BASE_URL/join/<token>`, a signed capability naming the session and
 * the participant (nothing personal), valid until `notAfter`. The link stays the same when the session
 * moves: the window is read from the session when the page asks, so give a `notAfter` past the latest
 * end the session may move to (or send a fresh link with the move).
 */
export interface JoinLinks {
  url(p: { sessionId: string; participantId: string; notAfter: Date }): Promise<string>;
}

export function createJoinLinks(deps: { sql: Sql; publicBaseUrl: string; secrets?: SecretStore }): JoinLinks {
  const secrets = deps.secrets ?? createSecretStore(deps.sql);
  const base = deps.publicBaseUrl.replace(/\/$/, "");
  return {
    async url({ sessionId, participantId, notAfter }) {
      const key = await secrets.key(LINK_SIGNING_KEY);
      return `${base}/join/${signToken(key, JOIN_PURPOSE, { s: sessionId, p: participantId }, notAfter)}`;
    },
  };
}

const payload = z
  .object({ s: z.string().min(1).max(64), p: z.string().min(1).max(64) })
  .strict()
  .transform((v) => ({ sessionId: v.s, participantId: v.p }));

export type JoinTarget = z.output<typeof payload>;

/** What a join token says: the session and participant, expired, or not ours (tampered with). */
export async function readJoinToken(secrets: SecretStore, token: string, now: Date): Promise<TokenCheck<JoinTarget>> {
  return verifyToken(await secrets.key(LINK_SIGNING_KEY), JOIN_PURPOSE, token, now, (raw) => payload.parse(raw));
}

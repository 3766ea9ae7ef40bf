import { z } from "zod";
import { LINK_SIGNING_KEY, type SecretStore } from "../db/secrets.js";
import { signToken, verifyToken, type TokenCheck } from "../lib/signed-token.js";

/** Signed into every download token: it opens one document for one party, and nothing else. */
export const DOCUMENT_PURPOSE = "document.download";

/**
 * A party's download link for one document, `PUBLIC_BASE_URL/documents/<token>`: for a phone whose chat
 * app will not open a PDF, and the way "opened" is proved (the fetch is recorded against the party's
 * delivery). It names ids only; the expiry is set from config (DOCUMENT_LINK_DAYS).
 */
export interface DocumentLinks {
  url(p: { documentId: string; partyId: string; expiresAt: Date }): Promise<string>;
}

export function createDocumentLinks(deps: { secrets: SecretStore; publicBaseUrl: string }): DocumentLinks {
  const base = deps.publicBaseUrl.replace(/\/$/, "");
  return {
    async url({ documentId, partyId, expiresAt }) {
      const key = await deps.secrets.key(LINK_SIGNING_KEY);
      return `${base}/documents/${signToken(key, DOCUMENT_PURPOSE, { d: documentId, p: partyId }, expiresAt)}`;
    },
  };
}

const payload = z
  .object({ d: z.string().min(1).max(64), p: z.string().min(1).max(64) })
  .strict()
  .transform((v) => ({ documentId: v.d, partyId: v.p }));

export async function readDocumentToken(
  secrets: SecretStore,
  token: string,
  now: Date,
): Promise<TokenCheck<{ documentId: string; partyId: string }>> {
  return verifyToken(await secrets.key(LINK_SIGNING_KEY), DOCUMENT_PURPOSE, token, now, (raw) => payload.parse(raw));
}

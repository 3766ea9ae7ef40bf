import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Signed, expiring capabilities in a URL (a video join link, a document download): a small JSON payload
 * and its HMAC-SHA256, both base64url, `<payload>.<signature>`. Anyone holding the token holds the right,
 * so it carries only ids, never personal data, and the signature covers a purpose as well as the payload:
 * a download token is never a join link, even with the same key.
 */

export type TokenCheck<T> =
  | { ok: true; payload: T; expiresAt: Date }
  /** Not a token of ours: cut, altered, signed with another key or for another purpose. */
  | { ok: false; reason: "invalid" }
  /** Ours and intact, but past its expiry (the payload is still told, for a helpful answer). */
  | { ok: false; reason: "expired"; payload: T; expiresAt: Date };

const TOKEN = /^([A-Za-z0-9_-]{2,2048})\.([A-Za-z0-9_-]{43})$/;

function mac(key: Buffer, purpose: string, body: string): Buffer {
  return createHmac("sha256", key).update(`${purpose}\n${body}`).digest();
}

/** Signs `payload` for `purpose` until `expiresAt` (kept to the second). The payload must be a JSON object without an `exp` key. */
export function signToken(key: Buffer, purpose: string, payload: Record<string, unknown>, expiresAt: Date): string {
  if ("exp" in payload) throw new Error("signToken: `exp` is the token's own field");
  const body = Buffer.from(JSON.stringify({ ...payload, exp: Math.floor(expiresAt.getTime() / 1000) })).toString("base64url");
  return `${body}.${mac(key, purpose, body).toString("base64url")}`;
}

/**
 * Checks a token: the signature first (compared in constant time), then the expiry against `now`.
 * `parse` validates the payload's shape (a zod schema's `parse` fits); a payload it rejects is invalid.
 */
export function verifyToken<T>(key: Buffer, purpose: string, token: string, now: Date, parse: (raw: unknown) => T): TokenCheck<T> {
  const m = TOKEN.exec(token);
  if (!m) return { ok: false, reason: "invalid" };
  const [, body, signature] = m as unknown as [string, string, string];
  const given = Buffer.from(signature, "base64url");
  const expected = mac(key, purpose, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "invalid" };
  let raw: { exp?: unknown } & Record<string, unknown>;
  try {
    raw = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as typeof raw;
  } catch {
    return { ok: false, reason: "invalid" };
  }
  if (typeof raw !== "object" || raw === null || typeof raw.exp !== "number") return { ok: false, reason: "invalid" };
  const { exp, ...rest } = raw;
  let payload: T;
  try {
    payload = parse(rest);
  } catch {
    return { ok: false, reason: "invalid" };
  }
  const expiresAt = new Date(exp * 1000);
  if (now.getTime() >= expiresAt.getTime()) return { ok: false, reason: "expired", payload, expiresAt };
  return { ok: true, payload, expiresAt };
}

import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signToken, verifyToken } from "./signed-token.js";

const key = randomBytes(32);
const now = new Date("2026-11-23T02:00:00Z");
const later = new Date("2026-11-23T03:00:00Z");
const parse = (raw: unknown) => {
  const r = raw as { s?: unknown };
  if (typeof r.s !== "string") throw new Error("no s");
  return { s: r.s };
};

describe("signed tokens", () => {
  it("round-trips a payload until its expiry, then says expired (still telling the payload)", () => {
    const token = signToken(key, "video.join", { s: "abc" }, later);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyToken(key, "video.join", token, now, parse)).toEqual({ ok: true, payload: { s: "abc" }, expiresAt: later });
    expect(verifyToken(key, "video.join", token, new Date(later.getTime() - 1), parse).ok).toBe(true);
    expect(verifyToken(key, "video.join", token, later, parse)).toEqual({ ok: false, reason: "expired", payload: { s: "abc" }, expiresAt: later });
  });

  it("refuses a changed payload, a changed signature, another purpose, another key and junk as invalid", () => {
    const token = signToken(key, "video.join", { s: "abc" }, later);
    const [body, sig] = token.split(".") as [string, string];
    const otherBody = Buffer.from(JSON.stringify({ s: "abd", exp: Math.floor(later.getTime() / 1000) })).toString("base64url");
    const flipped = sig.slice(0, 10) + (sig[10] === "A" ? "B" : "A") + sig.slice(11);
    const invalid = { ok: false, reason: "invalid" };
    expect(verifyToken(key, "video.join", `${otherBody}.${sig}`, now, parse)).toEqual(invalid);
    expect(verifyToken(key, "video.join", `${body}.${flipped}`, now, parse)).toEqual(invalid);
    expect(verifyToken(key, "files.download", token, now, parse)).toEqual(invalid);
    expect(verifyToken(randomBytes(32), "video.join", token, now, parse)).toEqual(invalid);
    for (const junk of ["", ".", body, `${body}.`, `${body}.${sig}x`, `${body}.${sig}.x`, "a".repeat(5000)]) {
      expect(verifyToken(key, "video.join", junk, now, parse)).toEqual(invalid);
    }
    // Signed by us, but a payload the reader does not accept.
    expect(verifyToken(key, "video.join", signToken(key, "video.join", { x: 1 }, later), now, parse)).toEqual(invalid);
  });

  it("keeps `exp` its own", () => {
    expect(() => signToken(key, "p", { exp: 1 }, later)).toThrow(/exp/);
  });
});

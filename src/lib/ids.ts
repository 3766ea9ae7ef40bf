import { randomBytes, randomUUID } from "node:crypto";

/**
 * A UUIDv7 (RFC 9562): the creation millisecond first, then 74 random bits. Rows inserted one after the
 * other land on the same B-tree page of the primary key (SQLite and PostgreSQL alike) instead of a random
 * one each, so a commit writes fewer pages. The embedded time is for locality only: never read it.
 */
export function newId(): string {
  const ms = Date.now().toString(16).padStart(12, "0");
  // A v4 UUID supplies the random bits and the variant; its first 13 hex digits make way for the time.
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${randomUUID().slice(15)}`;
}

/** An unguessable token (web chat sessions, invite codes). */
export function newToken(bytes = 18): string {
  return randomBytes(bytes).toString("base64url");
}

let lastMs = 0;
let counter = 0;

/**
 * A UUIDv7 whose order is the order this process made them in, even within one millisecond (a 12-bit
 * counter after the time, RFC 9562 method 1): rows that must be kept in the order they were written
 * (a chat's deliveries) sort by it when their timestamps tie.
 */
export function orderedId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    counter++;
    if (counter > 0xfff) {
      lastMs++;
      counter = 0;
    }
    ms = lastMs;
  } else {
    lastMs = ms;
    counter = 0;
  }
  const hex = ms.toString(16).padStart(12, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${counter.toString(16).padStart(3, "0")}-${randomUUID().slice(19)}`;
}

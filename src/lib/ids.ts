import { randomBytes, randomUUID } from "node:crypto";

export function newId(): string {
  return randomUUID();
}

/** An unguessable token (web chat sessions, invite codes). */
export function newToken(bytes = 18): string {
  return randomBytes(bytes).toString("base64url");
}

import type { Sql } from "../db/sql.js";
import type { Clock } from "../lib/clock.js";
import { createAttendanceRepository } from "./attendance.repository.js";
import type { VideoWebhook } from "./port.js";

export type RecordOutcome =
  /** A replay (LiveKit retries until it hears 200): nothing changed. */
  | { stored: false }
  | { stored: true; attendance: "joined" | "left" | null };

/**
 * Stores a verified LiveKit event once (its id is the key) and, for a participant's join or leave in a
 * session's room, their first join or last leave, in the same transaction: a replay changes nothing.
 */
export async function recordVideoEvent(deps: { sql: Sql; clock: Clock }, event: VideoWebhook): Promise<RecordOutcome> {
  const repo = createAttendanceRepository(deps.sql);
  const receivedAt = deps.clock.now();
  const at = event.at ?? receivedAt;
  return deps.sql.transaction(async (tx) => {
    const fresh = await repo.recordEvent(tx, { ...event, at, receivedAt });
    if (!fresh) return { stored: false };
    if (!event.roomName || !event.identity) return { stored: true, attendance: null };
    const who = { roomName: event.roomName, identity: event.identity, at };
    if (event.event === "participant_joined") return { stored: true, attendance: (await repo.markJoined(tx, who)) ? "joined" : null };
    if (event.event === "participant_left") return { stored: true, attendance: (await repo.markLeft(tx, who)) ? "left" : null };
    return { stored: true, attendance: null };
  });
}

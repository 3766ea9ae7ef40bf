import type { SecretStore } from "../db/secrets.js";
import type { Sql } from "../db/sql.js";
import { MINUTE, SECOND, type Clock } from "../lib/clock.js";
import { isAppError } from "../lib/errors.js";
import { createAttendanceRepository, type JoinView } from "./attendance.repository.js";
import { grantsFor } from "./grants.js";
import { readJoinToken } from "./join-link.js";
import type { VideoService } from "./port.js";

export interface JoinDeps {
  sql: Sql;
  secrets: SecretStore;
  clock: Clock;
  /** Null when LiveKit is not configured: every link then says video is not used. */
  video: VideoService | null;
  /** How long before the start the room opens (JOIN_WINDOW_MINUTES). */
  windowMinutes: number;
  /** LiveKit's breaker is open: nobody waits on a call that will not be answered. */
  videoDown?: () => boolean;
  /** Someone could not get in because LiveKit is down: tell the session's mediator (once per session). */
  onVideoDown?: (view: JoinView) => Promise<void>;
}

/** A room LiveKit keeps open this long for the first person to arrive after the token was minted. */
export const EMPTY_TIMEOUT_SECONDS = 10 * 60;
/** And this long after the last one left, so a dropped connection comes back to the same room. */
export const DEPARTURE_TIMEOUT_SECONDS = 2 * 60;

/** Shown to the others for a participant the session has no name for (the room's language is the centre's). */
const ROLE_NAMES: Record<string, string> = { mediator: "调解员", claimant: "申请人", respondent: "被申请人", interpreter: "翻译", observer: "旁听人员" };

/** The room of a session: one per session, named after it (the webhook finds the session by it). */
export const roomNameOf = (sessionId: string) => `od-${sessionId}`;

interface Times {
  opensAt: Date;
  startsAt: Date;
  endsAt: Date;
}

/** What a join link leads to at this moment: what the page shows, and whether a token may be minted. */
export type JoinStatus =
  /** Not a link of ours: cut short or changed. */
  | { kind: "invalid" }
  /** The link's own expiry has passed. */
  | { kind: "expired" }
  /** The session, or this participant in it, is no longer there. */
  | { kind: "unknown" }
  /** LiveKit is not configured, or the session is by phone or on site. */
  | { kind: "video_off"; view: JoinView }
  | { kind: "cancelled"; view: JoinView }
  /** Held but not confirmed by the other party yet, or the hold lapsed. */
  | { kind: "not_booked"; view: JoinView }
  | ({ kind: "ended"; view: JoinView } & Times)
  | ({ kind: "early"; view: JoinView } & Times)
  | ({ kind: "open"; view: JoinView } & Times);

/**
 * Reads a join link against the session as it is now: a session that moved keeps its links, and the
 * window is the new one; a cancelled one says so.
 */
export async function joinStatus(deps: JoinDeps, o: { token: string }): Promise<JoinStatus> {
  const now = deps.clock.now();
  const link = await readJoinToken(deps.secrets, o.token, now);
  if (!link.ok) return { kind: link.reason };
  const view = await createAttendanceRepository(deps.sql).joinView(link.payload.sessionId, link.payload.participantId);
  if (!view) return { kind: "unknown" };
  const { session } = view;
  if (!deps.video || session.mode !== "video") return { kind: "video_off", view };
  if (session.state === "cancelled") return { kind: "cancelled", view };
  if (session.state === "held" || session.state === "expired") return { kind: "not_booked", view };
  const times: Times = {
    opensAt: new Date(session.startsAt.getTime() - deps.windowMinutes * MINUTE),
    startsAt: session.startsAt,
    endsAt: session.endsAt,
  };
  if (session.state === "done" || now.getTime() >= session.endsAt.getTime()) return { kind: "ended", view, ...times };
  if (now.getTime() < times.opensAt.getTime()) return { kind: "early", view, ...times };
  return { kind: "open", view, ...times };
}

export type JoinTokenResult =
  | Exclude<JoinStatus, { kind: "open" }>
  /** LiveKit is down: the mediator has been told, and will get in touch (by phone, or in the chat). */
  | { kind: "video_down"; view: JoinView }
  | ({ kind: "token"; url: string; token: string; identity: string; room: string; view: JoinView } & Times);

/**
 * Mints the LiveKit token a participant's page connects with, only inside the window: from
 * `windowMinutes` before the start until the end, and valid until the end. The room is created (or
 * found) on the way, with the session type's cap. The identity is the participant's id, so a second
 * device with the same link replaces the first in the room instead of adding a second "them".
 */
export async function issueJoinToken(deps: JoinDeps, o: { token: string }): Promise<JoinTokenResult> {
  const status = await joinStatus(deps, o);
  if (status.kind !== "open") return status;
  const video = deps.video!;
  const { session, participant } = status.view;
  const room = session.roomName ?? roomNameOf(session.id);
  const down = async (): Promise<JoinTokenResult> => {
    await deps.onVideoDown?.(status.view);
    return { kind: "video_down", view: status.view };
  };
  if (deps.videoDown?.()) return down();
  try {
    await video.ensureRoom({
      name: room,
      emptyTimeoutSeconds: EMPTY_TIMEOUT_SECONDS,
      departureTimeoutSeconds: DEPARTURE_TIMEOUT_SECONDS,
      maxParticipants: session.maxParticipants,
    });
  } catch (err) {
    if (isAppError(err, "UPSTREAM")) return down();
    throw err;
  }
  if (!session.roomName) await createAttendanceRepository(deps.sql).setRoomName(session.id, room);
  const ttlSeconds = Math.max(60, Math.ceil((session.endsAt.getTime() - deps.clock.now().getTime()) / SECOND));
  const token = await video.mintToken({
    room,
    identity: participant.id,
    name: participant.name ?? ROLE_NAMES[participant.role] ?? "旁听人员",
    grants: grantsFor(participant.role),
    ttlSeconds,
  });
  const { kind: _open, ...rest } = status;
  return { ...rest, kind: "token", url: video.clientUrl, token, identity: participant.id, room };
}

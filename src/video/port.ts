import type { RoleGrants } from "./grants.js";

/**
 * Port: the video service (LiveKit), as the domain uses it. The adapter (`livekit.ts`) speaks its
 * RoomService API over HTTP, mints its access tokens and checks its webhooks' signatures; nothing else
 * in the tree knows LiveKit's SDK.
 */
export interface VideoService {
  /** Where browsers connect (ws:// or wss://, LIVEKIT_URL). */
  readonly clientUrl: string;
  /**
   * Makes sure the room exists with these limits. Creating a room that exists returns it unchanged, so
   * every instance may call this before each token it mints. Throws `UPSTREAM` when LiveKit does not answer.
   */
  ensureRoom(room: { name: string; emptyTimeoutSeconds: number; departureTimeoutSeconds: number; maxParticipants: number }): Promise<void>;
  /** Asks LiveKit something cheap (its rooms): whether it answers. Throws `UPSTREAM` when it does not. */
  ping(): Promise<void>;
  /** A signed join token for one identity in one room, with the role's grants, valid for `ttlSeconds`. */
  mintToken(t: { room: string; identity: string; name: string; grants: RoleGrants; ttlSeconds: number }): Promise<string>;
  /**
   * A webhook, verified on the exact bytes received (the Authorization header is LiveKit's JWT carrying
   * the body's SHA-256). Throws `UNAUTHORIZED` when the signature or the body's hash does not match.
   */
  receiveWebhook(rawBody: string, authorization: string | undefined): Promise<VideoWebhook>;
}

/** A LiveKit webhook event, reduced to what is recorded. */
export interface VideoWebhook {
  /** LiveKit's unique event id. */
  id: string;
  event: string;
  roomName: string | null;
  /** The participant's identity (our participant id) for participant_* events. */
  identity: string | null;
  /** When LiveKit says it happened; null when it did not say. */
  at: Date | null;
}

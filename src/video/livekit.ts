// The one module that knows LiveKit's server SDK: rooms through RoomService (Twirp over HTTP), access
// tokens, and the webhook receiver. Everything else uses the VideoService port.
import { AccessToken, RoomServiceClient, WebhookReceiver } from "livekit-server-sdk";
import { guarded, type CircuitBreaker } from "../lib/breaker.js";
import { AppError } from "../lib/errors.js";
import type { VideoService, VideoWebhook } from "./port.js";

export interface LiveKitSettings {
  /** ws:// or wss://: where browsers connect. */
  url: string;
  /** http:// or https:// of the same server: where RoomService is called. */
  httpUrl: string;
  apiKey: string;
  apiSecret: string;
}

/** `breaker`: told of each RoomService call's outcome, so booking can tell when LiveKit is down. */
export function createLiveKitService(s: LiveKitSettings, breaker?: CircuitBreaker): VideoService {
  // No region failover (that is for LiveKit Cloud) and a short budget: a resident waits on this call.
  const rooms = new RoomServiceClient(s.httpUrl, s.apiKey, s.apiSecret, { requestTimeout: 8, failover: false });
  const receiver = new WebhookReceiver(s.apiKey, s.apiSecret);
  /** A RoomService call, told to the breaker (LiveKit answering at all, even 4xx, is LiveKit up), as our error. */
  async function call<T>(method: string, run: () => Promise<T>): Promise<T> {
    try {
      return breaker ? await guarded(breaker, run) : await run();
    } catch (err) {
      throw new AppError("UPSTREAM", `LiveKit ${method} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  return {
    clientUrl: s.url,

    async ensureRoom(room) {
      await call("CreateRoom", () =>
        rooms.createRoom({
          name: room.name,
          emptyTimeout: room.emptyTimeoutSeconds,
          departureTimeout: room.departureTimeoutSeconds,
          maxParticipants: room.maxParticipants,
        }),
      );
    },

    async ping() {
      await call("ListRooms", () => rooms.listRooms(["onedoor-health"]));
    },

    async mintToken(t) {
      const at = new AccessToken(s.apiKey, s.apiSecret, { identity: t.identity, name: t.name, ttl: t.ttlSeconds });
      at.addGrant({ room: t.room, roomJoin: true, ...t.grants });
      return at.toJwt();
    },

    async receiveWebhook(rawBody, authorization): Promise<VideoWebhook> {
      let event;
      try {
        event = await receiver.receive(rawBody, authorization);
      } catch (err) {
        throw new AppError("UNAUTHORIZED", `LiveKit webhook refused: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      if (!event.id) throw new AppError("BAD_INPUT", "LiveKit webhook without an event id");
      const seconds = Number(event.createdAt ?? 0);
      return {
        id: event.id,
        event: event.event,
        roomName: event.room?.name || null,
        identity: event.participant?.identity || null,
        at: seconds > 0 ? new Date(seconds * 1000) : null,
      };
    },
  };
}

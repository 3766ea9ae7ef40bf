import { createHash, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { AccessToken, ParticipantInfo, Room, TokenVerifier, WebhookEvent, type ClaimGrants, type VideoGrant } from "livekit-server-sdk";

/**
 * A LiveKit stand-in on 127.0.0.1 for the real livekit-server-sdk: it answers the RoomService Twirp
 * calls (JSON over POST /twirp/livekit.RoomService/<Method>) after verifying the bearer JWT the SDK
 * signs with the API key and secret, keeps its rooms in memory, and sends webhooks signed as LiveKit
 * signs them (a JWT whose sha256 claim is the base64 SHA-256 of the body, in the Authorization header,
 * content type application/webhook+json). It has no WebSocket: a browser that tries to connect fails
 * there, as it would against a LiveKit that is down.
 */

export interface TwirpCall {
  method: string;
  body: Record<string, unknown>;
  claims: ClaimGrants;
}

export interface WebhookInput {
  event: "room_started" | "room_finished" | "participant_joined" | "participant_left" | "track_published";
  room: string;
  identity?: string;
  name?: string;
  /** LiveKit's event id; a fresh UUID unless a test replays one. */
  id?: string;
  /** When it happened (LiveKit's created_at, whole seconds). */
  at?: Date;
}

export interface FakeLiveKit {
  /** ws://127.0.0.1:<port>: LIVEKIT_URL. */
  url: string;
  apiKey: string;
  apiSecret: string;
  calls: TwirpCall[];
  /** Refused calls (bad or missing token, missing grant), with the reason. */
  refused: { method: string; reason: string }[];
  rooms: Map<string, { name: string; emptyTimeout: number; departureTimeout: number; maxParticipants: number; sid: string }>;
  /** Answer the next `times` calls of `method` with a 503, as a LiveKit that is restarting does. */
  failNext(method: string, times?: number): void;
  /** POSTs a signed webhook to `target`; `secret` signs it with another secret (a forgery), `tamper` changes the body after signing. */
  sendWebhook(target: string, input: WebhookInput, options?: { secret?: string; tamper?: (body: string) => string; noAuth?: boolean }): Promise<{ status: number; body: unknown; eventId: string; raw: string }>;
  /** Repeats a webhook exactly as it was sent before (LiveKit retries until it hears 200). */
  resend(target: string, sent: { raw: string }): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** The grant each RoomService method needs, as LiveKit checks it. */
const NEEDS: Record<string, (v: VideoGrant, body: Record<string, unknown>) => boolean> = {
  CreateRoom: (v) => v.roomCreate === true,
  DeleteRoom: (v) => v.roomCreate === true,
  ListRooms: (v) => v.roomList === true,
  ListParticipants: (v, b) => v.roomAdmin === true && v.room === b.room,
  RemoveParticipant: (v, b) => v.roomAdmin === true && v.room === b.room,
};

export async function startFakeLiveKit(options: { apiKey?: string; apiSecret?: string } = {}): Promise<FakeLiveKit> {
  const apiKey = options.apiKey ?? "APIfake0123";
  const apiSecret = options.apiSecret ?? "fake-secret-of-at-least-32-characters-xyz";
  const verifier = new TokenVerifier(apiKey, apiSecret);
  const calls: TwirpCall[] = [];
  const refused: FakeLiveKit["refused"] = [];
  const rooms: FakeLiveKit["rooms"] = new Map();
  const failures = new Map<string, number>();
  const sentBodies: { raw: string; auth: string }[] = [];

  function twirpError(res: http.ServerResponse, status: number, code: string, msg: string) {
    const text = JSON.stringify({ code, msg });
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  }
  function ok(res: http.ServerResponse, body: unknown) {
    const text = JSON.stringify(body);
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  }
  const roomJson = (r: { name: string; emptyTimeout: number; departureTimeout: number; maxParticipants: number; sid: string }) =>
    new Room({ sid: r.sid, name: r.name, emptyTimeout: r.emptyTimeout, departureTimeout: r.departureTimeout, maxParticipants: r.maxParticipants }).toJson();

  const server = http.createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const m = /^\/twirp\/livekit\.RoomService\/(\w+)$/.exec(new URL(req.url ?? "/", "http://x").pathname);
      if (req.method !== "POST" || !m) return twirpError(res, 404, "bad_route", `no handler for ${req.method} ${req.url}`);
      const method = m[1]!;
      let body: Record<string, unknown>;
      try {
        body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>) : {};
      } catch {
        return twirpError(res, 400, "malformed", "body is not JSON");
      }
      const auth = req.headers.authorization ?? "";
      let claims: ClaimGrants;
      try {
        if (!auth.startsWith("Bearer ")) throw new Error("no bearer token");
        claims = await verifier.verify(auth.slice(7));
      } catch (err) {
        refused.push({ method, reason: String(err) });
        return twirpError(res, 401, "unauthenticated", "invalid token");
      }
      const need = NEEDS[method];
      if (!need) return twirpError(res, 404, "bad_route", `method ${method} not in this stand-in`);
      if (!need(claims.video ?? {}, body)) {
        refused.push({ method, reason: "missing grant" });
        return twirpError(res, 403, "permission_denied", "permissions denied");
      }
      calls.push({ method, body, claims });
      const failing = failures.get(method) ?? 0;
      if (failing > 0) {
        failures.set(method, failing - 1);
        return twirpError(res, 503, "unavailable", "server restarting");
      }
      switch (method) {
        case "CreateRoom": {
          const name = String(body.name ?? "");
          if (!name) return twirpError(res, 400, "invalid_argument", "room name is required");
          // As LiveKit: creating a room that exists returns it as it is.
          let room = rooms.get(name);
          if (!room) {
            room = {
              name,
              sid: `RM_${randomUUID().slice(0, 12)}`,
              emptyTimeout: Number(body.emptyTimeout ?? 0),
              departureTimeout: Number(body.departureTimeout ?? 0),
              maxParticipants: Number(body.maxParticipants ?? 0),
            };
            rooms.set(name, room);
          }
          return ok(res, roomJson(room));
        }
        case "ListRooms": {
          const names = (body.names as string[] | undefined) ?? [];
          return ok(res, { rooms: [...rooms.values()].filter((r) => names.length === 0 || names.includes(r.name)).map(roomJson) });
        }
        case "DeleteRoom":
          rooms.delete(String(body.room));
          return ok(res, {});
        case "ListParticipants":
          return ok(res, { participants: [] });
        default:
          return ok(res, {});
      }
    })().catch((err: unknown) => twirpError(res, 500, "internal", String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  async function post(target: string, raw: string, auth: string | undefined) {
    const res = await fetch(target, {
      method: "POST",
      headers: { "content-type": "application/webhook+json", ...(auth !== undefined ? { authorization: auth } : {}) },
      body: raw,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed };
  }

  return {
    url: `ws://127.0.0.1:${port}`,
    apiKey,
    apiSecret,
    calls,
    refused,
    rooms,
    failNext(method, times = 1) {
      failures.set(method, times);
    },
    async sendWebhook(target, input, o = {}) {
      const id = input.id ?? `EV_${randomUUID()}`;
      const known = rooms.get(input.room);
      const event = new WebhookEvent({
        event: input.event,
        id,
        createdAt: BigInt(Math.floor((input.at ?? new Date()).getTime() / 1000)),
        room: new Room({ name: input.room, sid: known?.sid ?? "RM_unknown" }),
        ...(input.identity
          ? { participant: new ParticipantInfo({ identity: input.identity, name: input.name ?? "", sid: `PA_${input.identity.slice(0, 8)}` }) }
          : {}),
      });
      // The SDK's WebhookEvent sets `event` to "" after its constructor took the one given: set it after.
      event.event = input.event;
      const raw = event.toJsonString();
      // LiveKit signs the body's SHA-256 (base64) into an access token with its API key and secret.
      const at = new AccessToken(apiKey, o.secret ?? apiSecret, { ttl: "5m" });
      at.sha256 = createHash("sha256").update(raw).digest("base64");
      const auth = await at.toJwt();
      const body = o.tamper ? o.tamper(raw) : raw;
      sentBodies.push({ raw: body, auth });
      const answer = await post(target, body, o.noAuth ? undefined : auth);
      return { ...answer, eventId: id, raw: body };
    },
    async resend(target, sent) {
      const earlier = sentBodies.find((s) => s.raw === sent.raw);
      if (!earlier) throw new Error("resend: this webhook was never sent");
      return post(target, earlier.raw, earlier.auth);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import path from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import express from "express";
import { ipKeyGenerator, rateLimit, type Options as RateLimitOptions } from "express-rate-limit";
import { z } from "zod";
import type { WebChatLimits } from "../../../config/env.js";
import { isLocale, type Locale } from "../../../i18n/index.js";
import { DAY, HOUR, MINUTE, type Clock } from "../../../lib/clock.js";
import { AppError } from "../../../lib/errors.js";
import type { Logger } from "../../../lib/logger.js";
import type { DeliveryRepository } from "../../../notify/delivery.repository.js";
import type { FileStore } from "../../../files/file-store.js";
import type { BufferedRateLimiter, RateLimiter } from "../../../notify/rate-limit.js";
import type { ConversationRepository } from "../../conversation.repository.js";
import type { Dialogue } from "../../dialogue.js";
import type { Inbound, InboundFile, Reply } from "../../messages.js";
import { MAX_FILE_BYTES, normalizeMime, storeEvidence, type StoredEvidence } from "../../../files/evidence-store.js";
import { createDatabaseRateStore, createPruner } from "./database-rate-store.js";
import type { WebSessionRepository } from "./web-session.repository.js";
import { isTimeZone } from "../../../cases/zones.js";

export const WEB_CHANNEL = "web";
const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "public");

/**
 * A session token is issued by the server (POST /api/chat/session) and kept by the browser; its hash
 * is the web user's identity. (Tokens of the release before sessions were stored are 32 characters.)
 */
const sessionToken = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, "invalid chat session");
const clientMessageId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

const messageBody = z
  .object({
    clientMessageId: clientMessageId.optional(),
    // Longer than the dialogue keeps (it cuts and says so); the body limit below is the hard stop.
    text: z.string().max(200_000).optional(),
    button: z.string().max(200).optional(),
    buttonLabel: z.string().max(200).optional(),
    /** A deep link the page was opened with (`/?start=r_<token>`: an invitation), sent with its first message. */
    startPayload: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
    /** The browser's zone (Intl): times are first shown in it; one that is not a real zone is ignored. */
    timeZone: z.string().max(64).optional(),
  })
  .refine((b) => b.text !== undefined || b.button !== undefined, "text or button is required");

const fileHeaders = z.object({
  clientMessageId: clientMessageId.optional(),
  // The page says how big the file is when it sends none of it (over the limit: no point uploading it).
  declaredSize: z.coerce.number().int().min(0).optional(),
  kind: z.enum(["voice"]).optional(),
});

/** A transcript page: at most this many messages, and about this many bytes of them (a whole message more at most). */
export const TRANSCRIPT_PAGE = { messages: 100, bytes: 256 * 1024 };

/** The web user a request's session stands for (set by `requireSession`). */
function session(res: express.Response): string {
  return res.locals.webUserId as string;
}

/** X-File-Name is URI-encoded (headers are Latin-1); what is shown back is a plain name, not a path. */
function fileName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  let name = header;
  try {
    name = decodeURIComponent(header);
  } catch {
    /* not encoded after all: keep it as sent */
  }
  // Control and bidi-override characters out: "发票\u202Egnp.exe" must not show as "发票exe.png".
  name = name.replace(/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "");
  name = (name.split(/[\\/]/).pop() ?? "").trim().slice(0, 120);
  return name || undefined;
}

/**
 * A recording made on the page is the resident speaking (voice: heard, when speech to text is on); an
 * audio file picked from the phone (a call recorded as evidence) is kept as a document, not taken as
 * their words.
 */
function kindOf(mime: string, asked: "voice" | undefined): InboundFile["kind"] {
  if (mime.startsWith("audio/") && asked === "voice") return "voice";
  return mime.startsWith("image/") ? "photo" : "document";
}

/**
 * Reads the request body through `store` without ever destroying the request: whatever `store` does not
 * read (a refusal before or while reading) is drained, so the browser still gets the dialogue's answer
 * rather than a reset connection.
 */
async function readBody(req: express.Request, store: (source: AsyncIterable<Uint8Array>) => Promise<StoredEvidence>): Promise<StoredEvidence> {
  const body = new PassThrough();
  const fail = (err: Error) => body.destroy(err);
  const interrupted = () => {
    if (!req.complete) body.destroy(new Error("upload interrupted"));
  };
  req.on("error", fail);
  req.on("close", interrupted);
  req.pipe(body);
  try {
    return await store(body);
  } finally {
    req.unpipe(body);
    body.destroy();
    req.off("error", fail);
    req.off("close", interrupted);
    req.resume();
  }
}

/** An inbound transcript row as the page shows it: no server paths. */
function shownInbound(p: Inbound) {
  return {
    ...(p.text !== undefined ? { text: p.text } : {}),
    ...(p.buttonLabel !== undefined ? { buttonLabel: p.buttonLabel } : {}),
    ...(p.file ? { file: { kind: p.file.kind, mime: p.file.mime, size: p.file.size, ...(p.file.name ? { name: p.file.name } : {}) } } : {}),
    ...(p.fileRefused ? { fileRefused: { reason: p.fileRefused.reason } } : {}),
    ...(p.transcribed ? { transcribed: true } : {}),
  };
}

/** The type of a file the centre made, from its first bytes (never from the request). */
function sniffType(bytes: Buffer): string {
  if (bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))) return "image/png";
  if (bytes.subarray(0, 4).toString("latin1") === "%PDF") return "application/pdf";
  if (bytes.subarray(0, 15).toString("latin1") === "BEGIN:VCALENDAR") return "text/calendar";
  return "application/octet-stream";
}

/** The web chat: the page at `/` and its JSON API under `/api/chat`. Translation only; the dialogue decides. */
export function createWebChatRouter(deps: {
  dialogue: Dialogue;
  conversations: ConversationRepository;
  sessions: WebSessionRepository;
  /**
   * The shared fixed-window counters, every instance counting against the same limits: `limiter` for
   * what every message and poll takes (counted in the process first, see createBufferedRateLimiter),
   * `exactLimiter` for the rarer takes that must hold across instances to the unit (new sessions, upload
   * megabytes), each counted in the database at once.
   */
  limiter: Pick<BufferedRateLimiter, "take" | "prune">;
  exactLimiter: Pick<RateLimiter, "take">;
  limits: WebChatLimits;
  /** The delivery ledger: a message the page has fetched is recorded as opened. */
  deliveries: Pick<DeliveryRepository, "markOpened" | "holdsFile" | "documentsOfFile" | "markDocumentOpened">;
  /** Where files sent to a chat are read from (GET /api/chat/files/…). */
  files?: FileStore;
  clock: Clock;
  logger: Logger;
  dataDir: string;
}): express.Router {
  const router = express.Router();
  const { limits } = deps;

  /** 429 with Retry-After and a short message in both languages (the page shows its own). */
  function tooMany(res: express.Response, name: string, until: Date): void {
    const seconds = Math.max(1, Math.ceil((until.getTime() - deps.clock.now().getTime()) / 1000));
    res.setHeader("Retry-After", String(seconds));
    res.status(429).json({
      error: "RATE_LIMITED",
      message: `发送太频繁，请 ${seconds} 秒后再试。Too many requests: please try again in ${seconds} s.`,
      limit: name,
      retryAfter: seconds,
    });
  }

  /**
   * One limit on one key (the client's address unless `key` says otherwise), counted in the database.
   * A refused request gets 429, Retry-After, and a short message in both languages (the page shows its own).
   */
  const limit = (name: string, max: number, windowMs: number, key?: RateLimitOptions["keyGenerator"]) =>
    rateLimit({
      limit: max,
      windowMs,
      store: createDatabaseRateStore({ limiter: deps.limiter, clock: deps.clock, prefix: `web:${name}:` }),
      ...(key ? { keyGenerator: key } : {}),
      standardHeaders: false,
      legacyHeaders: false,
      logger: { error: (err, msg) => deps.logger.warn({ err }, msg ?? "rate limiter"), warn: (err, msg) => deps.logger.warn({ err }, msg ?? "rate limiter") },
      handler: (_req, res, _next, options) => {
        const resetTime = (_req as express.Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
        tooMany(res, name, resetTime ?? new Date(deps.clock.now().getTime() + options.windowMs));
      },
    });
  const bySession: RateLimitOptions["keyGenerator"] = (_req, res) => session(res);

  const perAddress = limit("addr", limits.requestsPerMinute, MINUTE);
  /** The key express-rate-limit gives an address (IPv6 by /56), so both ways of counting it agree. */
  const addressKey = (req: express.Request) => `web:addr:${ipKeyGenerator(req.ip ?? "", 56)}`;
  const addressLimit = { limit: limits.requestsPerMinute, windowMs: MINUTE };

  /**
   * A message's limits in one statement: its address's, and the session's minute and day quotas (a
   * message is the hot path: one write for all three, not one each). Runs once the session is known.
   */
  const sends: express.RequestHandler = async (req, res, next) => {
    const who = session(res);
    const refusedUntil = await deps.limiter.take(deps.clock.now(), [
      { key: addressKey(req), limit: addressLimit },
      { key: `web:send-m:${who}`, limit: { limit: limits.messagesPerMinute, windowMs: MINUTE } },
      { key: `web:send-d:${who}`, limit: { limit: limits.messagesPerDay, windowMs: DAY } },
    ]);
    if (refusedUntil) tooMany(res, "send", refusedUntil);
    else next();
  };
  const pruneNowAndThen = createPruner(deps.limiter);
  /**
   * A new session's limits in one statement, as a message's: its address's requests, and the sessions
   * the address may have a minute and an hour (the keys express-rate-limit gave them before). Counted in
   * the database at once: a flood of new sessions spread over several instances still gets the limit once.
   */
  const issues: express.RequestHandler = async (req, res, next) => {
    const now = deps.clock.now();
    pruneNowAndThen(now);
    const address = ipKeyGenerator(req.ip ?? "", 56);
    const refusedUntil = await deps.exactLimiter.take(now, [
      { key: addressKey(req), limit: addressLimit },
      { key: `web:new-m:${address}`, limit: { limit: limits.sessionsPerMinute, windowMs: MINUTE } },
      { key: `web:new-h:${address}`, limit: { limit: limits.sessionsPerHour, windowMs: HOUR } },
    ]);
    if (refusedUntil) tooMany(res, "new-session", refusedUntil);
    else next();
  };
  /** Messages and files count their address in `sends`, new sessions in `issues`; everything else here, first of all. */
  const countsItsAddress = (req: express.Request) => {
    const at = `${req.baseUrl}${req.path}`;
    return req.method === "POST" && (at === "/api/chat/messages" || at === "/api/chat/files" || at === "/api/chat/session");
  };

  const reads = limit("read-m", limits.readsPerMinute, MINUTE, bySession);
  /**
   * Bytes a session uploads a day: 30 files a minute of 20 MB would fill a disk. A file counts at its
   * Content-Length (or the most a file may be, when the length is not given), rounded up to whole MB,
   * before any byte is read. A resident's evidence (a few photos, a contract) is far below it.
   */
  const uploads: express.RequestHandler = async (req, res, next) => {
    const length = Number(req.get("content-length"));
    const bytes = Number.isFinite(length) && length >= 0 ? Math.min(length, MAX_FILE_BYTES + 1) : MAX_FILE_BYTES;
    const mb = Math.max(1, Math.ceil(bytes / (1024 * 1024)));
    const refusedUntil = await deps.exactLimiter.take(deps.clock.now(), [
      { key: `web:upload-d:${session(res)}`, limit: { limit: limits.uploadMbPerDay, windowMs: DAY } },
    ], mb);
    if (refusedUntil) tooMany(res, "upload-d", refusedUntil);
    else next();
  };

  /**
   * After the checks (which wait for the database), before the body is read: a client that went away
   * meanwhile has a body nobody can read any more (the parser would wait for it for ever). Its request
   * ends here, as a cut-off body does (a 4xx, a line at info).
   */
  const stillThere: express.RequestHandler = (req, _res, next) => {
    if (req.destroyed && !req.complete) next(Object.assign(new Error("request aborted"), { type: "request.aborted" }));
    else next();
  };

  /**
   * Only a session this service issued is somebody; an invented or forgotten one gets 401 (the page asks
   * for a new one). A message refused so still counts against its address (a flood of made-up sessions
   * is limited like any other).
   */
  const requireSession: express.RequestHandler = async (req, res, next) => {
    const parsed = sessionToken.safeParse(req.get("x-chat-session"));
    const userId = parsed.success ? await deps.sessions.resolve(parsed.data, deps.clock.now()) : null;
    if (!userId) {
      if (countsItsAddress(req)) {
        const refusedUntil = await deps.limiter.take(deps.clock.now(), [{ key: addressKey(req), limit: addressLimit }]);
        if (refusedUntil) return tooMany(res, "addr", refusedUntil);
      }
      if (!parsed.success) throw new AppError("UNAUTHORIZED", "Missing or invalid X-Chat-Session header");
      throw new AppError("UNAUTHORIZED", "Unknown chat session: get a new one with POST /api/chat/session");
    }
    res.locals.webUserId = userId;
    next();
  };

  async function localeOf(userId: string): Promise<Locale> {
    const stored = await deps.conversations.localeOf(WEB_CHANNEL, userId);
    return stored && isLocale(stored) ? stored : "zh-CN";
  }

  /** A repeated delivery is answered from the transcript without a locale; the page needs one always. */
  async function answer(userId: string, reply: Reply) {
    return { messages: reply.messages, transcriptId: reply.transcriptId, locale: reply.locale ?? (await localeOf(userId)) };
  }

  // Every API request counts against its address first, before any work is done for it (a message or a
  // file together with its session's quotas, in one write: see `sends`; a new session with its own: `issues`).
  router.use("/api/chat", (req, res, next) => (countsItsAddress(req) ? next() : perAddress(req, res, next)));

  // Before the JSON parser: the body is the file itself, streamed to disk, never buffered.
  router.post("/api/chat/files", requireSession, sends, uploads, stillThere, async (req, res) => {
    const userId = session(res);
    const h = fileHeaders.parse({
      clientMessageId: req.get("x-client-message-id") || undefined,
      declaredSize: req.get("x-file-size") || undefined,
      kind: req.query.kind || undefined,
    });
    const mime = normalizeMime(req.get("content-type"));
    const sent = Number(req.get("content-length"));
    const size = Math.max(h.declaredSize ?? 0, Number.isFinite(sent) ? sent : 0) || undefined;
    const name = fileName(req.get("x-file-name"));
    const stored = await readBody(req, (source) =>
      storeEvidence({ dataDir: deps.dataDir, maxBytes: MAX_FILE_BYTES, kind: kindOf(mime, h.kind), mime, size, ...(name ? { name } : {}) }, source),
    );
    const reply = await deps.dialogue.handle({
      channel: WEB_CHANNEL,
      userId,
      messageId: h.clientMessageId ? `${userId}:${h.clientMessageId}` : undefined,
      ...("file" in stored ? { file: stored.file } : { fileRefused: { reason: stored.rejected, limitBytes: MAX_FILE_BYTES } }),
    });
    res.json(await answer(userId, reply));
  });

  router.post("/api/chat/session", issues, async (_req, res) => {
    const { token } = await deps.sessions.issue(deps.clock.now());
    res.status(201).json({ sessionId: token });
  });

  // After the session and its quota: a refused request's body is never parsed.
  const json = express.json({ limit: limits.maxBodyBytes });

  router.post("/api/chat/messages", requireSession, sends, stillThere, json, async (req, res) => {
    const userId = session(res);
    const body = messageBody.parse(req.body);
    // No locale hint from Accept-Language: Chinese is the first language of the service, and the
    // page's 中/En button switches; a phone set to English is not a request for English messages.
    const reply = await deps.dialogue.handle({
      channel: WEB_CHANNEL,
      userId,
      messageId: body.clientMessageId ? `${userId}:${body.clientMessageId}` : undefined,
      text: body.text,
      button: body.button,
      buttonLabel: body.buttonLabel,
      ...(body.startPayload ? { startPayload: body.startPayload } : {}),
      ...(body.timeZone && isTimeZone(body.timeZone) ? { timeZoneHint: body.timeZone } : {}),
    });
    res.json(await answer(userId, reply));
  });

  /** A file the chat was sent (an invitation's QR code, a document): only to the session it was sent to. */
  router.get("/api/chat/files/documents/:sha256", requireSession, reads, async (req, res) => {
    const ref = `documents/${req.params.sha256}`;
    if (!deps.files || !(await deps.deliveries.holdsFile(WEB_CHANNEL, session(res), ref))) throw new AppError("NOT_FOUND", "No such file in this chat");
    const bytes = await deps.files.read(ref);
    // A document served here counts as opened when its file is fetched (电子送达's proof).
    const now = deps.clock.now();
    for (const documentId of await deps.deliveries.documentsOfFile(WEB_CHANNEL, session(res), ref)) {
      await deps.deliveries.markDocumentOpened(documentId, WEB_CHANNEL, session(res), now);
    }
    res.setHeader("Cache-Control", "private, max-age=86400");
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.type(sniffType(bytes)).send(bytes);
  });

  router.get("/api/chat/messages", requireSession, reads, async (req, res) => {
    const userId = session(res);
    const after = z.coerce.number().int().min(0).default(0).parse(req.query.after);
    const { entries, more } = await deps.conversations.transcriptPage(WEB_CHANNEL, userId, after, TRANSCRIPT_PAGE);
    // The page shows what it fetched: for a notice or a document, that is proof it reached the resident.
    const shown = entries.filter((e) => e.direction === "out").map((e) => String(e.seq));
    if (shown.length) await deps.deliveries.markOpened(WEB_CHANNEL, userId, shown, deps.clock.now());
    res.json({
      // `id` is the message's number in this conversation (ChatMessage.seq), what `after` and a reply's
      // `transcriptId` count in; never the table's id, whose order can differ from commit order.
      messages: entries.map((e) => ({
        id: e.seq,
        direction: e.direction,
        payload: e.direction === "in" ? shownInbound(e.payload as Inbound) : e.payload,
      })),
      // A long transcript comes in pages: with `more`, ask again from `next`.
      more,
      next: entries.length ? entries[entries.length - 1]!.seq : after,
      locale: await localeOf(userId),
      maxFileBytes: MAX_FILE_BYTES,
    });
  });

  // The page's files. APIs are never looked for on disk: a message or a poll costs no file lookup.
  const page = express.static(PUBLIC_DIR, {
    index: "index.html",
    setHeaders: (res) => {
      res.setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
      res.setHeader("Cache-Control", "no-cache");
    },
  });
  router.use((req, res, next) => (req.path.startsWith("/api/") || req.path.startsWith("/telegram/") ? next() : page(req, res, next)));

  return router;
}

import path from "node:path";
import { fileURLToPath } from "node:url";
import express from "express";
import { z } from "zod";
import { AppError } from "../../../lib/errors.js";
import { newToken } from "../../../lib/ids.js";
import type { ConversationRepository } from "../../conversation.repository.js";
import type { Dialogue } from "../../dialogue.js";

export const WEB_CHANNEL = "web";
const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "public");

/** A session id is an unguessable token the browser keeps; it is the web user's identity. */
const sessionId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, "invalid chat session");

const messageBody = z
  .object({
    clientMessageId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
    // Longer than the dialogue keeps (it cuts and says so); the body limit below is the hard stop.
    text: z.string().max(200_000).optional(),
    button: z.string().max(200).optional(),
    buttonLabel: z.string().max(200).optional(),
  })
  .refine((b) => b.text !== undefined || b.button !== undefined, "text or button is required");

function session(req: express.Request): string {
  const parsed = sessionId.safeParse(req.get("x-chat-session"));
  if (!parsed.success) throw new AppError("UNAUTHORIZED", "Missing or invalid X-Chat-Session header");
  return parsed.data;
}

/** The web chat: the page at `/` and its JSON API under `/api/chat`. Translation only; the dialogue decides. */
export function createWebChatRouter(deps: { dialogue: Dialogue; conversations: ConversationRepository }): express.Router {
  const router = express.Router();

  router.use(
    express.static(PUBLIC_DIR, {
      index: "index.html",
      setHeaders: (res) => {
        res.setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
        res.setHeader("Cache-Control", "no-cache");
      },
    }),
  );

  router.use("/api/chat", express.json({ limit: "1mb" }));

  router.post("/api/chat/session", (_req, res) => {
    res.status(201).json({ sessionId: newToken(24) });
  });

  router.post("/api/chat/messages", async (req, res) => {
    const userId = session(req);
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
    });
    res.json(reply);
  });

  router.get("/api/chat/messages", async (req, res) => {
    const userId = session(req);
    const after = z.coerce.number().int().min(0).default(0).parse(req.query.after);
    const entries = await deps.conversations.transcript(WEB_CHANNEL, userId, after);
    res.json({ messages: entries.map((e) => ({ id: e.id, direction: e.direction, payload: e.payload })) });
  });

  return router;
}

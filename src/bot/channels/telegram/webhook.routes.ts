import { createHash, timingSafeEqual } from "node:crypto";
import express from "express";
import { z } from "zod";
import { AppError } from "../../../lib/errors.js";

export const TELEGRAM_WEBHOOK_PATH = "/telegram/webhook";

/** Equal-length digests, so the comparison takes the same time whatever was sent. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

const updateSchema = z.object({ update_id: z.number().int().nonnegative() }).passthrough();

/**
 * POST /telegram/webhook: the secret header is checked first (401 and nothing read otherwise), the
 * update is stored, and Telegram gets its 200 at once; handling happens in the background, so a slow
 * classifier never holds Telegram's connection.
 */
export function createTelegramWebhookRouter(deps: {
  secret: string;
  /** Stores the update; false when it was stored before (a redelivery). */
  accept: (update: { update_id: number }) => Promise<boolean>;
}): express.Router {
  const router = express.Router();
  router.post(
    TELEGRAM_WEBHOOK_PATH,
    (req, _res, next) => {
      const given = req.get("x-telegram-bot-api-secret-token") ?? "";
      if (!sameSecret(given, deps.secret)) return next(new AppError("UNAUTHORIZED", "Wrong Telegram webhook secret"));
      next();
    },
    express.json({ limit: "1mb" }),
    async (req, res) => {
      const parsed = updateSchema.safeParse(req.body);
      if (!parsed.success) throw new AppError("BAD_INPUT", "Not a Telegram update");
      const fresh = await deps.accept(parsed.data);
      // A button press is answered in the webhook response itself (Telegram runs a method named in
      // the reply): the spinner on the resident's button stops at once, and no separate call is made.
      const query = (parsed.data as { callback_query?: { id?: unknown } }).callback_query;
      if (fresh && typeof query?.id === "string") {
        res.json({ method: "answerCallbackQuery", callback_query_id: query.id });
        return;
      }
      res.json({ ok: true });
    },
  );
  return router;
}

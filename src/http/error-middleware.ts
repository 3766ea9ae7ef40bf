import type { ErrorRequestHandler, RequestHandler } from "express";
import { ZodError } from "zod";
import { isAppError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";

/** The one place HTTP turns errors into answers: AppError codes, body-parser failures, zod errors. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (isAppError(err)) {
      if (err.httpStatus >= 500) logger.error({ err, path: req.path }, "request failed");
      res.status(err.httpStatus).json({ error: err.code, message: err.message });
      return;
    }
    if (err instanceof ZodError) {
      res.status(400).json({ error: "BAD_INPUT", message: err.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
      return;
    }
    // A client's broken request (cut off, not JSON, badly compressed, too large) is the client's: a
    // 4xx and a line at info, never a server error with a stack.
    const e = err as { type?: string; status?: number; expose?: boolean; code?: string };
    const client = (status: number, error: string, message: string) => {
      logger.info({ path: req.path, reason: e.type ?? e.code ?? String(err) }, "client request refused");
      if (!res.headersSent) res.status(status).json({ error, message });
    };
    if (e.type === "entity.too.large") return client(413, "TOO_LARGE", "Request body too large");
    if (e.type === "request.aborted") return client(400, "BAD_INPUT", "Request body was cut off");
    if (e.type === "entity.parse.failed") return client(400, "BAD_INPUT", "Body is not valid JSON");
    if (e.type === "encoding.unsupported" || e.type === "charset.unsupported") return client(415, "BAD_INPUT", "Unsupported body encoding");
    if (typeof e.code === "string" && /^(Z_|ERR_BROTLI|ERR__ERROR_FORMAT)/.test(e.code)) {
      return client(400, "BAD_INPUT", "Body could not be decompressed");
    }
    if (e.expose && typeof e.status === "number" && e.status >= 400 && e.status < 500) return client(e.status, "BAD_INPUT", "Bad request");
    logger.error({ err, path: req.path }, "unhandled request error");
    res.status(500).json({ error: "INTERNAL", message: "Internal error" });
  };
}

export const notFound: RequestHandler = (_req, res) => {
  res.status(404).json({ error: "NOT_FOUND", message: "No such route" });
};

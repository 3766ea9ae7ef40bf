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
    const e = err as { type?: string; status?: number };
    if (e.type === "entity.too.large") {
      res.status(413).json({ error: "TOO_LARGE", message: "Request body too large" });
      return;
    }
    if (e.type === "entity.parse.failed" || e.type === "encoding.unsupported" || e.type === "charset.unsupported") {
      res.status(400).json({ error: "BAD_INPUT", message: "Body is not valid JSON" });
      return;
    }
    logger.error({ err, path: req.path }, "unhandled request error");
    res.status(500).json({ error: "INTERNAL", message: "Internal error" });
  };
}

export const notFound: RequestHandler = (_req, res) => {
  res.status(404).json({ error: "NOT_FOUND", message: "No such route" });
};

import express, { type Router } from "express";
import type { HealthRegistry } from "../lib/health.js";
import type { Logger } from "../lib/logger.js";
import { errorMiddleware, notFound } from "./error-middleware.js";

export interface AppParts {
  logger: Logger;
  /** Checked by GET /healthz: the database answers. */
  healthCheck: () => Promise<void>;
  /** What the instance's long-running parts report (GET /healthz lists them; one not ok is "degraded"). */
  health?: HealthRegistry;
  /** Routers mounted at "/", in order: channels (web chat, Telegram webhook, WeCom callback), APIs. */
  routers: Router[];
  /** TRUST_PROXY: whose X-Forwarded-For to believe; unset, nobody's (req.ip is the peer). */
  trustProxy?: string;
}

export function createApp(parts: AppParts): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", parts.trustProxy === undefined ? false : /^\d+$/.test(parts.trustProxy) ? Number(parts.trustProxy) : parts.trustProxy);
  app.use((_req, res, next) => {
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "no-referrer");
    next();
  });

  app.get("/healthz", async (_req, res) => {
    const reported = parts.health?.checks() ?? {};
    const checks: Record<string, string> = { database: "ok" };
    for (const [name, check] of Object.entries(reported)) checks[name] = check.detail;
    try {
      await parts.healthCheck();
    } catch (err) {
      parts.logger.error({ err }, "health check failed");
      res.status(503).json({ status: "unavailable", checks: { ...checks, database: "unavailable" } });
      return;
    }
    // Up, but a loop this instance runs has died (Telegram's poll): say so, with the reason.
    const degraded = Object.values(reported).some((c) => !c.ok);
    res.status(degraded ? 503 : 200).json({ status: degraded ? "degraded" : "ok", checks });
  });

  for (const router of parts.routers) app.use(router);
  app.use(notFound);
  app.use(errorMiddleware(parts.logger));
  return app;
}

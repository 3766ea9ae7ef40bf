import express, { type Router } from "express";
import type { HealthRegistry } from "../lib/health.js";
import type { Logger } from "../lib/logger.js";
import { errorMiddleware, notFound } from "./error-middleware.js";

export interface AppParts {
  logger: Logger;
  /** Checked by GET /healthz and /readyz: the database answers. */
  healthCheck: () => Promise<void>;
  /** What the instance's long-running parts report (GET /healthz lists them; one not ok is "degraded"). */
  health?: HealthRegistry;
  /** Routers mounted at "/", in order: channels (web chat, Telegram webhook, WeCom callback), APIs. */
  routers: Router[];
  /** TRUST_PROXY: whose X-Forwarded-For to believe; unset, nobody's (req.ip is the peer). */
  trustProxy?: string;
  /** Counts the requests being answered, so a stop lets them finish. */
  inFlight?: RequestsInHand;
}

/** The requests being answered now; `idle()` resolves when there are none. */
export class RequestsInHand {
  count = 0;
  private waiters: (() => void)[] = [];
  begin(): void {
    this.count++;
  }
  end(): void {
    if (--this.count > 0) return;
    for (const wake of this.waiters.splice(0)) wake();
  }
  idle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
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

  /** The database answers: what both endpoints start from. */
  async function databaseUp(): Promise<{ ok: true } | { ok: false; error: string }> {
    try {
      await parts.healthCheck();
      return { ok: true };
    } catch (err) {
      parts.logger.error({ err }, "health check failed");
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  /**
   * Liveness: 200 whenever the process answers, listing every dependency (ok, degraded or down, since
   * when, the last error) and the loops this instance runs; `status` is "ok" only when all are.
   */
  app.get("/healthz", async (_req, res) => {
    const reported = parts.health?.checks() ?? {};
    const db = await databaseUp();
    const checks: Record<string, string> = { database: db.ok ? "ok" : "unavailable" };
    for (const [name, check] of Object.entries(reported)) checks[name] = check.detail;
    const dependencies: Record<string, unknown> = { database: db.ok ? { status: "ok" } : { status: "down", lastError: db.error } };
    for (const d of parts.health?.dependencies() ?? []) {
      dependencies[d.name] = { status: d.status, since: d.since, lastError: d.lastError, lastErrorAt: d.lastErrorAt, retryAt: d.retryAt };
    }
    const degraded = !db.ok || Object.values(reported).some((c) => !c.ok) || (parts.health?.dependencies() ?? []).some((d) => d.status !== "ok");
    const status = parts.health?.draining ? "draining" : degraded ? "degraded" : "ok";
    res.json({ status, checks, dependencies });
  });

  /** Readiness: 503 while the database is unusable or the process is stopping; an outside service down is not a reason. */
  app.get("/readyz", async (_req, res) => {
    if (parts.health?.draining) {
      res.status(503).json({ ready: false, reason: "draining" });
      return;
    }
    const db = await databaseUp();
    if (!db.ok) {
      res.status(503).json({ ready: false, reason: "database unavailable" });
      return;
    }
    res.json({ ready: true });
  });

  // Stopping: requests already in hand finish; new work is turned away with 503, and Telegram or a
  // browser tries again (on another instance, or this one once it is back).
  app.use((_req, res, next) => {
    if (parts.health?.draining) {
      res.setHeader("Retry-After", "5");
      res.setHeader("Connection", "close");
      res.status(503).json({ error: "UNAVAILABLE", message: "服务正在重启，请稍后再试。 / Restarting: please try again in a moment." });
      return;
    }
    if (parts.inFlight) {
      const inHand = parts.inFlight;
      inHand.begin();
      res.once("close", () => inHand.end());
    }
    next();
  });

  for (const router of parts.routers) app.use(router);
  app.use(notFound);
  app.use(errorMiddleware(parts.logger));
  return app;
}

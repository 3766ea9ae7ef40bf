import { timingSafeEqual } from "node:crypto";
import express, { type RequestHandler } from "express";
import { z } from "zod";
import type { Db } from "../db/client.js";
import type { Clock } from "../lib/clock.js";
import { AppError } from "../lib/errors.js";

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Staff endpoints need STAFF_API_TOKEN as a bearer token. With no token configured (the embedded
 * default on one office laptop) they answer only to the machine itself.
 */
export function requireStaff(token: string | undefined): RequestHandler {
  return (req, _res, next) => {
    if (token) {
      const given = req.get("authorization")?.replace(/^Bearer\s+/i, "") ?? "";
      if (!sameSecret(given, token)) return next(new AppError("UNAUTHORIZED", "Staff token required"));
      return next();
    }
    const ip = req.socket.remoteAddress ?? "";
    if (ip === "127.0.0.1" || ip === "::1" || ip === "::ffff:127.0.0.1") return next();
    next(new AppError("UNAUTHORIZED", "Set STAFF_API_TOKEN to reach staff endpoints from another machine"));
  };
}

const listQuery = z.object({
  staffId: z.string().max(100).optional(),
  roomId: z.string().max(100).optional(),
  undelivered: z.enum(["true", "false"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** The notifications list: where 催办 / 督办 / risk pages wait for staff who have no chat channel yet. */
export function createStaffRouter(deps: { db: Db; clock: Clock; staffToken?: string }): express.Router {
  const router = express.Router();
  router.use("/api/staff", requireStaff(deps.staffToken));

  router.get("/api/staff/notifications", async (req, res) => {
    const q = listQuery.parse(req.query);
    const rows = await deps.db.notification.findMany({
      where: {
        ...(q.staffId ? { staffId: q.staffId } : {}),
        ...(q.roomId ? { roomId: q.roomId } : {}),
        ...(q.undelivered === "true" ? { deliveredAt: null } : {}),
      },
      orderBy: { createdAt: "desc" },
      take: q.limit,
    });
    res.json({ notifications: rows });
  });

  router.post("/api/staff/notifications/:id/read", async (req, res) => {
    const updated = await deps.db.notification.updateMany({
      where: { id: req.params.id, readAt: null },
      data: { readAt: deps.clock.now() },
    });
    res.json({ updated: updated.count });
  });

  router.get("/api/staff/cases/:code", async (req, res) => {
    const c = await deps.db.case.findUnique({
      where: { code: req.params.code },
      include: { parties: true, events: { orderBy: { at: "asc" } }, room: true, evidence: true },
    });
    if (!c) throw new AppError("NOT_FOUND", `No case ${req.params.code}`);
    res.json({ case: c });
  });

  return router;
}

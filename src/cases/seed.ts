import fs from "node:fs";
import { z } from "zod";
import type { Db } from "../db/client.js";
import { COMPLEXITIES, DISPUTE_TYPES, TIERS } from "./types.js";

const seedSchema = z.object({
  rooms: z.array(
    z.object({
      id: z.string(),
      nameZh: z.string(),
      nameEn: z.string(),
      tier: z.enum(TIERS),
      kind: z.enum(["room", "department"]).default("room"),
    }),
  ),
  rules: z.array(
    z.object({
      disputeType: z.enum(DISPUTE_TYPES),
      roomId: z.string(),
      tier: z.enum(TIERS),
      defaultComplexity: z.enum(COMPLEXITIES),
    }),
  ),
  staff: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      role: z.enum(["mediator", "staff", "supervisor"]),
      roomId: z.string().optional(),
    }),
  ),
});

export const DEFAULT_SEED_FILE = "prisma/seed/routing.json";

/**
 * Loads rooms, routing rules and duty staff into an empty database. Once there is data the centre owns
 * it: a restart never overwrites its edits. Every dispute type must have a rule, or start-up stops.
 */
export async function seedReferenceData(db: Db, file = DEFAULT_SEED_FILE): Promise<void> {
  if ((await db.room.count()) > 0) return;
  const seed = seedSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
  const missing = DISPUTE_TYPES.filter((t) => !seed.rules.some((r) => r.disputeType === t));
  if (missing.length) throw new Error(`${file} has no routing rule for: ${missing.join(", ")}`);
  await db.$transaction([
    db.room.createMany({ data: seed.rooms }),
    db.routingRule.createMany({ data: seed.rules }),
    db.staff.createMany({ data: seed.staff.map((s) => ({ ...s, roomId: s.roomId ?? null })) }),
  ]);
}

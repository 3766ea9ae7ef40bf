import fs from "node:fs";
import { z } from "zod";
import { join, sql, type Sql } from "../db/sql.js";
import { DEFAULT_SLA, type SlaPolicy } from "./deadlines.js";
import { createSlaRepository } from "./sla.repository.js";
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
      role: z.enum(["mediator", "staff", "supervisor", "duty"]),
      phone: z.string().optional(),
      roomId: z.string().optional(),
    }),
  ),
});

export const DEFAULT_SEED_FILE = "prisma/seed/routing.json";

/**
 * Loads rooms, routing rules and duty staff into an empty database, and the SLA policy (`sla`, the
 * seeds' limits with the configured hours and escalation margin) into a database without one. Once
 * there is data the centre owns it: a restart never overwrites its edits. Every dispute type must have
 * a rule, or start-up stops.
 *
 * Two instances starting at once on an empty database may both get this far: every row goes in with
 * ON CONFLICT DO NOTHING, so the second writes nothing instead of failing on a duplicate key.
 */
export async function seedReferenceData(db: Sql, file = DEFAULT_SEED_FILE, sla: SlaPolicy = DEFAULT_SLA): Promise<void> {
  await createSlaRepository(db).seed(sla, new Date());
  if ((await db.query(sql`SELECT 1 FROM "Room" LIMIT 1`)).length > 0) return ensureDutyDesk(db);
  const seed = seedSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
  const missing = DISPUTE_TYPES.filter((t) => !seed.rules.some((r) => r.disputeType === t));
  if (missing.length) throw new Error(`${file} has no routing rule for: ${missing.join(", ")}`);
  const now = new Date();
  await db.transaction(async (tx) => {
    await tx.execute(sql`INSERT INTO "Room" ("id", "nameZh", "nameEn", "tier", "kind")
      VALUES ${join(seed.rooms.map((r) => sql`(${r.id}, ${r.nameZh}, ${r.nameEn}, ${r.tier}, ${r.kind})`))}
      ON CONFLICT ("id") DO NOTHING`);
    await tx.execute(sql`INSERT INTO "RoutingRule" ("disputeType", "roomId", "tier", "defaultComplexity")
      VALUES ${join(seed.rules.map((r) => sql`(${r.disputeType}, ${r.roomId}, ${r.tier}, ${r.defaultComplexity})`))}
      ON CONFLICT ("disputeType") DO NOTHING`);
    if (seed.staff.length > 0) {
      await tx.execute(sql`INSERT INTO "Staff" ("id", "name", "role", "phone", "roomId", "active", "createdAt")
        VALUES ${join(seed.staff.map((s) => sql`(${s.id}, ${s.name}, ${s.role}, ${s.phone ?? null}, ${s.roomId ?? null}, ${true}, ${now})`))}
        ON CONFLICT ("id") DO NOTHING`);
    }
  });
}

/**
 * The centre's duty desk receives safety pages and handoffs; a database seeded before it existed gets
 * it here (a new one gets it from the seed file). This was a data INSERT at the end of migration
 * 20261201215626_conversation_flows, written with SQLite's strftime; it moved here so the migration is
 * schema only and the step portable, and editing that migration was safe because no release had it
 * yet. It runs at every start and changes nothing once the row exists: a centre that wants no duty
 * desk marks it inactive (a deleted row would come back).
 */
async function ensureDutyDesk(db: Sql): Promise<void> {
  await db.execute(sql`
    INSERT INTO "Staff" ("id", "name", "role", "active", "createdAt")
    VALUES ('duty_desk', '综治中心值班员', 'duty', ${true}, ${new Date()})
    ON CONFLICT ("id") DO NOTHING`);
}

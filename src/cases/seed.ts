import fs from "node:fs";
import { z } from "zod";
import { join, sql, type Sql } from "../db/sql.js";
import { DEFAULT_SLA, type SlaPolicy } from "./deadlines.js";
import { createSlaRepository } from "./sla.repository.js";
import { COMPLEXITIES, DISPUTE_TYPES, TIERS } from "./types.js";
import { minutesOf } from "../lib/working-hours.js";

const hhmm = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/);

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
  sessionTypes: z
    .array(
      z.object({
        id: z.string(),
        nameZh: z.string(),
        nameEn: z.string(),
        minutes: z.number().int().positive(),
        bufferMinutes: z.number().int().min(0),
        minNoticeMinutes: z.number().int().min(0),
        dailyCap: z.number().int().positive(),
        maxParticipants: z.number().int().min(2),
      }),
    )
    .default([]),
  mediatorWeek: z
    .object({
      hours: z.array(z.object({ weekdays: z.array(z.number().int().min(1).max(7)), from: hhmm, to: hhmm })),
      languages: z.array(z.string()).default([]),
    })
    .optional(),
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
  const seed = seedSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
  if ((await db.query(sql`SELECT 1 FROM "Room" LIMIT 1`)).length > 0) {
    await ensureDutyDesk(db);
    return seedScheduling(db, seed);
  }
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
  await seedScheduling(db, seed);
}

/**
 * Session types, and every mediator's week and specialities (the dispute types routed to their room),
 * once: when the database has no session type yet (a new one, or one from before booking existed).
 */
async function seedScheduling(db: Sql, seed: z.infer<typeof seedSchema>): Promise<void> {
  if (seed.sessionTypes.length === 0 || (await db.query(sql`SELECT 1 FROM "SessionType" LIMIT 1`)).length > 0) return;
  const mediators = await db.query<{ id: string; roomId: string | null }>(sql`
    SELECT "id", "roomId" FROM "Staff" WHERE "role" = 'mediator' AND "active" = ${true}`);
  const rules = await db.query<{ disputeType: string; roomId: string }>(sql`SELECT "disputeType", "roomId" FROM "RoutingRule"`);
  const week = seed.mediatorWeek;
  await db.transaction(async (tx) => {
    await tx.execute(sql`INSERT INTO "SessionType" ("id", "nameZh", "nameEn", "minutes", "bufferMinutes", "minNoticeMinutes", "dailyCap", "maxParticipants")
      VALUES ${join(seed.sessionTypes.map((t) => sql`(${t.id}, ${t.nameZh}, ${t.nameEn}, ${t.minutes}, ${t.bufferMinutes}, ${t.minNoticeMinutes}, ${t.dailyCap}, ${t.maxParticipants})`))}
      ON CONFLICT ("id") DO NOTHING`);
    if (!week || mediators.length === 0) return;
    const hours = mediators.flatMap((m) =>
      week.hours.flatMap((h) => h.weekdays.map((d) => sql`(${`${m.id}:${d}:${h.from}`}, ${m.id}, ${d}, ${minutesOf(h.from)}, ${minutesOf(h.to)})`)),
    );
    if (hours.length > 0) {
      await tx.execute(sql`INSERT INTO "StaffHours" ("id", "staffId", "weekday", "startMin", "endMin") VALUES ${join(hours)} ON CONFLICT ("id") DO NOTHING`);
    }
    const skills = mediators.flatMap((m) => [
      ...rules.filter((r) => r.roomId === m.roomId).map((r) => sql`(${m.id}, 'type', ${r.disputeType})`),
      ...week.languages.map((l) => sql`(${m.id}, 'language', ${l})`),
    ]);
    if (skills.length > 0) await tx.execute(sql`INSERT INTO "StaffSkill" ("staffId", "kind", "value") VALUES ${join(skills)} ON CONFLICT DO NOTHING`);
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

// Writes a new migration from the difference between the committed migrations and schema.prisma.
// `prisma migrate dev` does not work with the JS engine (P1014), so migrations are made with
// `migrate diff` instead. Usage: npm run db:migration -- <name>
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <snake_case_name>");
  process.exit(2);
}
const dir = "prisma/migrations";
const hasMigrations = fs.existsSync(dir) && fs.readdirSync(dir).some((d) => /^\d{14}_/.test(d));
const scratch = path.resolve("data/.migration-scratch.db");
fs.mkdirSync(path.dirname(scratch), { recursive: true });
fs.rmSync(scratch, { force: true });
const env = { ...process.env, DATABASE_URL: `file:${scratch}` };
const prisma = (args: string[]) => execFileSync("npx", ["prisma", ...args], { env, encoding: "utf8" });

// Replay the committed migrations into a scratch database, then diff it against the schema.
if (hasMigrations) prisma(["migrate", "deploy"]);
const sql = prisma([
  "migrate", "diff",
  ...(hasMigrations ? ["--from-url", `file:${scratch}`] : ["--from-empty"]),
  "--to-schema-datamodel", "prisma/schema.prisma", "--script",
]);
fs.rmSync(scratch, { force: true });
if (!/\b(CREATE|ALTER|DROP|INSERT)\b/.test(sql)) {
  console.log("schema.prisma matches the migrations; nothing to write");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const target = path.join(dir, `${stamp}_${name}`);
fs.mkdirSync(target, { recursive: true });
fs.writeFileSync(path.join(target, "migration.sql"), sql);
if (!fs.existsSync(path.join(dir, "migration_lock.toml"))) {
  fs.writeFileSync(path.join(dir, "migration_lock.toml"), 'provider = "sqlite"\n');
}
console.log(`wrote ${target}/migration.sql`);

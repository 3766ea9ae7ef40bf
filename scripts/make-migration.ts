// Writes a new migration from the difference between the last committed schema.prisma and the one in
// the working tree. `prisma migrate dev` does not work with the JS engine (P1014), and with an adapter
// in prisma.config.ts `migrate diff` can read neither a database URL nor the migrations folder, so the
// committed schema (which every commit keeps in step with its migrations) is the starting point.
// Usage: npm run db:migration -- <name>
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
const previous = path.resolve("data/.previous-schema.prisma");
fs.mkdirSync(path.dirname(previous), { recursive: true });
const prisma = (args: string[]) => execFileSync("npx", ["prisma", ...args], { encoding: "utf8" });

if (hasMigrations) {
  fs.writeFileSync(previous, execFileSync("git", ["show", "HEAD:prisma/schema.prisma"], { encoding: "utf8" }));
}
const sql = prisma([
  "migrate", "diff",
  ...(hasMigrations ? ["--from-schema-datamodel", previous] : ["--from-empty"]),
  "--to-schema-datamodel", "prisma/schema.prisma", "--script",
]);
fs.rmSync(previous, { force: true });
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

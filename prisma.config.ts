import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";

// The query and schema engines run in-process (JS/WASM); no native engine is needed or fetched,
// which matters on servers that cannot reach Prisma's binary CDN.
process.env.PRISMA_QUERY_ENGINE_LIBRARY ??= path.resolve("prisma/.no-native-engine");
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve("prisma/.no-native-engine");
const url = (process.env.DATABASE_URL ??= "file:./data/onedoor.db");
// A postgres:// DATABASE_URL points the CLI (`prisma migrate status`, `deploy`) at the PostgreSQL schema
// and its migrations, generated from prisma/schema.prisma (scripts/make-migration.ts). The service
// itself migrates with its own runner (src/db/migrate.ts), into the same _prisma_migrations table.
const postgres = /^postgres(ql)?:\/\//.test(url);

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: postgres ? "prisma/postgres/schema.prisma" : "prisma/schema.prisma",
  async adapter() {
    if (postgres) return new PrismaPg({ connectionString: url });
    // better-sqlite3 cannot create the folder; without it every CLI command fails with "External error".
    const file = url.replace(/^file:/, "");
    if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return new PrismaBetterSQLite3({ url });
  },
});

// The rules of the tree (shared/STYLE.md), checked on the sources so a change that breaks one fails here.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" ? [] : sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [p] : [];
  });
}

const files = sources("src").map((file) => ({ file, text: fs.readFileSync(file, "utf8") }));

/** Every TypeScript file, tests included (the integration suite must run unchanged on PostgreSQL too). */
function allSources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" || e.name === "node_modules" ? [] : allSources(p);
    return /\.(ts|mts|mjs)$/.test(e.name) ? [p] : [];
  });
}

const everything = ["src", "test", "bench"]
  .flatMap(allSources)
  .filter((file) => !file.startsWith("src/db/") && file !== "test/architecture.test.ts")
  .map((file) => ({ file, text: fs.readFileSync(file, "utf8") }));

/** Prisma's model API on any model of the schema: `x.case.findMany(`, `t.db.job.count(` … */
const models = [...fs.readFileSync("prisma/schema.prisma", "utf8").matchAll(/^model (\w+) \{/gm)].map((m) => m[1]![0]!.toLowerCase() + m[1]!.slice(1));
const MODEL_API = new RegExp(
  `\\.(${models.join("|")})\\s*\\.\\s*(findUnique|findUniqueOrThrow|findFirst|findFirstOrThrow|findMany|create|createMany|createManyAndReturn|update|updateMany|updateManyAndReturn|upsert|delete|deleteMany|count|aggregate|groupBy)\\(`,
);
const GENERATED_CLIENT = /from "[^"]*\/db\/generated\/|from "@prisma\/client[^"]*"|\bPrismaClient\b/;
const DB_TYPE = /import\s[^;]*\bDb\b[^;]*from\s+"[^"]*\/db\/client\.js"/;

/** Where SQL text is written in the domain, dialogue and HTTP layers: repositories, and modules owning one table's statements. */
const LAYERS = /^src\/(cases|bot|http|notify|files|video)\//;
const STATEMENT_MODULES = ["src/cases/audit.ts", "src/cases/case-code.ts", "src/cases/routing.ts", "src/cases/seed.ts", "src/notify/rate-limit.ts"];
const SDK = /from "(grammy|@grammyjs\/[^"]+|express|openai|@langchain\/[^"]+|livekit-server-sdk)"/;

/** Where an SDK may be imported: channel adapters, the HTTP layer, the LLM and speech adapters. */
const ADAPTERS = [
  /^src\/bot\/channels\//,
  /^src\/http\//,
  /^src\/classify\/llm-classifier\.ts$/,
  /^src\/speech\/openai-transcriber\.ts$/,
  /^src\/video\/livekit\.ts$/,
];

describe("architecture", () => {
  it("keeps SDKs (grammY, express, openai, LangChain, LiveKit) out of domain code", () => {
    const offenders = files.filter((f) => SDK.test(f.text) && !ADAPTERS.some((a) => a.test(f.file))).map((f) => f.file);
    expect(offenders).toEqual([]);
  });

  it("runs plain SQL and transactions only through the Sql port, never Prisma's raw or transaction API", () => {
    // Prisma's interactive transactions on SQLite span awaits on the shared connection; the Sql port is
    // where transactions are made exclusive (src/db/sqlite.ts).
    const offenders = files
      .filter((f) => !f.file.startsWith("src/db/") && /\$(queryRaw|executeRaw|queryRawUnsafe|executeRawUnsafe|transaction)\b/.test(f.text))
      .map((f) => f.file);
    expect(offenders).toEqual([]);
  });

  it("uses no Prisma client and no model API anywhere (Prisma keeps the schema and migrations only)", () => {
    expect(models).toContain("case"); // the schema was read
    const offenders = everything
      .filter((f) => GENERATED_CLIENT.test(f.text) || DB_TYPE.test(f.text) || MODEL_API.test(f.text))
      .map((f) => f.file);
    expect(offenders).toEqual([]);
  });

  it("lets cases, deliveries, files, the dialogue and HTTP reach the database only through repositories on the Sql port", () => {
    const layered = files.filter((f) => LAYERS.test(f.file));
    expect(layered.length).toBeGreaterThan(0);
    // From src/db they import the port (and the secret store on it) and nothing else: no client, no driver, no Database object.
    const wrongImports = layered
      .filter((f) => [...f.text.matchAll(/from "([^"]*)"/g)].some(([, spec]) => /\/db\/(?!(sql|secrets)\.js$)/.test(spec!) || /^(better-sqlite3|pg|@prisma\/.*|prisma)$/.test(spec!)))
      .map((f) => f.file);
    expect(wrongImports).toEqual([]);
    // SQL is written in repositories (and the few modules that own one table's statements), not in use cases, flows or routes.
    const sqlElsewhere = layered
      .filter((f) => /\bsql`/.test(f.text) && !f.file.endsWith(".repository.ts") && !STATEMENT_MODULES.includes(f.file))
      .map((f) => f.file);
    expect(sqlElsewhere).toEqual([]);
  });

  it("keeps src/lib free of imports from the rest of src", () => {
    const offenders = files
      .filter((f) => f.file.startsWith("src/lib/") && /from "\.\.\/(?!lib\/)/.test(f.text))
      .map((f) => f.file);
    expect(offenders).toEqual([]);
  });
});

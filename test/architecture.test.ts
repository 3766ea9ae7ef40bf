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
const SDK = /from "(grammy|@grammyjs\/[^"]+|express|openai|@langchain\/[^"]+|livekit-server-sdk)"/;

/** Where an SDK may be imported: channel adapters, the HTTP layer, the LLM and speech adapters. */
const ADAPTERS = [
  /^src\/bot\/channels\//,
  /^src\/http\//,
  /^src\/classify\/llm-classifier\.ts$/,
  /^src\/speech\/openai-transcriber\.ts$/,
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

  it("keeps src/lib free of imports from the rest of src", () => {
    const offenders = files
      .filter((f) => f.file.startsWith("src/lib/") && /from "\.\.\/(?!lib\/)/.test(f.text))
      .map((f) => f.file);
    expect(offenders).toEqual([]);
  });
});

// prisma/postgres/schema.prisma is made from prisma/schema.prisma by this function and never edited by
// hand (test/db-schema.test.ts checks it is in step). One schema has one provider, so PostgreSQL gets a
// copy: the datasource's provider changed, no generator (the runtime speaks SQL through the Sql port,
// src/db/postgres.ts), and every DateTime a timestamptz(3), so a stored time is an instant whatever
// the server's or a session's time zone (Prisma's default, timestamp(3), is a wall-clock reading).

export const SQLITE_SCHEMA_FILE = "prisma/schema.prisma";
export const POSTGRES_SCHEMA_FILE = "prisma/postgres/schema.prisma";
export const POSTGRES_MIGRATIONS_DIR = "prisma/postgres/migrations";

const HEADER = `// GENERATED from prisma/schema.prisma by scripts/make-migration.ts (npm run db:migration -- <name>).
// Do not edit: change prisma/schema.prisma and run the script, which writes both migrations.
`;

/** Where a line's trailing `//` comment starts, outside string literals; -1 if it has none. */
function commentStart(line: string): number {
  let quoted = false;
  for (let i = 0; i < line.length - 1; i++) {
    if (line[i] === '"' && line[i - 1] !== "\\") quoted = !quoted;
    if (!quoted && line[i] === "/" && line[i + 1] === "/") return i;
  }
  return -1;
}

export function toPostgresSchema(sqliteSchema: string): string {
  const lines = sqliteSchema.replace(/\r\n/g, "\n").split("\n");
  const out: string[] = [];
  let block: "generator" | "datasource" | "model" | "other" | undefined;
  for (const line of lines) {
    const opening = /^(generator|datasource|model|enum|view|type)\s+\w+\s*\{/.exec(line);
    if (opening) block = (["generator", "datasource", "model"].includes(opening[1]!) ? opening[1] : "other") as typeof block;
    if (block === "generator") {
      if (/^\}/.test(line)) block = undefined;
      continue;
    }
    let text = line;
    if (block === "datasource") {
      text = text.replace(/(provider\s*=\s*)"sqlite"/, '$1"postgresql"');
    } else if (block === "model" && !/^\s*\/\//.test(text)) {
      const field = /^(\s+\w+\s+)DateTime(\?)?(?=\s|$)/.exec(text);
      if (field) {
        if (text.includes("@db.")) throw new Error(`prisma/schema.prisma must not use native types (@db.…): ${text.trim()}`);
        const at = commentStart(text);
        const code = at < 0 ? text : text.slice(0, at);
        const comment = at < 0 ? "" : text.slice(at);
        text = `${code.trimEnd()} @db.Timestamptz(3)${comment ? ` ${comment}` : ""}`;
      }
    }
    if (block && /^\}/.test(line)) block = undefined;
    out.push(text);
  }
  // The generator block leaves a blank line behind it; keep the file tidy.
  return HEADER + out.join("\n").replace(/\n{3,}/g, "\n\n");
}

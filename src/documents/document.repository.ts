import { sql, type Sql } from "../db/sql.js";
import { newId } from "../lib/ids.js";
import type { DocumentKind } from "./fields.js";

/** An issued document (never changed; see the Document model). */
export interface DocumentRecord {
  id: string;
  caseId: string;
  kind: DocumentKind;
  number: string;
  version: number;
  replacesId: string | null;
  signedFromId: string | null;
  templateVersion: number;
  /** What was rendered, as JSON. */
  fields: string;
  fileRef: string;
  sha256: string;
  size: number;
  issueKey: string;
  issuedBy: string;
  issuedAt: Date;
}

export type NewDocument = Omit<DocumentRecord, "id">;

export interface TemplateRecord {
  kind: DocumentKind;
  version: number;
  content: string;
  createdBy: string;
  createdAt: Date;
}

const COLUMNS = sql`"id", "caseId", "kind", "number", "version", "replacesId", "signedFromId", "templateVersion", "fields",
  "fileRef", "sha256", "size", "issueKey", "issuedBy", "issuedAt"`;

/** Issued documents and the centre's templates. Plain SQL on the port. */
export function createDocumentRepository(db: Sql) {
  return {
    async byId(id: string, tx: Sql = db): Promise<DocumentRecord | null> {
      const [row] = await tx.query<DocumentRecord>(sql`SELECT ${COLUMNS} FROM "Document" WHERE "id" = ${id}`);
      return row ?? null;
    },

    async byIssueKey(issueKey: string, tx: Sql = db): Promise<DocumentRecord | null> {
      const [row] = await tx.query<DocumentRecord>(sql`SELECT ${COLUMNS} FROM "Document" WHERE "issueKey" = ${issueKey}`);
      return row ?? null;
    },

    async ofCase(caseId: string): Promise<DocumentRecord[]> {
      return db.query<DocumentRecord>(sql`SELECT ${COLUMNS} FROM "Document" WHERE "caseId" = ${caseId} ORDER BY "issuedAt", "number", "version"`);
    },

    /** The newest version of a document number (what a correction replaces). */
    async latestOfNumber(number: string, tx: Sql = db): Promise<DocumentRecord | null> {
      const [row] = await tx.query<DocumentRecord>(sql`
        SELECT ${COLUMNS} FROM "Document" WHERE "number" = ${number} ORDER BY "version" DESC LIMIT 1`);
      return row ?? null;
    },

    /** The version that corrects this one, if any: a document with one is superseded. */
    async correctionOf(id: string, tx: Sql = db): Promise<DocumentRecord | null> {
      const [row] = await tx.query<DocumentRecord>(sql`SELECT ${COLUMNS} FROM "Document" WHERE "replacesId" = ${id}`);
      return row ?? null;
    },

    /** The signed agreement made from this version, if the parties have all signed it. */
    async signedFrom(id: string, tx: Sql = db): Promise<DocumentRecord | null> {
      const [row] = await tx.query<DocumentRecord>(sql`SELECT ${COLUMNS} FROM "Document" WHERE "signedFromId" = ${id}`);
      return row ?? null;
    },

    /**
     * Writes the document unless its issue key was used (a job run twice) or the version it corrects
     * was corrected meanwhile; either way the document that holds the key is returned. Null: the
     * version was corrected by another issue.
     */
    async insert(tx: Sql, d: NewDocument): Promise<DocumentRecord | null> {
      const id = newId();
      await tx.execute(sql`
        INSERT INTO "Document" ("id", "caseId", "kind", "number", "version", "replacesId", "signedFromId", "templateVersion",
          "fields", "fileRef", "sha256", "size", "issueKey", "issuedBy", "issuedAt")
        VALUES (${id}, ${d.caseId}, ${d.kind}, ${d.number}, ${d.version}, ${d.replacesId}, ${d.signedFromId}, ${d.templateVersion},
          ${d.fields}, ${d.fileRef}, ${d.sha256}, ${d.size}, ${d.issueKey}, ${d.issuedBy}, ${d.issuedAt})
        ON CONFLICT DO NOTHING`);
      const [row] = await tx.query<DocumentRecord>(sql`SELECT ${COLUMNS} FROM "Document" WHERE "issueKey" = ${d.issueKey}`);
      return row ?? null;
    },

    /** The template the centre saved last for this kind; null = the default shipped in code. */
    async template(kind: DocumentKind): Promise<TemplateRecord | null> {
      const [row] = await db.query<TemplateRecord>(sql`
        SELECT "kind", "version", "content", "createdBy", "createdAt" FROM "DocumentTemplate"
        WHERE "kind" = ${kind} ORDER BY "version" DESC LIMIT 1`);
      return row ?? null;
    },

    /** Saves a new version of the template (already checked); two saves at once get different versions. */
    async saveTemplate(t: { kind: DocumentKind; content: string; createdBy: string; now: Date }): Promise<number> {
      for (;;) {
        const [last] = await db.query<{ version: number }>(sql`
          SELECT "version" FROM "DocumentTemplate" WHERE "kind" = ${t.kind} ORDER BY "version" DESC LIMIT 1`);
        const version = (last?.version ?? 0) + 1;
        const added = await db.execute(sql`
          INSERT INTO "DocumentTemplate" ("id", "kind", "version", "content", "createdBy", "createdAt")
          VALUES (${newId()}, ${t.kind}, ${version}, ${t.content}, ${t.createdBy}, ${t.now})
          ON CONFLICT DO NOTHING`);
        if (added > 0) return version;
      }
    },
  };
}

export type DocumentRepository = ReturnType<typeof createDocumentRepository>;

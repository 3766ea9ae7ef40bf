import { sql, type Sql } from "../db/sql.js";

export interface EvidenceRecord {
  id: string;
  caseId: string;
  kind: "photo" | "voice" | "document";
  mime: string;
  size: number;
  sha256: string;
  /** Where the bytes are, under DATA_DIR: internal, never shown outside the service. */
  storagePath: string;
  fileName: string | null;
  /** The actor who sent it ("resident:<channel>:<user>"). */
  uploadedBy: string;
  createdAt: Date;
}

/** Files listed on cases. Plain SQL on the port. */
export function createEvidenceRepository(db: Sql) {
  return {
    /**
     * Lists a file on its case unless the same bytes are listed there already: false then. The unique
     * (case, SHA-256) key decides, so the same file sent twice at once is listed once.
     */
    async add(tx: Sql, e: EvidenceRecord): Promise<boolean> {
      const rows = await tx.query<{ id: string }>(sql`
        INSERT INTO "Evidence" ("id", "caseId", "kind", "mime", "size", "sha256", "storagePath", "fileName", "uploadedBy", "createdAt")
        VALUES (${e.id}, ${e.caseId}, ${e.kind}, ${e.mime}, ${e.size}, ${e.sha256}, ${e.storagePath}, ${e.fileName},
          ${e.uploadedBy}, ${e.createdAt})
        ON CONFLICT ("caseId", "sha256") DO NOTHING
        RETURNING "id"`);
      return rows.length === 1;
    },

    async ofCase(caseId: string): Promise<EvidenceRecord[]> {
      return db.query<EvidenceRecord>(sql`
        SELECT "id", "caseId", "kind", "mime", "size", "sha256", "storagePath", "fileName", "uploadedBy", "createdAt"
        FROM "Evidence" WHERE "caseId" = ${caseId} ORDER BY "createdAt"`);
    },
  };
}

export type EvidenceRepository = ReturnType<typeof createEvidenceRepository>;

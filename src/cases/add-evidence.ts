import { sql } from "../db/sql.js";
import { newId } from "../lib/ids.js";
import { recordEvent } from "./audit.js";
import type { CaseDeps } from "./deps.js";

export interface EvidenceInput {
  caseId: string;
  kind: "photo" | "voice" | "document";
  mime: string;
  size: number;
  sha256: string;
  storagePath: string;
  fileName?: string;
  uploadedBy: string;
}

/** Lists a file on the case. The same bytes sent twice are listed once (by SHA-256). */
export async function addEvidence(deps: CaseDeps, e: EvidenceInput): Promise<{ added: boolean }> {
  const { db, clock } = deps;
  const now = clock.now();
  const exists = await db.evidence.findUnique({ where: { caseId_sha256: { caseId: e.caseId, sha256: e.sha256 } } });
  if (exists) return { added: false };
  await deps.sql.transaction(async (tx) => {
    await tx.execute(sql`
      INSERT INTO "Evidence" ("id", "caseId", "kind", "mime", "size", "sha256", "storagePath", "fileName", "uploadedBy", "createdAt")
      VALUES (${newId()}, ${e.caseId}, ${e.kind}, ${e.mime}, ${e.size}, ${e.sha256}, ${e.storagePath}, ${e.fileName ?? null},
        ${e.uploadedBy}, ${now})`);
    await recordEvent(tx, {
      caseId: e.caseId,
      at: now,
      actor: e.uploadedBy,
      action: "evidence_added",
      data: { kind: e.kind, sha256: e.sha256, size: e.size, mime: e.mime },
    });
  });
  return { added: true };
}

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

/**
 * Lists a file on the case. The same bytes sent twice are listed once (by SHA-256): the insert skips a
 * file the case has, and only a file it did not have gets its audit event, in the same transaction.
 */
export async function addEvidence(deps: Pick<CaseDeps, "repos" | "sql" | "clock">, e: EvidenceInput): Promise<{ added: boolean }> {
  const now = deps.clock.now();
  const added = await deps.sql.transaction(async (tx) => {
    const inserted = await deps.repos.evidence.add(tx, {
      id: newId(),
      caseId: e.caseId,
      kind: e.kind,
      mime: e.mime,
      size: e.size,
      sha256: e.sha256,
      storagePath: e.storagePath,
      fileName: e.fileName ?? null,
      uploadedBy: e.uploadedBy,
      createdAt: now,
    });
    if (!inserted) return false;
    await recordEvent(tx, {
      caseId: e.caseId,
      at: now,
      actor: e.uploadedBy,
      action: "evidence_added",
      data: { kind: e.kind, sha256: e.sha256, size: e.size, mime: e.mime },
    });
    return true;
  });
  return { added };
}

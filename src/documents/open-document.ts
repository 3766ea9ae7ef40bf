import type { ServiceDeps } from "./deps.js";
import type { DocumentRecord } from "./document.repository.js";
import { readDocumentToken } from "./document-link.js";

export type OpenedDocument =
  | { ok: true; document: DocumentRecord; code: string; bytes: Buffer; superseded: boolean }
  | { ok: false; reason: "invalid" | "expired" | "unknown" };

/**
 * A download link fetched: the document's bytes, and the first fetch recorded as "opened" on the
 * party's delivery of it (the proof of service reads it). A tampered or expired link gets nothing.
 */
export async function openDocument(deps: ServiceDeps, token: string): Promise<OpenedDocument> {
  const now = deps.cases.clock.now();
  const check = await readDocumentToken(deps.secrets, token, now);
  if (!check.ok) return { ok: false, reason: check.reason };
  const { documentId, partyId } = check.payload;
  const [document, party] = await Promise.all([deps.documents.byId(documentId), deps.cases.repos.parties.byId(partyId)]);
  if (!document || !party || party.caseId !== document.caseId) return { ok: false, reason: "unknown" };
  const c = await deps.cases.repos.cases.byId(document.caseId);
  if (!c) return { ok: false, reason: "unknown" };
  const bytes = await deps.files.read(document.fileRef);
  if (party.channel && party.channelUserId) await deps.deliveries.markDocumentOpened(document.id, party.channel, party.channelUserId, now);
  return { ok: true, document, code: c.code, bytes, superseded: (await deps.documents.correctionOf(document.id)) !== null };
}

export type Acknowledged =
  | { kind: "acknowledged"; document: DocumentRecord; code: string; at: Date }
  | { kind: "before"; document: DocumentRecord; code: string }
  | { kind: "unknown" };

/**
 * A party pressed 收到 under a document: recorded on their delivery of it, once. Only a chat the
 * document was served to can acknowledge it (the update is keyed by that chat).
 */
export async function acknowledgeDocument(
  deps: Pick<ServiceDeps, "documents" | "deliveries" | "cases">,
  a: { documentId: string; channel: string; recipient: string },
): Promise<Acknowledged> {
  const document = await deps.documents.byId(a.documentId);
  if (!document) return { kind: "unknown" };
  const c = await deps.cases.repos.cases.byId(document.caseId);
  if (!c) return { kind: "unknown" };
  const at = deps.cases.clock.now();
  if ((await deps.deliveries.acknowledgeDocument(document.id, a.channel, a.recipient, at)) > 0) {
    return { kind: "acknowledged", document, code: c.code, at };
  }
  const served = (await deps.deliveries.ofDocument(document.id)).some((d) => d.channel === a.channel && d.recipient === a.recipient);
  return served ? { kind: "before", document, code: c.code } : { kind: "unknown" };
}

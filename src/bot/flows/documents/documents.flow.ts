import { acknowledgeDocument } from "../../../documents/open-document.js";
import { ACK_PREFIX, documentName } from "../../../documents/serve-document.js";
import { docText } from "../../../documents/documents.texts.js";
import { formatLocal } from "../../../lib/time.js";
import { menu, sayText, type Turn } from "../../turn.js";

/**
 * The buttons under a served document: 收到 records the acknowledgement on this chat's delivery of it
 * (what the proof of service prints). Pressed twice, it says so and records nothing new.
 */
export async function handleDocumentButton(turn: Turn): Promise<boolean> {
  const b = turn.inbound.button ?? "";
  if (!b.startsWith(ACK_PREFIX)) return false;
  const documents = turn.deps.documents;
  const result = documents
    ? await acknowledgeDocument(documents, { documentId: b.slice(ACK_PREFIX.length), channel: turn.inbound.channel, recipient: turn.inbound.userId })
    : ({ kind: "unknown" } as const);
  if (result.kind === "unknown") {
    sayText(turn, docText(turn.locale, "ackUnknown"), menu(turn));
    return true;
  }
  const name = documentName(turn.locale, result.document);
  if (result.kind === "before") {
    sayText(turn, docText(turn.locale, "ackedBefore", { name }));
    return true;
  }
  sayText(turn, docText(turn.locale, "acked", { name, code: result.code, when: formatLocal(result.at, turn.deps.cases.zone, turn.locale) }));
  return true;
}

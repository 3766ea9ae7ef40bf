import { recordEvent } from "../cases/audit.js";
import { DAY } from "../lib/clock.js";
import type { ServiceDeps } from "./deps.js";
import type { DocumentRecord } from "./document.repository.js";
import { docText } from "./documents.texts.js";
import { tellCaseStaff } from "./serve-document.js";

export interface MyDocument {
  document: DocumentRecord;
  code: string;
  servedAt: Date;
  acknowledgedAt: Date | null;
  /** A fresh download link for this chat's party. */
  link: string;
}

/**
 * "我的文书": what this chat was served, the current version of each (a corrected one is replaced by
 * its correction), with a new download link — a lost phone or a deleted chat does not lose them.
 */
export async function documentsOfChat(deps: ServiceDeps, chat: { channel: string; recipient: string }): Promise<MyDocument[]> {
  const served = await deps.deliveries.documentsServedTo(chat.channel, chat.recipient);
  const out: MyDocument[] = [];
  const expiresAt = new Date(deps.cases.clock.now().getTime() + deps.linkDays * DAY);
  for (const s of served) {
    const document = await deps.documents.byId(s.documentId);
    if (!document || (await deps.documents.correctionOf(document.id))) continue;
    const [c, parties] = await Promise.all([deps.cases.repos.cases.byId(document.caseId), deps.cases.repos.parties.ofCase(document.caseId)]);
    const party = parties.find((p) => p.channel === chat.channel && p.channelUserId === chat.recipient);
    if (!c || !party) continue;
    out.push({ document, code: c.code, servedAt: s.firstAt, acknowledgedAt: s.acknowledgedAt, link: await deps.links.url({ documentId: document.id, partyId: party.id, expiresAt }) });
  }
  return out;
}

/**
 * The party withdrew consent to e-service ("要纸质文书"): their open cases serve them on paper from now
 * on; each case's staff are told to confirm the address, and the audit log keeps when it was said.
 */
export async function withdrawServiceConsent(deps: ServiceDeps, chat: { channel: string; recipient: string }): Promise<string[]> {
  const changed = await deps.cases.repos.parties.servePaperFor(chat.channel, chat.recipient);
  const codes: string[] = [];
  const now = deps.cases.clock.now();
  for (const p of changed) {
    const [c, party] = await Promise.all([deps.cases.repos.cases.byId(p.caseId), deps.cases.repos.parties.byId(p.id)]);
    if (!c || !party) continue;
    codes.push(c.code);
    await recordEvent(deps.cases.sql, { caseId: c.id, at: now, actor: `resident:${chat.channel}:${chat.recipient}`, action: "service:paper", reason: "e-service consent withdrawn" });
    const text = docText("zh-CN", "staff.withdrawn", { code: c.code, role: docText("zh-CN", `role.${party.role}`), who: party.name ? ` ${party.name}` : "", address: party.serviceAddress ?? docText("zh-CN", "noAddress") });
    await tellCaseStaff(deps, c, { key: `service-paper:${p.id}:${now.toISOString()}`, kind: "document_paper", text });
  }
  return codes;
}

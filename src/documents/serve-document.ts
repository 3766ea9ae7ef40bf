import type { CaseRecord } from "../cases/case.repository.js";
import type { PartyRecord } from "../cases/party.repository.js";
import { isLocale, type Locale } from "../i18n/index.js";
import { enqueueJob } from "../jobs/job.repository.js";
import { caseOwners } from "../cases/case-owners.js";
import { notifyStaff } from "../jobs/notify-staff.js";
import { DAY } from "../lib/clock.js";
import { AppError } from "../lib/errors.js";
import type { Button, Outbound } from "../bot/messages.js";
import type { ServiceDeps } from "./deps.js";
import type { DocumentRecord } from "./document.repository.js";
import { docText, type DocumentTextKey } from "./documents.texts.js";

export const DOCUMENT_CHECK = "document.check";

/** The button a party presses to acknowledge a document (收到); handled by the documents flow. */
export const ACK_PREFIX = "doc.ack:";

/** A party served in their chat: they consented to e-service (送达地址确认) and have a chat with us. */
export function servedInChat(p: PartyRecord): p is PartyRecord & { channel: string; channelUserId: string } {
  return p.serviceChannel === "chat" && p.channel !== null && p.channelUserId !== null;
}

export const documentName = (locale: Locale, d: Pick<DocumentRecord, "kind">) => docText(locale, `name.${d.kind}`);

/** The file name a party sees: the case code and the document's title. */
export const fileNameOf = (code: string, d: Pick<DocumentRecord, "kind" | "version">) =>
  `${code} ${docText("zh-CN", `name.${d.kind}`)}${d.version > 1 ? ` 第${d.version}版` : ""}.pdf`;

/** Tells whoever answers for the case (caseOwners) once per key: paper service, an unopened document, a locked signing. */
export async function tellCaseStaff(deps: ServiceDeps, c: CaseRecord, n: { key: string; kind: string; text: string }): Promise<void> {
  const notifyDeps = { repos: { notifications: deps.cases.repos.notifications, staff: deps.cases.repos.staff }, clock: deps.cases.clock, messenger: deps.messenger };
  for (const staff of await caseOwners(deps.cases.repos.staff, c)) {
    await notifyStaff(notifyDeps, { dedupeKey: `${n.key}:${staff.id}`, staff, kind: n.kind, text: n.text, caseId: c.id });
  }
}

export interface ServeOptions {
  /** 1 the first time; 2 when sent again because it was not opened. Part of each delivery's key. */
  attempt?: number;
  /** Which parties (default: every party of the case). */
  partyIds?: readonly string[];
  /** More choices under the document (an agreement's 签署), and the line that asks for them. */
  buttons?: (doc: DocumentRecord, locale: Locale) => Button[][];
  note?: DocumentTextKey;
}

/**
 * Serves an issued document (电子送达) to each party on the channel they consented to: the PDF from the
 * file store, then its signed download link and a 收到 button, through the delivery ledger, which
 * records when it was sent and arrived; the link and the button record when it was opened and
 * acknowledged. A party who gave a paper address or withdrew consent gets nothing, and the case's
 * staff are told to serve on paper. Run twice, it sends nothing twice.
 */
export async function serveDocument(deps: ServiceDeps, doc: DocumentRecord, options: ServeOptions = {}): Promise<void> {
  const attempt = options.attempt ?? 1;
  const c = await deps.cases.repos.cases.byId(doc.caseId);
  if (!c) throw new AppError("NOT_FOUND", `No case ${doc.caseId}`);
  const locale: Locale = isLocale(c.language) ? c.language : "zh-CN";
  const parties = (await deps.cases.repos.parties.ofCase(c.id)).filter((p) => !options.partyIds || options.partyIds.includes(p.id));
  const now = deps.cases.clock.now();
  const expiresAt = new Date(now.getTime() + deps.linkDays * DAY);
  for (const p of parties) {
    if (!servedInChat(p)) {
      await tellStaffPaper(deps, c, doc, p, locale);
      continue;
    }
    const link = await deps.links.url({ documentId: doc.id, partyId: p.id, expiresAt });
    const params = { name: documentName(locale, doc), code: c.code, link, days: deps.linkDays, sha: doc.sha256, version: doc.version };
    const messages: Outbound[] = [
      { kind: "file", name: fileNameOf(c.code, doc), mime: "application/pdf", ref: doc.fileRef, caption: docText(locale, "caption", params) },
      {
        kind: "text",
        text: docText(locale, attempt > 1 ? "resent" : (options.note ?? "served"), params),
        buttons: [[{ label: docText(locale, "ack"), data: `${ACK_PREFIX}${doc.id}` }], ...(options.buttons?.(doc, locale) ?? [])],
      },
    ];
    await deps.messenger.send(p.channel, p.channelUserId, messages, {
      kind: "document",
      caseId: c.id,
      documentId: doc.id,
      dedupeKey: `doc:${doc.id}:${p.id}:${attempt}`,
    });
  }
  if (attempt === 1 && doc.kind !== "service_proof") {
    await enqueueJob(
      deps.cases.sql,
      {
        kind: DOCUMENT_CHECK,
        payload: { documentId: doc.id },
        dueAt: new Date(doc.issuedAt.getTime() + deps.openWithinDays * DAY),
        dedupeKey: `doc-check:${doc.id}`,
      },
      now,
    );
  }
}

async function tellStaffPaper(deps: ServiceDeps, c: CaseRecord, doc: DocumentRecord, p: PartyRecord, locale: Locale): Promise<void> {
  const text = docText(locale, "staff.paper", {
    code: c.code,
    name: documentName(locale, doc),
    role: docText(locale, `role.${p.role}`),
    who: p.name ? ` ${p.name}` : "",
    why: docText(locale, p.serviceChannel === "post" ? "staff.paper.post" : "staff.paper.noChat"),
    address: p.serviceAddress ?? docText(locale, "noAddress"),
  });
  await tellCaseStaff(deps, c, { key: `doc-paper:${doc.id}:${p.id}`, kind: "document_paper", text });
}

/**
 * The check a set number of days after issue: each party served in the chat who has neither opened nor
 * acknowledged the document is sent it again, once, and the case's staff are told; a delivery the
 * channel refused (a blocked bot) is served on paper instead.
 */
export async function checkDocumentOpened(deps: ServiceDeps, documentId: string): Promise<void> {
  const doc = await deps.documents.byId(documentId);
  if (!doc) return;
  const c = await deps.cases.repos.cases.byId(doc.caseId);
  if (!c) return;
  const locale: Locale = isLocale(c.language) ? c.language : "zh-CN";
  // A corrected document is chased through its correction, not itself.
  if (await deps.documents.correctionOf(doc.id)) return;
  const deliveries = await deps.deliveries.ofDocument(doc.id);
  const parties = await deps.cases.repos.parties.ofCase(c.id);
  for (const p of parties.filter(servedInChat)) {
    const mine = deliveries.filter((d) => d.channel === p.channel && d.recipient === p.channelUserId);
    if (mine.length === 0 || mine.some((d) => d.openedAt || d.acknowledgedAt)) continue;
    if (mine.every((d) => d.state === "failed" || d.state === "expired")) {
      await tellStaffPaper(deps, c, doc, { ...p, serviceChannel: "chat", channel: null }, locale);
      continue;
    }
    await serveDocument(deps, doc, { attempt: 2, partyIds: [p.id] });
    const text = docText(locale, "staff.notOpened", {
      code: c.code,
      name: documentName(locale, doc),
      role: docText(locale, `role.${p.role}`),
      who: p.name ? ` ${p.name}` : "",
      days: deps.openWithinDays,
    });
    await tellCaseStaff(deps, c, { key: `doc-unopened:${doc.id}:${p.id}`, kind: "document_unopened", text });
  }
}

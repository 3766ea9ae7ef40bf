import { recordEvent } from "../cases/audit.js";
import { sql } from "../db/sql.js";
import { isLocale, type Locale } from "../i18n/index.js";
import type { JobHandler } from "../jobs/worker.js";
import { DAY } from "../lib/clock.js";
import { formatLocal } from "../lib/time.js";
import type { Outbound } from "../bot/messages.js";
import { docText } from "./documents.texts.js";
import { formatDate } from "./fill.js";
import { fileNameOf, servedInChat, tellCaseStaff } from "./serve-document.js";
import { issueDocument } from "./issue-document.js";
import { AGREEMENT_JOBS, agreementFieldsOf, JUDICIAL_WINDOW_DAYS, type SigningDeps } from "./sign-agreement.js";

/** Buttons of the performance question: `perf:<y|n>:<documentId>:<term>`. */
export const PERFORMANCE_PREFIX = "perf:";

/**
 * After signing: on day 7 and day 25 both parties are reminded that they may apply together for
 * judicial confirmation within 30 days (People's Mediation Law art. 33), with the agreement, what to
 * bring and which court; on each term's deadline its creditor is asked whether it was done.
 */
export function createAgreementJobHandlers(deps: SigningDeps): Record<string, JobHandler> {
  const { cases, parties } = deps.cases.repos;
  const localeOf = (language: string): Locale => (isLocale(language) ? language : "zh-CN");
  return {
    [AGREEMENT_JOBS.judicial]: async (payload, ctx) => {
      const { documentId, day } = payload as { documentId: string; day: number };
      const doc = await deps.documents.byId(documentId);
      if (!doc) return;
      const c = await cases.byId(doc.caseId);
      if (!c) return;
      const locale = localeOf(c.language);
      const deadline = new Date(doc.issuedAt.getTime() + JUDICIAL_WINDOW_DAYS * DAY);
      const text = docText(locale, "judicial", {
        code: c.code,
        signed: formatDate(doc.issuedAt, deps.cases.zone),
        deadline: formatDate(deadline, deps.cases.zone),
        left: JUDICIAL_WINDOW_DAYS - day,
        court: deps.courtName,
      });
      // The package: the signed agreement and the joint application, filled in for them to sign at the court.
      const fields = agreementFieldsOf(doc);
      const application = await issueDocument(deps, {
        caseId: c.id,
        kind: "judicial_application",
        issueKey: `judicial_application:${doc.id}`,
        actor: "system",
        fields: {
          parties: fields.parties,
          agreement: { number: doc.number, signedAt: doc.issuedAt, committee: `${deps.centreName}人民调解委员会` },
          court: { name: deps.courtName },
          signatures: fields.parties.map((p) => ({ role: "申请人", name: p.name })),
        },
        serve: false,
      });
      const files: Outbound[] = [doc, application].map((d) => ({ kind: "file", name: fileNameOf(c.code, d), mime: "application/pdf", ref: d.fileRef, caption: c.code }));
      for (const p of (await parties.ofCase(c.id)).filter(servedInChat)) {
        await deps.messenger.send(p.channel, p.channelUserId, [{ kind: "text", text }, ...files], { caseId: c.id, dedupeKey: `job:${ctx.jobId}:${p.id}` });
      }
    },

    [AGREEMENT_JOBS.performance]: async (payload, ctx) => {
      const { documentId, term } = payload as { documentId: string; term: number };
      const doc = await deps.documents.byId(documentId);
      if (!doc) return;
      const c = await cases.byId(doc.caseId);
      if (!c) return;
      const fields = agreementFieldsOf(doc);
      const o = fields.obligations?.find((x) => x.term === term);
      if (!o) return;
      const locale = localeOf(c.language);
      const creditors = (await parties.ofCase(c.id)).filter((p) => p.role === o.creditor);
      for (const p of creditors) {
        if (!servedInChat(p)) {
          // No chat to ask in: the mediator asks by phone.
          await tellCaseStaff(deps, c, { key: `job:${ctx.jobId}:${p.id}`, kind: "performance_due", text: performanceLine(c.code, term, fields.terms[term - 1] ?? "", p, "zh-CN") });
          continue;
        }
        const text = docText(locale, "perf.ask", { code: c.code, n: term, term: fields.terms[term - 1] ?? "", due: formatLocal(o.due, deps.cases.zone, locale) });
        await deps.messenger.sendText(
          p.channel,
          p.channelUserId,
          text,
          [[
            { label: docText(locale, "perf.yes"), data: `${PERFORMANCE_PREFIX}y:${doc.id}:${term}` },
            { label: docText(locale, "perf.no"), data: `${PERFORMANCE_PREFIX}n:${doc.id}:${term}` },
          ]],
          { caseId: c.id, dedupeKey: `job:${ctx.jobId}:${p.id}` },
        );
      }
    },
  };
}

function performanceLine(code: string, term: number, text: string, p: { role: string; name: string | null }, locale: Locale): string {
  return docText(locale, "staff.perf", { code, n: term, term: text, role: docText(locale, `role.${p.role as "claimant"}`), who: p.name ? ` ${p.name}` : "" });
}

export type PerformanceAnswer = { kind: "unknown" } | { kind: "before" } | { kind: "done" } | { kind: "not_done" };

/**
 * The creditor answered: recorded in the case's audit log once; "not yet" tells the mediator, since the
 * committee supervises performance (People's Mediation Law art. 31).
 */
export async function answerPerformance(
  deps: SigningDeps,
  a: { documentId: string; term: number; done: boolean; channel: string; recipient: string },
): Promise<PerformanceAnswer> {
  const doc = await deps.documents.byId(a.documentId);
  if (!doc || doc.kind !== "agreement" || !doc.signedFromId) return { kind: "unknown" };
  const c = await deps.cases.repos.cases.byId(doc.caseId);
  if (!c) return { kind: "unknown" };
  const party = (await deps.cases.repos.parties.ofCase(c.id)).find((p) => p.channel === a.channel && p.channelUserId === a.recipient);
  const fields = agreementFieldsOf(doc);
  const o = fields.obligations?.find((x) => x.term === a.term);
  if (!party || !o || party.role !== o.creditor) return { kind: "unknown" };
  const action = `performance:${a.term}`;
  const now = deps.cases.clock.now();
  const first = await deps.cases.sql.transaction(async (tx) => {
    const [seen] = await tx.query<{ one: number }>(
      sql`SELECT 1 AS "one" FROM "CaseEvent" WHERE "caseId" = ${c.id} AND "action" = ${action} LIMIT 1`,
    );
    if (seen) return false;
    await recordEvent(tx, { caseId: c.id, at: now, actor: `resident:${a.channel}:${a.recipient}`, action, reason: a.done ? "performed" : "not_performed", data: { documentId: doc.id } });
    return true;
  });
  if (!first) return { kind: "before" };
  if (a.done) return { kind: "done" };
  const text = performanceLine(c.code, a.term, fields.terms[a.term - 1] ?? "", party, "zh-CN");
  await tellCaseStaff(deps, c, { key: `perf-no:${doc.id}:${a.term}`, kind: "performance_missed", text });
  return { kind: "not_done" };
}

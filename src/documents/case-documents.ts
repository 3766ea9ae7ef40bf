import type { CaseRecord } from "../cases/case.repository.js";
import type { PartyRecord } from "../cases/party.repository.js";
import { referralRoutes } from "../cases/referral-routes.js";
import type { CaseStatus, Outcome } from "../cases/types.js";
import { t } from "../i18n/index.js";
import type { JobHandler } from "../jobs/worker.js";
import { DAY } from "../lib/clock.js";
import type { Party } from "./fields.js";
import { issueDocument, type IssueDeps } from "./issue-document.js";
import { checkDocumentOpened, DOCUMENT_CHECK } from "./serve-document.js";

/** {caseId, kind, at, from?, outcome?, reason?}: issue and serve a case's notice (受理, 终止, 不予受理). */
export const DOCUMENT_ISSUE = "document.issue";

export type CaseNoticeKind = "acceptance_notice" | "termination_notice" | "rejection_notice";

/**
 * Which notice a status change issues, if any: acceptance when a room takes the case; termination when
 * mediation that had begun ends without agreement; 不予受理 when a case closes as referred before any
 * room took it (not a dispute to mediate here, or the other side would not mediate).
 */
export function noticeFor(from: CaseStatus, to: CaseStatus, outcome?: Outcome): CaseNoticeKind | null {
  if (to === "in_mediation") return "acceptance_notice";
  if (to !== "closed") return null;
  if (from === "in_mediation" && (outcome === "failed" || outcome === "referred")) return "termination_notice";
  if (outcome === "referred") return "rejection_notice";
  return null;
}

/** The job a status change enqueues with it (in its transaction), so the notice follows even after a crash. */
export function caseNoticeJob(p: { caseId: string; kind: CaseNoticeKind; at: Date; reason?: string }) {
  return {
    kind: DOCUMENT_ISSUE,
    payload: { caseId: p.caseId, kind: p.kind, at: p.at.toISOString(), ...(p.reason ? { reason: p.reason } : {}) },
    dueAt: p.at,
    dedupeKey: `document.issue:${p.kind}:${p.caseId}:${p.at.toISOString()}`,
  };
}

/** Where a notice would print the mediator's phone and the centre recorded none. */
export const NO_PHONE = "请在本聊天中联系";

const ROLE_ORDER: Record<PartyRecord["role"], number> = { claimant: 0, respondent: 1, other: 2 };

/** The parties in the order documents list them: claimants, respondents, then others. */
export const inDocumentOrder = (parties: readonly PartyRecord[]) => [...parties].sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role]);

/** A party as documents print them: a name always (the role when none was given). */
export function documentParties(parties: readonly PartyRecord[]): Party[] {
  return parties.map((p) => {
    const role = p.role === "other" ? "third_party" : p.role;
    const name = p.name?.trim() || (role === "claimant" ? "申请人" : role === "respondent" ? "被申请人" : "第三人");
    return { role, name, ...(p.contact ? { details: [`联系电话：${p.contact}`] } : {}) };
  });
}

/** Why mediation ended or could not begin, in a notice's words; `reason` is the status change's notice or reason. */
function reasonText(kind: CaseNoticeKind, reason: string | undefined): string {
  if (reason === "consent_declined") return "被申请人不同意调解（人民调解遵循自愿原则，一方明确拒绝的不得调解）";
  if (reason === "consent_timeout") return "被申请人在规定期限内未答复是否同意调解";
  return kind === "termination_notice" ? "经调解，双方当事人未能达成调解协议" : "该纠纷不宜由人民调解委员会调解";
}

export function createDocumentJobHandlers(deps: IssueDeps & { dutyPhone?: string }): Record<string, JobHandler> {
  const { cases, parties, staff } = deps.cases.repos;
  const typeName = (c: CaseRecord) => t("zh-CN", `type.${c.disputeType}`);
  return {
    [DOCUMENT_ISSUE]: async (payload) => {
      const p = payload as { caseId: string; kind: CaseNoticeKind; at: string; reason?: string };
      const c = await cases.byId(p.caseId);
      if (!c) return;
      const at = new Date(p.at);
      const ps = documentParties(inDocumentOrder(await parties.ofCase(c.id)));
      const base = { caseId: c.id, issueKey: `${p.kind}:${c.id}:${p.at}`, actor: "system" };
      if (p.kind === "acceptance_notice") {
        const mediator = c.mediatorId ? await staff.byId(c.mediatorId) : null;
        await issueDocument(deps, {
          ...base,
          kind: "acceptance_notice",
          fields: {
            parties: ps,
            case: { disputeType: typeName(c), receivedAt: c.createdAt, acceptedAt: at, contactBy: new Date(at.getTime() + 2 * DAY) },
            mediator: { name: mediator?.name ?? "调解员", phone: mediator?.phone ?? deps.dutyPhone ?? NO_PHONE },
          },
        });
      } else if (p.kind === "termination_notice") {
        await issueDocument(deps, {
          ...base,
          kind: "termination_notice",
          fields: { parties: ps, case: { disputeType: typeName(c), acceptedAt: c.createdAt }, termination: { reason: reasonText(p.kind, p.reason) } },
        });
      } else {
        await issueDocument(deps, {
          ...base,
          kind: "rejection_notice",
          fields: {
            parties: ps,
            case: { disputeType: typeName(c), receivedAt: c.createdAt },
            rejection: {
              reason: reasonText(p.kind, p.reason),
              referral: referralRoutes(c.disputeType, "zh-CN").join("；"),
            },
          },
        });
      }
    },
    [DOCUMENT_CHECK]: async (payload) => {
      await checkDocumentOpened(deps, (payload as { documentId: string }).documentId);
    },
  };
}

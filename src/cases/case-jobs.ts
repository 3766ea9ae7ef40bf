import { t, type Locale } from "../i18n/index.js";
import { notifyStaff, type Messenger, type StaffRecipient } from "../jobs/notify-staff.js";
import type { JobHandler } from "../jobs/worker.js";
import { formatLocal } from "../lib/time.js";
import type { CaseRecord } from "./case.repository.js";
import type { CaseDeps } from "./deps.js";
import { createResidentNotifyHandler, RESIDENT_NOTIFY } from "./notify-residents.js";
import { RISK_PAGE, SLA_ESCALATE, SLA_REMIND, type SlaStage } from "./sla.js";
import type { CaseStatus } from "./types.js";

export interface CaseJobDeps extends CaseDeps {
  messenger: Messenger;
  /** Language of staff notifications. */
  staffLocale?: Locale;
}

/** Is the deadline of this stage still unmet? If the case moved on, the reminder is moot. */
function stillPending(status: CaseStatus, stage: SlaStage): boolean {
  return stage === "accept" ? status === "routed" : status === "in_mediation";
}

/** Job handlers for case deadlines (催办 / 督办), risk pages and news for the parties. */
export function createCaseJobHandlers(deps: CaseJobDeps): Record<string, JobHandler> {
  const { cases, staff } = deps.repos;
  const locale = deps.staffLocale ?? "zh-CN";
  const roomStaff = async (roomId: string | null): Promise<StaffRecipient[]> => (roomId ? staff.active(["mediator", "staff"], roomId) : []);
  const supervisors = (): Promise<StaffRecipient[]> => staff.active(["supervisor"]);

  const send = (recipients: StaffRecipient[], key: string, kind: string, text: string, caseId: string) =>
    Promise.all(
      recipients.map((staff) => notifyStaff(deps, { dedupeKey: `${key}:${staff.id}`, staff, kind, text, caseId })),
    );

  function params(c: CaseRecord, deadline?: string) {
    return {
      code: c.code,
      type: t(locale, `type.${c.disputeType}`),
      room: (locale === "en" ? c.room?.nameEn : c.room?.nameZh) ?? "-",
      deadline: deadline ? formatLocal(new Date(deadline), deps.zone, locale) : "",
    };
  }

  return {
    [RESIDENT_NOTIFY]: createResidentNotifyHandler(deps),
    [SLA_REMIND]: async (payload, ctx) => {
      const { caseId, stage, deadline } = payload as { caseId: string; stage: SlaStage; deadline: string };
      const c = await cases.byId(caseId);
      if (!c || !stillPending(c.status, stage)) return;
      // The owner: the mediator who accepted it, else whoever is on duty in the room.
      const mediator = c.mediatorId ? await staff.byId(c.mediatorId) : null;
      const owners = mediator ? [mediator] : await roomStaff(c.roomId);
      const text = t(locale, stage === "accept" ? "notify.slaRemind.accept" : "notify.slaRemind.resolve", params(c, deadline));
      await send(owners, `job:${ctx.jobId}`, "sla_remind", text, c.id);
    },
    [SLA_ESCALATE]: async (payload, ctx) => {
      const { caseId, stage, deadline } = payload as { caseId: string; stage: SlaStage; deadline: string };
      const c = await cases.byId(caseId);
      if (!c || !stillPending(c.status, stage)) return;
      const text = t(locale, stage === "accept" ? "notify.slaEscalate.accept" : "notify.slaEscalate.resolve", params(c, deadline));
      await send(await supervisors(), `job:${ctx.jobId}`, "sla_escalate", text, c.id);
    },
    [RISK_PAGE]: async (payload, ctx) => {
      const c = await cases.byId(String(payload.caseId));
      if (!c) return;
      const flags = c.riskFlags.map((f) => t(locale, `risk.${f}`)).join("、");
      const text = t(locale, "notify.riskPage", { ...params(c), flags });
      await send([...(await supervisors()), ...(await roomStaff(c.roomId))], `job:${ctx.jobId}`, "risk_page", text, c.id);
    },
  };
}

import { t, type Locale } from "../i18n/index.js";
import { notifyStaff, type Messenger, type StaffRecipient } from "../jobs/notify-staff.js";
import type { JobHandler } from "../jobs/worker.js";
import { silentLogger, type Logger } from "../lib/logger.js";
import { formatLocal } from "../lib/time.js";
import type { CaseRecord } from "./case.repository.js";
import { caseOwners } from "./case-owners.js";
import type { CaseDeps } from "./deps.js";
import { createResidentNotifyHandler, RESIDENT_NOTIFY } from "./notify-residents.js";
import { RISK_PAGE, SLA_ESCALATE, SLA_REMIND, slaJobIsCurrent, type SlaPayload } from "./sla.js";

export interface CaseJobDeps extends CaseDeps {
  messenger: Messenger;
  /** Language of staff notifications. */
  staffLocale?: Locale;
  logger?: Logger;
}

/** Job handlers for case deadlines (催办 / 督办), risk pages and news for the parties. */
export function createCaseJobHandlers(deps: CaseJobDeps): Record<string, JobHandler> {
  const { cases, staff } = deps.repos;
  const locale = deps.staffLocale ?? "zh-CN";
  const roomStaff = async (roomId: string | null): Promise<StaffRecipient[]> => (roomId ? staff.active(["mediator", "staff"], roomId) : []);
  const supervisors = (): Promise<StaffRecipient[]> => staff.active(["supervisor"]);
  const logger = deps.logger ?? silentLogger;

  /** The case, if this SLA job is still about it as it is now; a stale job (moved on, re-routed) finishes doing nothing. */
  async function currentCase(payload: SlaPayload, ctx: { jobId: string }): Promise<CaseRecord | null> {
    const c = await cases.byId(payload.caseId);
    if (c && slaJobIsCurrent(c, payload)) return c;
    logger.debug({ jobId: ctx.jobId, caseId: payload.caseId, stage: payload.stage, deadline: payload.deadline, status: c?.status }, "stale SLA job skipped");
    return null;
  }

  /** Who is reminded (催办): triage officers for triage; otherwise whoever answers for the case (caseOwners). */
  async function owners(c: CaseRecord, payload: SlaPayload): Promise<StaffRecipient[]> {
    if (payload.stage === "triage") {
      // The duty desk works the queue; with nobody at the desk the supervisors are the triage officers.
      const desk = await staff.active(["duty"]);
      return desk.length > 0 ? desk : supervisors();
    }
    return caseOwners(staff, c);
  }

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
    [SLA_REMIND]: async (raw, ctx) => {
      const payload = raw as unknown as SlaPayload;
      const c = await currentCase(payload, ctx);
      if (!c) return;
      const text = t(locale, `notify.slaRemind.${payload.stage}`, params(c, payload.deadline));
      await send(await owners(c, payload), `job:${ctx.jobId}`, "sla_remind", text, c.id);
    },
    [SLA_ESCALATE]: async (raw, ctx) => {
      const payload = raw as unknown as SlaPayload;
      const c = await currentCase(payload, ctx);
      if (!c) return;
      const text = t(locale, `notify.slaEscalate.${payload.stage}`, params(c, payload.deadline));
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

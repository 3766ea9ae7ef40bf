import type { CaseRepositories } from "../cases/repositories.js";
import type { Sql } from "../db/sql.js";
import { notifyStaff, type Messenger } from "../jobs/notify-staff.js";
import type { Clock } from "../lib/clock.js";
import { createAttendanceRepository, type JoinView } from "./attendance.repository.js";

const ROLE: Record<string, string> = { claimant: "申请人", respondent: "被申请人", interpreter: "翻译", observer: "旁听人员" };

/**
 * Someone could not get into a video session because LiveKit is down: the session's mediator is told at
 * once, with each party's contact, so the session goes ahead by phone — the join page tells the person
 * the mediator will get in touch. Once per session, however many people try, on however many instances.
 */
export function videoDownNotice(deps: { sql: Sql; repos: Pick<CaseRepositories, "notifications" | "staff">; clock: Clock; messenger: Messenger }) {
  return async (view: JoinView): Promise<void> => {
    const contacts = await createAttendanceRepository(deps.sql).sessionContacts(view.session.id);
    if (!contacts) return;
    const mediator = await deps.repos.staff.byId(contacts.staffId);
    if (!mediator) return;
    const who = contacts.parties.map((p) => `${ROLE[p.role] ?? p.role}${p.name ? ` ${p.name}` : ""}：${p.contact ?? "没留电话，请在对话里联系"}`);
    const text = `【视频中断】案件 ${view.session.caseCode} 的视频调解：视频服务连不上，当事人进不了调解室。请改用电话进行，或另约时间。${who.length > 0 ? `\n${who.join("\n")}` : ""}`;
    await notifyStaff(
      { repos: { notifications: deps.repos.notifications, staff: deps.repos.staff }, clock: deps.clock, messenger: deps.messenger },
      { dedupeKey: `video-down:${view.session.id}`, staff: mediator, kind: "video_down", text, caseId: contacts.caseId },
    );
  };
}

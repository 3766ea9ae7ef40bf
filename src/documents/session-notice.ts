import { zoneLabel } from "../cases/zones.js";
import { t } from "../i18n/index.js";
import { AppError } from "../lib/errors.js";
import type { DocumentRecord } from "./document.repository.js";
import { documentParties, inDocumentOrder } from "./case-documents.js";
import { formatDateTime, formatTime } from "./fill.js";
import { documentNumber, issueDocument, type IssueDeps } from "./issue-document.js";

export interface SessionNoticeInput {
  caseId: string;
  sessionId: string;
  /** The session's version: a moved session is noticed again, as a correction of the last notice. */
  version: number;
  partyId: string;
  start: Date;
  end: Date;
  /** As people say it: 视频调解, 电话调解, 到中心当面调解. */
  mode: string;
  place: string;
  /** The party's own join link (video), else their manage link: the QR code on the notice. */
  joinUrl: string;
  mediator: { name: string; phone: string };
}

/**
 * Which clock the notice's times are on: the centre's, named; and for a party living in another zone
 * (a worker abroad), the same times on theirs, so nobody turns up at 09:00 New York time for 09:00 Beijing.
 */
export function zoneNote(centreZone: string, partyZone: string | null, s: { start: Date; end: Date }): string {
  const centre = zoneLabel(centreZone, "zh-CN");
  if (!partyZone || formatDateTime(s.start, partyZone) === formatDateTime(s.start, centreZone)) return centre;
  return `${centre}；您当地时间为${formatDateTime(s.start, partyZone)}至${formatTime(s.end, partyZone)}（${zoneLabel(partyZone, "zh-CN")}）`;
}

/**
 * The 调解通知书 for one party: each party's carries their own link, so each has a number of its own
 * (the case code, TZ, the party's place in the case). A moved session issues the next version, which
 * names the one it replaces; the same booking noticed twice (a job run again) issues nothing new.
 */
export async function issueSessionNotice(deps: IssueDeps, n: SessionNoticeInput): Promise<DocumentRecord> {
  const c = await deps.cases.repos.cases.byId(n.caseId);
  if (!c) throw new AppError("NOT_FOUND", `No case ${n.caseId}`);
  const records = inDocumentOrder(await deps.cases.repos.parties.ofCase(c.id));
  const ordinal = records.findIndex((p) => p.id === n.partyId);
  if (ordinal < 0) throw new AppError("NOT_FOUND", `No party ${n.partyId} in case ${c.code}`);
  const parties = documentParties(records);
  const number = documentNumber(c.code, "session_notice", ordinal + 1);
  const issueKey = `session_notice:${n.sessionId}:${n.version}:${n.partyId}`;
  const earlier = await deps.documents.latestOfNumber(number);
  return issueDocument(deps, {
    caseId: c.id,
    kind: "session_notice",
    issueKey,
    actor: "system",
    number,
    replaces: earlier && earlier.issueKey !== issueKey ? earlier : null,
    fields: {
      parties,
      recipient: { name: parties[ordinal]!.name },
      case: { disputeType: t("zh-CN", `type.${c.disputeType}`) },
      session: { start: n.start, end: n.end, mode: n.mode, place: n.place, joinUrl: n.joinUrl, zoneNote: zoneNote(deps.cases.zone, records[ordinal]!.timeZone, n) },
      mediator: n.mediator,
    },
    serve: { partyIds: [n.partyId] },
  });
}

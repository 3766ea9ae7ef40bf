// What the staff API shows: explicit response objects, never rows. A resident's channel user id (a
// Telegram chat id, the web chat's session id, which is the web resident's credential), invitation
// tokens, storage paths and internal keys stay inside the service.
import type { TranscriptEntry } from "../bot/conversation.repository.js";
import type { Handoff } from "../bot/flows/handoff/handoff.repository.js";
import type { Inbound, Outbound } from "../bot/messages.js";
import type { CaseEventRecord, CaseRecord, TriageRow } from "../cases/case.repository.js";
import type { SlaPolicy } from "../cases/deadlines.js";
import type { CalendarDay } from "../cases/sla.repository.js";
import type { EvidenceRecord } from "../cases/evidence.repository.js";
import type { PartyRecord } from "../cases/party.repository.js";
import type { StaffRecord } from "../cases/staff.repository.js";
import type { NotificationRecord } from "../jobs/notification.repository.js";
import type { Delivery } from "../notify/delivery.repository.js";

export interface PartyView {
  id: string;
  role: string;
  name: string | null;
  contact: string | null;
  /** The chat channel the party follows the case on (web, telegram …); null when they have none. */
  channel: string | null;
  serviceChannel: string | null;
  serviceAddress: string | null;
  away: boolean;
  consentAt: Date | null;
  /** Until when an invitation to join in chat is open; null when none is. */
  invitedUntil: Date | null;
  createdAt: Date;
}

/**
 * Who did something, without their chat identity: "resident:web" / "party:telegram" plus the party it
 * was (partyId), "staff:<id>" and "system" as recorded.
 */
export interface ActorView {
  actor: string;
  partyId: string | null;
}

export interface CaseEventView extends ActorView {
  at: Date;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  reason: string | null;
  data: Record<string, unknown> | null;
}

export interface EvidenceView {
  id: string;
  kind: string;
  mime: string;
  size: number;
  sha256: string;
  fileName: string | null;
  uploadedBy: ActorView;
  createdAt: Date;
}

export interface CaseView {
  id: string;
  code: string;
  status: string;
  outcome: string | null;
  disputeType: string;
  tier: string;
  complexity: string;
  remote: boolean;
  claimantCount: number | null;
  riskFlags: string[];
  description: string;
  summary: string | null;
  place: string | null;
  amountFen: number | null;
  since: string | null;
  language: string;
  classifierSource: string | null;
  classifierConfidence: number | null;
  triageDueAt: Date;
  acceptDueAt: Date | null;
  resolveDueAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  room: { id: string; nameZh: string; nameEn: string } | null;
  mediator: { id: string; name: string; phone: string | null } | null;
  parties: PartyView[];
  events: CaseEventView[];
  evidence: EvidenceView[];
}

/** "resident:<channel>:<user>" and "party:<channel>:<user>" lose the user, and name the party instead. */
function actorView(actor: string, parties: readonly PartyRecord[]): ActorView {
  const m = actor.match(/^(resident|party):([^:]+):(.+)$/);
  if (!m) return { actor, partyId: null };
  const [, kind, channel, userId] = m;
  const party = parties.find((p) => p.channel === channel && p.channelUserId === userId);
  return { actor: `${kind}:${channel}`, partyId: party?.id ?? null };
}

export function caseView(
  c: CaseRecord,
  more: { parties: PartyRecord[]; events: CaseEventRecord[]; evidence: EvidenceRecord[]; mediator: StaffRecord | null },
): CaseView {
  const { parties } = more;
  return {
    id: c.id,
    code: c.code,
    status: c.status,
    outcome: c.outcome,
    disputeType: c.disputeType,
    tier: c.tier,
    complexity: c.complexity,
    remote: c.remote,
    claimantCount: c.claimantCount,
    riskFlags: c.riskFlags,
    description: c.description,
    summary: c.summary,
    place: c.place,
    amountFen: c.amountFen,
    since: c.since,
    language: c.language,
    classifierSource: c.classifierSource,
    classifierConfidence: c.classifierConfidence,
    triageDueAt: c.triageDueAt,
    acceptDueAt: c.acceptDueAt,
    resolveDueAt: c.resolveDueAt,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    closedAt: c.closedAt,
    room: c.room,
    mediator: more.mediator ? { id: more.mediator.id, name: more.mediator.name, phone: more.mediator.phone } : null,
    parties: parties.map((p) => ({
      id: p.id,
      role: p.role,
      name: p.name,
      contact: p.contact,
      channel: p.channelUserId ? p.channel : null,
      serviceChannel: p.serviceChannel,
      serviceAddress: p.serviceAddress,
      away: p.away,
      consentAt: p.consentAt,
      invitedUntil: p.inviteExpiresAt,
      createdAt: p.createdAt,
    })),
    events: more.events.map((e) => ({
      at: e.at,
      ...actorView(e.actor, parties),
      action: e.action,
      fromStatus: e.fromStatus,
      toStatus: e.toStatus,
      reason: e.reason,
      data: e.data,
    })),
    evidence: more.evidence.map((e) => ({
      id: e.id,
      kind: e.kind,
      mime: e.mime,
      size: e.size,
      sha256: e.sha256,
      fileName: e.fileName,
      uploadedBy: actorView(e.uploadedBy, parties),
      createdAt: e.createdAt,
    })),
  };
}

export interface NotificationView {
  id: string;
  kind: string;
  staffId: string | null;
  roomId: string | null;
  caseId: string | null;
  text: string;
  createdAt: Date;
  deliveredAt: Date | null;
  readAt: Date | null;
}

export function notificationView(n: NotificationRecord): NotificationView {
  return {
    id: n.id,
    kind: n.kind,
    staffId: n.staffId,
    roomId: n.roomId,
    caseId: n.caseId,
    text: n.text,
    createdAt: n.createdAt,
    deliveredAt: n.deliveredAt,
    readAt: n.readAt,
  };
}

/** A transcript line as the person taking over reads it: what was written, pressed, sent or said. */
export type TranscriptPayloadView =
  | { text?: string; buttonLabel?: string; transcribed?: boolean; file?: { kind: string; mime: string; size: number; name: string | null }; fileRefused?: string }
  | { kind: "text"; text: string; buttons?: string[][] }
  | { kind: "link"; text: string; url: string }
  | { kind: "file"; name: string; mime: string; caption: string | null };

export interface TranscriptEntryView {
  direction: "in" | "out";
  at: Date;
  payload: TranscriptPayloadView;
}

function inboundView(p: Inbound): TranscriptPayloadView {
  // Not the channel user id, the delivery id, a deep-link payload (it may be an invitation token) or button data.
  return {
    ...(p.text !== undefined ? { text: p.text } : {}),
    ...(p.buttonLabel !== undefined ? { buttonLabel: p.buttonLabel } : {}),
    ...(p.transcribed ? { transcribed: true } : {}),
    ...(p.file ? { file: { kind: p.file.kind, mime: p.file.mime, size: p.file.size, name: p.file.name ?? null } } : {}),
    ...(p.fileRefused ? { fileRefused: p.fileRefused.reason } : {}),
  };
}

function outboundView(p: Outbound): TranscriptPayloadView {
  if (p.kind === "link") return { kind: "link", text: p.text, url: p.url };
  if (p.kind === "file") return { kind: "file", name: p.name, mime: p.mime, caption: p.caption ?? null };
  return { kind: "text", text: p.text, ...(p.buttons?.length ? { buttons: p.buttons.map((row) => row.map((b) => b.label)) } : {}) };
}

export function transcriptEntryView(e: TranscriptEntry): TranscriptEntryView {
  return {
    direction: e.direction,
    at: e.createdAt,
    payload: e.direction === "in" ? inboundView(e.payload as Inbound) : outboundView(e.payload as Outbound),
  };
}

export interface HandoffView {
  id: string;
  /** The resident's channel; staff answer through the handoff id, never the channel user id. */
  channel: string;
  reason: string;
  riskFlags: string[];
  status: "open" | "closed";
  replyDueAt: Date;
  firstReplyAt: Date | null;
  staffId: string | null;
  createdAt: Date;
  closedAt: Date | null;
  transcript: TranscriptEntryView[];
}

export function handoffView(h: Handoff, transcript: TranscriptEntry[]): HandoffView {
  return {
    id: h.id,
    channel: h.channel,
    reason: h.reason,
    riskFlags: h.riskFlags,
    status: h.status,
    replyDueAt: h.replyDueAt,
    firstReplyAt: h.firstReplyAt,
    staffId: h.staffId,
    createdAt: h.createdAt,
    closedAt: h.closedAt,
    transcript: transcript.map(transcriptEntryView),
  };
}

/** A case in the triage queue (研判分流): back from a room, waiting for a triage officer to route it. */
export interface TriageView {
  code: string;
  disputeType: string;
  summary: string | null;
  description: string;
  riskFlags: string[];
  remote: boolean;
  /** The room that returned it, and why. */
  returnedFrom: string | null;
  returnReason: string | null;
  returnedAt: Date;
  triageDueAt: Date;
  overdue: boolean;
  createdAt: Date;
}

export function triageView(c: TriageRow, now: Date): TriageView {
  return {
    code: c.code,
    disputeType: c.disputeType,
    summary: c.summary,
    description: c.description,
    riskFlags: c.riskFlags,
    remote: c.remote,
    returnedFrom: c.roomId,
    returnReason: c.returnReason,
    returnedAt: c.returnedAt,
    triageDueAt: c.triageDueAt,
    overdue: c.triageDueAt.getTime() <= now.getTime(),
    createdAt: c.createdAt,
  };
}

export interface SlaView extends SlaPolicy {
  updatedAt: Date;
}

export function slaView(policy: SlaPolicy, updatedAt: Date): SlaView {
  return {
    triageMinutes: policy.triageMinutes,
    acceptMinutes: policy.acceptMinutes,
    resolveDays: { ...policy.resolveDays },
    sameDayCutoffHour: policy.sameDayCutoffHour,
    escalationMarginMinutes: policy.escalationMarginMinutes,
    hours: { open: policy.hours.open, close: policy.hours.close, days: [...policy.hours.days] },
    updatedAt,
  };
}

/** A date of the centre's calendar: listed (a holiday or make-up day) or following the usual weekdays. */
export interface CalendarDayView {
  date: string;
  workday: boolean;
  name: string | null;
  /** True when the calendar names this date; false when it follows the working weekdays. */
  listed: boolean;
}

export function calendarDayView(day: CalendarDay | null, date: string, usualWorkday: boolean): CalendarDayView {
  return day ? { date: day.date, workday: day.workday, name: day.name, listed: true } : { date, workday: usualWorkday, name: null, listed: false };
}

/** A case in a staff list: enough to pick it; the whole case is GET /api/staff/cases/:code. */
export interface CaseListItemView {
  code: string;
  status: string;
  outcome: string | null;
  disputeType: string;
  riskFlags: string[];
  summary: string | null;
  remote: boolean;
  room: { id: string; nameZh: string; nameEn: string } | null;
  mediatorId: string | null;
  triageDueAt: Date;
  acceptDueAt: Date | null;
  resolveDueAt: Date | null;
  createdAt: Date;
}

export function caseListItemView(c: CaseRecord): CaseListItemView {
  return {
    code: c.code,
    status: c.status,
    outcome: c.outcome,
    disputeType: c.disputeType,
    riskFlags: [...c.riskFlags],
    summary: c.summary,
    remote: c.remote,
    room: c.room,
    mediatorId: c.mediatorId,
    triageDueAt: c.triageDueAt,
    acceptDueAt: c.acceptDueAt,
    resolveDueAt: c.resolveDueAt,
    createdAt: c.createdAt,
  };
}

/** What went to the parties of a case and what became of it: proof of delivery, without their chat ids. */
export interface DeliveryView {
  channel: string;
  kind: string;
  state: string;
  text: string;
  error: string | null;
  retryable: boolean | null;
  createdAt: Date;
  sentAt: Date | null;
  failedAt: Date | null;
  openedAt: Date | null;
  acknowledgedAt: Date | null;
}

export function deliveryView(d: Delivery): DeliveryView {
  const m = d.message;
  return {
    channel: d.channel,
    kind: d.kind,
    state: d.state,
    text: m.kind === "file" ? `📄 ${m.name}` : m.text,
    error: d.error,
    retryable: d.retryable,
    createdAt: d.createdAt,
    sentAt: d.sentAt,
    failedAt: d.failedAt,
    openedAt: d.openedAt,
    acknowledgedAt: d.acknowledgedAt,
  };
}

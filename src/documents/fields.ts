// What each kind of document is filled with. Domain code builds a DocumentFields<K>; a template reads it
// through {placeholders} (FIELD_CATALOGUE says which exist for a kind and how each is written) and
// structured blocks (parties, terms, events, signatures).
export const DOCUMENT_KINDS = [
  "acceptance_notice",
  "session_notice",
  "agreement",
  "termination_notice",
  "rejection_notice",
  "service_proof",
  "judicial_application",
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** The title a default template gives each kind (the template may word it otherwise). */
export const KIND_TITLES: Record<DocumentKind, string> = {
  acceptance_notice: "受理通知书",
  session_notice: "调解通知书",
  agreement: "人民调解协议书",
  termination_notice: "终止调解通知书",
  rejection_notice: "不予受理通知书",
  service_proof: "送达回证",
  judicial_application: "司法确认申请书",
};

export interface Party {
  role: "claimant" | "respondent" | "third_party";
  name: string;
  /** What the agreement's "当事人的基本情况" says beyond the name (性别、出生年月、身份证号、住址、联系电话), in order. */
  details?: string[];
}

export interface Signer {
  /** Not printed: the party who signs on this line (the signatures are matched to it). */
  partyId?: string;
  /** As printed: 申请人, 被申请人, 人民调解员, 受送达人. */
  role: string;
  name: string;
  /** Absent: the block leaves a line to sign by hand. */
  signed?: {
    at: Date;
    channel: string;
    identity: string;
    /** SHA-256 of the version the signer reviewed and signed (an agreement's final copy prints it). */
    signedSha256?: string;
  };
}

export interface DeliveryEvent {
  at: Date;
  channel: string;
  /** What happened, as a person reads it: 已发送, 已送达, 已阅读, 已签收, 发送失败（号码无效）. */
  event: string;
}

export interface AcceptanceNoticeFields {
  parties: Party[];
  case: { disputeType: string; receivedAt: Date; acceptedAt: Date; contactBy: Date };
  mediator: { name: string; phone: string };
}

export interface SessionNoticeFields {
  parties: Party[];
  recipient: { name: string };
  case: { disputeType: string };
  /**
   * mode as said to people (视频调解, 电话调解, 现场调解); joinUrl is the video join link, or the manage link
   * otherwise; zoneNote names the zone the times are in ("北京时间") and, for a party living in another,
   * the same times in theirs.
   */
  session: { start: Date; end: Date; mode: string; place: string; joinUrl: string; zoneNote: string };
  mediator: { name: string; phone: string };
}

export interface AgreementFields {
  parties: Party[];
  dispute: { facts: string; issues: string; responsibility: string };
  terms: string[];
  performance: { method: string; deadline: Date };
  mediator: { name: string };
  signatures: Signer[];
  /**
   * Not printed: which terms fall due when and who is owed them, so the committee asks the creditor
   * on each deadline whether it was done (People's Mediation Law art. 31). `term` counts from 1.
   */
  obligations?: { term: number; due: Date; creditor: "claimant" | "respondent" }[];
}

export interface TerminationNoticeFields {
  parties: Party[];
  case: { disputeType: string; acceptedAt: Date };
  termination: { reason: string };
}

export interface RejectionNoticeFields {
  parties: Party[];
  case: { disputeType: string; receivedAt: Date };
  /** referral completes "你可以……": 向县人民法院提起诉讼. */
  rejection: { reason: string; referral: string };
}

export interface ServiceProofFields {
  recipient: { name: string; address: string };
  served: { document: string; documentNo: string; by: string };
  events: DeliveryEvent[];
  signatures: Signer[];
}

/** The parties' joint application for judicial confirmation, filled in for them (People's Mediation Law art. 33). */
export interface JudicialApplicationFields {
  parties: Party[];
  agreement: { number: string; signedAt: Date; committee: string };
  court: { name: string };
  /** Lines for the applicants to sign by hand at the court. */
  signatures: Signer[];
}

export interface DocumentFieldsByKind {
  acceptance_notice: AcceptanceNoticeFields;
  session_notice: SessionNoticeFields;
  agreement: AgreementFields;
  termination_notice: TerminationNoticeFields;
  rejection_notice: RejectionNoticeFields;
  service_proof: ServiceProofFields;
  judicial_application: JudicialApplicationFields;
}
export type DocumentFields<K extends DocumentKind = DocumentKind> = DocumentFieldsByKind[K];

/** How a placeholder's value is written: dates and times in the meta's zone, as 2026年11月25日（星期三）14:30. */
export type FieldFormat = "text" | "date" | "datetime" | "time" | "url" | "count";

/** Blocks that draw structured fields rather than text; a kind allows only those its fields carry. */
export type StructuredBlock = "parties" | "terms" | "events" | "signatures";

interface KindSpec {
  /** Placeholders read from the fields, by dotted path. */
  fields: Record<string, FieldFormat>;
  structured: StructuredBlock[];
  /** What a template of this kind must say: each placeholder is used in some text (or, for a url, a qr block). */
  requiredFields: string[];
  requiredBlocks: string[];
}

/** Placeholders every kind has, filled from the template and the render's meta rather than the fields. */
export const META_FIELDS: Record<string, FieldFormat> = {
  "case.code": "text",
  "centre.name": "text",
  "document.no": "text",
  "document.date": "date",
};

/** Filled from `parties`: the names of the claimants (or respondents), joined with 、. */
const PARTY_FIELDS: Record<string, FieldFormat> = { "claimant.name": "text", "respondent.name": "text" };

export const FIELD_CATALOGUE: Record<DocumentKind, KindSpec> = {
  acceptance_notice: {
    fields: { ...PARTY_FIELDS, "case.disputeType": "text", "case.receivedAt": "date", "case.acceptedAt": "date", "case.contactBy": "datetime", "mediator.name": "text", "mediator.phone": "text" },
    structured: ["parties"],
    requiredFields: ["claimant.name", "case.code", "mediator.name", "case.contactBy"],
    requiredBlocks: ["issuer"],
  },
  session_notice: {
    fields: { ...PARTY_FIELDS, "recipient.name": "text", "case.disputeType": "text", "session.start": "datetime", "session.end": "time", "session.zoneNote": "text", "session.mode": "text", "session.place": "text", "session.joinUrl": "url", "mediator.name": "text", "mediator.phone": "text" },
    structured: ["parties"],
    requiredFields: ["recipient.name", "case.code", "session.start", "session.mode", "session.joinUrl"],
    requiredBlocks: ["qr", "issuer"],
  },
  agreement: {
    // Art. 29 of the People's Mediation Law: the parties, the facts and the dispute, what was agreed and
    // how and by when it is performed; it takes effect when the parties and the mediator have signed.
    fields: { ...PARTY_FIELDS, "dispute.facts": "text", "dispute.issues": "text", "dispute.responsibility": "text", "performance.method": "text", "performance.deadline": "date", "mediator.name": "text", "document.copies": "count" },
    structured: ["parties", "terms", "signatures"],
    requiredFields: ["dispute.facts", "dispute.issues", "performance.method", "performance.deadline"],
    requiredBlocks: ["parties", "terms", "signatures", "issuer"],
  },
  termination_notice: {
    fields: { ...PARTY_FIELDS, "case.disputeType": "text", "case.acceptedAt": "date", "termination.reason": "text" },
    structured: ["parties"],
    requiredFields: ["claimant.name", "respondent.name", "case.code", "termination.reason"],
    requiredBlocks: ["issuer"],
  },
  rejection_notice: {
    fields: { ...PARTY_FIELDS, "case.disputeType": "text", "case.receivedAt": "date", "rejection.reason": "text", "rejection.referral": "text" },
    structured: ["parties"],
    requiredFields: ["claimant.name", "case.code", "rejection.reason"],
    requiredBlocks: ["issuer"],
  },
  service_proof: {
    fields: { "recipient.name": "text", "recipient.address": "text", "served.document": "text", "served.documentNo": "text", "served.by": "text" },
    structured: ["events", "signatures"],
    requiredFields: ["recipient.name", "served.document", "case.code"],
    requiredBlocks: ["events", "issuer"],
  },
  judicial_application: {
    fields: { ...PARTY_FIELDS, "agreement.number": "text", "agreement.signedAt": "date", "agreement.committee": "text", "court.name": "text" },
    structured: ["parties", "signatures"],
    requiredFields: ["agreement.number", "agreement.signedAt", "court.name", "case.code"],
    requiredBlocks: ["parties", "signatures"],
  },
};

/** Every placeholder a template of `kind` may use, with its format. */
export function placeholdersOf(kind: DocumentKind): Record<string, FieldFormat> {
  return { ...META_FIELDS, ...FIELD_CATALOGUE[kind].fields };
}

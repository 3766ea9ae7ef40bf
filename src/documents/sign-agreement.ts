import { createHmac, randomInt, timingSafeEqual } from "node:crypto";
import { isSupervisor } from "../cases/authorise.js";
import { changeCaseStatus } from "../cases/change-status.js";
import { isOpen } from "../cases/lifecycle.js";
import type { PartyRecord } from "../cases/party.repository.js";
import { LINK_SIGNING_KEY } from "../db/secrets.js";
import { isLocale, type Locale } from "../i18n/index.js";
import { enqueueJobs, type JobInput } from "../jobs/job.repository.js";
import { DAY, HOUR, MINUTE } from "../lib/clock.js";
import { AppError } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { documentParties, inDocumentOrder } from "./case-documents.js";
import type { DocumentRecord } from "./document.repository.js";
import { docText } from "./documents.texts.js";
import type { AgreementFields, Signer } from "./fields.js";
import { channelLabel } from "./fill.js";
import { issueDocument, type IssueDeps } from "./issue-document.js";
import { tellCaseStaff } from "./serve-document.js";
import type { SignatureRepository } from "./signature.repository.js";

/** The button under an agreement draft: `sign:<documentId>`. */
export const SIGN_PREFIX = "sign:";
/** The fifth wrong code locks signing that version for that party. */
export const MAX_CODE_FAILURES = 5;
export const CODE_TTL_MS = 10 * MINUTE;
/** People's Mediation Law art. 33: the parties may apply jointly for judicial confirmation within 30 days. */
export const JUDICIAL_WINDOW_DAYS = 30;
export const JUDICIAL_REMIND_DAYS = [7, 25] as const;

export const AGREEMENT_JOBS = {
  /** {documentId, day}: remind both parties about judicial confirmation. */
  judicial: "agreement.judicial_remind",
  /** {documentId, term}: ask the creditor whether a term was performed by its deadline. */
  performance: "agreement.performance_check",
} as const;

export interface SigningDeps extends IssueDeps {
  signatures: SignatureRepository;
  /** The court the parties apply to for judicial confirmation (COURT_NAME). */
  courtName: string;
}

export interface AgreementDraftInput {
  caseId: string;
  /** The mediator (or a supervisor) drafting it. */
  staffId: string;
  facts: string;
  issues: string;
  responsibility: string;
  /** What was agreed, one term each; a term with `due` is followed up on that day, asking its creditor. */
  terms: { text: string; due?: Date; creditor?: "claimant" | "respondent" }[];
  performanceMethod: string;
  /** By when everything is performed. */
  performanceBy: Date;
  /** Names and details as the agreement prints them (ID number, address), where the case has none. */
  parties?: { partyId: string; name?: string; details?: string[] }[];
}

/** JSON of stored fields back into an agreement's fields (dates were written as strings). */
export function agreementFieldsOf(doc: DocumentRecord): AgreementFields {
  const f = JSON.parse(doc.fields) as AgreementFields;
  return {
    ...f,
    performance: { ...f.performance, deadline: new Date(f.performance.deadline) },
    signatures: f.signatures.map((s) => (s.signed ? { ...s, signed: { ...s.signed, at: new Date(s.signed.at) } } : s)),
    ...(f.obligations ? { obligations: f.obligations.map((o) => ({ ...o, due: new Date(o.due) })) } : {}),
  };
}

/** The newest agreement version of a case that awaits signatures (null when there is none). */
async function currentDraft(deps: SigningDeps, caseId: string): Promise<DocumentRecord | null> {
  const drafts = (await deps.documents.ofCase(caseId)).filter((d) => d.kind === "agreement" && !d.signedFromId);
  return drafts.sort((a, b) => b.version - a.version)[0] ?? null;
}

/**
 * The mediator drafts the agreement (or corrects it): issued as the next version and served to each
 * party to review, with 签署 under it. A correction replaces the version before, whose signatures no
 * longer count; an agreement already signed by everyone is not redrafted.
 */
export async function draftAgreement(deps: SigningDeps, input: AgreementDraftInput): Promise<DocumentRecord> {
  const c = await deps.cases.repos.cases.byId(input.caseId);
  if (!c) throw new AppError("NOT_FOUND", `No case ${input.caseId}`);
  const staff = await deps.cases.repos.staff.byId(input.staffId);
  if (!staff?.active || (staff.id !== c.mediatorId && !isSupervisor(staff))) {
    throw new AppError("FORBIDDEN", `${input.staffId} is not the mediator of ${c.code}`);
  }
  if (c.status !== "in_mediation") throw new AppError("ILLEGAL_TRANSITION", `Case ${c.code} is not in mediation (${c.status})`);
  if (input.terms.length === 0) throw new AppError("BAD_INPUT", "An agreement needs at least one term");
  const previous = await currentDraft(deps, c.id);
  if (previous && (await deps.documents.signedFrom(previous.id))) throw new AppError("CONFLICT", `The agreement of ${c.code} is signed already`);

  const records = inDocumentOrder(await deps.cases.repos.parties.ofCase(c.id));
  const parties = documentParties(records).map((p, i) => {
    const given = input.parties?.find((x) => x.partyId === records[i]!.id);
    return { ...p, ...(given?.name ? { name: given.name } : {}), ...(given?.details ? { details: given.details } : {}) };
  });
  const signatures: Signer[] = [
    ...parties.map((p, i) => ({ partyId: records[i]!.id, role: p.role === "claimant" ? "申请人" : p.role === "respondent" ? "被申请人" : "第三人", name: p.name })),
    { role: "人民调解员", name: staff.name },
  ];
  const obligations = input.terms.flatMap((t, i) => (t.due ? [{ term: i + 1, due: t.due, creditor: t.creditor ?? "claimant" }] : []));
  const version = (previous?.version ?? 0) + 1;
  const doc = await issueDocument(deps, {
    caseId: c.id,
    kind: "agreement",
    issueKey: `agreement:${c.id}:${version}`,
    actor: `staff:${staff.id}`,
    replaces: previous,
    fields: {
      parties,
      dispute: { facts: input.facts, issues: input.issues, responsibility: input.responsibility },
      terms: input.terms.map((t) => t.text),
      performance: { method: input.performanceMethod, deadline: input.performanceBy },
      mediator: { name: staff.name },
      signatures,
      ...(obligations.length ? { obligations } : {}),
    },
    serve: { note: "sign.review", buttons: (d, locale) => [[{ label: docText(locale, "sign.button"), data: `${SIGN_PREFIX}${d.id}` }]] },
  });
  return doc;
}

type Found =
  | { kind: "unknown" }
  | { kind: "superseded"; latest: DocumentRecord }
  | { kind: "signed_before" }
  | { kind: "locked" }
  | { kind: "ok"; doc: DocumentRecord; party: PartyRecord; code: string; locale: Locale };

/** The version and the party this chat signs as, if it may sign it now. */
async function signable(deps: SigningDeps, documentId: string, channel: string, recipient: string): Promise<Found> {
  const doc = await deps.documents.byId(documentId);
  if (!doc || doc.kind !== "agreement" || doc.signedFromId) return { kind: "unknown" };
  const c = await deps.cases.repos.cases.byId(doc.caseId);
  if (!c) return { kind: "unknown" };
  const party = (await deps.cases.repos.parties.ofCase(c.id)).find((p) => p.channel === channel && p.channelUserId === recipient);
  if (!party) return { kind: "unknown" };
  const latest = await currentDraft(deps, c.id);
  if (latest && latest.id !== doc.id) return { kind: "superseded", latest };
  if ((await deps.signatures.ofDocument(doc.id)).some((s) => s.partyId === party.id)) return { kind: "signed_before" };
  if (!isOpen(c.status)) return { kind: "unknown" };
  const codes = await deps.signatures.codes(doc.id, party.id);
  if (codes.some((x) => x.lockedAt)) return { kind: "locked" };
  return { kind: "ok", doc, party, code: c.code, locale: isLocale(c.language) ? c.language : "zh-CN" };
}

async function codeHash(deps: SigningDeps, codeId: string, code: string): Promise<string> {
  return createHmac("sha256", await deps.secrets.key(LINK_SIGNING_KEY)).update(`signing-code\n${codeId}\n${code}`).digest("hex");
}

export type CodeRequest = Exclude<Found, { kind: "ok" }> | { kind: "sent"; expiresAt: Date; documentId: string };

/**
 * 签署 pressed: a new one-time code, kept only as its HMAC, sent to the party's own chat through the
 * delivery ledger (so the proof shows it went there). A code asked for again replaces the last one;
 * wrong tries still count.
 */
export async function requestSigningCode(deps: SigningDeps, r: { documentId: string; channel: string; recipient: string }): Promise<CodeRequest> {
  const found = await signable(deps, r.documentId, r.channel, r.recipient);
  if (found.kind !== "ok") return found;
  const now = deps.cases.clock.now();
  const id = newId();
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
  await deps.signatures.addCode({ id, documentId: found.doc.id, partyId: found.party.id, codeHash: await codeHash(deps, id, code), expiresAt, now });
  await deps.messenger.sendText(r.channel, r.recipient, docText(found.locale, "sign.code", { otp: code, minutes: CODE_TTL_MS / MINUTE }), undefined, {
    caseId: found.doc.caseId,
    dedupeKey: `sign-code:${id}`,
  });
  return { kind: "sent", expiresAt, documentId: found.doc.id };
}

export type CodeEntry =
  | Exclude<Found, { kind: "ok" }>
  | { kind: "expired" }
  | { kind: "wrong"; left: number }
  | { kind: "locked_now" }
  /** `zone`: the signer's own, for telling them when they signed. */
  | { kind: "signed"; at: Date; zone: string; final: DocumentRecord | null };

/**
 * The party typed a code: right, the signature is recorded (time, channel, the chat's identity) and,
 * when everyone has signed, the signed agreement is issued and the case closes as resolved. Wrong or
 * used, it is refused and counted; the fifth wrong try locks signing and tells the case's staff.
 */
export async function enterSigningCode(deps: SigningDeps, e: { documentId: string; channel: string; recipient: string; code: string }): Promise<CodeEntry> {
  const found = await signable(deps, e.documentId, e.channel, e.recipient);
  if (found.kind !== "ok") return found;
  const now = deps.cases.clock.now();
  const codes = await deps.signatures.codes(found.doc.id, found.party.id);
  const newest = codes[0];
  const failures = codes.reduce((n, x) => n + x.failures, 0);
  const matches = newest ? safeEqual(newest.codeHash, await codeHash(deps, newest.id, e.code.trim())) : false;
  if (newest && matches && !newest.usedAt && newest.expiresAt > now) {
    const signed = await deps.cases.sql.transaction(async (tx) => {
      if (!(await deps.signatures.useCode(tx, newest.id, now))) return false;
      return deps.signatures.sign(tx, { documentId: found.doc.id, partyId: found.party.id, signedAt: now, channel: e.channel, recipient: e.recipient });
    });
    if (!signed) return { kind: "signed_before" };
    return { kind: "signed", at: now, zone: found.party.timeZone ?? deps.cases.zone, final: await finalizeIfSigned(deps, found.doc) };
  }
  if (newest && matches) return { kind: "expired" }; // the right code, but used or too late: ask for a new one
  if (!newest) return { kind: "expired" };
  const lock = failures + 1 >= MAX_CODE_FAILURES;
  await deps.signatures.countFailure(newest.id, lock, now);
  if (!lock) return { kind: "wrong", left: MAX_CODE_FAILURES - failures - 1 };
  const c = (await deps.cases.repos.cases.byId(found.doc.caseId))!;
  const text = docText("zh-CN", "staff.locked", {
    code: c.code,
    role: docText("zh-CN", `role.${found.party.role}`),
    who: found.party.name ? ` ${found.party.name}` : "",
    tries: MAX_CODE_FAILURES,
  });
  await tellCaseStaff(deps, c, { key: `sign-locked:${found.doc.id}:${found.party.id}`, kind: "signing_locked", text });
  return { kind: "locked_now" };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Everyone signed this version: the signed agreement is issued (the same number and version, naming
 * the version signed, with each signature and that version's SHA-256 printed), served to all, the case
 * closed as resolved, and the reminders about judicial confirmation and performance scheduled.
 * Idempotent: the issue key is the signed version's.
 */
export async function finalizeIfSigned(deps: SigningDeps, draft: DocumentRecord): Promise<DocumentRecord | null> {
  const records = await deps.cases.repos.parties.ofCase(draft.caseId);
  const signatures = await deps.signatures.ofDocument(draft.id);
  if (!records.every((p) => signatures.some((s) => s.partyId === p.id))) return null;
  const c = (await deps.cases.repos.cases.byId(draft.caseId))!;
  const fields = agreementFieldsOf(draft);
  const now = deps.cases.clock.now();
  const signers: Signer[] = fields.signatures.map((s) => {
    const sig = s.partyId ? signatures.find((x) => x.partyId === s.partyId) : undefined;
    if (sig) {
      return {
        ...s,
        signed: { at: sig.signedAt, channel: sig.channel, identity: `${channelLabel(sig.channel)}用户 ${sig.recipient}，一次性验证码核验`, signedSha256: draft.sha256 },
      };
    }
    // The mediator's line: confirmed in the centre's system when the agreement took effect.
    return !s.partyId && c.mediatorId ? { ...s, signed: { at: now, channel: "staff", identity: `调解员工号 ${c.mediatorId}`, signedSha256: draft.sha256 } } : s;
  });
  const final = await issueDocument(deps, {
    caseId: c.id,
    kind: "agreement",
    issueKey: `agreement-signed:${draft.id}`,
    actor: "system",
    signedFrom: draft,
    fields: { ...fields, signatures: signers },
    serve: { note: "sign.final" },
  });
  if (isOpen(c.status)) {
    await changeCaseStatus(deps.cases, { caseId: c.id, to: "closed", outcome: "resolved", actor: "system", reason: "agreement_signed", partiesTold: true });
  }
  const jobs: JobInput[] = [
    ...JUDICIAL_REMIND_DAYS.map((day) => ({
      kind: AGREEMENT_JOBS.judicial,
      payload: { documentId: final.id, day },
      dueAt: new Date(final.issuedAt.getTime() + day * DAY),
      dedupeKey: `agreement.judicial:${final.id}:${day}`,
    })),
    ...(fields.obligations ?? []).map((o) => ({
      kind: AGREEMENT_JOBS.performance,
      payload: { documentId: final.id, term: o.term },
      // A term due "by the 10th" ends at midnight; the creditor is asked the next morning at nine, not at night.
      dueAt: new Date(o.due.getTime() + 1 + 9 * HOUR),
      dedupeKey: `agreement.performance:${final.id}:${o.term}`,
    })),
  ];
  await enqueueJobs(deps.cases.sql, jobs, now);
  return final;
}

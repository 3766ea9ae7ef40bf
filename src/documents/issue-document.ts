import { createHash } from "node:crypto";
import { AppError } from "../lib/errors.js";
import type { ServiceDeps } from "./deps.js";
import { defaultTemplate } from "./default-templates.js";
import type { DocumentRecord } from "./document.repository.js";
import type { DocumentFields, DocumentKind } from "./fields.js";
import type { DocumentRenderer } from "./port.js";
import { serveDocument, type ServeOptions } from "./serve-document.js";
import { validateTemplate, type DocumentTemplate } from "./template.js";

/** Issuing needs the renderer and the centre's name (the default templates are issued in it). */
export interface IssueDeps extends ServiceDeps {
  renderer: DocumentRenderer;
  centreName: string;
}

/** Short letters in the document number: OD-20261123-0007-SL (受理) … */
const NUMBER_SUFFIX: Record<DocumentKind, string> = {
  acceptance_notice: "SL",
  session_notice: "TZ",
  agreement: "XY",
  termination_notice: "ZZ",
  rejection_notice: "BY",
  service_proof: "HZ",
  judicial_application: "SQ",
};

/** 文书编号: the case code and the kind's letters, and a party's ordinal where each party gets their own. */
export const documentNumber = (code: string, kind: DocumentKind, party?: number) =>
  `${code}-${NUMBER_SUFFIX[kind]}${party === undefined ? "" : `-${party}`}`;

export interface IssueInput<K extends DocumentKind> {
  caseId: string;
  kind: K;
  fields: DocumentFields<K>;
  /** The same key twice makes one document (a job run again): e.g. "acceptance_notice:<caseId>". */
  issueKey: string;
  /** "system", "staff:<id>". */
  actor: string;
  /** A correction: the version this one replaces. */
  replaces?: DocumentRecord | null;
  /** The document number when it is not the case's one of its kind (a session notice per party). */
  number?: string;
  /** An agreement with its signatures: the version the parties signed (same number and version). */
  signedFrom?: DocumentRecord | null;
  /** Serve it to the parties now (default); false for one staff keep (the proof of service). */
  serve?: false | ServeOptions;
}

/** The centre's template of this kind, or the shipped one; checked again so a stale saved one fails loudly. */
export async function templateFor<K extends DocumentKind>(deps: IssueDeps, kind: K): Promise<{ template: DocumentTemplate<K>; version: number }> {
  const saved = await deps.documents.template(kind);
  if (!saved) return { template: defaultTemplate(kind, deps.centreName), version: 0 };
  return { template: validateTemplate(kind, JSON.parse(saved.content)), version: saved.version };
}

/**
 * Issues a document: renders the template with the fields, keeps the bytes in the file store, records
 * the document (never changed afterwards) and serves it. A correction gets the next version and names
 * the version it replaces. Rendering is deterministic, so a job that dies after saving and runs again
 * writes the same file and finds the same document.
 */
export async function issueDocument<K extends DocumentKind>(deps: IssueDeps, input: IssueInput<K>): Promise<DocumentRecord> {
  const existing = await deps.documents.byIssueKey(input.issueKey);
  if (existing) {
    if (input.serve !== false) await serveDocument(deps, existing, input.serve);
    return existing;
  }
  const c = await deps.cases.repos.cases.byId(input.caseId);
  if (!c) throw new AppError("NOT_FOUND", `No case ${input.caseId}`);
  const replaces = input.replaces ?? null;
  if (replaces && (replaces.caseId !== c.id || replaces.kind !== input.kind)) {
    throw new AppError("BAD_INPUT", `Document ${replaces.id} is not a ${input.kind} of case ${c.code}`);
  }
  const signedFrom = input.signedFrom ?? null;
  const version = signedFrom ? signedFrom.version : replaces ? replaces.version + 1 : 1;
  const number = signedFrom?.number ?? replaces?.number ?? input.number ?? documentNumber(c.code, input.kind);
  const issuedAt = deps.cases.clock.now();
  const { template, version: templateVersion } = await templateFor(deps, input.kind);
  const bytes = await deps.renderer.render(template, input.fields, {
    caseCode: c.code,
    documentNo: number,
    version,
    issuedAt,
    timeZone: deps.cases.zone,
  });
  const fileRef = await deps.files.save(bytes);
  const doc = await deps.documents.insert(deps.cases.sql, {
    caseId: c.id,
    kind: input.kind,
    number,
    version,
    replacesId: replaces?.id ?? null,
    signedFromId: signedFrom?.id ?? null,
    templateVersion,
    fields: JSON.stringify(input.fields),
    fileRef,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    size: bytes.length,
    issueKey: input.issueKey,
    issuedBy: input.actor,
    issuedAt,
  });
  if (!doc) throw new AppError("CONFLICT", `Document ${replaces?.id} was corrected meanwhile`);
  if (input.serve !== false) await serveDocument(deps, doc, input.serve);
  return doc;
}

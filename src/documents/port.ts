import type { DocumentFields, DocumentKind } from "./fields.js";
import type { DocumentTemplate } from "./template.js";

/** What a render needs besides the template and fields; printed in every page's footer. */
export interface RenderMeta {
  caseCode: string;
  documentNo: string;
  /** 1 for the first issue; a corrected document is issued again with the next version. */
  version: number;
  /** The document's date, and its PDF creation date: the same issuedAt gives the same bytes. */
  issuedAt: Date;
  /** IANA zone every date and time is printed in (the centre's, CENTRE_TIMEZONE). */
  timeZone: string;
}

/**
 * Renders a validated template filled with its kind's fields into a document file (PDF). Deterministic:
 * the same template, fields and meta give the same bytes, so a job that renders twice stores one file.
 * Throws AppError BAD_INPUT when the template does not validate for its kind.
 */
export interface DocumentRenderer {
  render<K extends DocumentKind>(template: DocumentTemplate<K>, fields: DocumentFields<K>, meta: RenderMeta): Promise<Buffer>;
}

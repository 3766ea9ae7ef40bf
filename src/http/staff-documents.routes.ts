import express, { type Router } from "express";
import { z } from "zod";
import { defaultTemplate } from "../documents/default-templates.js";
import type { DocumentRecord } from "../documents/document.repository.js";
import { DOCUMENT_KINDS, type DocumentKind } from "../documents/fields.js";
import { templateFor } from "../documents/issue-document.js";
import { deliveryEvents, issueProofOfService } from "../documents/proof-of-service.js";
import { fileNameOf } from "../documents/serve-document.js";
import { draftAgreement, type SigningDeps } from "../documents/sign-agreement.js";
import { endOfLocalDay } from "../lib/time.js";
import { validateTemplate } from "../documents/template.js";
import { isSupervisor } from "../cases/authorise.js";
import { EXAMPLE_FIELDS, EXAMPLE_META } from "../documents/examples.js";
import { AppError } from "../lib/errors.js";
import { requireStaff } from "./staff.routes.js";

const kindParam = z.enum(DOCUMENT_KINDS);
const proofBody = z.object({ partyId: z.string().min(1).max(64), staffId: z.string().min(1).max(100) }).strict();
/** A local calendar day (2026-12-10) means by the end of it in the centre's zone; an instant is taken as given. */
const when = (zone: string) =>
  z.union([
    z.string().regex(/^\d{4}-\d{2}-\d{2}$/).transform((d) => endOfLocalDay(zone, new Date(`${d}T12:00:00Z`))),
    z.string().datetime({ offset: true }).transform((d) => new Date(d)),
  ]);
const agreementBody = (zone: string) =>
  z
    .object({
      staffId: z.string().min(1).max(100),
      facts: z.string().trim().min(1).max(4000),
      issues: z.string().trim().min(1).max(2000),
      responsibility: z.string().trim().min(1).max(2000),
      terms: z
        .array(z.object({ text: z.string().trim().min(1).max(1000), due: when(zone).optional(), creditor: z.enum(["claimant", "respondent"]).optional() }).strict())
        .min(1)
        .max(30),
      performanceMethod: z.string().trim().min(1).max(1000),
      performanceBy: when(zone),
      parties: z
        .array(z.object({ partyId: z.string().min(1).max(64), name: z.string().trim().min(1).max(100).optional(), details: z.array(z.string().trim().min(1).max(200)).max(8).optional() }).strict())
        .max(20)
        .optional(),
    })
    .strict();
const templateBody = z.object({ staffId: z.string().min(1).max(100), template: z.unknown() }).strict();

function documentView(d: DocumentRecord) {
  return {
    id: d.id,
    kind: d.kind,
    number: d.number,
    version: d.version,
    replacesId: d.replacesId,
    signedFromId: d.signedFromId,
    sha256: d.sha256,
    size: d.size,
    templateVersion: d.templateVersion,
    issuedAt: d.issuedAt,
    issuedBy: d.issuedBy,
    file: `/api/staff/documents/${d.id}/file`,
  };
}

/**
 * The centre's side of documents: what was issued for a case and what became of each copy (sent,
 * arrived, opened, acknowledged, per party), the files, the 送达回证 made from those records, and the
 * templates a centre changes without a release (checked when saved: a missing or unknown field is
 * refused here, never at render time).
 */
export function createStaffDocumentsRouter(deps: { documents: SigningDeps; staffToken: string | undefined }): Router {
  const d = deps.documents;
  const router = express.Router();
  // A template carries its seal image (up to 200 KB); parsed here, before the staff API's small limit.
  router.use(["/api/staff/documents", "/api/staff/templates", "/api/staff/cases/:code/documents", "/api/staff/cases/:code/agreement"], requireStaff(deps.staffToken), express.json({ limit: "400kb" }));

  router.get("/api/staff/cases/:code/documents", async (req, res) => {
    const c = await d.cases.repos.cases.byCode(req.params.code);
    if (!c) throw new AppError("NOT_FOUND", `no case ${req.params.code}`);
    const parties = await d.cases.repos.parties.ofCase(c.id);
    const documents = [];
    for (const doc of await d.documents.ofCase(c.id)) {
      const deliveries = await d.deliveries.ofDocument(doc.id);
      documents.push({
        ...documentView(doc),
        service: parties.map((p) => {
          const mine = deliveries.filter((x) => x.channel === p.channel && x.recipient === p.channelUserId);
          return { partyId: p.id, role: p.role, serviceChannel: p.serviceChannel, events: deliveryEvents(mine) };
        }),
      });
    }
    res.json({ code: c.code, documents });
  });

  router.get("/api/staff/documents/:id/file", async (req, res) => {
    const doc = await d.documents.byId(req.params.id);
    if (!doc) throw new AppError("NOT_FOUND", `no document ${req.params.id}`);
    const c = await d.cases.repos.cases.byId(doc.caseId);
    const bytes = await d.files.read(doc.fileRef);
    res.setHeader("Content-Disposition", `inline; filename="${c?.code ?? doc.id}.pdf"; filename*=UTF-8''${encodeURIComponent(fileNameOf(c?.code ?? "", doc))}`);
    res.setHeader("X-Content-SHA256", doc.sha256);
    res.type("application/pdf").send(bytes);
  });

  /**
   * The mediator drafts the agreement (or corrects the last draft): issued as the next version and
   * served to the parties to review and sign with a one-time code.
   */
  router.post("/api/staff/cases/:code/agreement", async (req, res) => {
    const c = await d.cases.repos.cases.byCode(req.params.code);
    if (!c) throw new AppError("NOT_FOUND", `no case ${req.params.code}`);
    const body = agreementBody(d.cases.zone).parse(req.body ?? {});
    const doc = await draftAgreement(d, { caseId: c.id, ...body });
    res.status(201).json({ document: documentView(doc) });
  });

  /** 送达回证 of a document for one party, from the delivery records as they stand now. */
  router.post("/api/staff/documents/:id/proof", async (req, res) => {
    const body = proofBody.parse(req.body ?? {});
    const proof = await issueProofOfService(d, { documentId: req.params.id, partyId: body.partyId, actor: `staff:${body.staffId}` });
    res.status(201).json({ document: documentView(proof) });
  });

  router.get("/api/staff/templates/:kind", async (req, res) => {
    const kind = kindParam.parse(req.params.kind) as DocumentKind;
    const { template, version } = await templateFor(d, kind);
    res.json({ kind, version, template, default: version === 0 ? true : undefined });
  });

  /** A centre's new wording: refused whole, naming the field, unless it validates for its kind. */
  router.put("/api/staff/templates/:kind", async (req, res) => {
    const kind = kindParam.parse(req.params.kind) as DocumentKind;
    const body = templateBody.parse(req.body ?? {});
    const staff = await d.cases.repos.staff.byId(body.staffId);
    if (!staff?.active || !isSupervisor(staff)) {
      throw new AppError("FORBIDDEN", `${body.staffId} may not change the centre's templates`);
    }
    const template = validateTemplate(kind, body.template);
    // Drawn once with sample fields, so a seal image pdfkit cannot read is refused now, not at issue.
    await d.renderer.render(template, EXAMPLE_FIELDS[kind], EXAMPLE_META[kind]).catch((err: unknown) => {
      throw new AppError("BAD_INPUT", `template ${kind} does not render: ${err instanceof Error ? err.message : String(err)}`);
    });
    const version = await d.documents.saveTemplate({ kind, content: JSON.stringify(template), createdBy: `staff:${staff.id}`, now: d.cases.clock.now() });
    res.json({ kind, version });
  });

  /** The shipped template of a kind, as a starting point for a centre's own. */
  router.get("/api/staff/templates/:kind/default", async (req, res) => {
    const kind = kindParam.parse(req.params.kind) as DocumentKind;
    res.json({ kind, template: defaultTemplate(kind, d.centreName) });
  });

  return router;
}

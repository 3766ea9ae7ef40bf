// The pdfkit DocumentRenderer: A4, the font embedded as a subset, a footer on every page, and the same
// bytes for the same input (the PDF's dates come from issuedAt; its /ID is pdfkit's MD5 of the info
// dictionary, which holds only values from the input).
import PDFDocument from "pdfkit";
import QRCode from "qrcode";
import type { DocumentFields, DocumentKind } from "../fields.js";
import { channelLabel, chineseNumber, contentDigest, formatDate, formatDateTime, formatTime, placeholderValues, ROLE_LABELS } from "../fill.js";
import type { DocumentRenderer, RenderMeta } from "../port.js";
import { fillPlaceholders, validateTemplate, type Block, type DocumentTemplate } from "../template.js";
import { cjkFont } from "./font.js";
import { ensureSpace, paragraph, table, textWidth, type Doc, type TextStyle } from "./layout.js";

const MARGIN = { top: 64, bottom: 88, left: 72, right: 72 };
const BODY: TextStyle = { size: 12, leading: 22 };
const SMALL: TextStyle = { size: 10.5, leading: 17 };
const HEADING: TextStyle = { size: 13, leading: 24 };
const FOOTER: TextStyle = { size: 7.5, leading: 11, color: "#555555" };
const CELL = { ...SMALL, padding: 6 };
const QR_SIZE = 96;
const SEAL_SIZE = 112; // 4 cm, the diameter of a committee's seal

const contentWidth = (doc: Doc) => doc.page.width - doc.page.margins.left - doc.page.margins.right;

function drawQr(doc: Doc, url: string, x: number, y: number, size: number): void {
  const qr = QRCode.create(url, { errorCorrectionLevel: "M" });
  const n = qr.modules.size;
  const quiet = 2;
  const m = size / (n + 2 * quiet);
  // Drawn as vector squares, a run of dark modules per rectangle: sharp at any zoom and smaller than a PNG.
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; ) {
      if (!qr.modules.get(row, col)) {
        col++;
        continue;
      }
      let end = col;
      while (end < n && qr.modules.get(row, end)) end++;
      doc.rect(x + (quiet + col) * m, y + (quiet + row) * m, (end - col) * m, m);
      col = end;
    }
  }
  doc.fill("black");
}

interface Ctx<K extends DocumentKind> {
  doc: Doc;
  template: DocumentTemplate<K>;
  fields: DocumentFields<K>;
  meta: RenderMeta;
  fill: (s: string) => string;
  value: (name: string) => string;
}

function drawHeader(ctx: Ctx<DocumentKind>): void {
  const { doc, template, meta } = ctx;
  paragraph(doc, template.centreName, { size: 14, leading: 24 }, { align: "center" });
  doc.y += 4;
  // Titles are spaced out, as printed notices are; a long one less so.
  const spacing = template.title.length <= 8 ? 6 : 2;
  doc.fontSize(22).fillColor("black");
  const w = doc.widthOfString(template.title, { characterSpacing: spacing }) - spacing;
  doc.text(template.title, doc.page.margins.left + (contentWidth(doc) - w) / 2, doc.y, { lineBreak: false, characterSpacing: spacing });
  doc.y += 40;
  paragraph(doc, `文书编号：${meta.documentNo}`, SMALL, { align: "right" });
  doc.y += 10;
}

function drawIssuer(ctx: Ctx<DocumentKind>, seal: Buffer | undefined): void {
  const { doc, template, meta } = ctx;
  // The seal is centred on the two lines and may overlap what is above them, as a stamp does; only its
  // lower half must fit on the page, so the issuer rarely lands on a page of its own.
  doc.y += 24;
  ensureSpace(doc, 2 * BODY.leading + (seal ? SEAL_SIZE / 2 - BODY.leading : 0));
  const top = doc.y;
  // Right-aligned, four characters in from the margin, as a seal sits over the issuer's name and date.
  const right = doc.page.width - doc.page.margins.right - 4 * BODY.size;
  const lines = [template.centreName, formatDate(meta.issuedAt, meta.timeZone)];
  const width = Math.max(...lines.map((l) => textWidth(l, BODY.size)));
  const x = right - width;
  paragraph(doc, lines.join("\n"), BODY, { x, width, align: "center" });
  if (seal) {
    const cx = x + width / 2;
    const cy = top + BODY.leading;
    doc.image(seal, cx - SEAL_SIZE / 2, cy - SEAL_SIZE / 2, { width: SEAL_SIZE, height: SEAL_SIZE });
    doc.y = Math.max(doc.y, cy + SEAL_SIZE / 2);
  }
}

function drawSignatures(ctx: Ctx<"agreement" | "service_proof" | "judicial_application">): void {
  const { doc, fields, meta } = ctx;
  const w = contentWidth(doc);
  const rows = fields.signatures.map((s) => [
    s.role,
    s.name,
    s.signed
      ? `签署时间：${formatDateTime(s.signed.at, meta.timeZone)}\n签署方式：${channelLabel(s.signed.channel)}\n身份核验：${s.signed.identity}` +
        (s.signed.signedSha256 ? `\n所签文本 SHA-256：${s.signed.signedSha256}` : "")
      : "签名（或盖章、按指印）：\n\n日期：　　　　年　　月　　日",
  ]);
  doc.y += 6;
  table(doc, [{ header: "身份", width: 72 }, { header: "姓名或名称", width: 150 }, { header: "签署", width: w - 222 }], rows, { ...CELL, minRowHeight: 72 });
}

/** Room a heading keeps below itself for the block after it, so it never ends a page alone. */
function keepWith(next: Block | undefined): number {
  switch (next?.type) {
    case "signatures":
      return 3 * CELL.leading + 72 + 2 * CELL.padding;
    case "events":
    case "parties":
    case "fields":
      return 4 * CELL.leading + 4 * CELL.padding;
    default:
      return 2 * BODY.leading;
  }
}

function drawBlock(ctx: Ctx<DocumentKind>, block: Block, next: Block | undefined): void {
  const { doc, fill } = ctx;
  const w = contentWidth(doc);
  switch (block.type) {
    case "heading":
      doc.y += 6;
      ensureSpace(doc, HEADING.leading + keepWith(next));
      paragraph(doc, fill(block.text), HEADING, { align: "left" });
      return;
    case "paragraph":
      paragraph(doc, fill(block.text), BODY, { indent: block.indent && block.align === "left" ? 2 * BODY.size : 0, align: block.align === "left" ? "justify" : block.align });
      return;
    case "fields":
      doc.y += 4;
      table(doc, [{ width: 110 }, { width: w - 110 }], block.rows.map((r) => [r.label, fill(r.text)]), { ...CELL, labelFill: "#f4f4f4" });
      doc.y += 8;
      return;
    case "parties": {
      const parties = (ctx.fields as DocumentFields<"agreement">).parties;
      table(doc, [{ width: 80 }, { width: w - 80 }], parties.map((p) => [ROLE_LABELS[p.role], [p.name, ...(p.details ?? [])].join("，")]), { ...CELL, labelFill: "#f4f4f4" });
      doc.y += 8;
      return;
    }
    case "terms": {
      const terms = (ctx.fields as DocumentFields<"agreement">).terms;
      terms.forEach((term, i) => {
        const label = `${chineseNumber(i + 1)}、`;
        // Hanging indent: the number sits in the first-line indent, the text wraps under the text.
        const hang = 2 * BODY.size + textWidth(label, BODY.size);
        ensureSpace(doc, BODY.leading);
        const y = doc.y;
        paragraph(doc, label, BODY, { x: doc.page.margins.left + 2 * BODY.size, width: hang, align: "left" });
        doc.y = y;
        paragraph(doc, term, BODY, { x: doc.page.margins.left + hang, width: w - hang });
      });
      return;
    }
    case "events": {
      const { fields, meta } = ctx as Ctx<"service_proof">;
      const zone = meta.timeZone === "Asia/Shanghai" ? "北京时间" : meta.timeZone;
      // In the order they happened, to the second, whatever order the delivery log gave them in.
      const events = [...fields.events].sort((a, b) => a.at.getTime() - b.at.getTime());
      const rows = events.map((e) => [`${formatDate(e.at, meta.timeZone)} ${formatTime(e.at, meta.timeZone)}:${String(e.at.getUTCSeconds()).padStart(2, "0")}`, channelLabel(e.channel), e.event]);
      doc.y += 4;
      table(doc, [{ header: `时间（${zone}）`, width: 170 }, { header: "送达方式", width: 80 }, { header: "记录", width: w - 250 }], rows, CELL);
      doc.y += 8;
      return;
    }
    case "signatures":
      drawSignatures(ctx as Ctx<"agreement" | "service_proof" | "judicial_application">);
      return;
    case "qr": {
      const url = ctx.value(block.field);
      doc.y += 6;
      ensureSpace(doc, QR_SIZE + 12);
      const y = doc.y;
      drawQr(doc, url, doc.page.margins.left, y, QR_SIZE);
      if (block.caption) {
        doc.y = y + 10;
        paragraph(doc, fill(block.caption), SMALL, { x: doc.page.margins.left + QR_SIZE + 12, width: w - QR_SIZE - 12, align: "left" });
      }
      doc.y = Math.max(doc.y, y + QR_SIZE) + 8;
      return;
    }
    case "issuer":
      drawIssuer(ctx, ctx.template.sealImage ? Buffer.from(ctx.template.sealImage, "base64") : undefined);
      return;
  }
}

/** The case code, document number, version and digest at the foot of every page, with 第 n 页 共 m 页. */
function drawFooters(doc: Doc, meta: RenderMeta, digest: string): void {
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    const x = doc.page.margins.left;
    const w = contentWidth(doc);
    const y = doc.page.height - doc.page.margins.bottom + 28;
    doc.moveTo(x, y - 6).lineTo(x + w, y - 6).lineWidth(0.4).strokeColor("#999999").stroke();
    doc.fontSize(FOOTER.size).fillColor(FOOTER.color!);
    const left = `案件编号 ${meta.caseCode}　文书编号 ${meta.documentNo}　第${meta.version}版`;
    const page = `第 ${i - start + 1} 页　共 ${count} 页`;
    doc.text(left, x, y, { lineBreak: false });
    doc.text(page, x + w - textWidth(page, FOOTER.size), y, { lineBreak: false });
    doc.text(`内容摘要（SHA-256）${digest}`, x, y + FOOTER.leading, { lineBreak: false });
  }
}

async function renderPdf<K extends DocumentKind>(rawTemplate: DocumentTemplate<K>, fields: DocumentFields<K>, meta: RenderMeta): Promise<Buffer> {
  const template = validateTemplate(rawTemplate.kind, rawTemplate);
  const digest = contentDigest(template, fields, meta);
  const doc = new PDFDocument({
    size: "A4",
    margins: MARGIN,
    bufferPages: true,
    // The document's first font: pdfkit would otherwise parse Helvetica's metrics for every document.
    font: cjkFont() as unknown as string,
    displayTitle: true,
    lang: "zh-CN",
    info: {
      Title: template.title,
      Author: template.centreName,
      Subject: `${meta.caseCode} ${meta.documentNo} 第${meta.version}版`,
      Keywords: `sha256:${digest}`,
      Creator: "OneDoor",
      Producer: "OneDoor",
      CreationDate: meta.issuedAt,
      ModDate: meta.issuedAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  // pdfkit names the subset from the font's resource id (BZZZZZ+ in every document), so two documents
  // merged into one file would carry different subsets under one name and a viewer may keep only one.
  // Name it from the content digest instead: six of A–J, the same for the same input. (A private field
  // of the pinned pdfkit, set before any text uses the font; the render test checks the prefix.)
  (doc as unknown as { _font: { id: string } })._font.id = `F${String(parseInt(digest.slice(0, 8), 16) % 1e6).padStart(6, "0")}`;
  const value = placeholderValues(template, fields, meta);
  const ctx: Ctx<DocumentKind> = { doc, template, fields, meta, value, fill: (s) => fillPlaceholders(s, value) };
  doc.y = doc.page.margins.top;
  drawHeader(ctx);
  template.blocks.forEach((block, i) => drawBlock(ctx, block, template.blocks[i + 1]));
  drawFooters(doc, meta, digest);
  doc.end();
  return done;
}

export function createPdfRenderer(): DocumentRenderer {
  return { render: renderPdf };
}

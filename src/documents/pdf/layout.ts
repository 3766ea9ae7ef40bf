// Chinese line breaking and the few drawing primitives the documents need, on a pdfkit document.
// pdfkit wraps CJK at any character but cannot justify it (it spreads only spaces), so lines here are
// broken by hand and justified with character spacing, as Chinese formal documents are set.

import type PDFDocument from "pdfkit";
import { cjkFont } from "./font.js";

export type Doc = InstanceType<typeof PDFDocument>;

export interface TextStyle {
  size: number;
  /** Baseline to baseline. */
  leading: number;
  color?: string;
}

// No line may start with these (closing punctuation) or end with those (opening punctuation).
const NO_START = new Set([..."，。、；：？！）》」』】〕”’…—·%,.;:?!)]}"]);
const NO_END = new Set([..."（《「『【〔“‘([{"]);
// Runs of these stay together (a word, a number, a case code, a URL) unless longer than a line.
const WORD = /[A-Za-z0-9@#$&*+\-=_/\\.:?~%'"<>|^`]/;

/** Units that cannot be broken inside: one hanzi, or a Latin word, with kinsoku punctuation glued on. */
function units(text: string): string[] {
  const out: string[] = [];
  let glueNext = false;
  for (const ch of text) {
    const prev = out.length ? out[out.length - 1]! : undefined;
    const prevChar = prev?.at(-1);
    if (prev !== undefined && (glueNext || NO_START.has(ch) || (WORD.test(ch) && prevChar !== undefined && WORD.test(prevChar)))) {
      out[out.length - 1] = prev + ch;
    } else {
      out.push(ch);
    }
    glueNext = NO_END.has(ch);
  }
  return out;
}

// Advance widths in font units, per code point, for the life of the process (there is one font). Measuring
// through pdfkit would shape every character with fontkit's full GSUB/GPOS pipeline in every document,
// which was most of a render; Chinese text is set on plain advances anyway.
const advances = new Map<number, number>();

/** Width of `s` in points at `size`, on the glyphs' advance widths. */
export function textWidth(s: string, size: number): number {
  const font = cjkFont();
  let units = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    let a = advances.get(cp);
    if (a === undefined) {
      a = font.glyphForCodePoint(cp).advanceWidth;
      advances.set(cp, a);
    }
    units += a;
  }
  return (units * size) / font.unitsPerEm;
}

export interface Line {
  text: string;
  width: number;
  /** The paragraph's last line is not justified. */
  last: boolean;
  indent: number;
}

/** Break `text` (newlines kept) set at `size` into lines of at most `width` points, the first indented by `indent`. */
export function breakLines(text: string, size: number, width: number, indent = 0): Line[] {
  const lines: Line[] = [];
  const measure = (s: string) => textWidth(s, size);
  for (const para of text.split("\n")) {
    let current = "";
    let currentWidth = 0;
    let lineIndent = lines.length === 0 || para.length ? indent : 0;
    const push = (last: boolean) => {
      lines.push({ text: current.replace(/ +$/, ""), width: currentWidth, last, indent: lineIndent });
      current = "";
      currentWidth = 0;
      lineIndent = 0;
    };
    for (let unit of units(para)) {
      let w = measure(unit);
      if (current && currentWidth + w > width - lineIndent) push(false);
      if (!current && unit === " ") continue;
      // A word longer than a whole line (a URL) is cut where it reaches the edge, measured a character at a
      // time (measuring each longer prefix would be quadratic in a 200-character link).
      while (w > width - lineIndent) {
        const chars = [...unit];
        let cut = 0;
        let cutWidth = 0;
        while (cut < chars.length && cutWidth + measure(chars[cut]!) <= width - lineIndent) cutWidth += measure(chars[cut++]!);
        cut = Math.max(cut, 1);
        current = chars.slice(0, cut).join("");
        currentWidth = measure(current);
        push(false);
        unit = chars.slice(cut).join("");
        w = measure(unit);
      }
      current += unit;
      currentWidth += w;
    }
    push(true);
    // A paragraph does not end on a line of one character (a 孤字): take the last unit of the line before.
    const [prev, last] = lines.slice(-2);
    if (prev && last && !prev.last && units(last.text).length === 1 && [...last.text].length <= 2) {
      const moved = units(prev.text);
      if (moved.length >= 4) {
        const unit = moved.at(-1)!;
        prev.text = prev.text.slice(0, -unit.length);
        prev.width = measure(prev.text);
        last.text = unit + last.text;
        last.width = measure(last.text);
      }
    }
  }
  return lines;
}

export function pageBottom(doc: Doc): number {
  return doc.page.height - doc.page.margins.bottom;
}

/** Start a new page unless `height` points fit below the cursor. */
export function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > pageBottom(doc)) doc.addPage();
}

/** Draw one line at (x, y) — y its top — justified to `width` unless it is a paragraph's last line. */
function drawLine(doc: Doc, line: Line, size: number, x: number, y: number, width: number, align: "left" | "center" | "right" | "justify"): void {
  const chars = [...line.text].length;
  const room = width - line.indent - line.width;
  let dx = line.indent;
  let spacing = 0;
  if (align === "justify" && !line.last && chars > 1) {
    spacing = room / (chars - 1);
    // A line left short by a long word that moved down stays ragged rather than spaced out.
    if (spacing > size * 0.5) spacing = 0;
  } else if (align === "center") dx = room / 2;
  else if (align === "right") dx = room;
  doc.text(line.text, x + dx, y, { lineBreak: false, characterSpacing: spacing });
}

/** Text set at `style` from the cursor within [x, x + width], breaking pages between lines. */
export function paragraph(doc: Doc, text: string, style: TextStyle, opts: { x?: number; width?: number; indent?: number; align?: "left" | "center" | "right" | "justify" } = {}): void {
  const x = opts.x ?? doc.page.margins.left;
  const width = opts.width ?? doc.page.width - doc.page.margins.left - doc.page.margins.right;
  doc.fontSize(style.size).fillColor(style.color ?? "black");
  for (const line of breakLines(text, style.size, width, opts.indent ?? 0)) {
    ensureSpace(doc, style.leading);
    drawLine(doc, line, style.size, x, doc.y + (style.leading - style.size * 1.45) / 2, width, opts.align ?? "justify");
    doc.y += style.leading;
  }
}

export interface Column {
  header?: string;
  width: number;
}

/**
 * A bordered table from the cursor: a header row (repeated on each page) when columns have headers, then
 * rows, each as tall as its tallest cell (and at least `minRowHeight`); a row never splits across pages.
 */
export function table(doc: Doc, columns: Column[], rows: string[][], style: TextStyle & { padding: number; minRowHeight?: number; labelFill?: string }): void {
  const x0 = doc.page.margins.left;
  const heightOf = (cells: string[]) => {
    const tallest = Math.max(...cells.map((c, i) => breakLines(c, style.size, columns[i]!.width - 2 * style.padding).length));
    return tallest * style.leading + 2 * style.padding;
  };
  const drawRow = (cells: string[], opts: { fill?: string; fillFirst?: string; min?: number }) => {
    const h = Math.max(heightOf(cells), opts.min ?? 0);
    const y = doc.y;
    let x = x0;
    cells.forEach((cell, i) => {
      const w = columns[i]!.width;
      const fill = opts.fill ?? (i === 0 ? opts.fillFirst : undefined);
      if (fill) doc.rect(x, y, w, h).fill(fill);
      doc.rect(x, y, w, h).lineWidth(0.6).strokeColor("#444").stroke();
      doc.y = y + style.padding;
      paragraph(doc, cell, style, { x: x + style.padding, width: w - 2 * style.padding, align: "left" });
      x += w;
    });
    doc.y = y + h;
  };
  const headers = columns.every((c) => c.header !== undefined) ? columns.map((c) => c.header!) : undefined;
  if (headers) {
    ensureSpace(doc, heightOf(headers) + (rows[0] ? heightOf(rows[0]) : 0));
    drawRow(headers, { fill: "#eeeeee" });
  }
  for (const row of rows) {
    const h = Math.max(heightOf(row), style.minRowHeight ?? 0);
    if (doc.y + h > pageBottom(doc)) {
      doc.addPage();
      if (headers) drawRow(headers, { fill: "#eeeeee" });
    }
    drawRow(row, { ...(style.labelFill ? { fillFirst: style.labelFill } : {}), min: style.minRowHeight ?? 0 });
  }
  doc.x = x0;
}

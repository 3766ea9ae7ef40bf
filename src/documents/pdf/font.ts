// The CJK font every document is set in, embedded as a subset (only the glyphs a document uses), so a
// PDF opens the same on a phone without Chinese fonts and no system font is read at run time.
//
// Package: @expo-google-fonts/noto-sans-sc 0.4.3 (exact version pinned by package-lock.json), the static
// Regular instance NotoSansSC_400Regular.ttf (TrueType outlines, 10.6 MB, 30,898 glyphs).
// Licence: the font is SIL Open Font License 1.1 (LICENSE_FONT in the package; the package's JS is MIT),
// which allows embedding it, subset or whole, in documents.
// Coverage: every one of the 6,763 hanzi of GB 2312 has a glyph (font.test.ts checks it), as do ASCII,
// full-width punctuation and the digits used in case codes.
// Why this package: the other npm Noto/LXGW packages ship only split woff2 web subsets, which fontkit can
// read but no single one covers GB 2312; this is a complete TrueType file. One weight only: titles are
// set larger, not bolder, which keeps one subset per document.
import fs from "node:fs";
import { createRequire } from "node:module";
import * as fontkit from "fontkit";

const require = createRequire(import.meta.url);

export const CJK_FONT_PATH = require.resolve("@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf");

let cached: fontkit.Font | undefined;

/**
 * The parsed font, read once per process: parsing the 10 MB file costs far more than a whole render, and
 * fontkit's font object is only read from (pdfkit makes its own subset of it for each document).
 */
export function cjkFont(): fontkit.Font {
  if (!cached) {
    const font = fontkit.create(fs.readFileSync(CJK_FONT_PATH));
    if (!("layout" in font)) throw new Error(`${CJK_FONT_PATH} is a font collection, not one font`);
    cached = font;
  }
  return cached;
}

/** The 6,763 hanzi of GB 2312 (rows 16–87, bytes 0xB0A1–0xF7FE), decoded from the code points themselves. */
export function gb2312Hanzi(): string[] {
  const decoder = new TextDecoder("gbk");
  const out: string[] = [];
  for (let hi = 0xb0; hi <= 0xf7; hi++) {
    for (let lo = 0xa1; lo <= 0xfe; lo++) {
      const ch = decoder.decode(new Uint8Array([hi, lo]));
      // GBK gives row 55's five unassigned cells (0xD7FA–0xD7FE) private-use code points: not hanzi.
      if (/^\p{Script=Han}$/u.test(ch)) out.push(ch);
    }
  }
  return out;
}

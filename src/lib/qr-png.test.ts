import { createRequire } from "node:module";
import zlib from "node:zlib";
import QRCode from "qrcode";
import { describe, expect, it } from "vitest";
import { qrPng } from "./qr-png.js";

const require = createRequire(import.meta.url);
/** qrcode's own PNG renderer: its raster (RGBA) is the picture ours must draw. */
const reference = require("qrcode/lib/renderer/png.js") as { render(qr: unknown, o: object): { width: number; height: number; data: Buffer } };

/** Decodes a PNG of one bit a pixel, grey scale, unfiltered rows (what qrPng writes), checking every chunk's CRC. */
function decode(png: Buffer): { width: number; height: number; dark: (x: number, y: number) => boolean } {
  expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString("latin1", at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(zlib.crc32(png.subarray(at + 4, at + 8 + length)));
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([...data.subarray(8)]).toEqual([1, 0, 0, 0, 0]);
    }
    if (type === "IDAT") idat.push(data);
    at += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const rowBytes = 1 + Math.ceil(width / 8);
  expect(raw.length).toBe(rowBytes * height);
  for (let y = 0; y < height; y++) expect(raw[y * rowBytes]).toBe(0);
  return { width, height, dark: (x, y) => ((raw[y * rowBytes + 1 + (x >> 3)]! >> (7 - (x & 7))) & 1) === 0 };
}

describe("qrPng", () => {
  it.each([
    ["https://onedoor.example.org/?start=r_" + "A".repeat(43), { errorCorrectionLevel: "M", margin: 2, width: 384 }],
    ["https://t.me/onedoor_bot?start=r_abc", { errorCorrectionLevel: "M", margin: 2, width: 384 }],
    ["短", { errorCorrectionLevel: "H", margin: 4, width: 100 }],
    ["x".repeat(300), { errorCorrectionLevel: "L", margin: 1, width: 257 }],
  ] as const)("draws exactly qrcode's picture of %s", (text, o) => {
    const ours = decode(qrPng(text, o));
    const theirs = reference.render(QRCode.create(text, { errorCorrectionLevel: o.errorCorrectionLevel }), { margin: o.margin, width: o.width });
    expect([ours.width, ours.height]).toEqual([theirs.width, theirs.height]);
    let differ = 0;
    for (let y = 0; y < ours.height; y++) {
      for (let x = 0; x < ours.width; x++) if (ours.dark(x, y) !== (theirs.data[(y * theirs.width + x) * 4] === 0)) differ++;
    }
    expect(differ).toBe(0);
  });

  it("gives the same file for the same link (a file-store reference names one picture)", () => {
    const o = { errorCorrectionLevel: "M", margin: 2, width: 384 } as const;
    expect(qrPng("https://onedoor.example.org/?start=r_x", o).equals(qrPng("https://onedoor.example.org/?start=r_x", o))).toBe(true);
  });
});

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultTemplate } from "../default-templates.js";
import { EXAMPLE_FIELDS, EXAMPLE_META, exampleSealPng } from "../examples.js";
import { DOCUMENT_KINDS, type DocumentKind } from "../fields.js";
import type { DocumentTemplate } from "../template.js";
import { createPdfRenderer } from "./render-pdf.js";

// Poppler reads the PDFs back as a viewer would. Locally it may be missing (apt-get install
// poppler-utils); under CI it must be there, so there a missing pdftotext fails the run.
const POPPLER = fs.existsSync("/usr/bin/pdftotext") && fs.existsSync("/usr/bin/pdffonts");
const skip = !POPPLER && !process.env.CI;
if (skip) console.warn("render-pdf.test: skipped, /usr/bin/pdftotext or pdffonts is missing (apt-get install poppler-utils)");

const renderer = createPdfRenderer();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onedoor-pdf-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const seal = exampleSealPng().toString("base64");
const template = <K extends DocumentKind>(kind: K): DocumentTemplate<K> => ({ ...defaultTemplate(kind, "县矛盾纠纷调处化解中心"), sealImage: seal });
const render = <K extends DocumentKind>(kind: K, meta = EXAMPLE_META[kind]) => renderer.render(template(kind), EXAMPLE_FIELDS[kind], meta);
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

function poppler(tool: "pdftotext" | "pdffonts", pdf: Buffer, ...args: string[]): string {
  const file = path.join(dir, `${sha256(pdf)}.pdf`);
  fs.writeFileSync(file, pdf);
  return execFileSync(`/usr/bin/${tool}`, [...args, file, ...(tool === "pdftotext" ? ["-"] : [])], { encoding: "utf8" });
}

/** What each kind must say, read back from the PDF (line breaks taken out). */
const SAYS: Record<DocumentKind, string[]> = {
  acceptance_notice: ["张秀兰：", "本中心决定予以受理", "调解员将于2026年11月25日（星期三）17:30前与你联系", "12348公共法律服务热线"],
  session_notice: ["本中心定于下列时间进行调解", "2026年11月26日（星期四）14:30至15:30", "视频调解", "https://onedoor.example.gov.cn/join/eyJzIjoiY20za2g3cTB4"],
  agreement: ["县城关镇幸福里小区物业服务有限公司", "二、被申请人赔偿申请人", "于2026年12月15日前履行完毕", "三十日内共同向人民法院申请司法确认", "本协议一式三份", "签署方式：企业微信"],
  termination_notice: ["因被申请人明确表示不同意继续调解", "决定终止调解", "仲裁、行政、司法等途径"],
  rejection_notice: ["该纠纷已由县人民法院立案受理", "本中心决定不予受理"],
  service_proof: ["送达记录", "2026年11月23日 15:25:03", "发送失败（号码已停机）", "受送达人打开文书并确认签收"],
  judicial_application: ["司法确认申请书", "请求县人民法院对申请人于2026年11月23日", "OD-20261123-0007-XY", "人民调解法》第三十三条", "此致", "申请人签名"],
};

describe.skipIf(skip)("the PDF renderer", () => {
  for (const kind of DOCUMENT_KINDS) {
    it(`renders the default ${kind} template: its text, the case code, a subset font, under 150 KB, the same bytes twice`, async () => {
      const pdf = await render(kind);
      expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
      const text = poppler("pdftotext", pdf).replace(/\s+/g, "");
      for (const phrase of [...SAYS[kind], "县矛盾纠纷调处化解中心", "OD-20261123-0007", "第1版", "2026年11月23日"]) expect(text).toContain(phrase.replace(/\s+/g, ""));

      // One font, embedded as a subset: "yes yes" under emb and sub, and the ABCDEF+ prefix.
      const fonts = poppler("pdffonts", pdf).trim().split("\n").slice(2);
      expect(fonts).toHaveLength(1);
      expect(fonts[0]).toMatch(/^[A-Z]{6}\+NotoSansSC-Regular\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);

      expect(pdf.length).toBeLessThan(150 * 1024);
      expect(sha256(await render(kind))).toBe(sha256(pdf));
    });
  }

  it("prints the digest and page count in every page's footer", async () => {
    const pdf = await render("agreement");
    const pages = poppler("pdftotext", pdf).split("\f").filter((p) => p.trim());
    expect(pages.length).toBeGreaterThan(1);
    pages.forEach((page, i) => {
      expect(page).toMatch(/案件编号 OD-20261123-0007\s+文书编号 OD-20261123-0007-03\s+第1版/);
      expect(page).toMatch(/内容摘要（SHA-256）[0-9a-f]{64}/);
      expect(page.replace(/\s+/g, "")).toContain(`第${i + 1}页共${pages.length}页`);
    });
  });

  it("changes with issuedAt and with the fields, and only then", async () => {
    const base = await render("termination_notice");
    const later = await render("termination_notice", { ...EXAMPLE_META.termination_notice, issuedAt: new Date("2026-11-24T08:00:00Z") });
    const other = await renderer.render(template("termination_notice"), { ...EXAMPLE_FIELDS.termination_notice, termination: { reason: "申请人撤回调解申请" } }, EXAMPLE_META.termination_notice);
    expect(new Set([sha256(base), sha256(later), sha256(other)]).size).toBe(3);
    // Each carries its own subset under its own name, so files merged into one keep every glyph.
    const subsetNames = [base, later, other].map((pdf) => poppler("pdffonts", pdf).split("\n")[2]!.split("+")[0]);
    expect(new Set(subsetNames).size).toBe(3);
    expect(poppler("pdftotext", later).replace(/\s+/g, "")).toContain("2026年11月24日");
  });

  it("breaks Chinese lines without starting one with closing punctuation or ending one with an opening one", async () => {
    const long = "根据《中华人民共和国人民调解法》第二十六条的规定，人民调解员调解纠纷，调解不成的，应当终止调解。".repeat(12);
    const pdf = await renderer.render(template("termination_notice"), { ...EXAMPLE_FIELDS.termination_notice, termination: { reason: long } }, EXAMPLE_META.termination_notice);
    const lines = poppler("pdftotext", pdf).split("\n").map((l) => l.trim()).filter(Boolean);
    expect(lines.length).toBeGreaterThan(20);
    expect(lines.filter((l) => /^[，。、；：？！）》”]/.test(l))).toEqual([]);
    expect(lines.filter((l) => /[（《“]$/.test(l))).toEqual([]);
  });

  it("refuses a template that does not validate rather than render a gap", async () => {
    const t = template("rejection_notice");
    const broken = { ...t, blocks: t.blocks.map((b) => (b.type === "paragraph" ? { ...b, text: b.text.replace("{rejection.reason}", "不符合受理条件") } : b)) };
    await expect(renderer.render(broken, EXAMPLE_FIELDS.rejection_notice, EXAMPLE_META.rejection_notice)).rejects.toThrow(/required placeholder \{rejection\.reason\}/);
  });
});

import { describe, expect, it } from "vitest";
import { AppError } from "../lib/errors.js";
import { defaultTemplate } from "./default-templates.js";
import { exampleSealPng } from "./examples.js";
import { DOCUMENT_KINDS, type DocumentKind } from "./fields.js";
import { chineseNumber, formatDateTime } from "./fill.js";
import { MAX_SEAL_BYTES, validateTemplate, type TemplateInput } from "./template.js";

const CENTRE = "县矛盾纠纷调处化解中心";

function refusal(kind: DocumentKind, raw: unknown): AppError {
  try {
    validateTemplate(kind, raw);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("the template was accepted");
}

/** The shipped template of `kind` with its blocks changed by `edit`. */
function edited(kind: DocumentKind, edit: (blocks: TemplateInput["blocks"]) => TemplateInput["blocks"]): TemplateInput {
  const t = defaultTemplate(kind, CENTRE);
  return { ...t, blocks: edit(structuredClone(t.blocks)) };
}

describe("document templates", () => {
  it("ships a default zh-CN template for every kind that passes its own check", () => {
    for (const kind of DOCUMENT_KINDS) {
      const t = defaultTemplate(kind, CENTRE);
      expect(validateTemplate(kind, JSON.parse(JSON.stringify(t)))).toEqual(t);
    }
  });

  it("refuses a template without a field its kind requires, naming the field", () => {
    // A centre typed a fixed date over the placeholder: every agreement would carry that date.
    const raw = edited("agreement", (blocks) => blocks.map((b) => (b.type === "paragraph" ? { ...b, text: b.text.replace("{performance.deadline}", "2026年12月31日") } : b)));
    const err = refusal("agreement", raw);
    expect(err.code).toBe("BAD_INPUT");
    expect(err.message).toBe("agreement template: required placeholder {performance.deadline} is missing");
    expect(err.details).toMatchObject({ kind: "agreement", field: "performance.deadline" });
  });

  it("refuses a template that uses a placeholder its kind does not provide, naming it", () => {
    const raw = edited("acceptance_notice", (blocks) => [...blocks.slice(0, 2), { type: "paragraph", text: "开庭时间：{session.start}。" }, ...blocks.slice(2)]);
    const err = refusal("acceptance_notice", raw);
    expect(err.code).toBe("BAD_INPUT");
    expect(err.message).toMatch(/^acceptance_notice template: unknown placeholder \{session\.start\}; this kind has \{case\.code\}/);
    expect(err.details).toMatchObject({ field: "session.start" });
  });

  it("refuses a template without a block its kind requires", () => {
    const err = refusal("agreement", edited("agreement", (blocks) => blocks.filter((b) => b.type !== "signatures")));
    expect(err.message).toBe('agreement template: required block "signatures" is missing');
  });

  it("refuses a structured block the kind has no data for, a QR of a non-link and a lone brace", () => {
    expect(refusal("rejection_notice", edited("rejection_notice", (b) => [...b, { type: "terms" }])).message).toMatch(/a terms block has no data/);
    expect(refusal("session_notice", edited("session_notice", (b) => b.map((x) => (x.type === "qr" ? { ...x, field: "mediator.phone" } : x)))).message).toMatch(
      /qr block field "mediator\.phone" is not a link/,
    );
    expect(refusal("termination_notice", edited("termination_notice", (b) => [{ type: "paragraph", text: "案件{case.code" }, ...b])).message).toMatch(/not part of a \{placeholder\}/);
  });

  it("takes a PNG seal and refuses one that is too large or not a PNG", () => {
    const t = defaultTemplate("acceptance_notice", CENTRE);
    const seal = exampleSealPng().toString("base64");
    expect(validateTemplate("acceptance_notice", { ...t, sealImage: seal }).sealImage).toBe(seal);
    expect(refusal("acceptance_notice", { ...t, sealImage: Buffer.from("GIF89a......").toString("base64") }).message).toMatch(/sealImage must be a PNG/);
    const huge = Buffer.concat([exampleSealPng(), Buffer.alloc(MAX_SEAL_BYTES)]).toString("base64");
    expect(refusal("acceptance_notice", { ...t, sealImage: huge }).message).toMatch(/sealImage is over 200 KB/);
  });

  it("refuses a template of another kind and unknown keys", () => {
    expect(refusal("agreement", defaultTemplate("acceptance_notice", CENTRE)).message).toBe('agreement template: kind is "acceptance_notice", expected "agreement"');
    expect(refusal("agreement", { ...defaultTemplate("agreement", CENTRE), footer: "x" }).code).toBe("BAD_INPUT");
  });
});

describe("field formatting", () => {
  it("writes dates in the given zone with the weekday, and counts in Chinese", () => {
    // 16:30 UTC on Monday 23 Nov is 00:30 on Tuesday 24 Nov in Shanghai.
    expect(formatDateTime(new Date("2026-11-23T16:30:00Z"), "Asia/Shanghai")).toBe("2026年11月24日（星期二）00:30");
    expect(formatDateTime(new Date("2026-11-23T16:30:00Z"), "UTC")).toBe("2026年11月23日（星期一）16:30");
    expect([1, 3, 10, 12, 20, 35].map(chineseNumber)).toEqual(["一", "三", "十", "十二", "二十", "三十五"]);
  });
});

// A document template is data a centre can change without a release: its wording, its blocks and its
// seal. validateTemplate runs when a centre saves one, so a render never meets an unknown or missing
// field; the renderer runs it again, so a template saved before a field became required fails loudly.
import { z } from "zod";
import { AppError } from "../lib/errors.js";
import { DOCUMENT_KINDS, FIELD_CATALOGUE, placeholdersOf, type DocumentKind } from "./fields.js";

/** The largest seal image, decoded: a 600 × 600 px PNG of a round seal is well under it. */
export const MAX_SEAL_BYTES = 200 * 1024;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const text = (max: number) => z.string().trim().min(1).max(max);

const sealImage = z
  .string()
  .max(Math.ceil(MAX_SEAL_BYTES / 3) * 4, `sealImage is over ${MAX_SEAL_BYTES / 1024} KB`)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, "sealImage must be base64 (no data: prefix, no line breaks)")
  .refine((b64) => Buffer.from(b64, "base64").subarray(0, 8).equals(PNG_SIGNATURE), "sealImage must be a PNG");

const blockSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("heading"), text: text(200) }).strict(),
  z
    .object({
      type: z.literal("paragraph"),
      text: text(4000),
      /** Indent the first line by two characters, as Chinese body text is; off for a salutation (张三：). */
      indent: z.boolean().default(true),
      align: z.enum(["left", "center", "right"]).default("left"),
    })
    .strict(),
  /** A two-column table of labels and texts (调解时间 | {session.start}). */
  z.object({ type: z.literal("fields"), rows: z.array(z.object({ label: text(40), text: text(1000) }).strict()).min(1).max(30) }).strict(),
  z.object({ type: z.literal("parties") }).strict(),
  z.object({ type: z.literal("terms") }).strict(),
  z.object({ type: z.literal("events") }).strict(),
  z.object({ type: z.literal("signatures") }).strict(),
  /** A QR code of a url field, with a caption beside it. */
  z.object({ type: z.literal("qr"), field: text(100), caption: text(500).optional() }).strict(),
  /** The issuing centre's name and the date, right-aligned, with the seal over them when there is one. */
  z.object({ type: z.literal("issuer") }).strict(),
]);

export const templateSchema = z
  .object({
    kind: z.enum(DOCUMENT_KINDS),
    title: text(60),
    centreName: text(60),
    sealImage: sealImage.optional(),
    blocks: z.array(blockSchema).min(1).max(100),
  })
  .strict();

export type TemplateInput = z.input<typeof templateSchema>;
export type Block = z.output<typeof blockSchema>;
export type DocumentTemplate<K extends DocumentKind = DocumentKind> = Omit<z.output<typeof templateSchema>, "kind"> & { kind: K };

const PLACEHOLDER = /\{([a-zA-Z][a-zA-Z0-9]*(?:\.[a-zA-Z][a-zA-Z0-9]*)*)\}/g;

/** The placeholders in a text, in order, e.g. ["claimant.name", "case.code"]. */
export function placeholdersIn(s: string): string[] {
  return [...s.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Replace each {placeholder} with `value(name)`. */
export function fillPlaceholders(s: string, value: (name: string) => string): string {
  return s.replace(PLACEHOLDER, (_, name: string) => value(name));
}

function texts(block: Block): string[] {
  switch (block.type) {
    case "heading":
    case "paragraph":
      return [block.text];
    case "fields":
      return block.rows.map((r) => r.text);
    case "qr":
      return block.caption ? [block.caption] : [];
    default:
      return [];
  }
}

const refuse = (kind: string, message: string, details: Record<string, unknown> = {}) =>
  new AppError("BAD_INPUT", `${kind} template: ${message}`, { details: { kind, ...details } });

/**
 * Parse and check a template of `kind`: its shape (zod), then that every placeholder is one the kind
 * provides, that every field and block the kind requires is there, and that structured blocks are ones
 * the kind has data for. Throws AppError BAD_INPUT naming the field or block.
 */
export function validateTemplate<K extends DocumentKind>(kind: K, raw: unknown): DocumentTemplate<K> {
  const parsed = templateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw refuse(kind, `${issue.path.join(".") || "template"}: ${issue.message}`, { path: issue.path });
  }
  const template = parsed.data;
  if (template.kind !== kind) throw refuse(kind, `kind is "${template.kind}", expected "${kind}"`, { field: "kind" });

  const spec = FIELD_CATALOGUE[kind];
  const known = placeholdersOf(kind);
  const used = new Set<string>();
  for (const block of template.blocks) {
    for (const s of texts(block)) {
      for (const name of placeholdersIn(s)) {
        if (!(name in known)) throw refuse(kind, `unknown placeholder {${name}}; this kind has ${Object.keys(known).map((k) => `{${k}}`).join(" ")}`, { field: name });
        used.add(name);
      }
      // A brace left after the placeholders are taken out is a typo ({case.code) or a field name with a space.
      const rest = s.replace(PLACEHOLDER, "");
      if (/[{}]/.test(rest)) throw refuse(kind, `"${s.slice(0, 60)}" has a { or } that is not part of a {placeholder}`, { field: s.slice(0, 60) });
    }
    if (block.type === "qr") {
      if (known[block.field] !== "url") throw refuse(kind, `qr block field "${block.field}" is not a link this kind provides`, { field: block.field });
      used.add(block.field);
    }
    if ((["parties", "terms", "events", "signatures"] as const).some((t) => t === block.type) && !spec.structured.includes(block.type as never)) {
      throw refuse(kind, `a ${block.type} block has no data in this kind of document`, { block: block.type });
    }
  }
  for (const name of spec.requiredFields) {
    if (!used.has(name)) throw refuse(kind, `required placeholder {${name}} is missing`, { field: name });
  }
  const blockTypes = new Set(template.blocks.map((b) => b.type));
  for (const type of spec.requiredBlocks) {
    if (!blockTypes.has(type as Block["type"])) throw refuse(kind, `required block "${type}" is missing`, { block: type });
  }
  return template as DocumentTemplate<K>;
}

// Turning fields into the strings a document prints. Renderer-neutral: any DocumentRenderer fills the
// same way, so a template reads the same whatever draws it.
import { createHash } from "node:crypto";
import { toLocal } from "../lib/time.js";
import { placeholdersOf, type DocumentFields, type DocumentKind, type Party } from "./fields.js";
import type { RenderMeta } from "./port.js";
import type { DocumentTemplate } from "./template.js";

const WEEKDAYS = "日一二三四五六";
const pad = (n: number) => String(n).padStart(2, "0");

/** 2026年11月23日, the local calendar day in `zone`. */
export function formatDate(at: Date, zone: string): string {
  const d = toLocal(zone, at);
  return `${d.year}年${d.month}月${d.day}日`;
}

/** 14:30 in `zone`. */
export function formatTime(at: Date, zone: string): string {
  const d = toLocal(zone, at);
  return `${pad(d.hour)}:${pad(d.minute)}`;
}

/** 2026年11月25日（星期三）14:30: the weekday too, as a date to turn up on is easier checked with it. */
export function formatDateTime(at: Date, zone: string): string {
  const d = toLocal(zone, at);
  const weekday = WEEKDAYS[new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay()];
  return `${formatDate(at, zone)}（星期${weekday}）${formatTime(at, zone)}`;
}

const DIGITS = "零一二三四五六七八九";
/** 1 → 一, 12 → 十二, 30 → 三十: counts and list numbers in formal Chinese (up to 99). */
export function chineseNumber(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 99) return String(n);
  if (n < 10) return DIGITS[n]!;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? "" : DIGITS[tens]}十${ones ? DIGITS[ones] : ""}`;
}

export const ROLE_LABELS: Record<Party["role"], string> = { claimant: "申请人", respondent: "被申请人", third_party: "第三人" };

const CHANNEL_LABELS: Record<string, string> = {
  web: "网页",
  telegram: "Telegram",
  wecom: "企业微信",
  sms: "短信",
  email: "电子邮件",
  phone: "电话",
  post: "邮寄",
  in_person: "现场",
  staff: "调解员在中心系统确认",
};
/** A channel code as people read it; a code we do not know is printed as given. */
export const channelLabel = (channel: string) => CHANNEL_LABELS[channel] ?? channel;

function at(fields: unknown, path: string): unknown {
  let v: unknown = fields;
  for (const key of path.split(".")) v = v != null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

/**
 * The value of every placeholder of a kind, as printed. Meta fields come from the render, party names
 * from `parties`; the rest are read from the fields by path and formatted by the catalogue.
 */
export function placeholderValues<K extends DocumentKind>(template: DocumentTemplate<K>, fields: DocumentFields<K>, meta: RenderMeta): (name: string) => string {
  const formats = placeholdersOf(template.kind);
  const parties = "parties" in fields ? fields.parties : [];
  const names = (role: Party["role"]) => parties.filter((p) => p.role === role).map((p) => p.name).join("、");
  const derived: Record<string, string> = {
    "case.code": meta.caseCode,
    "centre.name": template.centreName,
    "document.no": meta.documentNo,
    "document.date": formatDate(meta.issuedAt, meta.timeZone),
    "claimant.name": names("claimant"),
    "respondent.name": names("respondent"),
    // Each party keeps one, the committee one (art. 29).
    "document.copies": chineseNumber(parties.length + 1),
  };
  return (name) => {
    const format = formats[name];
    const v = name in derived ? derived[name] : at(fields, name);
    if (format === undefined || v === undefined || v === null || v === "") {
      // validateTemplate and the field types keep this from happening; a caller cast past them.
      throw new Error(`${template.kind}: no value for {${name}}`);
    }
    if (v instanceof Date) {
      if (format === "datetime") return formatDateTime(v, meta.timeZone);
      if (format === "time") return formatTime(v, meta.timeZone);
      return formatDate(v, meta.timeZone);
    }
    return String(v);
  };
}

function canonical(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/**
 * SHA-256 (hex) of what the document says: the template, the fields and the meta, as canonical JSON
 * (keys sorted, dates in ISO). Printed in every page's footer and kept with the document, so a printed
 * copy can be matched to the record; it is not the PDF's own hash, which would have to contain itself.
 */
export function contentDigest(template: DocumentTemplate, fields: DocumentFields, meta: RenderMeta): string {
  const body = JSON.stringify(canonical({ template, fields, meta }));
  return createHash("sha256").update(body).digest("hex");
}

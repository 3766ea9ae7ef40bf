import type express from "express";
import type { Locale } from "../i18n/index.js";

/** The pages the server writes itself (the join page, the manage page): escaping and the reader's language. */
export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** `?lang=` first, then the browser's languages; Chinese unless English is preferred. */
export function localeOf(req: express.Request): Locale {
  const asked = typeof req.query.lang === "string" ? req.query.lang : undefined;
  if (asked === "en" || asked === "zh-CN" || asked === "zh") return asked === "en" ? "en" : "zh-CN";
  return req.acceptsLanguages("zh-CN", "zh", "en") === "en" ? "en" : "zh-CN";
}

import type express from "express";
import type { Locale } from "../i18n/index.js";

/** The pages the server writes itself (the join page, the manage page): escaping and the reader's language. */
export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/**
 * The frame of those pages: phone viewport, the join page's stylesheet, the red header with the
 * language switch. `title`, `brand`, `lang` and `langLabel` are plain text (escaped here); `body` is HTML.
 */
export function pageShell(p: {
  locale: Locale;
  title: string;
  brand: string;
  /** Where the language switch goes, and its text (and its accessible name, when it differs). */
  langHref: string;
  lang: string;
  langLabel?: string;
  /** `data-state` on the body, for the page's script and tests. */
  state?: string;
  body: string;
}): string {
  return `<!doctype html>
<html lang="${p.locale}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
  <meta name="theme-color" content="#b71c1c">
  <meta name="robots" content="noindex">
  <title>${escapeHtml(p.title)} · ${escapeHtml(p.brand)}</title>
  <link rel="stylesheet" href="/join-assets/join.css">
</head>
<body${p.state ? ` data-state="${escapeHtml(p.state)}"` : ""}>
  <header>
    <h1>${escapeHtml(p.brand)} <small>${escapeHtml(p.title)}</small></h1>
    <a id="lang" href="${escapeHtml(p.langHref)}"${p.langLabel ? ` aria-label="${escapeHtml(p.langLabel)}"` : ""}>${escapeHtml(p.lang)}</a>
  </header>
  <main>
    ${p.body}
  </main>
</body>
</html>
`;
}

/** `?lang=` first, then the browser's languages; Chinese unless English is preferred. */
export function localeOf(req: express.Request): Locale {
  const asked = typeof req.query.lang === "string" ? req.query.lang : undefined;
  if (asked === "en" || asked === "zh-CN" || asked === "zh") return asked === "en" ? "en" : "zh-CN";
  return req.acceptsLanguages("zh-CN", "zh", "en") === "en" ? "en" : "zh-CN";
}

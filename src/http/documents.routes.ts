import express, { type Router } from "express";
import type { ServiceDeps } from "../documents/deps.js";
import { openDocument } from "../documents/open-document.js";
import { fileNameOf } from "../documents/serve-document.js";
import { defineTexts, fill, type Locale } from "../i18n/index.js";
import { escapeHtml, localeOf, pageShell } from "./page.js";

const TOKEN = /^[A-Za-z0-9_-]{2,2048}\.[A-Za-z0-9_-]{43}$/;
const CSP = "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'";

const TEXTS = defineTexts({
  "zh-CN": {
    title: "文书下载",
    brand: "一扇门",
    lang: "English",
    invalid: "这个链接无效，无法下载文书。请使用调解中心发给您的完整链接，或回到对话里查看。",
    expired: "这个下载链接已过期。请回到对话里点「我的案件」，或联系调解员重新发送。",
    unknown: "找不到这份文书。请回到对话里查看，或联系调解员。",
  },
  en: {
    title: "Document download",
    brand: "OneDoor",
    lang: "中文",
    invalid: "This link is not valid, so no document can be downloaded. Use the full link the centre sent you, or go back to the chat.",
    expired: "This download link has expired. Go back to the chat and press My case, or ask the mediator to send it again.",
    unknown: "This document could not be found. Go back to the chat, or contact the mediator.",
  },
});

/**
 * `/documents/:token`: a party's signed, expiring download link for one document. The PDF itself, with
 * the first fetch recorded as opened; anything else is a short page that shows nothing of the case.
 */
export function createDocumentsRouter(deps: ServiceDeps): Router {
  const router = express.Router();
  router.get("/documents/:token", async (req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Referrer-Policy", "no-referrer");
    const token = String(req.params.token);
    const opened = TOKEN.test(token) ? await openDocument(deps, token) : ({ ok: false, reason: "invalid" } as const);
    if (!opened.ok) {
      const locale = localeOf(req);
      res.setHeader("Content-Security-Policy", CSP);
      const status = opened.reason === "expired" ? 410 : opened.reason === "unknown" ? 404 : 400;
      res.status(status).type("html").send(page(locale, req.path, opened.reason));
      return;
    }
    const name = fileNameOf(opened.code, opened.document);
    res.setHeader("Content-Type", "application/pdf");
    // The Chinese name for browsers that read filename*, the case code for those that do not.
    res.setHeader("Content-Disposition", `inline; filename="${opened.code}.pdf"; filename*=UTF-8''${encodeURIComponent(name)}`);
    res.setHeader("X-Content-SHA256", opened.document.sha256);
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.send(opened.bytes);
  });
  return router;
}

function page(locale: Locale, path: string, reason: "invalid" | "expired" | "unknown"): string {
  const t = TEXTS[locale];
  const other: Locale = locale === "en" ? "zh-CN" : "en";
  return pageShell({
    locale,
    title: t.title,
    brand: t.brand,
    langHref: `${path}?lang=${other}`,
    lang: t.lang,
    state: reason,
    body: `<p class="notice">${escapeHtml(fill(t[reason]))}</p>`,
  });
}

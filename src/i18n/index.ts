import { en } from "./en.js";
import { zhCN, type MessageKey } from "./zh-CN.js";

export type { MessageKey };
export const LOCALES = ["zh-CN", "en"] as const;
export type Locale = (typeof LOCALES)[number];

const catalogues: Record<Locale, Record<MessageKey, string>> = { "zh-CN": zhCN, en };

export function isLocale(v: unknown): v is Locale {
  return v === "zh-CN" || v === "en";
}

/** Look up a message and fill `{name}` placeholders. Unknown placeholders are left visible, not dropped. */
export function t(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = catalogues[locale][key] ?? zhCN[key];
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

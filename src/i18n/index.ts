import { en } from "./en.js";
import { zhCN, type MessageKey } from "./zh-CN.js";

export type { MessageKey };
export const LOCALES = ["zh-CN", "en"] as const;
export type Locale = (typeof LOCALES)[number];

export type Params = Record<string, string | number>;

const catalogues: Record<Locale, Record<MessageKey, string>> = { "zh-CN": zhCN, en };

export function isLocale(v: unknown): v is Locale {
  return v === "zh-CN" || v === "en";
}

/** Fills `{name}` placeholders. Unknown placeholders are left visible, not dropped. */
export function fill(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** Look up a message of the shared catalogue (notices, types, statuses) and fill its placeholders. */
export function t(locale: Locale, key: MessageKey, params: Params = {}): string {
  return fill(catalogues[locale][key] ?? zhCN[key], params);
}

/**
 * A module's own texts, Chinese and English with the same keys (the compiler checks that English has
 * every key Chinese has). Flows keep their texts beside their steps with this.
 */
export function defineTexts<K extends string>(texts: { "zh-CN": Record<K, string>; en: Record<K, string> }) {
  return texts;
}

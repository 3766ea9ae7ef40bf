import { en as sharedEn } from "../i18n/en.js";
import { fill, type Locale, type Params } from "../i18n/index.js";
import { zhCN as sharedZh } from "../i18n/zh-CN.js";
import { chatTexts } from "./chat.texts.js";
import { bookingTexts } from "./flows/booking/booking.texts.js";
import { handoffTexts } from "./flows/handoff/handoff.texts.js";
import { intakeTexts } from "./flows/intake/intake.texts.js";
import { respondTexts } from "./flows/respond/respond.texts.js";
import { statusTexts } from "./flows/status/status.texts.js";
import { safetyTexts } from "./safety.texts.js";

/** Every text the dialogue says: the shared catalogue (types, statuses, notices) and each flow's own. */
const modules = [chatTexts, intakeTexts, statusTexts, handoffTexts, respondTexts, safetyTexts, bookingTexts] as const;

const zh = Object.assign({}, sharedZh, ...modules.map((m) => m["zh-CN"])) as typeof sharedZh &
  (typeof chatTexts)["zh-CN"] &
  (typeof intakeTexts)["zh-CN"] &
  (typeof statusTexts)["zh-CN"] &
  (typeof handoffTexts)["zh-CN"] &
  (typeof respondTexts)["zh-CN"] &
  (typeof safetyTexts)["zh-CN"] &
  (typeof bookingTexts)["zh-CN"];
export type TextKey = keyof typeof zh;
const en = Object.assign({}, sharedEn, ...modules.map((m) => m.en)) as Record<TextKey, string>;

export const catalogues: Record<Locale, Record<TextKey, string>> = { "zh-CN": zh, en };

/** A dialogue text in the resident's language, placeholders filled. */
export function tr(locale: Locale, key: TextKey, params: Params = {}): string {
  return fill(catalogues[locale][key] ?? zh[key], params);
}

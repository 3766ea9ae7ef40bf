import { describe, expect, it } from "vitest";
import { zhCN as sharedZh } from "../i18n/zh-CN.js";
import { chatTexts } from "./chat.texts.js";
import { handoffTexts } from "./flows/handoff/handoff.texts.js";
import { intakeTexts } from "./flows/intake/intake.texts.js";
import { respondTexts } from "./flows/respond/respond.texts.js";
import { bookingTexts } from "./flows/booking/booking.texts.js";
import { statusTexts } from "./flows/status/status.texts.js";
import { safetyTexts } from "./safety.texts.js";
import { catalogues } from "./texts.js";

const modules = { chatTexts, intakeTexts, statusTexts, handoffTexts, respondTexts, safetyTexts, bookingTexts };
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** English texts that show Chinese on purpose: the way back to Chinese, for someone who cannot read English. */
const CHINESE_ON_PURPOSE = new Set(["menu.language", "language.choose", "language.auto", "command.lang"]);

describe("the dialogue's texts", () => {
  it("no two modules define the same key (a later one would silently win)", () => {
    const seen = new Map<string, string>(Object.keys(sharedZh).map((k) => [k, "shared"]));
    for (const [name, m] of Object.entries(modules)) {
      for (const key of Object.keys(m["zh-CN"])) {
        expect(seen.get(key), `${key} in ${name}`).toBeUndefined();
        seen.set(key, name);
      }
    }
  });

  it("English is complete: every text, with the same placeholders, and no Chinese left in it", () => {
    const { "zh-CN": zh, en } = catalogues;
    for (const key of Object.keys(zh) as (keyof typeof zh)[]) {
      expect(en[key], key).toBeTruthy();
      expect(placeholders(en[key]), key).toEqual(placeholders(zh[key]));
      if (!CHINESE_ON_PURPOSE.has(key)) expect(en[key], key).not.toMatch(/\p{Script=Han}/u);
    }
  });
});

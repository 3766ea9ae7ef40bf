import fs from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CASE_CODE_PATTERN } from "../src/cases/types.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { scriptedClassifier } from "./support/classifiers.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasBrowser = fs.existsSync(CHROMIUM);
// In CI the browser is installed by .ci/run, so a missing one is a failure there, not a skip.
if (!hasBrowser && process.env.CI) throw new Error(`CI=true but no Chromium at ${CHROMIUM}; .ci/run should install it`);
if (!hasBrowser) console.warn(`[browser test skipped] no Chromium at ${CHROMIUM}: apt-get install chromium`);

describe.runIf(hasBrowser)("web chat in a phone-sized headless Chromium", () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startTestApp({
      classifier: scriptedClassifier([{ match: "工资", type: "labor", confidence: 0.9 }]),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("a resident completes an intake in Chinese by tapping and typing, and sees a case code", async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: "zh-CN", isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(app.url);
    const tap = async (label: string) => {
      // labels start with the word: "同意，开始登记" is not "不同意"
      const button = page.locator(".buttons button:not([disabled])", { hasText: new RegExp(`^${label}`) }).last();
      await button.click();
    };
    const type = async (text: string) => {
      await page.fill("#input", text);
      await page.click("#send");
    };
    const lastBot = () => page.locator(".msg.out").last();

    await expect.poll(() => page.locator(".msg.out").first().textContent()).toContain("一扇门");
    await tap("同意");
    await expect.poll(() => lastBot().textContent()).toContain("请用自己的话说说");
    // HTML in the text is shown as text, never run
    await type("<img src=x onerror=alert(1)>老板拖欠工资三个月不给");
    await expect.poll(() => lastBot().textContent()).toContain("劳动争议");
    expect(await page.locator(".msg.in img").count()).toBe(0);
    await expect.poll(() => page.locator(".msg.in").last().textContent()).toContain("<img src=x");
    await tap("对");
    await type("张老板");
    await tap("跳过");
    await type("8000元");
    await tap("一个月内");
    await tap("在外地");
    await tap("发到这个聊天");
    await expect.poll(() => lastBot().textContent()).toContain("请核对");
    await tap("确认提交");
    await expect.poll(() => page.locator(".msg.out").allTextContents().then((t) => t.join("\n"))).toMatch(CASE_CODE_PATTERN);
    const all = (await page.locator(".msg.out").allTextContents()).join("\n");
    const code = all.match(CASE_CODE_PATTERN)![0];
    expect(all).toContain("劳动争议调解室");
    expect(await app.t.db.case.count({ where: { code } })).toBe(1);

    // buttons are big enough to tap on a phone, and nothing overflows the screen
    const box = await page.locator(".buttons button").last().boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(360);
    await page.screenshot({ path: `${app.t.dir}/chat.png` });

    // a reload shows the same conversation (persisted server-side)
    await page.reload();
    await expect.poll(() => page.locator(".msg.out").allTextContents().then((t) => t.join("\n"))).toContain(code);
    await context.close();
  });
});

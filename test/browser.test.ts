import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webUserIdOf } from "../src/bot/channels/web/web-session.repository.js";
import { createConversationRepository } from "../src/bot/conversation.repository.js";
import { tr, type TextKey } from "../src/bot/texts.js";
import { CASE_CODE_PATTERN } from "../src/cases/types.js";
import { HOUR } from "../src/lib/clock.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { scriptedClassifier } from "./support/classifiers.js";
import { all as allRows, containing, count, sql } from "./support/query.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasBrowser = fs.existsSync(CHROMIUM);
// In CI the browser is installed by .ci/run, so a missing one is a failure there, not a skip.
if (!hasBrowser && process.env.CI) throw new Error(`CI=true but no Chromium at ${CHROMIUM}; .ci/run should install it`);
if (!hasBrowser) console.warn(`[browser test skipped] no Chromium at ${CHROMIUM}: apt-get install chromium`);

/** Screenshots are kept beside the test's data and copied here to look at. */
const SHOTS = "/tmp/onedoor-shots";
const PHONE = { width: 360, height: 640 };
/** Labels and words from the dialogue's own catalogues, so a change of wording does not break the test. */
const zh = (key: TextKey, params: Record<string, string | number> = {}) => tr("zh-CN", key, params);
const en = (key: TextKey, params: Record<string, string | number> = {}) => tr("en", key, params);
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe.runIf(hasBrowser)("web chat in a phone-sized headless Chromium", () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startTestApp({
      classifier: scriptedClassifier([{ match: "工资", type: "labor", confidence: 0.9 }]),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
        // a fake microphone (a tone) that needs no permission prompt
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
      ],
    });
    fs.mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function phone(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      viewport: PHONE,
      locale: "zh-CN",
      isMobile: true,
      hasTouch: true,
      permissions: ["clipboard-read", "clipboard-write", "microphone"],
    });
    const page = await context.newPage();
    page.on("pageerror", (err) => {
      throw err;
    });
    return { context, page };
  }

  async function shot(page: Page, name: string): Promise<void> {
    const file = path.join(app.t.dir, `${name}.png`);
    await page.screenshot({ path: file });
    fs.copyFileSync(file, path.join(SHOTS, `${name}.png`));
  }

  /** The page is idle: nothing pending, the send button enabled again. */
  const settled = (page: Page) =>
    page.waitForFunction(() => !document.querySelector(".msg.pending") && !(document.getElementById("send") as HTMLButtonElement).disabled);
  const lastBot = (page: Page) => page.locator(".msg.out").last();

  async function tap(page: Page, label: string): Promise<void> {
    await page
      .locator(".msg.out .buttons button:not([disabled])")
      .filter({ hasText: new RegExp(`^${escape(label)}$`) })
      .last()
      .click();
    await settled(page);
  }

  async function type(page: Page, text: string): Promise<void> {
    await page.fill("#input", text);
    await page.click("#send");
    await settled(page);
  }

  /** Nothing wider than the screen; every visible button big enough for a thumb. */
  async function expectPhoneFriendly(page: Page): Promise<void> {
    const layout = await page.evaluate(() => {
      const log = document.getElementById("log")!;
      const small = Array.from(document.querySelectorAll("button"))
        .map((b) => ({ text: b.textContent, rect: b.getBoundingClientRect() }))
        .filter((b) => b.rect.width > 0 && (b.rect.height < 44 || b.rect.width < 44))
        .map((b) => `${b.text} ${b.rect.width}×${b.rect.height}`);
      return { page: document.documentElement.scrollWidth, log: log.scrollWidth - log.clientWidth, small };
    });
    expect(layout.page).toBeLessThanOrEqual(PHONE.width);
    expect(layout.log).toBe(0);
    expect(layout.small).toEqual([]);
  }

  /** Answers the intake's questions, typing some and tapping the rest, until the case card shows. */
  async function completeIntake(page: Page): Promise<void> {
    const typed: [TextKey, string][] = [
      ["intake.otherParty.ask", "张老板"],
      ["intake.amount.ask", "8000元"],
      ["intake.contact.ask", "王师傅 13800001234"],
    ];
    const tapped: TextKey[] = [
      "intake.summary.submit", "intake.type.yes", "intake.place.skip", "intake.claimants.solo",
      "intake.contact.skip", "intake.away.yes", "intake.service.chat",
    ];
    for (let i = 0; i < 15; i++) {
      if ((await page.locator(".msg.out .code").count()) > 0) return;
      const question = (await lastBot(page).textContent()) ?? "";
      const answer = typed.find(([key]) => question.includes(zh(key)));
      if (answer) {
        await type(page, answer[1]);
        continue;
      }
      const labels = await lastBot(page).locator(".buttons button:not([disabled])").allTextContents();
      const key = tapped.find((k) => labels.includes(zh(k)));
      if (!key) throw new Error(`no known answer to: ${question}`);
      await tap(page, zh(key));
    }
    throw new Error("the intake did not end in a case card");
  }

  it("a resident completes an intake by tapping and typing; the case card fits, its code copies; a photo reaches the case; English chrome", async () => {
    const { context, page } = await phone();
    await page.goto(app.url);
    await expect.poll(() => page.locator(".msg.out").first().textContent()).toContain("一扇门");
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("zh-CN");
    // the attach button is there, big enough; the microphone too (this Chromium can record)
    await expect.poll(() => page.locator("#attach").isVisible()).toBe(true);
    expect(await page.locator("#mic").isVisible()).toBe(true);
    await expectPhoneFriendly(page);
    await shot(page, "1-intake-start");

    await tap(page, zh("intake.consent.agree"));
    // HTML in the text is shown as text, never run
    await type(page, "<img src=x onerror=alert(1)>老板拖欠工资三个月不给");
    await expect.poll(() => lastBot(page).textContent()).toContain(zh("type.labor"));
    expect(await page.locator(".msg.in img").count()).toBe(0);
    expect(await page.locator(".msg.in").filter({ hasText: "<img src=x" }).count()).toBe(1);
    await completeIntake(page);

    const all = (await page.locator(".msg.out").allTextContents()).join("\n");
    const code = all.match(CASE_CODE_PATTERN)![0];
    expect(await count(app.t.sql, sql`SELECT 1 FROM "Case" WHERE "code" = ${code}`)).toBe(1);
    const card = lastBot(page);
    expect(await card.locator(".code").textContent()).toBe(code);
    // the code is never broken across lines, and the whole card is on the screen, top included
    expect(await card.locator(".code").evaluate((el) => el.getClientRects().length)).toBe(1);
    const [box, log] = await Promise.all([card.boundingBox(), page.locator("#log").boundingBox()]);
    expect(box!.y).toBeGreaterThanOrEqual(log!.y);
    expect(box!.y + box!.height).toBeLessThanOrEqual(log!.y + log!.height);
    expect(box!.y + box!.height).toBeLessThanOrEqual(PHONE.height);
    await expectPhoneFriendly(page);
    await shot(page, "2-case-card");

    // Copy puts the code on the clipboard and says so.
    await card.locator("button.copy").click();
    await expect.poll(() => card.locator("button.copy").textContent()).toBe("已复制");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);

    // A photo picked with the 📎 button: a pending bubble with its name, then the dialogue files it on the case.
    await page.setInputFiles("#file", { name: "工资条.png", mimeType: "image/png", buffer: PNG });
    await expect.poll(() => page.locator(".msg.in").last().textContent()).toContain("工资条.png");
    await settled(page);
    await expect.poll(() => lastBot(page).textContent()).toContain(zh("file.received", { name: "工资条.png", code }));
    const evidence = await allRows(app.t.sql, sql`SELECT e.* FROM "Evidence" AS e JOIN "Case" AS c ON c."id" = e."caseId" WHERE c."code" = ${code}`);
    expect(evidence.map((e) => [e.kind, e.mime, e.fileName, e.size])).toEqual([["photo", "image/png", "工资条.png", PNG.length]]);

    // The language button: the dialogue and the page chrome switch, <html lang> with them.
    await page.click("#lang");
    await settled(page);
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe("en");
    await expect.poll(() => page.locator(".msg.out").allTextContents().then((t) => t.join("\n"))).toContain(en("language.set"));
    const chrome = await page.evaluate(() => ({
      title: document.title,
      placeholder: (document.getElementById("input") as HTMLTextAreaElement).placeholder,
      send: document.getElementById("send")!.textContent,
      attach: document.getElementById("attach")!.getAttribute("aria-label"),
      mic: document.getElementById("mic")!.getAttribute("aria-label"),
      lang: document.getElementById("lang")!.textContent,
      copy: Array.from(document.querySelectorAll("button.copy")).map((b) => b.textContent),
    }));
    expect(chrome.title).toContain("OneDoor");
    expect(chrome.send).toBe("Send");
    for (const text of [chrome.placeholder, chrome.attach, chrome.mic]) expect(text).not.toMatch(/[\u4e00-\u9fff]/);
    expect(chrome.lang).toBe("中文");
    expect(chrome.copy).toHaveLength(1);
    expect(chrome.copy[0]).toMatch(/^(Copy|Copied)$/);
    await expectPhoneFriendly(page);
    await shot(page, "3-english");

    // A reload shows the same conversation from the server, in the conversation's language.
    await page.reload();
    await expect.poll(() => page.locator(".msg.out").allTextContents().then((t) => t.join("\n"))).toContain(code);
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe("en");
    expect(await page.locator("#send").textContent()).toBe("Send");
    expect(await page.locator(".msg.in").allTextContents()).toContain("📎 工资条.png");
    await context.close();
  });

  it("a safety answer makes the emergency numbers tappable", async () => {
    const { context, page } = await phone();
    await page.goto(app.url);
    await expect.poll(() => page.locator(".msg.out").count()).toBeGreaterThan(0);
    await settled(page);
    await type(page, "我不想活了");
    await expect.poll(() => page.locator('.msg.out a[href="tel:110"]').count()).toBeGreaterThan(0);
    const link = page.locator('.msg.out a[href="tel:110"]').first();
    expect(await link.textContent()).toBe("110");
    expect(await link.isVisible()).toBe(true);
    expect(await page.locator('.msg.out a[href="tel:12356"]').count()).toBeGreaterThan(0);
    await shot(page, "4-safety");
    await context.close();
  });

  it("records a voice note with the microphone button and uploads it as voice", async () => {
    const { context, page } = await phone();
    await page.goto(app.url);
    await expect.poll(() => page.locator(".msg.out").count()).toBeGreaterThan(0);
    await settled(page);
    const mic = page.locator("#mic");
    expect(await mic.isVisible()).toBe(true);
    await mic.click();
    // recording is visible: the button turns into a stop button with a running clock, the status says so
    await expect.poll(() => mic.getAttribute("aria-pressed")).toBe("true");
    await expect.poll(() => page.locator("#status").isVisible()).toBe(true);
    await expect.poll(() => mic.getAttribute("class")).toContain("recording");
    await expect.poll(() => mic.locator(".timer").textContent()).toBe("0:01");
    await shot(page, "5-recording");
    const uploaded = page.waitForRequest((r) => r.url().includes("/api/chat/files?kind=voice") && r.method() === "POST");
    await mic.click();
    const request = await uploaded;
    expect(request.headers()["content-type"]).toMatch(/^audio\//);
    await settled(page);
    // no speech to text is configured: the dialogue says it keeps the note and asks to type
    await expect.poll(() => page.locator(".msg.out").allTextContents().then((t) => t.join("\n"))).toContain(zh("voice.noAsr"));
    expect(await page.locator(".msg.in").last().textContent()).toContain("🎤");
    expect(await mic.getAttribute("aria-pressed")).toBe("false");
    // the recording is stored as evidence bytes: a WebM file under DATA_DIR/evidence
    const dir = path.join(app.config.DATA_DIR, "evidence");
    const webm = fs.readdirSync(dir).filter((f) => fs.readFileSync(path.join(dir, f)).subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3])));
    expect(webm.length).toBeGreaterThan(0);
    await context.close();
  });

  it("a file over 20 MB is not uploaded: the page says its size and the dialogue says why", async () => {
    const { context, page } = await phone();
    await page.goto(app.url);
    await expect.poll(() => page.locator(".msg.out").count()).toBeGreaterThan(0);
    await settled(page);
    const sent = page.waitForRequest((r) => r.url().includes("/api/chat/files") && r.method() === "POST");
    // made in the page (quicker than sending 21 MB through the driver), picked as setInputFiles would
    await page.evaluate(() => {
      const input = document.getElementById("file") as HTMLInputElement;
      const picked = new DataTransfer();
      picked.items.add(new File([new Uint8Array(21 * 1024 * 1024)], "视频.pdf", { type: "application/pdf" }));
      input.files = picked.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
    const request = await sent;
    expect(request.postDataBuffer()?.length ?? 0).toBe(0);
    expect(request.headers()["x-file-size"]).toBe(String(21 * 1024 * 1024));
    await settled(page);
    await expect.poll(() => page.locator(".msg.out").allTextContents().then((t) => t.join("\n"))).toContain(zh("file.tooLarge", { limit: 20 }));
    await context.close();
  });

  it("a message whose answer was lost on a bad connection can be sent again with one tap, and is handled once", async () => {
    const { context, page } = await phone();
    await page.goto(app.url);
    await expect.poll(() => page.locator(".msg.out").count()).toBeGreaterThan(0);
    await settled(page);
    let offline = true;
    let reached = 0;
    await page.route("**/api/chat/messages", async (route) => {
      if (!offline || route.request().method() !== "POST") return route.fallback();
      // the first try reaches the server and is handled, but its answer never arrives; the rest do not get through
      if (reached++ === 0) await route.fetch();
      await route.abort("internetdisconnected");
    });
    await page.fill("#input", "包工头欠我两个月工资");
    await page.click("#send");
    const retry = page.locator(".msg.error button.retry");
    await retry.waitFor({ timeout: 15_000 });
    expect(await page.locator(".msg.in.error").textContent()).toBe("包工头欠我两个月工资");
    offline = false;
    await retry.click();
    await settled(page);
    expect(await page.locator(".msg.error").count()).toBe(0);
    await expect.poll(() => page.locator(".msg.out").allTextContents().then((t) => t.join("\n"))).toContain(zh("intake.storyKept"));
    // the server answered the repeat with its first answer; the page shows the conversation once
    expect(await page.locator(".msg.in", { hasText: "包工头欠我两个月工资" }).count()).toBe(1);
    expect(await page.locator(".msg.out", { hasText: zh("intake.storyKept") }).count()).toBe(1);
    const stories = await count(app.t.sql, sql`
      SELECT 1 FROM "ChatMessage" WHERE "direction" = ${"in"} AND "payload" LIKE ${containing("包工头欠我两个月工资")}`);
    expect(stories).toBe(1);
    await context.close();
  });

  it("a page whose session the server does not know starts afresh on a new one; so does one losing it mid-conversation, its words kept", async () => {
    const { context, page } = await phone();
    // A token the server never issued (made up, or from a database since restored): never a dead end.
    await context.addInitScript(() => {
      if (!sessionStorage.getItem("seeded")) {
        sessionStorage.setItem("seeded", "1");
        localStorage.setItem("onedoor.session", "made-up-by-someone-0123456789");
      }
    });
    await page.goto(app.url);
    await expect.poll(() => page.locator(".msg.out").allTextContents().then((t) => t.join("\n"))).toContain(zh("intake.greeting", { centre: app.config.centre.nameZh }));
    await settled(page);
    const token = await page.evaluate(() => localStorage.getItem("onedoor.session"));
    expect(token).not.toBe("made-up-by-someone-0123456789");
    expect(await count(app.t.sql, sql`SELECT 1 FROM "WebSession" WHERE "id" = ${webUserIdOf(token!)}`)).toBe(1);

    // The server forgets the session (a database restored from before it): once the process asks the
    // database again (it trusts a session it looked up for an hour), the resident's next message gets a
    // new one and is not lost.
    await app.t.sql.execute(sql`DELETE FROM "WebSession" WHERE "id" = ${webUserIdOf(token!)}`);
    app.clock.advance(HOUR);
    await page.fill("#input", "老板拖欠工资三个月");
    await page.click("#send");
    await settled(page);
    await expect.poll(() => page.locator(".msg.note").allTextContents().then((t) => t.join("\n"))).toContain("重新开始");
    expect(await page.inputValue("#input")).toBe("老板拖欠工资三个月");
    const renewed = await page.evaluate(() => localStorage.getItem("onedoor.session"));
    expect(renewed).not.toBe(token);
    expect(await count(app.t.sql, sql`SELECT 1 FROM "WebSession" WHERE "id" = ${webUserIdOf(renewed!)}`)).toBe(1);
    await type(page, "老板拖欠工资三个月");
    expect(await page.locator(".msg.in", { hasText: "老板拖欠工资三个月" }).count()).toBe(1);
    await context.close();
  });

  it("a long transcript is shown whole on reload, page after page", async () => {
    const { context, page } = await phone();
    await page.goto(app.url);
    await expect.poll(() => page.locator(".msg.out").count()).toBeGreaterThan(0);
    await settled(page);
    const token = await page.evaluate(() => localStorage.getItem("onedoor.session"));
    const conversations = createConversationRepository(app.t.sql);
    const notices = Array.from({ length: 250 }, (_, i) => ({ kind: "text" as const, text: `通知第 ${i + 1} 条` }));
    await conversations.appendOutbound("web", webUserIdOf(token!), notices, app.clock.now());
    const pages: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "GET" && r.url().includes("/api/chat/messages")) pages.push(new URL(r.url()).searchParams.get("after") ?? "");
    });
    await page.reload();
    await expect.poll(() => page.locator(".msg.out", { hasText: "通知第 250 条" }).count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator(".msg.out", { hasText: /^通知第 \d+ 条$/ }).count()).toBe(250);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    await context.close();
  });

  it("a resident sending too fast is told when to try again, and the message goes with one tap after", async () => {
    const { context, page } = await phone();
    await page.goto(app.url);
    await expect.poll(() => page.locator(".msg.out").count()).toBeGreaterThan(0);
    await settled(page);
    // Fill this minute's quota from the page's own session (as a script would), then type as a resident.
    const limit = app.config.webChat.messagesPerMinute;
    const statuses = await page.evaluate(async (n) => {
      const session = localStorage.getItem("onedoor.session")!;
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const res = await fetch("/api/chat/messages", {
          method: "POST",
          headers: { "content-type": "application/json", "x-chat-session": session },
          body: JSON.stringify({ text: `脚本 ${i}` }),
        });
        out.push(res.status);
      }
      return out;
    }, limit);
    expect(statuses.filter((x) => x === 200).length).toBeLessThanOrEqual(limit);
    await page.fill("#input", "我想问一下进度");
    await page.click("#send");
    const retry = page.locator(".msg.error button.retry");
    await retry.waitFor({ timeout: 15_000 });
    expect(await page.locator(".msg.error").last().textContent()).toMatch(/发送太频繁了，请 \d+ 秒后再试/);
    app.clock.advance(60_000);
    await retry.click();
    await settled(page);
    expect(await page.locator(".msg.error").count()).toBe(0);
    const sent = await count(app.t.sql, sql`
      SELECT 1 FROM "ChatMessage" WHERE "direction" = ${"in"} AND "payload" LIKE ${containing("我想问一下进度")}`);
    expect(sent).toBe(1);
    await context.close();
  });

  it("shows no microphone button where the browser cannot record", async () => {
    const { context, page } = await phone();
    await context.addInitScript(() => {
      delete (window as { MediaRecorder?: unknown }).MediaRecorder;
    });
    await page.goto(app.url);
    await expect.poll(() => page.locator(".msg.out").count()).toBeGreaterThan(0);
    expect(await page.locator("#mic").isVisible()).toBe(false);
    expect(await page.locator("#attach").isVisible()).toBe(true);
    await context.close();
  });
});

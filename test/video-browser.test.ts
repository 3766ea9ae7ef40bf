import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOUR, MINUTE } from "../src/lib/clock.js";
import { startFakeLiveKit, type FakeLiveKit } from "./fakes/livekit-server.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { insertSession, type TestSession } from "./support/sessions.js";
import { agreedCase, schedulingDeps } from "./support/scheduling.js";
import { delivered } from "./support/consent.js";
import { confirmSession, holdSlot } from "../src/scheduling/book-session.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasBrowser = fs.existsSync(CHROMIUM);
if (!hasBrowser && process.env.CI) throw new Error(`CI=true but no Chromium at ${CHROMIUM}; .ci/run should install it`);
if (!hasBrowser) console.warn(`[video browser test skipped] no Chromium at ${CHROMIUM}: apt-get install chromium`);

const SHOTS = "/tmp/onedoor-shots";
const PHONE = { width: 360, height: 640 };

describe.runIf(hasBrowser)("the join page in a phone-sized headless Chromium with a fake camera and microphone", () => {
  let app: TestApp;
  let livekit: FakeLiveKit;
  let browser: Browser;
  let s: TestSession;
  let link: string;

  beforeAll(async () => {
    livekit = await startFakeLiveKit();
    app = await startTestApp({ env: { LIVEKIT_URL: livekit.url, LIVEKIT_API_KEY: livekit.apiKey, LIVEKIT_API_SECRET: livekit.apiSecret } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
        // a fake camera (a test pattern) and microphone (a beep) that need no permission prompt
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
      ],
    });
    fs.mkdirSync(SHOTS, { recursive: true });
    s = await insertSession(app.sql, { startsAt: new Date(app.clock.now().getTime() + HOUR), clock: app.clock });
    const url = await app.joinLinks.url({ sessionId: s.id, participantId: s.ids.claimant!, notAfter: new Date(s.endsAt.getTime() + 24 * HOUR) });
    link = `${app.url}/join/${url.split("/join/")[1]}`;
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await livekit?.close();
  });

  async function phone(options: { refuseDevices?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; errors: Error[] }> {
    const context = await browser.newContext({
      viewport: PHONE, locale: "zh-CN", timezoneId: "Asia/Shanghai", isMobile: true, hasTouch: true, permissions: ["camera", "microphone"],
    });
    if (options.refuseDevices) {
      // What a resident who pressed "block" (or an in-app browser without camera access) gets.
      await context.addInitScript(() => {
        navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
      });
    }
    const page = await context.newPage();
    const errors: Error[] = [];
    page.on("pageerror", (err) => errors.push(err));
    return { context, page, errors };
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  }

  /** Nothing wider than the screen; every visible button big enough for a thumb. */
  async function expectPhoneFriendly(page: Page): Promise<void> {
    const layout = await page.evaluate(() => ({
      width: document.documentElement.scrollWidth,
      small: Array.from(document.querySelectorAll("button, a"))
        .map((b) => ({ text: b.textContent, rect: b.getBoundingClientRect() }))
        .filter((b) => b.rect.width > 0 && (b.rect.height < 44 || b.rect.width < 44))
        .map((b) => `${b.text} ${b.rect.width}×${b.rect.height}`),
    }));
    expect(layout.width).toBeLessThanOrEqual(PHONE.width);
    expect(layout.small).toEqual([]);
  }

  it("counts down before the window, checks the camera and microphone inside it, then says plainly that the room could not be reached", async () => {
    const { context, page, errors } = await phone();
    await page.goto(link);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("zh-CN");
    await expect.poll(() => page.evaluate(() => document.body.dataset.screen)).toBe("wait");
    // 60 minutes to the start by the server's clock (the phone's own clock is days apart).
    await expect.poll(() => page.locator("#countdown").textContent()).toMatch(/^00:(59|60):\d\d$|^01:00:00$/);
    expect(await page.locator("#opens").textContent()).toContain("开始前 15 分钟");
    expect(await page.locator(".code").textContent()).toBe(s.caseCode);
    // Times in the phone's own time zone: 02:00Z + 1 h is 11:00 in Shanghai, the room opens at 10:45.
    expect(await page.locator("#starts").textContent()).toContain("11:00");
    expect(await page.locator("#opens").textContent()).toContain("10:45");
    await expectPhoneFriendly(page);
    await shot(page, "video-1-countdown");

    // The window opens (the server's clock moves; the page is reloaded, as a resident who comes back does).
    app.clock.set(new Date(s.startsAt.getTime() - 5 * MINUTE));
    await page.reload();
    await expect.poll(() => page.evaluate(() => document.body.dataset.screen)).toBe("check");
    // The fake camera plays in the preview, and the fake microphone's beep moves the level bar.
    await expect.poll(() => page.evaluate(() => (document.getElementById("preview") as HTMLVideoElement).videoWidth), { timeout: 10_000 }).toBeGreaterThan(0);
    await expect
      .poll(() => page.evaluate(() => Number(document.querySelector(".meter")!.getAttribute("aria-valuenow"))), { timeout: 10_000 })
      .toBeGreaterThan(0);
    expect(await page.locator("#device-msg").textContent()).toContain("就可以进入了");
    expect(await page.locator("#enter").isEnabled()).toBe(true);
    expect(await page.locator("#enter").textContent()).toBe("进入调解室");
    await expectPhoneFriendly(page);
    await shot(page, "video-2-check");

    const created = livekit.calls.filter((c) => c.method === "CreateRoom").length;
    await page.click("#enter");
    // A token was minted (the room was made), then the WebSocket to the stand-in fails.
    await expect.poll(() => page.evaluate(() => document.body.dataset.screen), { timeout: 30_000 }).toBe("notice");
    expect(await page.locator("#notice-text").textContent()).toBe("无法连接调解室。请检查网络后点“重试”。");
    expect(await page.locator("#notice-action").textContent()).toBe("重试");
    expect(await page.locator("#notice-action").isVisible()).toBe(true);
    expect(livekit.calls.filter((c) => c.method === "CreateRoom").length).toBe(created + 1);
    await expectPhoneFriendly(page);
    await shot(page, "video-3-could-not-connect");

    // Retry goes back through the check and fails the same way, still saying so.
    await page.click("#notice-action");
    await expect.poll(() => livekit.calls.filter((c) => c.method === "CreateRoom").length, { timeout: 30_000 }).toBe(created + 2);
    await expect.poll(() => page.evaluate(() => document.body.dataset.screen), { timeout: 30_000 }).toBe("notice");
    expect(await page.locator("#notice-text").textContent()).toContain("无法连接调解室");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a refused camera and microphone get a plain message, a retry and a way in without them", async () => {
    app.clock.set(new Date(s.startsAt.getTime() - 5 * MINUTE));
    const { context, page, errors } = await phone({ refuseDevices: true });
    await page.goto(`${link}?lang=en`);
    await expect.poll(() => page.evaluate(() => document.body.dataset.screen)).toBe("check");
    await expect.poll(() => page.locator("#device-msg").textContent()).toContain("The camera or microphone cannot be used");
    expect(await page.locator("#device-help").textContent()).toContain("Open in browser");
    expect(await page.locator("#retry-devices").isVisible()).toBe(true);
    expect(await page.locator("#enter-without").isVisible()).toBe(true);
    await expectPhoneFriendly(page);
    await shot(page, "video-4-devices-refused-en");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("after the end the page says the session is over, with no script", async () => {
    app.clock.set(new Date(s.endsAt.getTime() + MINUTE));
    const { context, page } = await phone();
    const res = await page.goto(link);
    expect(res?.status()).toBe(410);
    expect(await page.locator(".notice").textContent()).toContain("本次调解已于");
    await expectPhoneFriendly(page);
    await shot(page, "video-5-ended");
    await context.close();
  });
  it("the manage page on the same phone: the booking in the reader's zone, thumb-sized buttons, a new time held in two taps", async () => {
    app.clock.set(new Date("2026-11-23T02:00:00Z"));
    const c = await agreedCase(app.cases, { claimantUser: "mc1", respondentUser: "mr1", claimant: { presets: ["any"] }, respondent: { presets: ["any"], timeZone: "America/New_York" } });
    const sd = schedulingDeps(app.cases, true);
    const held = await holdSlot(sd, { caseId: c.id, partyId: c.claimantId, startsAt: new Date("2026-11-28T01:00:00Z") });
    await confirmSession(sd, { sessionId: held.session.id, partyId: c.respondentId });
    await app.worker.sweep();
    const link = (await delivered(app, "mr1")).find((m) => m.kind === "link" && m.url.includes("/manage/"));
    const manage = `${app.url}${new URL((link as { url: string }).url).pathname}`;

    const { context, page, errors } = await phone();
    const refused: string[] = [];
    page.on("console", (m) => m.type() === "error" && refused.push(m.text()));
    await page.goto(manage);
    expect(await page.locator("main").textContent()).toContain("已约好：11月27日 周五 20:00，视频调解");
    expect(await page.locator("main").textContent()).toContain("时间按纽约当地时间显示");
    // The stylesheet applied (the CSP lets it in): the header is the centre's red.
    expect(await page.locator("header").evaluate((h) => getComputedStyle(h).backgroundColor)).toBe("rgb(183, 28, 28)");
    await expectPhoneFriendly(page);
    await shot(page, "manage-1-booked");
    await page.getByText("改时间").click();
    await expect.poll(() => page.locator("form button").count()).toBeGreaterThan(2);
    // Measured once its stylesheet has loaded: under load the buttons are in the DOM before it applies.
    await page.waitForLoadState("load");
    await expectPhoneFriendly(page);
    await shot(page, "manage-2-times");
    const second = (await page.locator("form button").nth(1).textContent())!;
    await page.locator("form button").nth(1).click();
    await expect.poll(() => page.locator("main").textContent()).toContain("已为您保留这个时间");
    expect(await page.locator("main").textContent()).toContain(`已为您保留 ${second}`);
    await shot(page, "manage-3-held");
    expect(refused).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});

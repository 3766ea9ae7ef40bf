import { describe, expect, it } from "vitest";
import { splitText } from "../src/bot/channels/telegram/render.js";
import { TelegramChat, until } from "./fakes/telegram-api.js";
import { scriptedClassifier } from "./support/classifiers.js";
import { telegramWorld } from "./support/telegram.js";

describe("Telegram channel (long polling)", () => {
  const w = telegramWorld();
  // No PUBLIC_BASE_URL and no secret: long polling.
  const startApp = () => w.start({ classifier: scriptedClassifier([{ match: "工资", type: "labor", confidence: 0.9 }]) });

  it("deletes any webhook, long-polls, and talks with a resident through buttons", async () => {
    await startApp();
    await until(() => w.fake.sent("getUpdates").length > 0, "the first poll");
    const methods = w.fake.calls.map((c) => c.method);
    expect(methods).toContain("deleteWebhook");
    expect(methods.indexOf("deleteWebhook")).toBeLessThan(methods.indexOf("getUpdates"));
    expect(methods).not.toContain("setWebhook");
    // Nothing is served at the webhook path in polling mode.
    expect((await fetch(`${w.app!.url}/telegram/webhook`, { method: "POST" })).status).toBe(404);

    const resident = new TelegramChat(w.fake, async (u) => w.fake.push(u), w.settled, 301, { first_name: "Li", language_code: "en" });
    await resident.say("/start");
    // An English-speaking resident is greeted in English.
    expect(resident.text()).toContain("Agree to start");
    await resident.press("Agree, start");
    await resident.say("The boss has not paid three months of 工资 to our crew");
    expect(resident.text()).toContain("Labour");
    const polls = w.fake.sent("getUpdates");
    expect(polls.some((c) => Number(c.params.timeout) > 0)).toBe(true);
  });

  it("keeps the conversation across a restart in polling mode", async () => {
    await startApp();
    const resident = new TelegramChat(w.fake, async (u) => w.fake.push(u), w.settled, 302);
    await resident.say("/start");
    await resident.press("同意");
    await w.app!.close();
    w.app = undefined;
    // Sent while the centre was down: Telegram keeps it until the next poll.
    const story = resident.textUpdate("老板拖欠了我们三个月工资");
    w.fake.push(story);
    await startApp();
    await w.settled(Number(story.update_id));
    expect(String(w.fake.sent("sendMessage", 302).at(-1)!.params.text)).toContain("劳动争议");
  });
});

describe("Telegram pacing and rendering", () => {
  it("splits a text over Telegram's 4096 characters at line breaks", () => {
    const text = Array.from({ length: 300 }, (_, i) => `第${i}行：${"字".repeat(20)}`).join("\n");
    const parts = splitText(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(4096);
    expect(parts.join("\n")).toBe(text);
  });
});

import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { InboundFile } from "../src/bot/messages.js";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/openai-server.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { scriptedClassifier } from "./support/classifiers.js";
import { buttons, Resident } from "./support/dialogue.js";
import { count, one, sql } from "./support/query.js";

const BUDGET_MS = 600;

/** Voice notes through the real `openai` SDK's audio.transcriptions, against a local server. */
describe("voice notes", () => {
  let fake: FakeOpenAI;
  let app: TestApp;
  let voice: InboundFile;
  let n = 0;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    app = await startTestApp({
      classifier: scriptedClassifier([{ match: "工资", type: "labor", confidence: 0.9 }]),
      env: { SPEECH_MODEL: "whisper-test", SPEECH_API_KEY: "sk-test", SPEECH_BASE_URL: fake.baseUrl, SPEECH_TIMEOUT_MS: String(BUDGET_MS) },
    });
    // A voice note as a channel stores it: bytes on disk under DATA_DIR, with their hash.
    const file = path.join(app.t.dir, "evidence-voice.ogg");
    fs.writeFileSync(file, Buffer.concat([Buffer.from("OggS"), Buffer.alloc(2000, 7)]));
    voice = { kind: "voice", mime: "audio/ogg", size: 2004, sha256: "b".repeat(64), storagePath: file, name: "voice.ogg" };
  });
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  async function atDescribe(): Promise<Resident> {
    const r = new Resident(app.dialogue, `voice-${++n}`);
    await r.send({ button: "cmd:start" });
    await r.press("同意");
    expect(r.text()).toContain("打字或发语音都可以"); // said only because speech to text is configured
    return r;
  }
  const sendVoice = (r: Resident) => r.send({ file: { ...voice, sha256: `${n}`.padStart(64, "0") }, messageId: `${r.userId}-v${++r.seq}` });

  it("transcribes a voice note, shows back what it heard, and goes on with it as the story", async () => {
    const r = await atDescribe();
    fake.enqueueAudio({ kind: "text", text: "老板欠了我三个月工资一共九千块" });
    await sendVoice(r);
    expect(r.text()).toContain("我听到的是：“老板欠了我三个月工资一共九千块”");
    expect(buttons(r.last).map((b) => b.data)).toContain("voice:wrong");
    expect(r.text()).toContain("类型：劳动争议");
    expect(r.text()).toContain("金额：9,000 元");
    expect(fake.audioRequests[0]).toMatchObject({ model: "whisper-test", language: "zh", fileName: "voice.ogg", fileBytes: 2004 });
    const state = JSON.parse((await one(app.t.sql, sql`SELECT "state" FROM "Conversation" WHERE "userId" = ${r.userId}`)).state);
    expect(state.intake.draft.description).toBe("老板欠了我三个月工资一共九千块");
    expect(state.intake.draft.files).toHaveLength(1); // the recording itself is kept as evidence

    // "That is not what I said": back to the question, to say it again or type it.
    await r.press("不对，重新说");
    expect(r.text()).toContain("请说说发生了什么");
    await r.say("包工头拖欠工资三个月");
    expect(r.text()).toContain("类型：劳动争议");
  });

  it.each([
    ["an empty transcript", { kind: "text", text: "   " } as const],
    ["a server error", { kind: "status", status: 500 } as const],
  ])("asks the resident to type after %s, and keeps the recording", async (_name, reply) => {
    const r = await atDescribe();
    fake.enqueueAudio(reply);
    await sendVoice(r);
    expect(r.text()).toContain("这段语音没听清，已经保存。请打字告诉我");
    expect(r.text()).toContain("请说说发生了什么"); // the open question again
    const state = JSON.parse((await one(app.t.sql, sql`SELECT "state" FROM "Conversation" WHERE "userId" = ${r.userId}`)).state);
    expect(state.intake.draft.files).toHaveLength(1);
  });

  it("gives up on a transcription server that hangs within its budget, and asks to type", async () => {
    const r = await atDescribe();
    fake.enqueueAudio({ kind: "hang" });
    const t0 = performance.now();
    await sendVoice(r);
    expect(performance.now() - t0).toBeLessThan(BUDGET_MS + 1000);
    expect(r.text()).toContain("这段语音没听清");
  });

  it("answers danger heard in a voice note like danger typed", async () => {
    const r = await atDescribe();
    fake.enqueueAudio({ kind: "text", text: "我不想活了" });
    await sendVoice(r);
    expect(r.text()).toContain("我听到的是");
    expect(r.text()).toContain("12356");
    expect(await count(app.t.sql, sql`SELECT 1 FROM "Job" WHERE "kind" = ${"safety.page"}`)).toBeGreaterThan(0);
  });
});

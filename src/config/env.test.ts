import { describe, expect, it } from "vitest";
import { isAppError } from "../lib/errors.js";
import { loadConfig } from "./env.js";

describe("config", () => {
  it("runs on the embedded default with no variables at all", () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBe("file:./data/onedoor.db");
    expect(c.databaseKind).toBe("sqlite");
    expect(c.PORT).toBe(3000);
    expect(c.publicBaseUrl).toBe("http://localhost:3000");
    expect(c.telegram).toBeNull();
    expect(c.llm).toBeNull();
    expect(c.CENTRE_TIMEZONE).toBe("Asia/Shanghai");
    expect(c.speech).toBeNull();
    expect(c.centre.hours).toEqual({ zone: "Asia/Shanghai", open: "08:30", close: "17:30", days: [1, 2, 3, 4, 5] });
  });

  it("reads the centre's hours, days and duty phone, and speech to text with the model's key", () => {
    const c = loadConfig({
      CENTRE_HOURS: "09:00-18:00",
      CENTRE_WORKDAYS: "1-5,6",
      CENTRE_DUTY_PHONE: "0371-12345678",
      OPENAI_API_KEY: "sk-x",
      SPEECH_MODEL: "sensevoice",
      SPEECH_BASE_URL: "http://127.0.0.1:9000/v1",
    });
    expect(c.centre).toMatchObject({ dutyPhone: "0371-12345678", hours: { open: "09:00", close: "18:00", days: [1, 2, 3, 4, 5, 6] } });
    expect(c.speech).toEqual({ apiKey: "sk-x", baseUrl: "http://127.0.0.1:9000/v1", model: "sensevoice", timeoutMs: 10_000 });
  });

  it("serves the network, or sits behind a proxy, only with a staff token", () => {
    expect(loadConfig({ HOST: "0.0.0.0", STAFF_API_TOKEN: "s3cret-token" }).HOST).toBe("0.0.0.0");
    expect(loadConfig({ TRUST_PROXY: "loopback", STAFF_API_TOKEN: "s3cret-token" }).TRUST_PROXY).toBe("loopback");
  });

  it("lists every variable it reads in .env.example", async () => {
    const { readFileSync } = await import("node:fs");
    const example = readFileSync(".env.example", "utf8");
    const source = readFileSync("src/config/env.ts", "utf8");
    const read = [...source.matchAll(/^\s{4}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!).filter((v) => v !== "NODE_ENV");
    expect(read.length).toBeGreaterThan(20);
    for (const v of read) expect(example, v).toMatch(new RegExp(`^# ${v}=`, "m"));
  });

  it("turns channels and the model on by their variables", () => {
    const c = loadConfig({
      TELEGRAM_BOT_TOKEN: "123:abc",
      TELEGRAM_API_ROOT: "http://127.0.0.1:8081",
      OPENAI_API_KEY: "sk-x",
      OPENAI_BASE_URL: "http://127.0.0.1:11434/v1",
      CLASSIFIER_MODEL: "qwen2.5",
      PUBLIC_BASE_URL: "https://door.example.cn/",
    });
    expect(c.telegram).toEqual({ token: "123:abc", apiRoot: "http://127.0.0.1:8081", webhookSecret: undefined, timeoutMs: 30_000 });
    expect(c.llm).toMatchObject({ apiKey: "sk-x", baseUrl: "http://127.0.0.1:11434/v1", model: "qwen2.5", timeoutMs: 4000 });
    expect(c.publicBaseUrl).toBe("https://door.example.cn");
  });

  it("stops start-up with one clear line for bad values", () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ PORT: "http" }, /PORT/],
      [{ CASE_CODE_PREFIX: "od1" }, /CASE_CODE_PREFIX must be 2–6 capital letters/],
      [{ CENTRE_TIMEZONE: "Mars/Olympus" }, /CENTRE_TIMEZONE is not a known IANA time zone/],
      [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL/],
      [{ WECOM_CORP_ID: "ww1" }, /WeCom needs/],
      [{ TELEGRAM_WEBHOOK_SECRET: "has spaces" }, /TELEGRAM_WEBHOOK_SECRET/],
      [{ CENTRE_HOURS: "17:30-08:30" }, /CENTRE_HOURS must be HH:MM-HH:MM/],
      [{ CENTRE_WORKDAYS: "Mon-Fri" }, /CENTRE_WORKDAYS must list weekdays/],
      [{ CENTRE_DUTY_PHONE: "call us" }, /CENTRE_DUTY_PHONE must be a phone number/],
      [{ SPEECH_MODEL: "whisper-1" }, /speech to text needs SPEECH_API_KEY/],
      [{ HOST: "0.0.0.0" }, /STAFF_API_TOKEN is required when HOST is 0.0.0.0/],
      [{ TRUST_PROXY: "loopback" }, /STAFF_API_TOKEN is required when TRUST_PROXY is set/],
    ];
    for (const [env, message] of cases) {
      let error: unknown;
      try {
        loadConfig(env);
      } catch (err) {
        error = err;
      }
      expect(isAppError(error, "CONFIG")).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message.split("\n")).toHaveLength(1);
    }
  });
});

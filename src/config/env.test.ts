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
    expect(c.telegram).toEqual({ token: "123:abc", apiRoot: "http://127.0.0.1:8081", webhookSecret: undefined });
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

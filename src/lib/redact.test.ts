import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.js";
import { redactText } from "./redact.js";

describe("redaction", () => {
  it("hides ID card and mobile numbers wherever they appear", () => {
    expect(redactText("我的身份证号是110101199003074514，电话13800138000")).toBe("我的身份证号是[ID]，电话[PHONE]");
    expect(redactText("打 +86 138-0013-8000 或 139 1234 5678")).toBe("打 [PHONE] 或 [PHONE]");
    expect(redactText("身份证11010119900307451X")).toBe("身份证[ID]");
    expect(redactText("李娟 0371-66123456，或(010) 12345678")).toBe("李娟 [PHONE]，或[PHONE]");
  });

  it("leaves amounts, dates and case codes alone", () => {
    const text = "欠款120000元，2026年11月23日，案件OD-20261123-0007，订单号2026112312345";
    expect(redactText(text)).toBe(text);
  });

  it("redacts log messages and nested fields before they are written", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ destination: sink as never });
    logger.info({ inbound: { text: "我电话13800138000" }, list: ["110101199003074514"] }, "from 13912345678");
    const out = lines.join("");
    expect(out).not.toMatch(/13800138000|13912345678|110101199003074514/);
    expect(out).toContain("[PHONE]");
    expect(out).toContain("[ID]");
  });
});

import { describe, expect, it } from "vitest";
import { createBreaker } from "../lib/breaker.js";
import { guardedTranscriber } from "./guarded-transcriber.js";
import type { Transcriber } from "./port.js";

describe("the speech server behind its breaker", () => {
  it("after failures in a row, a voice note is refused at once without calling the server; a probe after the pause finds it back", async () => {
    let t = 0;
    let calls = 0;
    let down = true;
    const server: Transcriber = {
      async transcribe() {
        calls++;
        if (down) throw Object.assign(new Error("502 Bad Gateway"), { status: 502 });
        return "老板欠我工资";
      },
    };
    const breaker = createBreaker({ name: "speech", failureThreshold: 2, openMs: 1_000, now: () => t });
    const s = guardedTranscriber(server, breaker);
    const file = { path: "/tmp/v.ogg", mime: "audio/ogg" };
    const options = () => ({ signal: new AbortController().signal });
    for (let i = 0; i < 2; i++) await expect(s.transcribe(file, options())).rejects.toThrow("502");
    await expect(s.transcribe(file, options())).rejects.toThrow("circuit open");
    expect(calls).toBe(2);
    down = false;
    t = 1_000;
    expect(await s.transcribe(file, options())).toBe("老板欠我工资");
    expect(breaker.view().status).toBe("ok");
  });

  it("a 4xx (a file it cannot read) is the server answering: the breaker stays closed", async () => {
    const breaker = createBreaker({ name: "speech", failureThreshold: 1 });
    const s = guardedTranscriber({ transcribe: async () => Promise.reject(Object.assign(new Error("400 bad audio"), { status: 400 })) }, breaker);
    await expect(s.transcribe({ path: "x", mime: "audio/ogg" }, { signal: new AbortController().signal })).rejects.toThrow("400");
    expect(breaker.view().state).toBe("closed");
  });
});

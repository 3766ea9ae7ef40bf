import http from "node:http";
import { Writable } from "node:stream";
import { brotliCompressSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../src/lib/logger.js";
import { startTestApp, type TestApp } from "./support/app.js";

/** A logger whose lines the test reads: what an operator would see. */
function capturingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).trim().split("\n")) if (l) lines.push(JSON.parse(l) as { level: number; msg: string });
      done();
    },
  });
  return { lines, logger: createLogger({ level: "info", destination: sink as never }) };
}
const ERROR = 50;

describe("the edge: a client's broken request", () => {
  let app: TestApp;
  let log: ReturnType<typeof capturingLogger>;
  beforeEach(async () => {
    log = capturingLogger();
    app = await startTestApp({ logger: log.logger });
  });
  afterEach(async () => {
    await app.stop();
  });

  const session = async () => ((await (await fetch(`${app.url}/api/chat/session`, { method: "POST" })).json()) as { sessionId: string }).sessionId;

  it("answers a corrupt compressed body with 400, logged at info", async () => {
    const s = await session();
    const res = await fetch(`${app.url}/api/chat/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "br", "x-chat-session": s },
      body: Buffer.from("definitely not brotli"),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("BAD_INPUT");
    // a well-compressed body still works
    const ok = await fetch(`${app.url}/api/chat/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "br", "x-chat-session": s },
      body: brotliCompressSync(Buffer.from(JSON.stringify({ text: "你好" }))),
    });
    expect(ok.status).toBe(200);
    expect(log.lines.filter((l) => l.level >= ERROR)).toEqual([]);
  });

  it("logs a request body cut off by the client at info, not as a server error with a stack", async () => {
    const s = await session();
    const { port } = new URL(app.url);
    const req = http.request({
      host: "127.0.0.1",
      port,
      path: "/api/chat/messages",
      method: "POST",
      headers: { "content-type": "application/json", "content-length": "100000", "x-chat-session": s },
    });
    req.on("error", () => undefined);
    // Part of the body reaches the server, then the client goes away (a phone losing signal).
    for (let i = 0; i < 4; i++) await new Promise<void>((r) => req.write(`{"text": "${"老板欠钱".repeat(200)}`, () => r()));
    req.destroy();
    await expect.poll(() => log.lines.some((l) => l.msg === "client request refused"), { timeout: 5000 }).toBe(true);
    expect(log.lines.filter((l) => l.level >= ERROR)).toEqual([]);
  });
});

import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * What an outside service can do wrong, as the tests inject it in front of a protocol fake (the Bot
 * API, the OpenAI-compatible server, LiveKit, later WeCom):
 * - `refuse`: nothing listens (connection refused);
 * - `hang`: the connection is taken and never answered;
 * - `reset`: the answer starts, then the connection is cut;
 * - `status`: an HTTP error (500, 502, 503 …);
 * - `rate_limit`: 429, Telegram-style, with `retry_after`;
 * - `drip`: the real answer, a few bytes at a time, slowly;
 * - `malformed`: 200 with a body that is not JSON.
 */
export type Fault =
  | { kind: "refuse" }
  | { kind: "hang" }
  | { kind: "reset" }
  | { kind: "status"; status: number }
  | { kind: "rate_limit"; retryAfterSeconds: number }
  | { kind: "drip"; bytesPerTick: number; tickMs: number }
  | { kind: "malformed" };

export interface FaultProxy {
  /** Base URL to give the service under test (e.g. its TELEGRAM_API_ROOT). */
  url: string;
  /** Sets a fault for the endpoints whose path matches (every one when omitted); `null` clears it. */
  set(fault: Fault | null, match?: RegExp): Promise<void>;
  /** Requests seen, by path, while a fault answered them. */
  faulted: string[];
  close(): Promise<void>;
}

/** A proxy on 127.0.0.1 in front of `upstream` that passes requests through unless a fault is set for their path. */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const rules: { match: RegExp; fault: Fault }[] = [];
  const faulted: string[] = [];
  const sockets = new Set<Socket>();
  let server = http.createServer(handle);
  let port = 0;

  function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = req.url ?? "/";
    const rule = rules.find((r) => r.match.test(path));
    if (!rule) return pass(req, res);
    faulted.push(path);
    const f = rule.fault;
    switch (f.kind) {
      case "refuse": // only reached by a connection made just before the port closed
      case "hang":
        req.resume();
        return; // never answered
      case "reset":
        req.resume();
        res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
        res.write('{"ok":tr');
        setImmediate(() => res.socket?.destroy());
        return;
      case "status":
        req.resume();
        res.writeHead(f.status, { "content-type": "application/json" });
        res.end(JSON.stringify({ ok: false, error_code: f.status, description: `Internal Server Error (fault ${f.status})` }));
        return;
      case "rate_limit":
        req.resume();
        res.writeHead(429, { "content-type": "application/json", "retry-after": String(f.retryAfterSeconds) });
        res.end(JSON.stringify({ ok: false, error_code: 429, description: `Too Many Requests: retry after ${f.retryAfterSeconds}`, parameters: { retry_after: f.retryAfterSeconds } }));
        return;
      case "malformed":
        req.resume();
        res.writeHead(200, { "content-type": "application/json" });
        res.end("{\"ok\": true, \"result\": <html>");
        return;
      case "drip":
        return pass(req, res, f);
    }
  }

  /** Forwards to the upstream fake; with `drip`, its answer goes back a few bytes at a time. */
  function pass(req: http.IncomingMessage, res: http.ServerResponse, drip?: { bytesPerTick: number; tickMs: number }): void {
    const out = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: `${target.pathname.replace(/\/$/, "")}${req.url}`, headers: { ...req.headers, host: target.host } },
      (up) => {
        if (!drip) {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        up.on("data", (c: Buffer) => chunks.push(c));
        up.on("end", () => {
          const body = Buffer.concat(chunks);
          const headers = { ...up.headers, "content-length": String(body.length) };
          res.writeHead(up.statusCode ?? 502, headers);
          let at = 0;
          const tick = setInterval(() => {
            if (res.destroyed) return clearInterval(tick);
            res.write(body.subarray(at, at + drip.bytesPerTick));
            at += drip.bytesPerTick;
            if (at >= body.length) {
              clearInterval(tick);
              res.end();
            }
          }, drip.tickMs);
        });
      },
    );
    out.on("error", () => res.socket?.destroy());
    req.pipe(out);
  }

  async function listen(): Promise<void> {
    server.on("connection", (s) => {
      sockets.add(s);
      s.once("close", () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  }
  async function stopListening(): Promise<void> {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await listen();

  let refusing = false;
  return {
    url: `http://127.0.0.1:${port}`,
    faulted,
    async set(fault, match = /./) {
      rules.length = 0;
      if (fault) rules.push({ match, fault });
      // Refused means nobody listens: close the port, and open it again (the same one) on recovery.
      if (fault?.kind === "refuse" && !refusing) {
        refusing = true;
        await stopListening();
      } else if (fault?.kind !== "refuse" && refusing) {
        refusing = false;
        server = http.createServer(handle);
        await listen();
      }
    },
    async close() {
      if (!refusing) await stopListening();
    },
  };
}

import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { StartOptions } from "../../src/main.js";

export interface InstanceProcess {
  url: string;
  pid: number;
  /** kill -9: no shutdown, no lease released, claims left as they were. */
  kill(): Promise<void>;
  /** A clean stop (stdin closed: the instance closes and exits). */
  stop(): Promise<void>;
}

/** A OneDoor instance in its own process (test/support/instance-child.ts), serving once this resolves. */
export async function startInstance(env: Record<string, string>, options: Pick<StartOptions, "leases" | "telegram" | "startWorker"> = {}): Promise<InstanceProcess> {
  // tsx as a loader in the one process (its CLI would start the script in a second one, which a
  // kill -9 of the first leaves running).
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/instance-child.ts", JSON.stringify(env), JSON.stringify(options)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const end = out.indexOf("\n");
      if (end >= 0) resolve(out.slice(0, end));
    });
    child.once("exit", (code) => reject(new Error(`instance exited (${code}) before serving: ${stderr.trim().split("\n").slice(-3).join(" | ")}`)));
  });
  const started = JSON.parse(line) as { url?: string; pid?: number; error?: string };
  if (!started.url) throw new Error(`instance did not start: ${started.error}`);
  if (started.pid !== child.pid) throw new Error("the instance runs in another process than the one started");
  return {
    url: started.url,
    pid: started.pid!,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * A pass-through in front of the fake Bot API that notes which instance made each call (the fake
 * itself cannot tell two clients apart). `apiRoot` is what that instance is given as TELEGRAM_API_ROOT.
 */
export async function taggedApiRoot(
  target: string,
  tag: string,
  log: { tag: string; method: string }[],
  /** Answers a method itself instead (a Bot API error, say). */
  answer?: (method: string) => { status: number; body: unknown } | undefined,
): Promise<{ apiRoot: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const method = (req.url ?? "").split("/").pop()!.split("?")[0]!;
    log.push({ tag, method });
    const own = answer?.(method);
    if (own) {
      req.resume();
      res.writeHead(own.status, { "content-type": "application/json" });
      res.end(JSON.stringify(own.body));
      return;
    }
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    // A client that goes away (killed) ends its long poll at the fake too.
    res.on("close", () => forward.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

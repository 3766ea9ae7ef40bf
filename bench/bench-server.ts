// Starts bench/server.mjs (the compiled build, as `npm start` runs it) in a process of its own.
import { execFile, fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The Node flags `npm start` uses (package.json), so the benchmark runs the server the same way. */
function startFlags(): string[] {
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf8")) as { scripts: { start: string } };
  return pkg.scripts.start.match(/^node (.*?)\s*dist\/main\.js$/)?.[1]?.split(/\s+/).filter(Boolean) ?? [];
}

export interface DrainResult {
  updates: number;
  /** Updates whose turn has no reply sent (a repeated update, or a reply that failed). */
  withoutReplies: number;
  /** Reply deliveries in the ledger marked sent, and those that ended otherwise. */
  repliesSent: number;
  repliesFailed: number;
  /** From an update stored (on arrival) to its last reply accepted by the Bot API, since the last drain. */
  handledP50Ms: number;
  handledP99Ms: number;
}

export interface BenchServer {
  child: ChildProcess;
  url: string;
  /** The database OneDoor runs on in that process. */
  databaseUrl: string;
  baselineUrl: string;
  telegramBaselineUrl: string;
  pid: number;
  /** Resolves when every Telegram update the server stored has been handled. */
  drain(): Promise<DrainResult>;
  stop(): Promise<void>;
}

/** Measure what `npm start` runs: the compiled build, with no TypeScript loader in the process. */
export async function buildServer(): Promise<void> {
  await run("npm", ["run", "build", "--silent"]);
}

export async function startBenchServer(env: Record<string, string> = {}, opts: { build?: boolean } = {}): Promise<BenchServer> {
  if (opts.build !== false) await buildServer();
  const child = fork("bench/server.mjs", [], {
    // BENCH_SERVER_FLAGS adds Node flags to the server's (`--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it).
    execArgv: [...startFlags(), ...(process.env.BENCH_SERVER_FLAGS ?? "").split(/\s+/).filter(Boolean)],
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  type Info = { url: string; databaseUrl: string; baselineUrl: string; telegramBaselineUrl: string; pid: number };
  const info = await new Promise<Info>((resolve, reject) => {
    child.once("message", (m) => resolve(m as Info));
    child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return {
    child,
    ...info,
    drain: () =>
      new Promise<DrainResult>((resolve) => {
        const onMessage = (m: unknown) => {
          if (typeof m !== "object" || m === null || !("drained" in m)) return;
          child.off("message", onMessage);
          resolve(m as unknown as DrainResult);
        };
        child.on("message", onMessage);
        child.send("drain");
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.send("stop");
      }),
  };
}

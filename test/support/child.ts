import { execFile, spawn } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const TSX = path.resolve("node_modules/tsx/dist/cli.mjs");

/** Runs a TypeScript script in its own Node process (a second server instance, in effect). */
export async function runChild(script: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [TSX, script, ...args], { timeout: 60_000 });
  return stdout;
}

export interface RunningChild {
  /** The child's first line of output. */
  firstLine: Promise<string>;
  /** Closes its stdin (a child that waits on it shuts down) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts a TypeScript script in its own Node process and leaves it running (a server instance). */
export function startChild(script: string, args: string[]): RunningChild {
  const child = spawn(process.execPath, [TSX, script, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const firstLine = new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const end = out.indexOf("\n");
      if (end >= 0) resolve(out.slice(0, end));
    });
    child.once("exit", (code) => reject(new Error(`${script} exited (${code}) before a line: ${stderr.trim().split("\n").slice(-3).join(" | ")}`)));
  });
  firstLine.catch(() => undefined);
  return {
    firstLine,
    async stop() {
      if (child.exitCode === null) child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const TSX = path.resolve("node_modules/tsx/dist/cli.mjs");

/** Runs a TypeScript script in its own Node process (a second server instance, in effect). */
export async function runChild(script: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [TSX, script, ...args], { timeout: 60_000 });
  return stdout;
}

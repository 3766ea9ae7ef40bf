import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { startBenchServer } from "./bench-server.js";
import { peakRssMb, round, type LoadResult } from "./stats.js";

const run = promisify(execFile);
const TSX = path.resolve("node_modules/tsx/dist/cli.mjs");

async function load(mode: "onedoor" | "baseline", url: string, concurrency: number, messages: number): Promise<LoadResult> {
  const { stdout } = await run(process.execPath, [TSX, "bench/load-web.ts", mode, url, String(concurrency), String(messages)], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout) as LoadResult;
}

/**
 * Simulated residents complete intakes through the web-chat API from a separate load process, each
 * sending its next message when the answer to the last arrived, against the floor (bare express
 * writing the inbound and outbound rows with prepared better-sqlite3 statements, bench/server.mjs) at
 * the same concurrency, in the same run.
 */
export async function benchWebChat(opts: { concurrency: number[]; messages: number }) {
  const server = await startBenchServer();
  try {
    // Warm-up: JIT, prepared statements, classifier.
    await load("onedoor", server.url, 4, 200);
    await load("baseline", server.baselineUrl, 4, 200);
    const results: Record<string, unknown> = {};
    for (const c of opts.concurrency) {
      const base = await load("baseline", server.baselineUrl, c, opts.messages);
      const ours = await load("onedoor", server.url, c, opts.messages);
      results[`c${c}`] = { onedoor: ours, baseline: base, p50Ratio: round(ours.p50Ms / base.p50Ms) };
    }
    results.peakRssMb = peakRssMb(server.pid);
    return results;
  } finally {
    await server.stop();
  }
}

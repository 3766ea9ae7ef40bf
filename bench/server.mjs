// The server under test, in its own process: OneDoor exactly as `npm start` runs it (the compiled
// JavaScript in dist/), plus the baseline route — a bare express handler doing one insert through the
// same Prisma client. Sends its URLs to the parent over IPC.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import express from "express";
import { loadConfig } from "../dist/config/env.js";
import { newId } from "../dist/lib/ids.js";
import { silentLogger } from "../dist/lib/logger.js";
import { start } from "../dist/main.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onedoor-bench-"));
const config = loadConfig({ ...process.env, DATABASE_URL: `file:${dir}/bench.db`, PORT: "0", LOG_LEVEL: "silent", DATA_DIR: dir });
const running = await start(config, { logger: silentLogger });

const baseline = express();
baseline.use(express.json());
baseline.post("/baseline", async (req, res) => {
  await running.db.notification.create({
    data: { id: newId(), dedupeKey: newId(), kind: "bench", text: JSON.stringify(req.body), createdAt: new Date() },
  });
  res.json({ ok: true });
});
const server = baseline.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.send?.({ url: running.url, baselineUrl: `http://127.0.0.1:${port}/baseline`, pid: process.pid });
});

process.on("message", async (msg) => {
  if (msg === "stop") {
    server.close();
    await running.close();
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
});

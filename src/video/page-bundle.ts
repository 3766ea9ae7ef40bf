import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The join page's script is TypeScript importing livekit-client, bundled by esbuild into one file the
 * service serves itself (no CDN). `npm run build` writes it beside the compiled service
 * (dist/video/page/join.js, scripts/build-join-page.mjs); running from the sources (npm run dev,
 * tests) bundles it in memory the first time it is asked for.
 */
const HERE = path.dirname(fileURLToPath(import.meta.url));
export const PAGE_DIR = path.join(HERE, "page");
const BUILT = path.join(PAGE_DIR, "join.js");
const SOURCE = path.join(PAGE_DIR, "join-page.ts");

/** Bundles the page: one minified IIFE for browsers from about 2019 on (Telegram's and WeChat's WebViews included). */
export async function bundleJoinPage(entry = SOURCE, outfile?: string): Promise<Buffer> {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "iife",
    target: ["es2019", "chrome70", "safari13"],
    platform: "browser",
    legalComments: "none",
    write: false,
    logLevel: "silent",
  });
  const bytes = Buffer.from(result.outputFiles[0]!.contents);
  if (outfile) {
    fs.mkdirSync(path.dirname(outfile), { recursive: true });
    fs.writeFileSync(outfile, bytes);
  }
  return bytes;
}

let script: Promise<Buffer> | undefined;

/** The bundled script: the built file when there is one, else bundled from the source once per process. */
export function joinPageScript(): Promise<Buffer> {
  if (!script) {
    script = fs.existsSync(BUILT)
      ? fs.promises.readFile(BUILT)
      : fs.existsSync(SOURCE)
        ? bundleJoinPage()
        : Promise.reject(new Error(`the join page script is missing: ${BUILT} (run npm run build)`));
    script.catch(() => (script = undefined));
  }
  return script;
}

/** The page's styles (plain CSS beside the script). */
export function joinPageStyles(): Promise<Buffer> {
  return fs.promises.readFile(path.join(PAGE_DIR, "join.css"));
}

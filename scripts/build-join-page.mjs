// `npm run build`, after tsc: the join page's script bundled with livekit-client (no CDN), and its styles,
// beside the compiled service, where src/video/page-bundle.ts looks for them.
import fs from "node:fs";
import { bundleJoinPage } from "../dist/video/page-bundle.js";

await bundleJoinPage("src/video/page/join-page.ts", "dist/video/page/join.js");
fs.copyFileSync("src/video/page/join.css", "dist/video/page/join.css");

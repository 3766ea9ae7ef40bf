// tsc compiles only TypeScript; the web chat's page, script and styles are copied beside the compiled router.
import fs from "node:fs";

fs.cpSync("src/bot/channels/web/public", "dist/bot/channels/web/public", { recursive: true });

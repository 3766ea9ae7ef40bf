// `npm run bench [-- --json]`: every benchmark, figures printed at the end. Targets live in the README.
import { benchClassify } from "./classify.js";
import { benchConversation } from "./conversation.js";
import { benchTelegram } from "./telegram.js";
import { benchWebChat } from "./web-chat.js";

const json = process.argv.includes("--json");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7);

const results: Record<string, unknown> = {};
if (!only || only === "classify") results.classify = await benchClassify();
if (!only || only === "conversation") results.conversation = await benchConversation();
if (!only || only === "web") results.webChat = await benchWebChat({ concurrency: [10, 50], messages: 4000 });
if (!only || only === "telegram") results.telegram = await benchTelegram({ concurrency: [10, 40], updates: 2000 });

if (json) console.log(JSON.stringify(results));
else console.log(JSON.stringify(results, null, 2));

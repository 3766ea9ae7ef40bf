import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local Telegram Bot API on 127.0.0.1 that speaks the real protocol (JSON and multipart bodies,
 * long-polling getUpdates, file downloads, 429 with retry_after), so tests drive the real grammY.
 * It records every call.
 */

export interface ApiCall {
  method: string;
  params: Record<string, unknown>;
  /** Order of arrival across all calls. */
  seq: number;
  /** When it arrived (epoch ms): a benchmark counts the rate Telegram would see. */
  at: number;
  /** For multipart uploads: the uploaded files' names, sizes and SHA-256. */
  uploads?: { field: string; name: string; size: number; sha256: string }[];
}

interface RateLimitRule {
  method: string;
  chatId?: string;
  /** 429 with retry_after, or another error as Telegram words it. */
  retryAfter?: number;
  error?: { code: number; description: string };
  /** Take the call (it counts as arrived at Telegram) and never answer: a sender that dies mid-send. */
  hold?: boolean;
  /** Let this many matching calls through first. */
  skip: number;
  times: number;
}

export interface FakeTelegram {
  apiRoot: string;
  token: string;
  calls: ApiCall[];
  /** Queue an update for getUpdates (long polling). */
  push(update: Record<string, unknown>): void;
  /** Answer the next `times` matching calls with 429 and parameters.retry_after. */
  rateLimit(rule: { method: string; chatId?: string | number; retryAfter: number; times?: number }): void;
  /** Take the next `times` matching calls as Telegram would (they arrive), but never answer them. */
  hold(rule: { method: string; chatId?: string | number; times?: number }): void;
  /** Answer the next `times` matching calls with this error (403 blocked, 400 bad request, 502 …). */
  refuse(rule: { method: string; chatId?: string | number; code: number; description: string; times?: number; skip?: number }): void;
  /** Make a file downloadable: getFile(fileId) → file_path, and GET /file/bot<token>/<file_path> → bytes. */
  addFile(fileId: string, bytes: Buffer, filePath?: string): void;
  /** Calls of one method, optionally to one chat. */
  sent(method: string, chatId?: string | number): ApiCall[];
  /** Paths of files the bot downloaded. */
  downloads: string[];
  close(): Promise<void>;
}

/**
 * multipart/form-data as a tolerant server (Telegram's) reads it: header names in any case, with or
 * without a space after the colon, and a filename quoted or not, in UTF-8 (grammY sends it bare).
 */
function parseMultipart(body: Buffer, boundary: string): { name: string; filename?: string; body: Buffer }[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { name: string; filename?: string; body: Buffer }[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const part = body.subarray(start + 2, next - 2); // after the CRLF, before the CRLF that ends it
    const split = part.indexOf("\r\n\r\n");
    const headers = part.subarray(0, split).toString("utf8");
    const disposition = /content-disposition:\s*form-data(.*)/i.exec(headers)?.[1] ?? "";
    const field = (key: string) => new RegExp(`;\\s*${key}=(?:"([^"]*)"|([^;\\r\\n]*))`, "i").exec(disposition);
    const name = field("name");
    const filename = field("filename");
    parts.push({
      name: name?.[1] ?? name?.[2] ?? "",
      ...(filename ? { filename: filename[1] ?? filename[2] ?? "" } : {}),
      body: part.subarray(split + 4),
    });
    at = next;
  }
  return parts;
}

export async function startFakeTelegram(options: { token?: string; botUsername?: string } = {}): Promise<FakeTelegram> {
  const token = options.token ?? "123456:TEST-token_abc";
  const calls: ApiCall[] = [];
  const queue: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  const rules: RateLimitRule[] = [];
  const files = new Map<string, { path: string; bytes: Buffer }>();
  const downloads: string[] = [];
  let seq = 0;
  let messageId = 1000;

  const ok = (res: http.ServerResponse, result: unknown) => json(res, 200, { ok: true, result });
  function json(res: http.ServerResponse, status: number, body: unknown) {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  }

  async function readParams(req: http.IncomingMessage, url: URL): Promise<{ params: Record<string, unknown>; uploads?: ApiCall["uploads"] }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const type = req.headers["content-type"] ?? "";
    const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
    if (type.startsWith("application/json") && body.length) return { params: { ...params, ...(JSON.parse(body.toString("utf8")) as object) } };
    if (type.startsWith("multipart/form-data")) {
      const boundary = /boundary=("?)([^";]+)\1/.exec(type)?.[2];
      if (!boundary) throw new Error("multipart body without a boundary");
      const uploads: NonNullable<ApiCall["uploads"]> = [];
      for (const part of parseMultipart(body, boundary)) {
        if (part.filename === undefined) {
          const value = part.body.toString("utf8");
          try {
            params[part.name] = JSON.parse(value);
          } catch {
            params[part.name] = value;
          }
        } else {
          uploads.push({ field: part.name, name: part.filename, size: part.body.length, sha256: createHash("sha256").update(part.body).digest("hex") });
        }
      }
      // A file sent as "attach://<part>" belongs to the parameter that names it (grammY uploads this way).
      for (const [key, value] of Object.entries(params)) {
        const attached = typeof value === "string" && value.startsWith("attach://") ? uploads.find((u) => u.field === value.slice(9)) : undefined;
        if (attached) attached.field = key;
      }
      return { params, uploads };
    }
    if (type.startsWith("application/x-www-form-urlencoded")) {
      for (const [k, v] of new URLSearchParams(body.toString("utf8"))) params[k] = v;
    }
    return { params };
  }

  function takeUpdates(offset: number, limit: number) {
    // Updates below the offset are confirmed: Telegram forgets them.
    while (queue.length && Number(queue[0]!.update_id) < offset) queue.shift();
    return queue.slice(0, limit);
  }

  function message(chatId: unknown, extra: Record<string, unknown>) {
    return { message_id: ++messageId, date: Math.floor(Date.now() / 1000), chat: { id: Number(chatId), type: "private" }, ...extra };
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      if (url.pathname === "/_stats") {
        // For a benchmark that runs this fake in another process: how many calls of each method.
        const counts: Record<string, number> = {};
        for (const c of calls) counts[c.method] = (counts[c.method] ?? 0) + 1;
        return json(res, 200, counts);
      }
      const fileMatch = url.pathname.match(/^\/file\/bot([^/]+)\/(.+)$/);
      if (fileMatch) {
        const entry = [...files.values()].find((f) => f.path === fileMatch[2]);
        if (fileMatch[1] !== token || !entry) return json(res, 404, { ok: false, error_code: 404, description: "Not Found" });
        downloads.push(entry.path);
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": entry.bytes.length });
        return res.end(entry.bytes);
      }
      const m = url.pathname.match(/^\/bot([^/]+)\/(\w+)$/);
      if (!m) return json(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      if (m[1] !== token) return json(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
      const method = m[2]!;
      const { params, uploads } = await readParams(req, url);
      const call: ApiCall = { method, params, seq: ++seq, at: Date.now(), ...(uploads ? { uploads } : {}) };

      let rule = rules.find((r) => r.method === method && r.times > 0 && (r.chatId === undefined || r.chatId === String(params.chat_id)));
      if (rule && rule.skip > 0) {
        rule.skip--;
        rule = undefined;
      }
      if (rule?.hold) {
        rule.times--;
        calls.push(call);
        return;
      }
      if (rule?.error) {
        rule.times--;
        calls.push({ ...call, method: `${method}:${rule.error.code}` });
        return json(res, rule.error.code, { ok: false, error_code: rule.error.code, description: rule.error.description });
      }
      if (rule) {
        rule.times--;
        calls.push({ ...call, method: `${method}:429` });
        return json(res, 429, {
          ok: false,
          error_code: 429,
          description: `Too Many Requests: retry after ${rule.retryAfter}`,
          parameters: { retry_after: rule.retryAfter },
        });
      }

      switch (method) {
        case "getMe":
          calls.push(call);
          return ok(res, { id: Number(token.split(":")[0]), is_bot: true, first_name: "OneDoor", username: options.botUsername ?? "OneDoorTestBot", can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false });
        case "getUpdates": {
          calls.push(call);
          const offset = Number(params.offset ?? 0);
          const limit = Number(params.limit ?? 100);
          const timeout = Number(params.timeout ?? 0);
          let ready = takeUpdates(offset, limit);
          if (ready.length || timeout <= 0) return ok(res, ready);
          // Long polling: hold the request until an update arrives, the timeout passes or the client goes.
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, timeout * 1000);
            function done() {
              clearTimeout(timer);
              waiters.delete(done);
              resolve();
            }
            waiters.add(done);
            req.socket.once("close", done);
          });
          if (res.destroyed || req.socket.destroyed) return;
          ready = takeUpdates(offset, limit);
          return ok(res, ready);
        }
        case "setWebhook":
        case "deleteWebhook":
        case "setMyCommands":
        case "answerCallbackQuery":
          calls.push(call);
          return ok(res, true);
        case "editMessageReplyMarkup":
          calls.push(call);
          return ok(res, true);
        case "sendMessage":
          calls.push(call);
          return ok(res, message(params.chat_id, { text: params.text, ...(params.reply_markup ? { reply_markup: params.reply_markup } : {}) }));
        case "sendDocument":
          calls.push(call);
          return ok(res, message(params.chat_id, { document: { file_id: `doc${seq}`, file_unique_id: `u${seq}`, file_name: uploads?.[0]?.name } }));
        case "getFile": {
          calls.push(call);
          const f = files.get(String(params.file_id));
          if (!f) return json(res, 400, { ok: false, error_code: 400, description: "Bad Request: invalid file_id" });
          return ok(res, { file_id: params.file_id, file_unique_id: `u-${String(params.file_id)}`, file_size: f.bytes.length, file_path: f.path });
        }
        default:
          calls.push(call);
          return json(res, 404, { ok: false, error_code: 404, description: `Not Found: method ${method}` });
      }
    })().catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { ok: false, error_code: 500, description: String(err) });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    token,
    calls,
    downloads,
    push(update) {
      queue.push(update);
      for (const w of [...waiters]) w();
    },
    rateLimit(rule) {
      rules.push({ method: rule.method, chatId: rule.chatId === undefined ? undefined : String(rule.chatId), retryAfter: rule.retryAfter, skip: 0, times: rule.times ?? 1 });
    },
    hold(rule) {
      rules.push({ method: rule.method, chatId: rule.chatId === undefined ? undefined : String(rule.chatId), hold: true, skip: 0, times: rule.times ?? 1 });
    },
    refuse(rule) {
      rules.push({
        method: rule.method,
        chatId: rule.chatId === undefined ? undefined : String(rule.chatId),
        error: { code: rule.code, description: rule.description },
        skip: rule.skip ?? 0,
        times: rule.times ?? 1,
      });
    },
    addFile(fileId, bytes, filePath) {
      files.set(fileId, { path: filePath ?? `documents/${fileId}`, bytes });
    },
    sent(method, chatId) {
      return calls.filter((c) => c.method === method && (chatId === undefined || String(c.params.chat_id) === String(chatId)));
    },
    async close() {
      for (const w of [...waiters]) w();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What the bot sent to a chat, as the person sees it. */
export interface SeenMessage {
  text: string;
  buttons: { text: string; callback_data: string }[];
  document?: string;
}

export function seen(call: ApiCall): SeenMessage {
  const markup = call.params.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] } | undefined;
  return {
    text: String(call.params.text ?? call.params.caption ?? ""),
    buttons: (markup?.inline_keyboard ?? []).flat(),
    ...(call.method === "sendDocument" ? { document: call.uploads?.[0]?.name ?? String(call.params.document) } : {}),
  };
}

let nextUpdateId = 5_000;
let nextMessageId = 1;

/**
 * A person in a private chat with the bot. `deliver` hands an update to the bot (webhook POST or the
 * polling queue); `settled` resolves once the bot has finished with that update (its replies are sent).
 */
export class TelegramChat {
  last: SeenMessage[] = [];
  constructor(
    private readonly fake: FakeTelegram,
    private readonly deliver: (update: Record<string, unknown>) => Promise<void>,
    private readonly settled: (updateId: number) => Promise<void>,
    public readonly id: number,
    public readonly from: { first_name: string; language_code?: string } = { first_name: "张三", language_code: "zh-hans" },
  ) {}

  private user() {
    return { id: this.id, is_bot: false, ...this.from };
  }

  messageUpdate(extra: Record<string, unknown>): Record<string, unknown> {
    return {
      update_id: ++nextUpdateId,
      message: { message_id: ++nextMessageId, date: Math.floor(Date.now() / 1000), chat: { id: this.id, type: "private", first_name: this.from.first_name }, from: this.user(), ...extra },
    };
  }

  textUpdate(text: string): Record<string, unknown> {
    const command = text.match(/^\/\w+/)?.[0];
    return this.messageUpdate({ text, ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command.length }] } : {}) });
  }

  /** The callback query Telegram sends when the button whose label contains `label` is pressed. */
  pressUpdate(label: string): Record<string, unknown> {
    const calls = this.fake.sent("sendMessage", this.id).filter((c) => seen(c).buttons.length > 0);
    for (let i = calls.length - 1; i >= 0; i--) {
      const call = calls[i]!;
      const b = seen(call).buttons.find((x) => x.text.includes(label));
      if (b) {
        return {
          update_id: ++nextUpdateId,
          callback_query: {
            id: `cq${nextUpdateId}`,
            from: this.user(),
            chat_instance: `ci${this.id}`,
            data: b.callback_data,
            message: { message_id: ++nextMessageId, date: Math.floor(Date.now() / 1000), chat: { id: this.id, type: "private" }, text: call.params.text, reply_markup: call.params.reply_markup },
          },
        };
      }
    }
    throw new Error(`no button "${label}" in: ${calls.flatMap((c) => seen(c).buttons.map((b) => b.text)).join(" | ")}`);
  }

  /** Deliver an update and wait until the bot is done with it; returns what the person saw. */
  async send(update: Record<string, unknown>): Promise<SeenMessage[]> {
    const before = this.fake.calls.length ? this.fake.calls[this.fake.calls.length - 1]!.seq : 0;
    await this.deliver(update);
    await this.settled(Number(update.update_id));
    this.last = this.fake.calls
      .filter((c) => c.seq > before && (c.method === "sendMessage" || c.method === "sendDocument") && String(c.params.chat_id) === String(this.id))
      .map(seen);
    return this.last;
  }

  say(text: string): Promise<SeenMessage[]> {
    return this.send(this.textUpdate(text));
  }

  press(label: string): Promise<SeenMessage[]> {
    return this.send(this.pressUpdate(label));
  }

  text(): string {
    return this.last.map((m) => m.text).join("\n");
  }
}

/** Wait until `check` holds (polling); fails with `what` after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, what = "condition", ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

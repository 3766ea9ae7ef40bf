// A small OpenAI-compatible server for tests: POST /v1/chat/completions on 127.0.0.1, answering in
// the form the client asked for (a forced tool call, or JSON content for response_format), with a
// `usage` block, so the real ChatOpenAI / openai SDK code runs over real HTTP. POST
// /v1/audio/transcriptions takes the SDK's multipart upload and answers {"text"} from its own queue.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the fake does with the next request. */
export type FakeReply =
  /** A well-formed answer carrying `value` as the structured output. */
  | { kind: "answer"; value: unknown; usage?: { prompt_tokens: number; completion_tokens: number } }
  /** `text` verbatim where the structured output goes (tool arguments or content): malformed JSON etc. */
  | { kind: "raw"; text: string }
  /** Hold the request open for `ms` (default: until the client gives up or the server closes). */
  | { kind: "hang"; ms?: number }
  /** An HTTP error in OpenAI's error shape. */
  | { kind: "status"; status: number; retryAfter?: string; message?: string };

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage["headers"];
  body: ChatRequestBody;
  receivedAt: number;
}

export interface ChatRequestBody {
  model?: string;
  messages?: { role: string; content: unknown }[];
  tools?: { type: string; function: { name: string; parameters?: unknown } }[];
  tool_choice?: unknown;
  response_format?: { type: string; json_schema?: { name?: string } };
  [key: string]: unknown;
}

/** What the fake does with the next transcription request. */
export type FakeTranscription =
  | { kind: "text"; text: string }
  | { kind: "hang" }
  | { kind: "status"; status: number; message?: string };

export interface AudioRequest {
  model?: string;
  language?: string;
  fileName?: string;
  fileBytes: number;
  contentType?: string;
}

export interface FakeOpenAI {
  /** Transcription requests received, with the multipart fields the SDK sent. */
  audioRequests: AudioRequest[];
  enqueueAudio(...replies: FakeTranscription[]): void;
  /** Pass as OPENAI_BASE_URL / `configuration.baseURL`. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** GET /models requests answered (health checks). */
  readonly modelListings: number;
  /** Replies served in order, one per request; then the default. */
  enqueue(...replies: FakeReply[]): void;
  setDefault(reply: FakeReply): void;
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_USAGE = { prompt_tokens: 812, completion_tokens: 64 };

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const queue: FakeReply[] = [];
  let fallbackReply: FakeReply = { kind: "status", status: 500, message: "no reply configured" };
  const requests: RecordedRequest[] = [];
  const audioQueue: FakeTranscription[] = [];
  const audioRequests: AudioRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let modelListings = 0;

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = (req.url ?? "").split("?")[0]!;
    if (req.method === "POST" && path.endsWith("/audio/transcriptions")) {
      const upload = parseMultipart(Buffer.concat(chunks), String(req.headers["content-type"] ?? ""));
      audioRequests.push(upload);
      const reply = audioQueue.shift() ?? { kind: "status", status: 500, message: "no transcription configured" };
      if (reply.kind === "hang") return; // closed by the client's abort or by close()
      if (reply.kind === "status") return sendJson(res, reply.status, { error: { message: reply.message ?? "fake", type: "server_error" } });
      if (!upload.fileBytes || !upload.model) return sendJson(res, 400, { error: { message: "file and model are required", type: "invalid_request_error" } });
      return sendJson(res, 200, { text: reply.text });
    }
    // What a health check asks (GET /models): any OpenAI-compatible server lists its models.
    if (req.method === "GET" && path.endsWith("/models")) {
      modelListings++;
      return sendJson(res, 200, { object: "list", data: [{ id: "test-model", object: "model", created: 0, owned_by: "onedoor-test" }] });
    }
    if (req.method !== "POST" || !path.endsWith("/chat/completions")) {
      return sendJson(res, 404, { error: { message: `unknown route ${req.method} ${path}`, type: "invalid_request_error" } });
    }
    let body: ChatRequestBody;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ChatRequestBody;
    } catch {
      return sendJson(res, 400, { error: { message: "body is not JSON", type: "invalid_request_error" } });
    }
    requests.push({ path, headers: req.headers, body, receivedAt: Date.now() });
    const reply = queue.shift() ?? fallbackReply;

    switch (reply.kind) {
      case "status":
        return sendJson(
          res,
          reply.status,
          { error: { message: reply.message ?? `fake status ${reply.status}`, type: reply.status === 429 ? "rate_limit_exceeded" : "server_error" } },
          reply.retryAfter !== undefined ? { "retry-after": reply.retryAfter } : {},
        );
      case "hang": {
        if (reply.ms === undefined) return; // closed by the client's abort or by close()
        const t = setTimeout(() => {
          timers.delete(t);
          if (!res.writableEnded && !res.destroyed) sendJson(res, 200, completion(body, JSON.stringify({ late: true }), DEFAULT_USAGE));
        }, reply.ms);
        timers.add(t);
        req.on("close", () => clearTimeout(t));
        return;
      }
      case "raw":
        return sendJson(res, 200, completion(body, reply.text, DEFAULT_USAGE));
      case "answer":
        return sendJson(res, 200, completion(body, JSON.stringify(reply.value), reply.usage ?? DEFAULT_USAGE));
    }
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get modelListings() {
      return modelListings;
    },
    requests,
    audioRequests,
    enqueueAudio: (...replies) => void audioQueue.push(...replies),
    enqueue: (...replies) => void queue.push(...replies),
    setDefault: (reply) => void (fallbackReply = reply),
    reset: () => {
      queue.length = 0;
      requests.length = 0;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A chat.completion answering the way the request asked: a forced tool call, or JSON content. */
function completion(body: ChatRequestBody, payload: string, usage: { prompt_tokens: number; completion_tokens: number }) {
  const forced = body.tool_choice as { function?: { name?: string } } | undefined;
  const toolName = forced?.function?.name ?? body.tools?.[0]?.function.name;
  const message = toolName
    ? {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_fake_1", type: "function", function: { name: toolName, arguments: payload } }],
        refusal: null,
      }
    : { role: "assistant", content: payload, refusal: null };
  return {
    id: `chatcmpl-fake-${Date.now()}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: body.model ?? "fake-model",
    choices: [{ index: 0, message, logprobs: null, finish_reason: toolName ? "tool_calls" : "stop" }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    system_fingerprint: "fp_fake",
  };
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** The fields of a multipart/form-data body, as a transcription server reads them. */
function parseMultipart(body: Buffer, contentType: string): AudioRequest {
  const boundary = contentType.match(/boundary=(?:"([^"]+)"|([^;]+))/)?.slice(1).find(Boolean);
  const out: AudioRequest = { fileBytes: 0, contentType };
  if (!boundary) return out;
  const text = body.toString("latin1");
  for (const part of text.split(`--${boundary}`)) {
    const sep = part.indexOf("\r\n\r\n");
    if (sep < 0) continue;
    const head = part.slice(0, sep);
    const value = part.slice(sep + 4).replace(/\r\n$/, "");
    const name = head.match(/name="([^"]+)"/)?.[1];
    if (name === "file") {
      out.fileName = head.match(/filename="([^"]*)"/)?.[1];
      out.fileBytes = Buffer.byteLength(value, "latin1");
    } else if (name === "model") out.model = value;
    else if (name === "language") out.language = value;
  }
  return out;
}

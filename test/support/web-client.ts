import type { Outbound } from "../../src/bot/messages.js";

export interface TranscriptMessage {
  id: number;
  direction: string;
  payload: Outbound & { text?: string };
}
interface TranscriptPage {
  messages: TranscriptMessage[];
  more: boolean;
  next: number;
}

/** A resident in the web chat, over the real HTTP API: what a browser sends, what it gets back. */
export class WebResident {
  last: Outbound[] = [];
  /** The browser's zone, sent with every message as the page does (Intl); unset = not sent. */
  timeZone: string | undefined;
  private seq = 0;
  private constructor(
    private base: string,
    readonly session: string,
  ) {}

  /** A session issued by the server, as the page gets one (POST /api/chat/session). */
  static async open(base: string, headers: Record<string, string> = {}): Promise<WebResident> {
    const res = await fetch(`${base}/api/chat/session`, { method: "POST", headers });
    if (res.status !== 201) throw new Error(`POST /api/chat/session: HTTP ${res.status} ${await res.text()}`);
    const { sessionId } = (await res.json()) as { sessionId: string };
    return new WebResident(base, sessionId);
  }

  async post(body: Record<string, unknown>): Promise<Outbound[]> {
    const res = await fetch(`${this.base}/api/chat/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-chat-session": this.session },
      body: JSON.stringify({ clientMessageId: `m${++this.seq}`, ...(this.timeZone ? { timeZone: this.timeZone } : {}), ...body }),
    });
    if (!res.ok) throw new Error(`POST /api/chat/messages: HTTP ${res.status} ${await res.text()}`);
    this.last = ((await res.json()) as { messages: Outbound[] }).messages;
    return this.last;
  }

  /** A file as the page sends it (POST /api/chat/files, the body is the file); `voice` for a recording made on the page. */
  async upload(bytes: Buffer, o: { mime: string; voice?: boolean; name?: string }): Promise<Outbound[]> {
    const res = await fetch(`${this.base}/api/chat/files${o.voice ? "?kind=voice" : ""}`, {
      method: "POST",
      headers: { "content-type": o.mime, "x-chat-session": this.session, "x-client-message-id": `f${++this.seq}`, ...(o.name ? { "x-file-name": o.name } : {}) },
      body: new Uint8Array(bytes),
    });
    if (!res.ok) throw new Error(`POST /api/chat/files: HTTP ${res.status} ${await res.text()}`);
    this.last = ((await res.json()) as { messages: Outbound[] }).messages;
    return this.last;
  }

  say(text: string): Promise<Outbound[]> {
    return this.post({ text });
  }

  press(label: string): Promise<Outbound[]> {
    const b = this.last.flatMap((m) => (m.kind === "text" ? (m.buttons ?? []).flat() : [])).find((x) => x.label.includes(label));
    if (!b) throw new Error(`no button "${label}" in: ${JSON.stringify(this.last)}`);
    return this.post({ button: b.data, buttonLabel: b.label });
  }

  text(): string {
    return this.last.map((m) => (m.kind === "text" ? m.text : "")).join("\n");
  }

  /** Everything the server has for this chat, as the page's reload sees it: page after page while `more`. */
  async transcript(): Promise<TranscriptMessage[]> {
    const messages: TranscriptMessage[] = [];
    this.pages = [];
    for (let after = 0; ; ) {
      const res = await fetch(`${this.base}/api/chat/messages?after=${after}`, { headers: { "x-chat-session": this.session } });
      if (!res.ok) throw new Error(`GET /api/chat/messages: HTTP ${res.status} ${await res.text()}`);
      const page = (await res.json()) as TranscriptPage;
      this.pages.push({ count: page.messages.length, bytes: Buffer.byteLength(JSON.stringify(page.messages)) });
      messages.push(...page.messages);
      if (!page.more || page.messages.length === 0) return messages;
      after = page.next;
    }
  }

  /**
   * What the server has given this chat since the last call (notices, documents, reminders as well as
   * replies); what arrived is on screen, so its buttons are the ones `press` finds next.
   */
  inbox(): () => Promise<Outbound[]> {
    let read = 0;
    return async () => {
      const out = (await this.transcript()).filter((m) => m.direction === "out").map((m) => m.payload as Outbound);
      const fresh = out.slice(read);
      read = out.length;
      this.last = fresh;
      return fresh;
    };
  }

  /** The pages the last transcript() read: how many messages, and how many bytes of them. */
  pages: { count: number; bytes: number }[] = [];
}

/** The staff API as a script or (later) the console calls it. */
export function staffApi(base: string, token?: string) {
  const headers = { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) };
  return {
    async get<T>(path: string): Promise<T> {
      const res = await fetch(`${base}${path}`, { headers });
      if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    async post<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
      const res = await fetch(`${base}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as T };
    },
  };
}

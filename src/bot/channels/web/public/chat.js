// The web chat client. Everything the server sends is shown with textContent, never as HTML.
(() => {
  "use strict";
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("input");
  const send = document.getElementById("send");
  const status = document.getElementById("status");
  const POLL_MS = 5000;
  let lastId = 0;
  let busy = false;

  const newId = () => Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");

  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: { "Content-Type": "application/json", "X-Chat-Session": session },
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw Object.assign(new Error(data.message || res.statusText), { status: res.status });
    return data;
  }

  let session = localStorage.getItem("onedoor.session");

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function bubble(direction, text) {
    const div = document.createElement("div");
    div.className = `msg ${direction}`;
    div.textContent = text;
    log.appendChild(div);
    scrollDown();
    return div;
  }

  function renderOutbound(msg) {
    if (msg.kind === "text") {
      const div = bubble("out", msg.text);
      if (msg.buttons && msg.buttons.length) {
        const box = document.createElement("div");
        box.className = "buttons";
        for (const row of msg.buttons) {
          const r = document.createElement("div");
          r.className = "row";
          for (const b of row) {
            const btn = document.createElement("button");
            btn.type = "button";
            btn.textContent = b.label;
            btn.addEventListener("click", () => press(b, box));
            r.appendChild(btn);
          }
          box.appendChild(r);
        }
        div.appendChild(box);
      }
    } else if (msg.kind === "link" || msg.kind === "file") {
      const div = bubble("out", msg.text || msg.caption || msg.name || "");
      const a = document.createElement("a");
      a.className = "link";
      a.href = msg.url;
      a.rel = "noopener";
      a.textContent = msg.kind === "file" ? `📄 ${msg.name}` : msg.url;
      div.appendChild(document.createElement("br"));
      div.appendChild(a);
    }
    scrollDown();
  }

  function renderInbound(payload) {
    const text = payload.buttonLabel || payload.text || (payload.file ? `📎 ${payload.file.name || ""}` : "");
    if (text) bubble("in", text);
  }

  function setBusy(value) {
    busy = value;
    send.disabled = value;
    status.hidden = !value;
    status.textContent = value ? "…" : "";
  }

  async function post(body, pendingText) {
    if (busy) return;
    setBusy(true);
    const pending = pendingText ? bubble("in pending", pendingText) : null;
    const clientMessageId = newId();
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const reply = await api("POST", "/api/chat/messages", { ...body, clientMessageId });
        if (pending) pending.classList.remove("pending");
        reply.messages.forEach(renderOutbound);
        if (reply.transcriptId) lastId = Math.max(lastId, reply.transcriptId);
        setBusy(false);
        return true;
      } catch (err) {
        // Retrying with the same clientMessageId is safe: the server answers a repeat once.
        if (err.status && err.status < 500) {
          if (pending) pending.classList.add("error");
          bubble("out error", err.status === 413 ? "内容太长，请分几次发送。" : "发送失败，请重试。");
          break;
        }
        await new Promise((r) => setTimeout(r, 800 * (attempt + 1)));
      }
    }
    if (pending && pending.classList.contains("pending")) {
      pending.classList.add("error");
      bubble("out error", "网络不好，消息没有发出去，请稍后再试。");
    }
    setBusy(false);
    return false;
  }

  function press(b, box) {
    if (busy) return;
    box.querySelectorAll("button").forEach((x) => (x.disabled = true));
    post({ button: b.data, buttonLabel: b.label }, b.label);
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value;
    if (!text.trim() || busy) return;
    input.value = "";
    post({ text }, text);
  });

  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });

  document.getElementById("lang").addEventListener("click", () => post({ button: "cmd:lang", buttonLabel: "中/En" }, "中/En"));

  async function poll() {
    if (!busy) {
      try {
        const { messages } = await api("GET", `/api/chat/messages?after=${lastId}`);
        for (const m of messages) {
          if (m.direction === "out") renderOutbound(m.payload);
          else renderInbound(m.payload);
          lastId = Math.max(lastId, m.id);
        }
      } catch {
        /* offline for a moment: the next poll catches up */
      }
    }
    setTimeout(poll, POLL_MS);
  }

  async function start() {
    if (!session) {
      const res = await fetch("/api/chat/session", { method: "POST" });
      session = (await res.json()).sessionId;
      localStorage.setItem("onedoor.session", session);
    }
    const { messages } = await api("GET", "/api/chat/messages?after=0");
    for (const m of messages) {
      if (m.direction === "out") renderOutbound(m.payload);
      else renderInbound(m.payload);
      lastId = Math.max(lastId, m.id);
    }
    if (messages.length === 0) await post({ button: "cmd:start" }, null);
    document.body.dataset.ready = "true";
    setTimeout(poll, POLL_MS);
  }

  start().catch(() => bubble("out error", "连接失败，请刷新页面重试。"));
})();

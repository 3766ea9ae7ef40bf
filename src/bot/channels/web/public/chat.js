// The web chat client. Everything the server sends is shown with textContent and createElement, never as HTML.
import { textParts } from "./text-parts.js";

/** The page's own words (the dialogue's come from the server), in the conversation's language. */
const CHROME = {
  "zh-CN": {
    title: "一扇门 · 矛盾纠纷在线调解",
    brand: "一扇门",
    subtitle: "矛盾纠纷在线调解",
    log: "对话",
    placeholder: "在这里输入…",
    inputLabel: "输入消息",
    send: "发送",
    attach: "发送照片或文件",
    mic: "录语音：点一下开始，再点一下发送",
    micStop: "停止录音并发送",
    lang: "English",
    langLabel: "切换到英文 Switch to English",
    copy: "复制",
    copied: "已复制",
    copyLabel: "复制案件编号",
    copyManual: "编号已选中，请长按选“复制”。",
    retry: "重发",
    sending: "正在发送…",
    uploading: "正在上传“{name}”…",
    recording: "● 正在录音 {time}，再点 ■ 发送",
    voice: "语音",
    file: "文件",
    tooLong: "内容太长，请分几次发送。",
    failed: "发送失败，请重试。",
    offline: "网络不好，没有发出去。",
    sessionLost: "连接已失效，请刷新页面。",
    sessionRenewed: "之前的对话已失效，已为您重新开始。没发出去的话已放回输入框。",
    tooFast: "发送太频繁了，请 {seconds} 秒后再试。",
    connect: "连接失败，请刷新页面重试。",
    micDenied: "无法使用麦克风。可以打字，或点 📎 发文件。",
    micShort: "录音太短。点 🎤 开始说话，说完再点一下。",
    micEmpty: "没有录到声音，请再试一次，或打字。",
  },
  en: {
    title: "OneDoor · Online dispute mediation",
    brand: "OneDoor",
    subtitle: "Online dispute mediation",
    log: "Conversation",
    placeholder: "Type here…",
    inputLabel: "Your message",
    send: "Send",
    attach: "Send a photo or file",
    mic: "Record a voice message: tap to start, tap again to send",
    micStop: "Stop recording and send",
    lang: "中文",
    langLabel: "Switch to Chinese 切换到中文",
    copy: "Copy",
    copied: "Copied",
    copyLabel: "Copy the case code",
    copyManual: "The code is selected: press and hold to copy it.",
    retry: "Retry",
    sending: "Sending…",
    uploading: "Uploading \"{name}\"…",
    recording: "● Recording {time}, tap ■ to send",
    voice: "Voice message",
    file: "File",
    tooLong: "That is too long. Please send it in parts.",
    failed: "Sending failed. Please try again.",
    offline: "Poor connection: not sent.",
    sessionLost: "The connection has expired. Please reload the page.",
    sessionRenewed: "The earlier conversation has expired, so it starts afresh. What was not sent is back in the input box.",
    tooFast: "Too many messages: please try again in {seconds} s.",
    connect: "Could not connect. Please reload the page.",
    micDenied: "The microphone cannot be used. You can type, or tap 📎 to send a file.",
    micShort: "Too short. Tap 🎤 to start speaking and tap again when done.",
    micEmpty: "Nothing was recorded. Please try again, or type.",
  },
};

const $ = (id) => document.getElementById(id);
const log = $("log");
const form = $("composer");
const input = $("input");
const send = $("send");
const status = $("status");
const attach = $("attach");
const fileInput = $("file");
const mic = $("mic");
const langButton = $("lang");
const micTimer = mic.querySelector(".timer");

const POLL_MS = 5000;
const MAX_RECORDING_MS = 120_000;
// The number of the last transcript message shown: messages are numbered 1, 2, 3 … per conversation,
// in commit order, so "after lastId" never skips one.
let lastId = 0;
let busy = false;
let locale = "zh-CN";
let statusShown = null; // { key, params }
let recording = null; // { recorder, startedAt, timer, limit }
let maxFileBytes = 20 * 1024 * 1024; // the server says its own limit on load
let session = localStorage.getItem("onedoor.session");

const t = (key, params = {}) =>
  (CHROME[locale][key] ?? CHROME["zh-CN"][key]).replace(/\{(\w+)\}/g, (_, k) => String(params[k] ?? ""));
const newId = () => Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---- language of the page chrome -------------------------------------------------------------

function applyLocale(next) {
  if (next !== "zh-CN" && next !== "en") return;
  locale = next;
  document.documentElement.lang = locale;
  document.title = t("title");
  $("brand").textContent = t("brand");
  $("subtitle").textContent = t("subtitle");
  log.setAttribute("aria-label", t("log"));
  input.placeholder = t("placeholder");
  input.setAttribute("aria-label", t("inputLabel"));
  send.textContent = t("send");
  send.setAttribute("aria-label", t("send"));
  attach.setAttribute("aria-label", t("attach"));
  attach.title = t("attach");
  langButton.textContent = t("lang");
  langButton.setAttribute("aria-label", t("langLabel"));
  for (const b of document.querySelectorAll("button.copy")) {
    b.textContent = t(b.classList.contains("done") ? "copied" : "copy");
    b.setAttribute("aria-label", t("copyLabel"));
  }
  for (const b of document.querySelectorAll("button.retry")) b.textContent = t("retry");
  showMicState();
  if (statusShown) setStatus(statusShown.key, statusShown.params);
}

function setStatus(key, params) {
  statusShown = key ? { key, params } : null;
  status.hidden = !key;
  status.classList.toggle("live", key === "recording");
  status.textContent = key ? t(key, params) : "";
}

function setBusy(value, key = "sending", params) {
  busy = value;
  send.disabled = value;
  attach.disabled = value;
  if (!recording) mic.disabled = value;
  setStatus(value ? key : null, params);
}

// ---- rendering ------------------------------------------------------------------------------

function scrollToBottom() {
  log.scrollTop = log.scrollHeight;
}

/**
 * The newest bot bubble is read from its top: a case card taller than the screen must not have its
 * code scrolled away. If it fits, it is shown whole at the bottom.
 */
function reveal(bubble) {
  if (!bubble) return;
  const gap = 8;
  if (bubble.offsetHeight + 2 * gap <= log.clientHeight) scrollToBottom();
  else log.scrollTop = bubble.offsetTop - gap;
}

function bubble(classes) {
  const div = el("div", `msg ${classes}`);
  log.appendChild(div);
  return div;
}

function userBubble(text, extra = "") {
  const div = bubble(`in ${extra}`);
  div.textContent = text;
  scrollToBottom();
  return div;
}

/** Bot text with phone numbers as tel: links and case codes kept whole. */
function appendLinked(parent, text) {
  for (const part of textParts(text)) {
    if (part.tel) {
      const a = el("a", "tel", part.text);
      a.href = `tel:${part.tel}`;
      parent.appendChild(a);
    } else if (part.code) {
      parent.appendChild(el("span", "nobreak", part.text));
    } else {
      parent.appendChild(document.createTextNode(part.text));
    }
  }
}

function codeChip(code) {
  const wrap = el("span", "codewrap");
  const span = el("span", "code", code);
  const button = el("button", "copy", t("copy"));
  button.type = "button";
  button.setAttribute("aria-label", t("copyLabel"));
  button.addEventListener("click", () => copy(code, span, button));
  wrap.append(span, button);
  return wrap;
}

function selectText(node) {
  const range = document.createRange();
  range.selectNodeContents(node);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return selection;
}

async function copy(code, span, button) {
  let copied = false;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(code);
      copied = true;
    }
  } catch {
    /* refused (no permission, not focused): the old way below */
  }
  if (!copied) {
    const selection = selectText(span);
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
    // Not copied: the code stays selected, and the resident is told how to copy it by hand.
    if (copied) selection.removeAllRanges();
    else return setStatus("copyManual");
  }
  button.classList.add("done");
  button.textContent = t("copied");
  setTimeout(() => {
    button.classList.remove("done");
    button.textContent = t("copy");
  }, 2500);
}

/** The text, with `copyText` (the case code) unbroken and copyable where it stands in it. */
function appendBotText(parent, text, copyText) {
  const at = copyText ? text.indexOf(copyText) : -1;
  if (!copyText) return appendLinked(parent, text);
  if (at < 0) {
    appendLinked(parent, `${text}\n`);
    parent.appendChild(codeChip(copyText));
    return;
  }
  appendLinked(parent, text.slice(0, at));
  parent.appendChild(codeChip(copyText));
  appendLinked(parent, text.slice(at + copyText.length));
}

/** Only web links are made clickable; anything else stays text. */
function safeHref(url) {
  try {
    const u = new URL(url, location.href);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
  } catch {
    return null;
  }
}

function renderOutbound(msg) {
  const div = bubble("out");
  if (msg.kind === "text") {
    appendBotText(div, msg.text || "", msg.copyText);
    if (msg.buttons && msg.buttons.length) {
      const box = el("div", "buttons");
      for (const row of msg.buttons) {
        const r = el("div", "row");
        for (const b of row) {
          const button = el("button", "", b.label);
          button.type = "button";
          button.addEventListener("click", () => press(b, box));
          r.appendChild(button);
        }
        box.appendChild(r);
      }
      div.appendChild(box);
    }
  } else if (msg.kind === "file" && typeof msg.ref === "string") {
    appendBotText(div, msg.caption || msg.name || "");
    showFile(div, msg);
  } else if (msg.kind === "link" || msg.kind === "file") {
    appendBotText(div, msg.text || msg.caption || msg.name || "");
    const href = safeHref(msg.url);
    if (href) {
      const a = el("a", "link", msg.kind === "file" ? `📄 ${msg.name}` : msg.url);
      a.href = href;
      a.rel = "noopener";
      div.appendChild(document.createElement("br"));
      div.appendChild(a);
    }
  }
  return div;
}

/**
 * A file the chat was sent (a QR code to show or save, a document), fetched with the session: a picture
 * is shown (as a data: URL, which the page's CSP allows), anything else is a link that saves it.
 */
async function showFile(div, msg) {
  const [folder, sha] = msg.ref.split("/");
  if (folder !== "documents" || !/^[0-9a-f]{64}$/.test(sha || "")) return;
  try {
    const res = await fetch(`/api/chat/files/documents/${sha}`, { headers: { "X-Chat-Session": session } });
    if (!res.ok) return;
    const blob = await res.blob();
    const url = await new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    });
    div.appendChild(document.createElement("br"));
    if (blob.type.startsWith("image/")) {
      const img = el("img", "file-image");
      img.src = url;
      img.alt = msg.name || "";
      img.style.maxWidth = "240px";
      img.style.width = "100%";
      div.appendChild(img);
    }
    const a = el("a", "link", `📄 ${msg.name || t("file")}`);
    a.href = url;
    a.download = msg.name || "file";
    div.appendChild(document.createElement("br"));
    div.appendChild(a);
  } catch {
    /* offline for a moment: the text above still says what it is */
  }
}

function inboundLabel(p) {
  if (p.file) return p.file.kind === "voice" ? `🎤 ${t("voice")}` : `📎 ${p.file.name || t("file")}`;
  if (p.fileRefused) return `📎 ${t("file")}`;
  return p.buttonLabel || p.text || "";
}

/** A transcript page rendered; the newest bot bubble, if any. */
function renderEntries(entries) {
  let newest = null;
  for (const m of entries) {
    if (m.direction === "out") newest = renderOutbound(m.payload);
    else {
      const label = inboundLabel(m.payload);
      if (label) userBubble(label);
    }
    lastId = Math.max(lastId, m.id);
  }
  return newest;
}

function failure(pending, key, retry, params) {
  if (pending) {
    pending.classList.remove("pending");
    pending.classList.add("error");
  }
  const div = bubble("out error");
  div.textContent = t(key, params);
  if (retry) {
    const box = el("div", "buttons");
    const row = el("div", "row");
    const button = el("button", "retry", t("retry"));
    button.type = "button";
    button.addEventListener("click", () => {
      if (busy) return;
      div.remove();
      pending?.classList.remove("error");
      pending?.classList.add("pending");
      retry();
    });
    row.appendChild(button);
    box.appendChild(row);
    div.appendChild(box);
  }
  reveal(div);
}

// ---- talking to the server ------------------------------------------------------------------

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { "Content-Type": "application/json", "X-Chat-Session": session },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(data.message || res.statusText), { status: res.status, retryAfter: retryAfterOf(res, data) });
  return data;
}

/** Seconds a refused (429) request should wait, from Retry-After or the body. */
function retryAfterOf(res, data) {
  const s = Number(res.headers.get("Retry-After") ?? data?.retryAfter);
  return Number.isFinite(s) && s > 0 ? Math.ceil(s) : 5;
}

async function showReply(reply) {
  if (reply.locale) applyLocale(reply.locale);
  // A repeat (the first answer was lost on the way): the transcript has it all, once; show that.
  if (!reply.transcriptId) return reload();
  // The turn wrote our message and its replies as the numbers up to transcriptId. A number before them
  // that we have not shown (a notice that came after the last poll) is shown in its place by a reload.
  const first = reply.transcriptId - (reply.messages || []).length;
  if (first > lastId + 1) return reload();
  let last = null;
  for (const m of reply.messages || []) last = renderOutbound(m);
  lastId = Math.max(lastId, reply.transcriptId);
  reveal(last);
}

/**
 * Sends one message or file: retried on a bad connection with the same client message id (the server
 * answers a repeat once), and, if it still fails, a button to try again. Never a dead end.
 */
async function deliver(request, pending, statusKey, statusParams, unsent) {
  if (busy) return false;
  setBusy(true, statusKey, statusParams);
  let renewed = false;
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      let res;
      try {
        res = await request();
      } catch {
        await sleep(800 * (attempt + 1));
        continue;
      }
      const data = await res.json().catch(() => ({}));
      if (res.ok) {
        pending?.classList.remove("pending");
        await showReply(data);
        return true;
      }
      if (res.status === 429) {
        // Refused for now: a short wait is waited out, a long one is said, with a button to try again.
        const seconds = retryAfterOf(res, data);
        if (seconds <= 3 && attempt < 2) {
          await sleep(seconds * 1000);
          continue;
        }
        failure(pending, "tooFast", () => deliver(request, pending, statusKey, statusParams, unsent), { seconds });
        return false;
      }
      if (res.status === 401 && !renewed) {
        // The server does not know this session (expired, or from elsewhere): a new one, never a dead end.
        renewed = true;
        pending?.remove();
        await restart();
        if (unsent) {
          input.value = unsent;
          fitInput();
        }
        note("sessionRenewed");
        return false;
      }
      if (res.status < 500 && res.status !== 408) {
        // Sending the same again would get the same answer: say what is wrong instead.
        failure(pending, res.status === 413 ? "tooLong" : res.status === 401 ? "sessionLost" : "failed");
        return false;
      }
      await sleep(800 * (attempt + 1));
    }
    failure(pending, "offline", () => deliver(request, pending, statusKey, statusParams));
    return false;
  } finally {
    setBusy(false);
  }
}

/** The phone's own zone: a worker abroad first sees times in it (the chat can still change it). */
function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}

function post(body, pendingText, unsent) {
  const pending = pendingText ? userBubble(pendingText, "pending") : null;
  const clientMessageId = newId();
  return deliver(
    () =>
      fetch("/api/chat/messages", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Chat-Session": session },
        body: JSON.stringify({ ...body, clientMessageId, timeZone: browserZone() }),
      }),
    pending,
    undefined,
    undefined,
    unsent,
  );
}

/**
 * A file goes as the raw body. One over the limit is not uploaded at all (a phone's data is dear): the
 * server is told its size and the dialogue says why it cannot take it.
 */
function upload(blob, { name, voice, label }) {
  const pending = userBubble(label, "pending");
  const clientMessageId = newId();
  const tooLarge = blob.size > maxFileBytes;
  const headers = {
    "X-Chat-Session": session,
    "Content-Type": blob.type || "application/octet-stream",
    "X-Client-Message-Id": clientMessageId,
  };
  if (name) headers["X-File-Name"] = encodeURIComponent(name);
  if (tooLarge) headers["X-File-Size"] = String(blob.size);
  return deliver(
    () => fetch(`/api/chat/files${voice ? "?kind=voice" : ""}`, { method: "POST", headers, body: tooLarge ? "" : blob }),
    pending,
    "uploading",
    { name: name || t("voice") },
  );
}

function press(b, box) {
  if (busy) return;
  box.querySelectorAll("button").forEach((x) => (x.disabled = true));
  post({ button: b.data, buttonLabel: b.label }, b.label).then((ok) => {
    // Not delivered: the choice can be made again.
    if (!ok) box.querySelectorAll("button").forEach((x) => (x.disabled = false));
  });
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  const text = input.value;
  if (!text.trim() || busy) return;
  input.value = "";
  fitInput();
  post({ text }, text, text);
});

input.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    form.requestSubmit();
  }
});

function fitInput() {
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight + 2, Math.round(window.innerHeight * 0.3))}px`;
}
input.addEventListener("input", fitInput);

langButton.addEventListener("click", () => {
  const target = locale === "en" ? "lang:zh-CN" : "lang:en";
  post({ button: target, buttonLabel: t("lang") }, t("lang"));
});

// ---- files ----------------------------------------------------------------------------------

attach.addEventListener("click", () => {
  if (!busy) fileInput.click();
});

fileInput.addEventListener("change", async () => {
  const files = Array.from(fileInput.files || []);
  fileInput.value = ""; // the same file can be picked again
  for (const f of files) {
    if (!(await upload(f, { name: f.name, label: `📎 ${f.name}` }))) break;
  }
});

// ---- voice ----------------------------------------------------------------------------------

const canRecord = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder);

const clock = (ms) => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};

function showMicState() {
  mic.hidden = !canRecord;
  mic.classList.toggle("recording", !!recording);
  mic.setAttribute("aria-pressed", recording ? "true" : "false");
  mic.setAttribute("aria-label", t(recording ? "micStop" : "mic"));
  mic.title = t(recording ? "micStop" : "mic");
  micTimer.textContent = recording ? clock(Date.now() - recording.startedAt) : "";
}

function note(key) {
  const div = bubble("out note");
  div.textContent = t(key);
  reveal(div);
}

async function startRecording() {
  if (busy || recording) return;
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch {
    return note("micDenied");
  }
  const type = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"].find(
    (x) => typeof MediaRecorder.isTypeSupported === "function" && MediaRecorder.isTypeSupported(x),
  );
  let recorder;
  try {
    recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
  } catch {
    stream.getTracks().forEach((track) => track.stop());
    return note("micDenied");
  }
  const chunks = [];
  const startedAt = Date.now();
  recorder.addEventListener("dataavailable", (e) => {
    if (e.data && e.data.size) chunks.push(e.data);
  });
  recorder.addEventListener("stop", () => {
    stream.getTracks().forEach((track) => track.stop());
    const ms = Date.now() - startedAt;
    const blob = new Blob(chunks, { type: recorder.mimeType || type || "audio/webm" });
    if (ms < 700) return note("micShort");
    if (blob.size === 0) return note("micEmpty");
    const ext = /ogg/.test(blob.type) ? "ogg" : /mp4|aac/.test(blob.type) ? "m4a" : "webm";
    upload(blob, { voice: true, name: `${t("voice")}.${ext}`, label: `🎤 ${t("voice")} ${clock(ms)}` });
  });
  recorder.start();
  recording = {
    recorder,
    startedAt,
    timer: setInterval(() => {
      showMicState();
      setStatus("recording", { time: clock(Date.now() - startedAt) });
    }, 250),
    limit: setTimeout(stopRecording, MAX_RECORDING_MS),
  };
  showMicState();
  setStatus("recording", { time: clock(0) });
}

function stopRecording() {
  const r = recording;
  if (!r) return;
  recording = null;
  clearInterval(r.timer);
  clearTimeout(r.limit);
  setStatus(null);
  showMicState();
  r.recorder.stop();
}

mic.addEventListener("click", () => (recording ? stopRecording() : startRecording()));

// ---- start, reload, poll --------------------------------------------------------------------

/** The whole transcript, page by page (the server says `more` while there is more); its language and file limit with it. */
async function loadAll() {
  let newest = null;
  for (;;) {
    const page = await api("GET", `/api/chat/messages?after=${lastId}`);
    if (page.locale) applyLocale(page.locale);
    if (page.maxFileBytes) maxFileBytes = page.maxFileBytes;
    newest = renderEntries(page.messages) ?? newest;
    if (!page.more || page.messages.length === 0) return { newest, empty: lastId === 0 };
  }
}

async function reload() {
  log.replaceChildren();
  lastId = 0;
  const { newest } = await loadAll();
  reveal(newest ?? log.lastElementChild);
}

async function poll() {
  if (!busy) {
    try {
      const before = lastId;
      const { newest } = await loadAll();
      if (lastId !== before) reveal(newest ?? log.lastElementChild);
    } catch (err) {
      // A session the server no longer knows: a new one. Otherwise offline for a moment (or asked to
      // slow down): the next poll catches up.
      if (err.status === 401) await restart().catch(() => undefined);
    }
  }
  setTimeout(poll, POLL_MS);
}

/** A session from the server (the browser keeps its token); only the server's are taken. */
async function newSession() {
  const data = await api("POST", "/api/chat/session");
  session = data.sessionId;
  localStorage.setItem("onedoor.session", session);
}

/** The transcript, or, for a session the server does not know, a new session and a fresh start. */
async function openChat() {
  if (!session) await newSession();
  let loaded;
  try {
    loaded = await loadAll();
  } catch (err) {
    if (err.status !== 401) throw err;
    await newSession(); // a stored session the server does not take: start afresh
    log.replaceChildren();
    lastId = 0;
    loaded = await loadAll();
  }
  reveal(loaded.newest ?? log.lastElementChild);
  // Opened from an invitation (/?start=r_…): the payload goes with a first message, once; a reload does not send it again.
  const startPayload = takeStartPayload();
  if (startPayload) await post({ button: "cmd:start", startPayload }, null);
  else if (loaded.empty) await post({ button: "cmd:start" }, null);
}

/** The `start` parameter of the page's address (a deep link), removed from the address once read. */
function takeStartPayload() {
  const params = new URLSearchParams(location.search);
  const payload = params.get("start");
  if (!payload) return null;
  params.delete("start");
  const rest = params.toString();
  history.replaceState(null, "", `${location.pathname}${rest ? `?${rest}` : ""}${location.hash}`);
  return /^[A-Za-z0-9_-]{1,64}$/.test(payload) ? payload : null;
}

/** Starts afresh on a new session (the old one was refused). */
async function restart() {
  session = null;
  log.replaceChildren();
  lastId = 0;
  setBusy(false);
  await openChat();
}

/** Could not open the chat: say why, with a button to try again (too many new chats from this network, or offline). */
function openFailed(err) {
  const div = bubble("out error");
  div.textContent = err?.status === 429 ? t("tooFast", { seconds: err.retryAfter }) : t("connect");
  const box = el("div", "buttons");
  const row = el("div", "row");
  const button = el("button", "retry", t("retry"));
  button.type = "button";
  button.addEventListener("click", () => {
    div.remove();
    openChat().then(ready, openFailed);
  });
  row.appendChild(button);
  box.appendChild(row);
  div.appendChild(box);
  reveal(div);
}

let polling = false;
function ready() {
  document.body.dataset.ready = "true";
  if (!polling) {
    polling = true;
    setTimeout(poll, POLL_MS);
  }
}

showMicState();
openChat().then(ready, openFailed);

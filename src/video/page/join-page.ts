// The join page's script, bundled with livekit-client by esbuild (src/video/page-bundle.ts): no CDN.
// It runs in phone browsers and in Telegram's and WeChat's in-app browsers, so it uses only
// getUserMedia, Web Audio and WebRTC (through livekit-client), and says plainly when one is refused.
import { DisconnectReason, Room, RoomEvent, Track, type RemoteTrack } from "livekit-client";
import { countdownText, disconnectOutcome } from "./outcomes.js";

interface Boot {
  locale: "zh-CN" | "en";
  texts: Record<string, string>;
  tokenPath: string;
  opensAt: string;
  startsAt: string;
  endsAt: string;
  /** The server's clock when it rendered the page: the countdown follows the server, not the phone. */
  now: string;
  windowMinutes: number;
}

const boot = JSON.parse(document.getElementById("boot")!.textContent!) as Boot;
const tx = (key: string, params: Record<string, string | number> = {}) =>
  (boot.texts[key] ?? key).replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

let skew = new Date(boot.now).getTime() - Date.now();
const serverNow = () => Date.now() + skew;
let opensAt = new Date(boot.opensAt).getTime();
const endsAt = new Date(boot.endsAt).getTime();

const timeFormat = new Intl.DateTimeFormat(boot.locale, {
  month: "long", day: "numeric", weekday: "short", hour: "2-digit", minute: "2-digit", hour12: false,
});
const shortTime = new Intl.DateTimeFormat(boot.locale, { hour: "2-digit", minute: "2-digit", hour12: false });
const when = (ms: number) => timeFormat.format(new Date(ms));

const SCREENS = ["wait", "check", "room", "notice"] as const;
type Screen = (typeof SCREENS)[number];
function show(screen: Screen): void {
  for (const s of SCREENS) $(s).hidden = s !== screen;
  document.body.dataset.screen = screen;
}

function notice(text: string, action?: { label: string; run: () => void }): void {
  stopPreview();
  $("notice-text").textContent = text;
  const button = $<HTMLButtonElement>("notice-action");
  button.hidden = !action;
  if (action) {
    button.textContent = action.label;
    button.onclick = action.run;
  }
  show("notice");
}

// ---- countdown ----------------------------------------------------------------------------------

$("starts").textContent = tx("startsAt", { time: when(new Date(boot.startsAt).getTime()) });
let ticking: number | undefined;
function tick(): void {
  const left = opensAt - serverNow();
  if (left <= 0) {
    window.clearInterval(ticking);
    ticking = undefined;
    updateEnter();
    if (!$("wait").hidden) void openCheck();
    return;
  }
  $("countdown").textContent = countdownText(new Date(boot.startsAt).getTime() - serverNow(), boot.locale === "en" ? "d" : "天");
  $("opens").textContent = tx("opensAt", { time: when(opensAt), minutes: boot.windowMinutes });
  updateEnter();
}
function startCountdown(): void {
  tick();
  if (opensAt > serverNow() && ticking === undefined) ticking = window.setInterval(tick, 1000);
}

// ---- camera and microphone check ----------------------------------------------------------------

let stream: MediaStream | undefined;
let audioContext: AudioContext | undefined;
let meterFrame: number | undefined;

function stopPreview(keepTracks = false): void {
  if (meterFrame !== undefined) cancelAnimationFrame(meterFrame);
  meterFrame = undefined;
  void audioContext?.close().catch(() => undefined);
  audioContext = undefined;
  if (!keepTracks) stream?.getTracks().forEach((t) => t.stop());
  if (!keepTracks) stream = undefined;
}

function meter(s: MediaStream): void {
  const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Ctx || s.getAudioTracks().length === 0) return;
  audioContext = new Ctx();
  const analyser = audioContext.createAnalyser();
  analyser.fftSize = 512;
  audioContext.createMediaStreamSource(s).connect(analyser);
  const data = new Uint8Array(analyser.fftSize);
  const bar = $("level");
  const loop = () => {
    analyser.getByteTimeDomainData(data);
    let peak = 0;
    for (const v of data) peak = Math.max(peak, Math.abs(v - 128));
    const level = Math.min(100, Math.round((peak / 128) * 160));
    bar.style.width = `${level}%`;
    bar.parentElement!.setAttribute("aria-valuenow", String(level));
    meterFrame = requestAnimationFrame(loop);
  };
  loop();
  // Safari and some in-app browsers start an AudioContext suspended until a tap.
  if (audioContext.state === "suspended") document.addEventListener("click", () => void audioContext?.resume(), { once: true });
}

function deviceMessage(text: string, failed: boolean): void {
  const msg = $("device-msg");
  msg.textContent = text;
  msg.classList.toggle("error", failed);
  $("device-help").hidden = !failed;
  $("retry-devices").hidden = !failed;
  $("enter-without").hidden = !failed;
  $("enter").hidden = failed;
  // Without a camera there is nothing to preview: the message moves up where it is seen.
  if (failed) $("preview").hidden = true;
  $("meter").hidden = failed;
}

async function openCheck(): Promise<void> {
  show("check");
  updateEnter();
  if (stream) return;
  if (!navigator.mediaDevices?.getUserMedia) {
    deviceMessage(tx("deviceMissing"), true);
    return;
  }
  deviceMessage(tx("deviceAsking"), false);
  const audio = { echoCancellation: true, noiseSuppression: true };
  try {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio, video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } } });
    } catch (err) {
      // No camera (or none that fits): the microphone alone is enough to take part.
      if ((err as DOMException).name !== "NotFoundError" && (err as DOMException).name !== "OverconstrainedError") throw err;
      stream = await navigator.mediaDevices.getUserMedia({ audio });
    }
  } catch (err) {
    const name = (err as DOMException).name;
    deviceMessage(tx(name === "NotFoundError" ? "deviceMissing" : "deviceDenied"), true);
    return;
  }
  const preview = $<HTMLVideoElement>("preview");
  preview.srcObject = stream;
  preview.hidden = stream.getVideoTracks().length === 0;
  void preview.play().catch(() => undefined);
  meter(stream);
  deviceMessage(tx("checkHint"), false);
}

function updateEnter(): void {
  const open = serverNow() >= opensAt;
  const enter = $<HTMLButtonElement>("enter");
  enter.disabled = !open;
  enter.textContent = open ? tx("enter") : tx("enterAt", { time: shortTime.format(new Date(opensAt)) });
  $<HTMLButtonElement>("enter-without").disabled = !open;
}

// ---- the room -----------------------------------------------------------------------------------

let room: Room | undefined;
let leaving = false;

function roomMessage(): void {
  if (!room) return;
  const n = room.remoteParticipants.size + 1;
  $("room-msg").textContent = n === 1 ? tx("waitingOthers") : tx("inRoom", { n });
}

function attach(track: RemoteTrack, participantSid: string): void {
  const el = track.attach();
  el.dataset.participant = participantSid;
  if (track.kind === Track.Kind.Video) {
    (el as HTMLVideoElement).playsInline = true;
    el.className = "remote";
    $("stage").appendChild(el);
  } else {
    el.hidden = true;
    document.body.appendChild(el);
  }
}

async function enter(withDevices: boolean): Promise<void> {
  const enterButton = $<HTMLButtonElement>("enter");
  enterButton.disabled = true;
  let answer: { url?: string; token?: string; error?: string; message?: string; opensAt?: string; now?: string };
  try {
    const res = await fetch(boot.tokenPath, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    answer = (await res.json()) as typeof answer;
  } catch {
    notice(tx("connectFailed"), { label: tx("retry"), run: () => void enter(withDevices) });
    return;
  }
  if (!answer.token || !answer.url) {
    if (answer.error === "TOO_EARLY" && answer.opensAt && answer.now) {
      // The phone's clock or the session moved: follow the server.
      skew = new Date(answer.now).getTime() - Date.now();
      opensAt = new Date(answer.opensAt).getTime();
      show("wait");
      startCountdown();
      return;
    }
    const retryable = answer.error === "UPSTREAM";
    notice(answer.message ?? tx("error"), retryable ? { label: tx("retry"), run: () => void enter(withDevices) } : undefined);
    return;
  }

  show("room");
  $("room-msg").textContent = tx("connecting");
  stopPreview(true);
  const r = new Room({ adaptiveStream: true, dynacast: true });
  room = r;
  leaving = false;
  r.on(RoomEvent.TrackSubscribed, (track, _pub, participant) => attach(track, participant.sid));
  r.on(RoomEvent.TrackUnsubscribed, (track) => track.detach().forEach((el) => el.remove()));
  r.on(RoomEvent.ParticipantConnected, roomMessage);
  r.on(RoomEvent.ParticipantDisconnected, roomMessage);
  r.on(RoomEvent.AudioPlaybackStatusChanged, () => ($("audio-blocked").hidden = r.canPlaybackAudio));
  r.on(RoomEvent.Disconnected, (reason?: DisconnectReason) => {
    room = undefined;
    document.querySelectorAll("#stage video, audio").forEach((el) => el.remove());
    const outcome = leaving ? "left" : disconnectOutcome(reason === undefined ? undefined : DisconnectReason[reason]);
    if (outcome === "left") notice(tx("left"), { label: tx("rejoin"), run: () => void rejoin() });
    else if (outcome === "takenOver") notice(tx("takenOver"), { label: tx("takeBack"), run: () => void rejoin() });
    else if (outcome === "roomClosed") notice(tx("roomClosed"));
    else notice(tx("connectFailed"), { label: tx("retry"), run: () => void rejoin() });
  });
  try {
    await r.connect(answer.url, answer.token);
  } catch {
    room = undefined;
    r.removeAllListeners();
    notice(tx("connectFailed"), { label: tx("retry"), run: () => void rejoin() });
    return;
  }
  roomMessage();
  const self = $<HTMLVideoElement>("self");
  if (withDevices && stream) {
    for (const track of stream.getTracks()) {
      await r.localParticipant.publishTrack(track, { source: track.kind === "video" ? Track.Source.Camera : Track.Source.Microphone }).catch(() => undefined);
    }
    self.srcObject = stream;
    self.hidden = stream.getVideoTracks().length === 0;
    void self.play().catch(() => undefined);
  } else {
    self.hidden = true;
  }
  controls(withDevices && !!stream);
}

function controls(publishing: boolean): void {
  const mic = $<HTMLButtonElement>("mic");
  const cam = $<HTMLButtonElement>("cam");
  mic.hidden = cam.hidden = !publishing;
  mic.textContent = tx("mute");
  cam.textContent = tx("camOff");
  mic.onclick = async () => {
    const on = !room?.localParticipant.isMicrophoneEnabled;
    await room?.localParticipant.setMicrophoneEnabled(on);
    mic.textContent = tx(on ? "mute" : "unmute");
    mic.setAttribute("aria-pressed", String(!on));
  };
  cam.onclick = async () => {
    const on = !room?.localParticipant.isCameraEnabled;
    await room?.localParticipant.setCameraEnabled(on);
    cam.textContent = tx(on ? "camOff" : "camOn");
    cam.setAttribute("aria-pressed", String(!on));
  };
}

async function rejoin(): Promise<void> {
  show("check");
  await openCheck();
  if (serverNow() >= opensAt) await enter(!!stream);
}

// ---- wiring -------------------------------------------------------------------------------------

$("check-early").onclick = () => void openCheck();
$("enter").onclick = () => void enter(true);
$("enter-without").onclick = () => {
  stopPreview();
  void enter(false);
};
$("retry-devices").onclick = () => {
  stopPreview();
  void openCheck();
};
$("leave").onclick = () => {
  leaving = true;
  void room?.disconnect();
};
$("audio-blocked").onclick = () => void room?.startAudio();
window.addEventListener("pagehide", () => void room?.disconnect());

if (serverNow() >= endsAt) notice(tx("ended", { time: when(endsAt) }));
else if (serverNow() < opensAt) {
  show("wait");
  startCountdown();
} else void openCheck();

import express, { type Router } from "express";
import type { Locale } from "../i18n/index.js";
import { isAppError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import { issueJoinToken, joinStatus, type JoinDeps, type JoinStatus } from "../video/join-session.js";
import { joinText, JOIN_TEXTS, type JoinTextKey } from "../video/join.texts.js";
import { joinPageScript, joinPageStyles } from "../video/page-bundle.js";
import { recordVideoEvent } from "../video/record-video-event.js";
import { escapeHtml, localeOf, pageShell } from "./page.js";

export interface VideoRouterDeps {
  join: JoinDeps;
  /** The centre's time zone: times the server writes into a page or an answer. */
  zone: string;
  logger: Logger;
}

const TOKEN = /^[A-Za-z0-9_-]{2,2048}\.[A-Za-z0-9_-]{43}$/;

type Refusal = Exclude<JoinStatus, { kind: "open" }>;

/** Each state a link can be in that ends on the page: its HTTP status, error code and words. */
const REFUSALS: Record<Refusal["kind"], { status: number; error: string; text: JoinTextKey }> = {
  invalid: { status: 400, error: "LINK_INVALID", text: "invalid" },
  expired: { status: 410, error: "LINK_EXPIRED", text: "expired" },
  unknown: { status: 404, error: "NOT_FOUND", text: "unknown" },
  video_off: { status: 409, error: "VIDEO_NOT_USED", text: "videoOff" },
  cancelled: { status: 409, error: "SESSION_CANCELLED", text: "cancelled" },
  not_booked: { status: 409, error: "NOT_BOOKED", text: "notBooked" },
  ended: { status: 410, error: "SESSION_ENDED", text: "ended" },
  early: { status: 409, error: "TOO_EARLY", text: "tooEarly" },
};

/** "11月23日周一 11:00（北京时间）" / "Mon, November 23 at 11:00 (Beijing time)": the centre's zone, named. */
function formatTime(at: Date, locale: Locale, zone: string): string {
  const time = new Intl.DateTimeFormat(locale, { timeZone: zone, month: "long", day: "numeric", weekday: "short", hour: "2-digit", minute: "2-digit", hour12: false }).format(at);
  const name =
    zone === "Asia/Shanghai"
      ? locale === "en" ? "Beijing time" : "北京时间"
      : (new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: "short" }).formatToParts(at).find((p) => p.type === "timeZoneName")?.value ?? zone);
  return locale === "en" ? `${time} (${name})` : `${time}（${name}）`;
}

function refusalText(status: Refusal, locale: Locale, centreZone: string): string {
  const spec = REFUSALS[status.kind];
  // A party abroad reads every time in their own zone.
  const zone = ("view" in status && status.view.participant.timeZone) || centreZone;
  if (status.kind === "ended") return joinText(locale, "ended", { time: formatTime(status.endsAt, locale, zone) });
  if (status.kind === "early") return joinText(locale, "tooEarly", { time: formatTime(status.opensAt, locale, zone) });
  return joinText(locale, spec.text);
}

/**
 * The video routes: the join page and its token (`/join/:token`), the page's assets, and LiveKit's
 * webhook (`/livekit/webhook`, only when LiveKit is configured). Mount before any JSON body parser:
 * the webhook's signature covers the raw bytes.
 */
export function createVideoRouter(deps: VideoRouterDeps): Router {
  const router = express.Router();
  const { join, zone, logger } = deps;
  const video = join.video;
  // The browser connects to LiveKit over WebSocket and, when that fails, asks its HTTP side why.
  const livekitOrigins = video ? [new URL(video.clientUrl).origin.replace(/^http/, "ws"), new URL(video.clientUrl.replace(/^ws/, "http")).origin] : [];
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    `connect-src 'self' ${livekitOrigins.join(" ")}`.trim(),
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");

  router.get("/join-assets/join.js", async (_req, res, next) => {
    try {
      const body = await joinPageScript();
      res.type("application/javascript").setHeader("Cache-Control", "no-cache");
      res.send(body);
    } catch (err) {
      next(err);
    }
  });
  router.get("/join-assets/join.css", async (_req, res, next) => {
    try {
      res.type("text/css").setHeader("Cache-Control", "no-cache");
      res.send(await joinPageStyles());
    } catch (err) {
      next(err);
    }
  });

  router.get("/join/:token", async (req, res, next) => {
    try {
      const locale = localeOf(req);
      const token = req.params.token;
      const status: JoinStatus = TOKEN.test(token) ? await joinStatus(join, { token }) : { kind: "invalid" };
      res.setHeader("Content-Security-Policy", csp);
      // The link is the capability: nothing keeps a copy of the page, nothing tells another site its address.
      res.setHeader("Cache-Control", "no-store");
      const httpStatus = status.kind === "open" || status.kind === "early" ? 200 : REFUSALS[status.kind].status;
      res.status(httpStatus).type("html").send(renderPage({ status, locale, zone, token, windowMinutes: join.windowMinutes, now: join.clock.now(), path: req.path }));
    } catch (err) {
      next(err);
    }
  });

  router.post("/join/:token/token", async (req, res, next) => {
    const locale = localeOf(req);
    res.setHeader("Cache-Control", "no-store");
    const token = req.params.token;
    try {
      const result = TOKEN.test(token) ? await issueJoinToken(join, { token }) : ({ kind: "invalid" } as const);
      if (result.kind === "token") {
        res.json({ url: result.url, token: result.token, identity: result.identity, room: result.room, endsAt: result.endsAt.toISOString() });
        return;
      }
      if (result.kind === "video_down") {
        // The page offers to try again; the mediator has been told and will get in touch meanwhile.
        res.status(503).setHeader("Retry-After", "30").json({ error: "UPSTREAM", message: joinText(locale, "videoDown") });
        return;
      }
      const spec = REFUSALS[result.kind];
      res.status(spec.status).json({
        error: spec.error,
        message: refusalText(result, locale, zone),
        ...("opensAt" in result
          ? { opensAt: result.opensAt.toISOString(), startsAt: result.startsAt.toISOString(), endsAt: result.endsAt.toISOString(), now: join.clock.now().toISOString() }
          : {}),
      });
    } catch (err) {
      if (isAppError(err, "UPSTREAM")) {
        logger.warn({ err }, "LiveKit did not answer while a participant was joining");
        res.status(502).json({ error: "UPSTREAM", message: joinText(locale, "upstream") });
        return;
      }
      next(err);
    }
  });

  if (video) {
    router.post("/livekit/webhook", express.raw({ type: () => true, limit: "1mb" }), async (req, res, next) => {
      try {
        const raw = Buffer.isBuffer(req.body) ? req.body.toString("utf8") : "";
        let event;
        try {
          event = await video.receiveWebhook(raw, req.get("authorization"));
        } catch (err) {
          if (isAppError(err, "UNAUTHORIZED")) {
            logger.warn({ reason: err.message }, "LiveKit webhook with a bad signature refused");
            res.status(401).json({ error: "UNAUTHORIZED", message: "bad webhook signature" });
            return;
          }
          throw err;
        }
        const outcome = await recordVideoEvent({ sql: join.sql, clock: join.clock }, event);
        res.json({ ok: true, ...outcome });
      } catch (err) {
        next(err);
      }
    });
  }
  return router;
}

interface PageInput {
  status: JoinStatus;
  locale: Locale;
  zone: string;
  token: string;
  windowMinutes: number;
  now: Date;
  path: string;
}

function renderPage(p: PageInput): string {
  const { status, locale } = p;
  const t = (key: JoinTextKey, params: Record<string, string | number> = {}) => escapeHtml(joinText(locale, key, params));
  const other: Locale = locale === "en" ? "zh-CN" : "en";
  const view = "view" in status ? status.view : undefined;
  const info = view
    ? `<section class="card info">
      <p>${t("caseCode")} <span class="code">${escapeHtml(view.session.caseCode)}</span></p>
      <p>${t("you", { role: joinText(locale, `role.${view.participant.role}` as JoinTextKey) })}${view.participant.name ? ` · ${escapeHtml(view.participant.name)}` : ""}</p>
      <p id="starts">${t("startsAt", { time: formatTime(view.session.startsAt, locale, view.participant.timeZone ?? p.zone) })}</p>
    </section>`
    : "";
  let body: string;
  if (status.kind === "open" || status.kind === "early") {
    const boot = {
      locale,
      texts: JOIN_TEXTS[locale],
      tokenPath: `/join/${p.token}/token?lang=${encodeURIComponent(locale)}`,
      opensAt: status.opensAt.toISOString(),
      startsAt: status.startsAt.toISOString(),
      endsAt: status.endsAt.toISOString(),
      now: p.now.toISOString(),
      windowMinutes: p.windowMinutes,
    };
    // JSON in a data block is not run (the CSP allows no inline script); "<" is escaped so it cannot end the block.
    const bootJson = JSON.stringify(boot).replace(/</g, "\\u003c");
    body = `${info}
    <section id="wait" class="card" hidden>
      <p>${t("countdown")}</p>
      <p id="countdown" class="countdown" role="timer" aria-live="off"></p>
      <p id="opens"></p>
      <button id="check-early" type="button">${t("checkEarly")}</button>
    </section>
    <section id="check" class="card" hidden>
      <p><strong>${t("checkTitle")}</strong></p>
      <video id="preview" playsinline autoplay muted></video>
      <div id="meter">
        <div class="meter" role="meter" aria-label="${t("micLevel")}" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0"><div id="level"></div></div>
        <p class="label">${t("micLevel")}</p>
      </div>
      <p id="device-msg" role="status"></p>
      <p id="device-help" class="label" hidden>${t("inAppHint")}</p>
      <button id="enter" class="primary" type="button" disabled>${t("enter")}</button>
      <button id="retry-devices" type="button" hidden>${t("retry")}</button>
      <button id="enter-without" type="button" hidden>${t("enterWithout")}</button>
    </section>
    <section id="room" hidden>
      <div id="stage"></div>
      <video id="self" playsinline autoplay muted hidden></video>
      <p id="room-msg" class="card" role="status"></p>
      <button id="audio-blocked" class="primary" type="button" hidden>${t("audioBlocked")}</button>
      <div class="controls">
        <button id="mic" type="button" aria-pressed="false" hidden>${t("mute")}</button>
        <button id="cam" type="button" aria-pressed="false" hidden>${t("camOff")}</button>
        <button id="leave" type="button">${t("leave")}</button>
      </div>
    </section>
    <section id="notice" class="card" hidden>
      <p id="notice-text" class="notice" role="alert"></p>
      <button id="notice-action" class="primary" type="button" hidden></button>
    </section>
    <script id="boot" type="application/json">${bootJson}</script>
    <script src="/join-assets/join.js" defer></script>`;
  } else {
    body = `${info}
    <section class="card"><p class="notice" role="alert">${escapeHtml(refusalText(status, locale, p.zone))}</p></section>`;
  }
  return pageShell({
    locale,
    title: joinText(locale, "title"),
    brand: joinText(locale, "brand"),
    langHref: `${p.path}?lang=${other}`,
    lang: joinText(locale, "lang"),
    langLabel: joinText(locale, "langLabel"),
    state: status.kind,
    body,
  });
}

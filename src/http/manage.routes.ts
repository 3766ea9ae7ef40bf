import express, { type Router } from "express";
import { modeText } from "../bot/flows/booking/booking.messages.js";
import { whenLabel, zoneLabel } from "../bot/flows/booking/slot-labels.js";
import type { SecretStore } from "../db/secrets.js";
import type { Locale } from "../i18n/index.js";
import { isAppError } from "../lib/errors.js";
import { cancelSession, confirmSession, holdSlot } from "../scheduling/book-session.js";
import type { SchedulingDeps } from "../scheduling/deps.js";
import { findSlots } from "../scheduling/find-slots.js";
import { manageState, readManageToken, type ManageState } from "../scheduling/manage-link.js";
import { manageText, type ManageTextKey } from "./manage.texts.js";
import { escapeHtml, localeOf, pageShell } from "./page.js";

export interface ManageRouterDeps {
  scheduling: SchedulingDeps;
  secrets: SecretStore;
}

const TOKEN = /^[A-Za-z0-9_-]{2,2048}\.[A-Za-z0-9_-]{43}$/;
/** What a form post ended in, shown once above the page it returns to (post, redirect, get). */
const DONE = ["held", "booked", "cancelled", "declined", "taken", "gone"] as const;
type Done = (typeof DONE)[number];

// No script at all; the join page's stylesheet, and forms that post only back here.
const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * The manage link's pages (`/manage/:token`): a party sees their session in their own time zone and
 * moves it, cancels it, or answers the other side's choice, with the same rules as the chat buttons
 * (the minimum notice, the hold, a slot taken meanwhile). Every post redirects back to the page, so a
 * reload never books twice.
 */
export function createManageRouter(deps: ManageRouterDeps): Router {
  const sd = deps.scheduling;
  const router = express.Router();
  router.use("/manage/:token", (_req, res, next) => {
    res.setHeader("Content-Security-Policy", CSP);
    // The link is the capability: no copy of the page is kept, no other site learns its address.
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Referrer-Policy", "no-referrer");
    next();
  });

  type Ctx = { locale: Locale; base: string; partyId: string };

  /** The party the link names, or a page saying why there is none (sent already). */
  async function open(req: express.Request, res: express.Response): Promise<Ctx | null> {
    const locale = localeOf(req);
    const token = String(req.params.token);
    const check = TOKEN.test(token) ? await readManageToken(deps.secrets, token, sd.cases.clock.now()) : ({ ok: false, reason: "invalid" } as const);
    if (!check.ok) {
      res.status(check.reason === "expired" ? 410 : 400).type("html").send(page(locale, req.path, notice(manageText(locale, check.reason))));
      return null;
    }
    return { locale, base: `/manage/${token}`, partyId: check.payload.partyId };
  }

  const lang = (ctx: Ctx) => `lang=${encodeURIComponent(ctx.locale)}`;
  const back = (res: express.Response, ctx: Ctx, done: Done, to = "") => res.redirect(303, `${ctx.base}${to}?${lang(ctx)}&done=${done}`);

  router.get("/manage/:token", async (req, res) => {
    const ctx = await open(req, res);
    if (!ctx) return;
    const state = await manageState(sd, ctx.partyId);
    res.status(state.kind === "unknown" ? 404 : 200).type("html").send(page(ctx.locale, req.path, doneLine(ctx, req) + overview(ctx, state)));
  });

  router.get("/manage/:token/times", async (req, res) => {
    const ctx = await open(req, res);
    if (!ctx) return;
    const state = await manageState(sd, ctx.partyId);
    if (state.kind === "unknown" || state.kind === "closed" || (state.kind === "booked" && !state.changeable) || (state.kind === "none" && !state.canBook)) {
      res.redirect(303, `${ctx.base}?${lang(ctx)}`);
      return;
    }
    const after = Number(req.query.after);
    const { slots, type } = await findSlots(sd, { caseId: state.caseId, ...(Number.isFinite(after) && after > 0 ? { after: new Date(after * 60_000) } : {}) });
    const zone = state.party.timeZone ?? sd.cases.zone;
    const t = (key: ManageTextKey, params = {}) => escapeHtml(manageText(ctx.locale, key, params));
    const list = slots.length
      ? `<p>${t("times", { minutes: type.minutes })}</p>
        ${slots.map((s) => form(`${ctx.base}/pick?${lang(ctx)}`, whenLabel(ctx.locale, zone, s.startsAt), { at: String(Math.round(s.startsAt / 60_000)) })).join("\n")}
        ${link(`${ctx.base}/times?${lang(ctx)}&after=${Math.round(slots[slots.length - 1]!.startsAt / 60_000)}`, t("more"))}`
      : `<p class="notice">${t("noTimes")}</p>`;
    res.type("html").send(page(ctx.locale, req.path, doneLine(ctx, req) + header(ctx, state) + `<section class="card">${list}${link(`${ctx.base}?${lang(ctx)}`, t("back"))}</section>`));
  });

  router.post("/manage/:token/pick", express.urlencoded({ extended: false, limit: "2kb" }), async (req, res, next) => {
    const ctx = await open(req, res);
    if (!ctx) return;
    const state = await manageState(sd, ctx.partyId);
    const at = Number((req.body as Record<string, unknown> | undefined)?.at);
    if (state.kind === "unknown" || state.kind === "closed" || !Number.isFinite(at)) return void res.redirect(303, `${ctx.base}?${lang(ctx)}`);
    try {
      const result = await holdSlot(sd, { caseId: state.caseId, partyId: ctx.partyId, startsAt: new Date(at * 60_000) });
      back(res, ctx, result.state);
    } catch (err) {
      if (isAppError(err, "SLOT_TAKEN")) return back(res, ctx, "taken", "/times");
      if (isAppError(err, "TOO_LATE") || isAppError(err, "CONFLICT") || isAppError(err, "ILLEGAL_TRANSITION")) return void res.redirect(303, `${ctx.base}?${lang(ctx)}`);
      next(err);
    }
  });

  router.post("/manage/:token/answer", express.urlencoded({ extended: false, limit: "2kb" }), async (req, res, next) => {
    const ctx = await open(req, res);
    if (!ctx) return;
    const state = await manageState(sd, ctx.partyId);
    const yes = (req.body as Record<string, unknown> | undefined)?.answer === "yes";
    if (state.kind !== "awaiting_me") return back(res, ctx, "gone");
    try {
      if (yes) {
        const result = await confirmSession(sd, { sessionId: state.session.id, partyId: ctx.partyId });
        return back(res, ctx, result.state);
      }
      await cancelSession(sd, { sessionId: state.session.id, by: { partyId: ctx.partyId }, reason: "declined", offerAgain: true });
      back(res, ctx, "declined");
    } catch (err) {
      if (isAppError(err, "SLOT_TAKEN")) return back(res, ctx, "gone");
      next(err);
    }
  });

  router.get("/manage/:token/cancel", async (req, res) => {
    const ctx = await open(req, res);
    if (!ctx) return;
    const state = await manageState(sd, ctx.partyId);
    if (!("session" in state) || (state.kind === "booked" && !state.changeable)) return void res.redirect(303, `${ctx.base}?${lang(ctx)}`);
    const when = whenLabel(ctx.locale, state.party.timeZone ?? sd.cases.zone, state.session.startsAt);
    const body = `<section class="card"><p class="notice">${escapeHtml(manageText(ctx.locale, "cancelAsk", { when }))}</p>
      ${form(`${ctx.base}/cancel?${lang(ctx)}`, manageText(ctx.locale, "cancelYes"), {}, true)}
      ${link(`${ctx.base}?${lang(ctx)}`, escapeHtml(manageText(ctx.locale, "cancelNo")))}</section>`;
    res.type("html").send(page(ctx.locale, req.path, header(ctx, state) + body));
  });

  router.post("/manage/:token/cancel", async (req, res, next) => {
    const ctx = await open(req, res);
    if (!ctx) return;
    const state = await manageState(sd, ctx.partyId);
    if (!("session" in state)) return back(res, ctx, "cancelled");
    try {
      await cancelSession(sd, { sessionId: state.session.id, by: { partyId: ctx.partyId }, reason: "party" });
      back(res, ctx, "cancelled");
    } catch (err) {
      if (isAppError(err, "TOO_LATE")) return void res.redirect(303, `${ctx.base}?${lang(ctx)}`);
      next(err);
    }
  });

  function doneLine(ctx: Ctx, req: express.Request): string {
    const done = DONE.find((d) => d === req.query.done);
    return done ? `<section class="card"><p class="notice" role="status">${escapeHtml(manageText(ctx.locale, `done.${done}`))}</p></section>` : "";
  }

  function header(ctx: Ctx, state: Exclude<ManageState, { kind: "unknown" }>): string {
    const zone = state.party.timeZone ?? sd.cases.zone;
    return `<section class="card info">
      <p>${escapeHtml(manageText(ctx.locale, "caseCode"))} <span class="code">${escapeHtml(state.code)}</span></p>
      <p>${escapeHtml(manageText(ctx.locale, "zone", { zone: zoneLabel(ctx.locale, zone, sd.cases.zone) }))}</p>
    </section>`;
  }

  function overview(ctx: Ctx, state: ManageState): string {
    const { locale } = ctx;
    const t = (key: ManageTextKey, params = {}) => escapeHtml(manageText(locale, key, params));
    if (state.kind === "unknown") return notice(manageText(locale, "unknown"));
    if (state.kind === "closed") return header(ctx, state) + notice(manageText(locale, "closed", { code: state.code }));
    const zone = state.party.timeZone ?? sd.cases.zone;
    const times = link(`${ctx.base}/times?${lang(ctx)}`, t("move"));
    const cancel = link(`${ctx.base}/cancel?${lang(ctx)}`, t("cancel"));
    let body: string;
    if (state.kind === "none") {
      body = `<p class="notice">${t("none")}</p>${state.canBook ? link(`${ctx.base}/times?${lang(ctx)}`, t("choose"), true) : `<p>${t("noneWait")}</p>`}`;
    } else {
      const s = state.session;
      const when = whenLabel(locale, zone, s.startsAt);
      const mode = modeText(locale, s.mode);
      if (state.kind === "held_by_me") {
        body = `<p class="notice">${t("heldByMe", { when, until: whenLabel(locale, zone, s.holdExpiresAt ?? s.startsAt) })}</p>${times}${cancel}`;
      } else if (state.kind === "awaiting_me") {
        body = `<p class="notice">${t("awaitingMe", { when, mode })}</p>
          ${form(`${ctx.base}/answer?${lang(ctx)}`, manageText(locale, "yes"), { answer: "yes" }, true)}
          ${form(`${ctx.base}/answer?${lang(ctx)}`, manageText(locale, "no"), { answer: "no" })}`;
      } else {
        body = `<p class="notice">${t("booked", { when, mode, mediator: state.mediator ?? "-" })}</p>${
          state.changeable ? times + cancel : `<p>${t("tooLate", { hours: Math.max(1, Math.round(state.minNoticeMinutes / 60)) })}</p>`
        }`;
      }
    }
    return header(ctx, state) + `<section class="card">${body}</section>`;
  }

  return router;
}

function notice(text: string): string {
  return `<section class="card"><p class="notice" role="alert">${escapeHtml(text)}</p></section>`;
}

/** A button that posts `fields` to `action` (labels are escaped here). */
function form(action: string, label: string, fields: Record<string, string>, primary = false): string {
  const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join("");
  return `<form method="post" action="${escapeHtml(action)}">${inputs}<button type="submit"${primary ? ' class="primary"' : ""}>${escapeHtml(label)}</button></form>`;
}

/** A link drawn as a button; `label` is HTML already escaped. */
function link(href: string, label: string, primary = false): string {
  return `<a class="button${primary ? " primary" : ""}" href="${escapeHtml(href)}">${label}</a>`;
}

function page(locale: Locale, path: string, body: string): string {
  const other: Locale = locale === "en" ? "zh-CN" : "en";
  return pageShell({ locale, title: manageText(locale, "title"), brand: manageText(locale, "brand"), langHref: `${path}?lang=${other}`, lang: manageText(locale, "lang"), body });
}

import type { Locale } from "../../../i18n/index.js";
import type { SessionMode, SessionType } from "../../../scheduling/scheduling.repository.js";
import type { Slot } from "../../../scheduling/slot-search.js";
import type { Button, Outbound } from "../../messages.js";
import { tr, type TextKey } from "../../texts.js";
import { whenLabel, zoneLabel } from "./slot-labels.js";

/** Button data of the booking flow (Telegram allows 64 bytes: codes and minutes since 1970 fit). */
export const BOOK = {
  slot: "bk:", // bk:<code>:<epoch minutes>
  more: "bkm:", // bkm:<code>:<epoch minutes of the last shown>
  yes: "bky:", // bky:<sessionId>
  no: "bkn:", // bkn:<sessionId>
  cancel: "bkx:", // bkx:<sessionId>: asks
  cancelYes: "bkxy:",
  cancelNo: "bkxn:",
  move: "bkr:", // bkr:<code>: new times for the booked session
  rebook: "bkb:", // bkb:<code>: times for a new session
} as const;

export const toMinutes = (ms: number) => Math.round(ms / 60_000);

const REASON_KEY: Record<string, TextKey> = {
  declined: "booking.offer.declined",
  lapsed: "booking.offer.lapsed",
  hold_lapsed: "booking.offer.lapsed",
  mediator_leave: "booking.offer.leave",
  another: "booking.offer.another",
  taken: "booking.offer.taken",
};

export function modeText(locale: Locale, mode: SessionMode): string {
  return tr(locale, `booking.mode.${mode}`);
}

/** The slots as buttons, two a row, then "more" and "none of these" (a person), so no one is stuck. */
export function offerMessage(
  locale: Locale,
  o: { code: string; zone: string; centreZone: string; slots: Slot[]; type: SessionType; mode: SessionMode; reason?: string; videoDown?: boolean },
): Outbound {
  const zone = zoneLabel(locale, o.zone, o.centreZone);
  const key: TextKey = (o.reason && REASON_KEY[o.reason]) || "booking.offer";
  const offer = tr(locale, key, { code: o.code, zone, mode: modeText(locale, o.mode), minutes: o.type.minutes });
  const text = o.videoDown ? `${tr(locale, "booking.videoDown")}\n${offer}` : offer;
  const slotButtons: Button[] = o.slots.map((s) => ({ label: whenLabel(locale, o.zone, s.startsAt), data: `${BOOK.slot}${o.code}:${toMinutes(s.startsAt)}` }));
  const rows: Button[][] = [];
  for (let i = 0; i < slotButtons.length; i += 2) rows.push(slotButtons.slice(i, i + 2));
  const last = o.slots[o.slots.length - 1];
  rows.push([
    ...(last ? [{ label: tr(locale, "booking.more"), data: `${BOOK.more}${o.code}:${toMinutes(last.startsAt)}` }] : []),
    { label: tr(locale, "booking.noFit"), data: "cmd:human" },
  ]);
  return { kind: "text", text, buttons: rows };
}

export function noSlotsMessage(locale: Locale, code: string): Outbound {
  return {
    kind: "text",
    text: tr(locale, "booking.none", { code }),
    buttons: [[{ label: tr(locale, "menu.human"), data: "cmd:human" }]],
  };
}

export function manageButtons(locale: Locale, code: string, sessionId: string): Button[][] {
  return [[
    { label: tr(locale, "booking.manage.move"), data: `${BOOK.move}${code}` },
    { label: tr(locale, "booking.manage.cancel"), data: `${BOOK.cancel}${sessionId}` },
  ]];
}

export function confirmButtons(locale: Locale, sessionId: string): Button[][] {
  return [[
    { label: tr(locale, "booking.confirm.yes"), data: `${BOOK.yes}${sessionId}` },
    { label: tr(locale, "booking.confirm.no"), data: `${BOOK.no}${sessionId}` },
  ]];
}

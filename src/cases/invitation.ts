import type { Button, Outbound } from "../bot/messages.js";
import type { FileStore } from "../files/file-store.js";
import { t, type Locale } from "../i18n/index.js";
import { qrPng } from "../lib/qr-png.js";
import { formatLocal } from "../lib/time.js";
import { PRESET_CODES, type PresetCode } from "../scheduling/availability-presets.js";
import type { DisputeType } from "./types.js";
import { zoneLabel } from "./zones.js";

/** Where an invitation's start payload (r_<token>) becomes a link a person can open. */
export interface InviteLinks {
  /** The bot's t.me link, when Telegram runs and the bot's name is known. */
  telegram?: (payload: string) => string | undefined;
  /** The web chat: works in any phone browser, no Telegram needed. */
  web: (payload: string) => string;
}

export interface InvitationDeps {
  files: Pick<FileStore, "save">;
  links: InviteLinks;
  centre: { nameZh: string; nameEn: string };
  /** The centre's zone: the deadline is shown in it. */
  zone: string;
}

export interface Invitation {
  web: string;
  telegram: string | null;
  /** The text to forward, links in it (also what staff send by SMS). */
  text: string;
}

/** The links and the forwardable text of an invitation token; no claimant's words in it, only the case's type and code. */
export function invitationOf(
  deps: Pick<InvitationDeps, "links" | "centre" | "zone">,
  i: { token: string; code: string; type: DisputeType; dueAt: Date; locale: Locale },
): Invitation {
  const payload = `r_${i.token}`;
  const web = deps.links.web(payload);
  const telegram = deps.links.telegram?.(payload) ?? null;
  const text = t(i.locale, "consent.invite.forward", {
    centre: i.locale === "en" ? deps.centre.nameEn : deps.centre.nameZh,
    type: t(i.locale, `type.${i.type}`),
    code: i.code,
    web,
    telegram: telegram ? t(i.locale, "consent.invite.telegram", { link: telegram }) : "",
    deadline: formatLocal(i.dueAt, deps.zone, i.locale),
  });
  return { web, telegram, text };
}

/** 384 pixels a side, a quiet zone of two modules: scannable off a phone's screen. */
export const QR_OPTIONS = { errorCorrectionLevel: "M", margin: 2, width: 384 } as const;

/** A QR code of a link as a PNG in the file store (the same link gives the same file). */
export async function qrFile(files: Pick<FileStore, "save">, url: string): Promise<string> {
  return files.save(qrPng(url, QR_OPTIONS));
}

/**
 * What the claimant gets to forward: a line saying why, the invitation text with both links, and a QR
 * code of each link (a neighbour can scan it off the claimant's screen).
 */
export async function invitationMessages(
  deps: InvitationDeps,
  i: { token: string; code: string; type: DisputeType; dueAt: Date; locale: Locale },
): Promise<Outbound[]> {
  const inv = invitationOf(deps, i);
  const out: Outbound[] = [
    { kind: "text", text: t(i.locale, "consent.invite.intro") },
    { kind: "text", text: inv.text },
    {
      kind: "file",
      name: t(i.locale, "consent.invite.qrWeb"),
      mime: "image/png",
      ref: await qrFile(deps.files, inv.web),
      caption: t(i.locale, "consent.invite.qrWebCaption"),
    },
  ];
  if (inv.telegram) {
    out.push({
      kind: "file",
      name: t(i.locale, "consent.invite.qrTelegram"),
      mime: "image/png",
      ref: await qrFile(deps.files, inv.telegram),
      caption: t(i.locale, "consent.invite.qrTelegramCaption"),
    });
  }
  return out;
}

/** Button data of the availability question: `av:<partyId>:<choice>` (the party is checked against the chat pressing it). */
export const AVAILABILITY_CHOICE: Record<PresetCode, string> = { weekday_day: "d", weekday_evening: "e", weekend: "w", any: "any" };

/**
 * "When can you meet?": the presets (those picked marked ✓), 都可以, 好了, a time-zone change and
 * "later". Sent by the consent jobs and by the dialogue alike, so both ask the same way.
 */
export function availabilityQuestion(
  locale: Locale,
  o: { partyId: string; selected: readonly PresetCode[]; zone: string },
): Extract<Outbound, { kind: "text" }> {
  const b = (label: string, choice: string): Button => ({ label, data: `av:${o.partyId}:${choice}` });
  const preset = (p: PresetCode) => {
    const label = t(locale, `preset.${p}`);
    return b(o.selected.includes(p) ? t(locale, "consent.avail.picked", { label }) : label, AVAILABILITY_CHOICE[p]);
  };
  const [day, evening, weekend] = PRESET_CODES;
  return {
    kind: "text",
    text: t(locale, "consent.avail.ask", { zone: zoneLabel(o.zone, locale) }),
    buttons: [
      [preset(day), preset(evening)],
      [preset(weekend), b(t(locale, "preset.any"), "any")],
      [b(t(locale, "consent.avail.done"), "ok"), b(t(locale, "consent.avail.zone"), "tz")],
      [b(t(locale, "consent.avail.skip"), "skip")],
    ],
  };
}

import { t } from "../../../i18n/index.js";
import { maskPhone } from "../../../lib/redact.js";
import type { Draft, IntakeStep } from "../../state.js";
import { preview } from "../../text.js";
import { button, rows, tx, type Turn } from "../../turn.js";
import type { TextKey } from "../../texts.js";
import { amountText } from "./intake.flow.js";

/** What the resident checks before submitting; the service line is the 送达地址确认 they confirm. */
export function showSummary(turn: Turn, d: Draft): void {
  const none = tx(turn, "intake.summary.none");
  const yesNo = (v: boolean | undefined) => (v === undefined ? none : tx(turn, v ? "intake.summary.yes" : "intake.summary.no"));
  const contact = [d.name, d.phone ? maskPhone(d.phone) : undefined].filter(Boolean).join(" ");
  const lines = [
    tx(turn, "intake.summary.title"),
    tx(turn, "intake.summary.type", { value: t(turn.locale, `type.${d.type!}`) }),
    tx(turn, "intake.summary.description", { value: preview(d.description ?? "", 80) }),
    tx(turn, "intake.summary.otherParty", { value: d.otherParty || none }),
  ];
  if (d.place) lines.push(tx(turn, "intake.summary.place", { value: d.place }));
  if (d.amountYuan) lines.push(tx(turn, "intake.summary.amount", { value: amountText(turn, d.amountYuan) }));
  if (d.since) lines.push(tx(turn, "intake.summary.since", { value: d.since }));
  if (d.claimantCount) {
    const names = d.claimantNames.length ? `（${d.claimantNames.slice(0, 5).join("、")}${d.claimantNames.length > 5 ? "…" : ""}）` : "";
    lines.push(tx(turn, "intake.summary.claimants", { value: tx(turn, "intake.summary.claimantsValue", { count: d.claimantCount }) + names }));
  }
  lines.push(tx(turn, "intake.summary.contact", { value: contact || none }));
  lines.push(tx(turn, "intake.summary.away", { value: yesNo(d.away) }));
  lines.push(
    d.serviceChannel === "post"
      ? tx(turn, "intake.summary.servicePost", { address: d.serviceAddress ?? "" })
      : tx(turn, "intake.summary.serviceChat"),
  );
  if (d.files.length) lines.push(tx(turn, "intake.summary.files", { count: d.files.length }));
  turn.out.push({
    kind: "text",
    text: lines.join("\n"),
    buttons: [
      [button(turn, "intake.summary.submit", "summary:submit"), button(turn, "intake.summary.edit", "summary:edit")],
      [button(turn, "intake.nav.back", "nav:back"), button(turn, "intake.nav.cancel", "nav:cancel")],
    ],
  });
}

/** The answers that can be changed from the summary, and the question that changes each. */
export const EDITABLE: [TextKey, IntakeStep][] = [
  ["intake.edit.type", "choose_type"],
  ["intake.edit.description", "describe"],
  ["intake.edit.otherParty", "other_party"],
  ["intake.edit.place", "place"],
  ["intake.edit.amount", "amount"],
  ["intake.edit.contact", "contact"],
  ["intake.edit.away", "away"],
  ["intake.edit.service", "service"],
];

export function askWhichEdit(turn: Turn): void {
  const buttons = EDITABLE.map(([key, step]) => button(turn, key, `edit:${step}`));
  turn.out.push({
    kind: "text",
    text: tx(turn, "intake.summary.editWhich"),
    buttons: [...rows(buttons), [button(turn, "intake.summary.back", "edit:back")]],
  });
}

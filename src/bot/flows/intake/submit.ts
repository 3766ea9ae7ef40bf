import { addEvidence } from "../../../cases/add-evidence.js";
import { inviteJob } from "../../../cases/consent-jobs.js";
import { openCase, type OpenedCase } from "../../../cases/open-case.js";
import { groupFlags } from "../../../classify/risk.js";
import { t } from "../../../i18n/index.js";
import { formatLocal } from "../../../lib/time.js";
import type { Draft } from "../../state.js";
import { actorOf, button, say, sayText, tx, type Turn } from "../../turn.js";

/** Opens the case from the draft (idempotent per intake) and ends with the case card. */
export async function submit(turn: Turn): Promise<void> {
  const d = turn.state.intake!.draft;
  const { cases } = turn.deps;
  const riskFlags = [...new Set([...d.riskFlags, ...groupFlags(d.type ?? "other", d.claimantCount ?? 1)])];
  const opened = await openCase(cases, {
    intakeKey: d.intakeKey,
    actor: actorOf(turn),
    description: d.description ?? "",
    type: d.type ?? "other",
    classifierSource: d.source,
    classifierConfidence: d.confidence,
    summary: d.summary,
    complexity: d.complexity,
    riskFlags,
    place: d.place ?? undefined,
    amountFen: d.amountYuan ? Math.round(d.amountYuan * 100) : undefined,
    since: d.since ?? undefined,
    language: turn.locale,
    claimantCount: d.claimantCount ?? undefined,
    claimant: {
      name: d.name ?? turn.inbound.displayName,
      contact: d.phone ?? undefined,
      channel: turn.inbound.channel,
      channelUserId: turn.inbound.userId,
      serviceChannel: d.serviceChannel ?? "chat",
      serviceAddress: d.serviceAddress,
      away: d.away,
      consentAt: turn.state.consentAt ? new Date(turn.state.consentAt) : turn.now,
    },
    otherClaimants: d.claimantNames.filter((n) => n !== d.name).map((name) => ({ name })),
    respondent: d.otherParty ? { name: d.otherParty } : undefined,
  });
  for (const f of d.files) {
    await addEvidence(cases, { caseId: opened.id, ...f, fileName: f.name, uploadedBy: actorOf(turn) });
  }
  if (opened.riskFlags.length > 0) say(turn, "intake.risk");
  if (opened.remote) say(turn, "intake.remote");
  showCaseCard(turn, d, opened);
  inviteOtherSide(turn, d, opened);
}

/**
 * Mediation needs the other side's yes (自愿). When the intake knows who they are, the invitation to
 * forward follows the card (a job written with this turn, so it comes after the card); when it does
 * not, the claimant is offered one. A legal question has no other side.
 */
function inviteOtherSide(turn: Turn, d: Draft, opened: OpenedCase): void {
  if (opened.type === "not_dispute") return;
  if (d.otherParty) {
    turn.jobs.push(inviteJob(opened.id, turn.now));
    return;
  }
  say(turn, "invite.offer", {}, [[button(turn, "invite.yes", `inv:${opened.id}:yes`), button(turn, "invite.no", `inv:${opened.id}:no`)]]);
}

/**
 * The last bubble after opening: everything the resident needs in one screen, the code first and
 * copyable. "Contact by" is honest about working hours: a case opened at night is answered next morning.
 */
function showCaseCard(
  turn: Turn,
  d: Draft,
  opened: OpenedCase,
): void {
  const { cases } = turn.deps;
  // The acceptance deadline counts working minutes in the centre's hours and calendar already.
  const contactBy = opened.acceptDueAt;
  const text = tx(turn, "intake.card", {
    code: opened.code,
    type: t(turn.locale, `type.${opened.type}`),
    room: turn.locale === "en" ? opened.route.roomNameEn : opened.route.roomNameZh,
    contactBy: formatLocal(contactBy, cases.zone, turn.locale),
    deadline: formatLocal(opened.resolveDueAt, cases.zone, turn.locale),
    next: tx(turn, d.phone ? "intake.card.nextPhone" : "intake.card.nextChat"),
  });
  sayText(turn, text, [[button(turn, "menu.status", "cmd:status"), button(turn, "menu.new", "cmd:new")]], { copyText: opened.code });
}

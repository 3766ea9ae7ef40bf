// Safety at every step: the risk rules run on everything a resident writes (or says), before consent
// too, before any flow reads it. Violence or self-harm gets a human answer at once and pages the duty
// staff (once per episode), whether or not an intake is ever finished.
import { DANGER_FLAGS, detectRiskFlags } from "../classify/risk.js";
import type { RiskFlag } from "../cases/types.js";
import { HOUR } from "../lib/clock.js";
import { openHandoff } from "./flows/handoff/handoff.flow.js";
import { sayText, tx, type Turn } from "./turn.js";

export const SAFETY_PAGE = "safety.page";
/** Risk messages closer together than this belong to one episode: one page, not one per message. */
export const EPISODE_MS = 6 * HOUR;

/** The danger flags in this text, if any. */
export function dangerIn(text: string): RiskFlag[] {
  if (!text) return [];
  return detectRiskFlags(text).filter((f) => DANGER_FLAGS.includes(f));
}

/**
 * Answers danger and pages once per episode (a new kind of danger pages again). Returns the flags, so
 * the intake can carry them into the case.
 */
export function respondToDanger(turn: Turn, flags: RiskFlag[]): void {
  const { centre } = turn.deps;
  const prior = turn.state.safety;
  const now = turn.now;
  const sameEpisode = prior && now.getTime() - new Date(prior.lastRiskAt).getTime() < EPISODE_MS;
  const newFlags = flags.filter((f) => !sameEpisode || !prior.flags.includes(f));

  if (sameEpisode && newFlags.length === 0) {
    turn.state.safety = { ...prior, lastRiskAt: now.toISOString() };
    sayText(turn, tx(turn, "safety.again"));
    return;
  }
  const lines = [tx(turn, flags.includes("self_harm") ? "safety.selfHarm" : "safety.violence")];
  if (centre.dutyPhone) lines.push(tx(turn, "safety.dutyPhone", { phone: centre.dutyPhone }));
  lines.push(tx(turn, "safety.paged"));
  sayText(turn, lines.join("\n"));

  // A person can answer in the chat: the page opens a handoff (or uses the one already open).
  const handoff = openHandoff(turn, "safety", { riskFlags: flags, quiet: true, keepFlow: true });
  const draft = turn.state.intake?.draft;
  turn.jobs.push({
    kind: SAFETY_PAGE,
    payload: {
      handoffId: handoff.id,
      channel: turn.inbound.channel,
      userId: turn.inbound.userId,
      flags,
      text: turn.text.slice(0, 500),
      name: draft?.name ?? turn.inbound.displayName ?? null,
      phone: draft?.phone ?? null,
    },
    dueAt: now,
    dedupeKey: `safety:${turn.inbound.channel}:${turn.inbound.userId}:${now.toISOString()}`,
  });
  turn.state.safety = {
    lastRiskAt: now.toISOString(),
    pagedAt: now.toISOString(),
    flags: [...new Set([...(sameEpisode ? prior.flags : []), ...flags])],
  };
}

import { z } from "zod";
import { isOpen } from "../cases/lifecycle.js";
import { LINK_SIGNING_KEY, type SecretStore } from "../db/secrets.js";
import { DAY, MINUTE } from "../lib/clock.js";
import { signToken, verifyToken, type TokenCheck } from "../lib/signed-token.js";
import type { SchedulingDeps } from "./deps.js";
import { sessionTypeFor } from "./find-slots.js";
import type { MeetingPrefs, SessionRecord } from "./scheduling.repository.js";

/** Signed into every manage token: a join link never manages a booking, nor the other way round. */
export const MANAGE_PURPOSE = "session.manage";

/**
 * A party's manage link, `PUBLIC_BASE_URL/manage/<token>`: look at, move or cancel their case's session in
 * a browser, for someone whose chat is out of reach (a lost phone, a grid worker's WeCom) or who simply
 * prefers a page. It names the party only, so it follows the session through moves; it works until a
 * day after the session it was sent with ends.
 */
export interface ManageLinks {
  url(p: { partyId: string; sessionEndsAt: Date }): Promise<string>;
}

export function createManageLinks(deps: { secrets: SecretStore; publicBaseUrl: string }): ManageLinks {
  const base = deps.publicBaseUrl.replace(/\/$/, "");
  return {
    async url({ partyId, sessionEndsAt }) {
      const key = await deps.secrets.key(LINK_SIGNING_KEY);
      return `${base}/manage/${signToken(key, MANAGE_PURPOSE, { p: partyId }, new Date(sessionEndsAt.getTime() + DAY))}`;
    },
  };
}

const payload = z
  .object({ p: z.string().min(1).max(64) })
  .strict()
  .transform((v) => ({ partyId: v.p }));

export async function readManageToken(secrets: SecretStore, token: string, now: Date): Promise<TokenCheck<{ partyId: string }>> {
  return verifyToken(await secrets.key(LINK_SIGNING_KEY), MANAGE_PURPOSE, token, now, (raw) => payload.parse(raw));
}

interface Common {
  caseId: string;
  code: string;
  party: MeetingPrefs;
}

/** What the manage page shows a party now. */
export type ManageState =
  /** The party is not (or no longer) in a case: a declined respondent, a deleted party. */
  | { kind: "unknown" }
  | ({ kind: "closed" } & Common)
  /** No session held or booked; `canBook` when both parties agreed to mediate. */
  | ({ kind: "none"; canBook: boolean } & Common)
  /** This party chose the time and waits for the other side. */
  | ({ kind: "held_by_me"; session: SessionRecord } & Common)
  /** The other party chose a time: this party says yes or no. */
  | ({ kind: "awaiting_me"; session: SessionRecord } & Common)
  /** `changeable`: outside the minimum notice, so the party may still move or cancel it. */
  | ({ kind: "booked"; session: SessionRecord; mediator: string | null; changeable: boolean; minNoticeMinutes: number } & Common);

export async function manageState(deps: SchedulingDeps, partyId: string): Promise<ManageState> {
  const { repos } = deps.cases;
  const record = await repos.parties.byId(partyId);
  const c = record ? await repos.cases.byId(record.caseId) : null;
  if (!record || !c) return { kind: "unknown" };
  const parties = await deps.scheduling.meetingPrefs(c.id);
  const party = parties.find((p) => p.id === partyId);
  if (!party) return { kind: "unknown" };
  const common: Common = { caseId: c.id, code: c.code, party };
  if (!isOpen(c.status)) return { kind: "closed", ...common };
  const s = await deps.scheduling.currentOfCase(c.id);
  if (!s) return { kind: "none", canBook: parties.length >= 2 && parties.every((p) => p.mediationConsent === "accepted"), ...common };
  if (s.state === "held") return { kind: s.heldByPartyId === partyId ? "held_by_me" : "awaiting_me", session: s, ...common };
  const type = await sessionTypeFor(deps, s.sessionTypeId);
  const staff = await repos.staff.byId(s.staffId);
  const changeable = deps.cases.clock.now().getTime() + type.minNoticeMinutes * MINUTE <= s.startsAt.getTime();
  return { kind: "booked", session: s, mediator: staff?.name ?? null, changeable, minNoticeMinutes: type.minNoticeMinutes, ...common };
}

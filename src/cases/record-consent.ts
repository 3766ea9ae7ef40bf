import type { Sql } from "../db/sql.js";
import { enqueueJob } from "../jobs/job.repository.js";
import { AppError } from "../lib/errors.js";
import { parseAvailability, type Availability } from "../scheduling/availability-presets.js";
import { recordEvent } from "./audit.js";
import { closeCase } from "./change-status.js";
import { BOOKING_CONSENT_WITHDRAWN, BOOKING_START, CONSENT_ANSWERED, type ReferralNotice } from "./consent-jobs.js";
import type { CaseDeps } from "./deps.js";
import { isOpen } from "./lifecycle.js";
import type { ConsentVia, MediationConsent, PartyRecord } from "./party.repository.js";
import { isTimeZone } from "./zones.js";

export interface RecordConsentInput {
  caseId: string;
  partyId: string;
  answer: MediationConsent;
  via: ConsentVia;
  /** Who recorded it: the party ("resident:<channel>:<user>") or staff ("staff:<id>"); kept in the audit log. */
  actor: string;
  /** When they can meet and the zone they read times in, when given with the answer (staff on the phone). */
  availability?: Availability;
  /** IANA zone; null = the centre's. */
  timeZone?: string | null;
  /** The language or dialect they want the mediator to speak (cases/languages.ts tags; zh-CN = 普通话就行). */
  preferLanguage?: string | null;
}

export interface ConsentOutcome {
  /** recorded: the answer is stored now; unchanged: it was that already; closed: the case is no longer open, nothing stored. */
  status: "recorded" | "unchanged" | "closed";
  previous: MediationConsent | null;
  /** Both sides have agreed and said when they can meet: booking.start was enqueued. */
  bookingStarted: boolean;
  /** The answer ended the mediation: the case is closed as referred and the claimant told where to go. */
  referred: boolean;
}

/**
 * A party's answer to mediation (自愿), from the chat or recorded by staff from a phone call. Accepting
 * starts booking once both sides agreed and said when they can meet; the claimant hears that the other
 * side agreed. Declining closes the case as referred, and the claimant is told the routes that fit
 * the dispute. Declining after accepting is allowed: the booking side is told (booking.consent_withdrawn)
 * so a session booked meanwhile is cancelled.
 */
export async function recordConsent(deps: CaseDeps, input: RecordConsentInput): Promise<ConsentOutcome> {
  const { cases, parties } = deps.repos;
  if (input.timeZone && !isTimeZone(input.timeZone)) throw new AppError("BAD_INPUT", `Unknown time zone ${input.timeZone}`);
  const c = await cases.byId(input.caseId);
  const party = await parties.byId(input.partyId);
  if (!c || !party || party.caseId !== c.id) throw new AppError("NOT_FOUND", `No party ${input.partyId} in case ${input.caseId}`);
  if (!isOpen(c.status)) return { status: "closed", previous: party.mediationConsent, bookingStarted: false, referred: false };

  const now = deps.clock.now();
  const result = await deps.sql.transaction(async (tx) => {
    // The case row first: answers and availability of one case's parties are written one after another.
    await cases.touch(tx, c.id, now);
    const current = (await parties.byId(input.partyId, tx))!;
    const previous = current.mediationConsent;
    const changed = previous !== input.answer;
    if (changed && !(await parties.setConsent(tx, { partyId: current.id, answer: input.answer, at: now, via: input.via, previous }))) {
      throw new AppError("CONFLICT", `The answer of party ${current.id} changed meanwhile`);
    }
    if (input.availability || input.timeZone !== undefined || input.preferLanguage !== undefined) {
      await parties.setMeetingPrefs(tx, {
        partyId: current.id,
        ...(input.availability ? { availability: JSON.stringify(input.availability) } : {}),
        ...(input.timeZone !== undefined ? { timeZone: input.timeZone } : {}),
        ...(input.preferLanguage !== undefined ? { preferLanguage: input.preferLanguage } : {}),
      });
    }
    if (changed) {
      await recordEvent(tx, {
        caseId: c.id,
        at: now,
        actor: input.actor,
        action: `consent_${input.answer}`,
        data: { partyId: current.id, role: current.role, via: input.via, previous, ...(input.availability ? { availability: input.availability } : {}) },
      });
    }
    if (changed && input.answer === "accepted" && current.role !== "claimant") {
      await enqueueJob(
        tx,
        { kind: CONSENT_ANSWERED, payload: { caseId: c.id, partyId: current.id }, dueAt: now, dedupeKey: `consent.answered:${current.id}:${now.toISOString()}` },
        now,
      );
    }
    if (changed && input.answer === "declined" && previous === "accepted") {
      // The booking side's hook: it cancels a session booked on the strength of the earlier yes.
      await enqueueJob(
        tx,
        { kind: BOOKING_CONSENT_WITHDRAWN, payload: { caseId: c.id, partyId: current.id }, dueAt: now, dedupeKey: `${BOOKING_CONSENT_WITHDRAWN}:${current.id}:${now.toISOString()}` },
        now,
      );
    }
    const bookingStarted = input.answer === "accepted" ? await startBookingIfReady(deps, tx, c.id, now) : false;
    return { changed, previous, bookingStarted };
  });

  let referred = false;
  if (input.answer === "declined" && result.changed) {
    referred = await referCase(deps, {
      caseId: c.id,
      notice: "consent_declined",
      reason: `${current(party)} declined mediation (${input.via})`,
    });
  }
  deps.onJobsDue?.();
  return { status: result.changed ? "recorded" : "unchanged", previous: result.previous, bookingStarted: result.bookingStarted, referred };
}

const current = (p: PartyRecord) => (p.role === "claimant" ? "the claimant" : "the other party");

/**
 * When a party can meet (and the zone they read times in), from the chat or staff. Starts booking when
 * this completes what it waited for.
 */
export async function recordMeetingPrefs(
  deps: CaseDeps,
  input: { partyId: string; availability: Availability; timeZone?: string | null; preferLanguage?: string | null; actor: string },
): Promise<{ bookingStarted: boolean; closed: boolean }> {
  const { cases, parties } = deps.repos;
  if (input.timeZone && !isTimeZone(input.timeZone)) throw new AppError("BAD_INPUT", `Unknown time zone ${input.timeZone}`);
  const party = await parties.byId(input.partyId);
  if (!party) throw new AppError("NOT_FOUND", `No party ${input.partyId}`);
  const c = await cases.byId(party.caseId);
  if (!c || !isOpen(c.status)) return { bookingStarted: false, closed: true };
  const now = deps.clock.now();
  const bookingStarted = await deps.sql.transaction(async (tx) => {
    await cases.touch(tx, c.id, now);
    await parties.setMeetingPrefs(tx, {
      partyId: party.id,
      availability: JSON.stringify(input.availability),
      ...(input.timeZone !== undefined ? { timeZone: input.timeZone } : {}),
      ...(input.preferLanguage !== undefined ? { preferLanguage: input.preferLanguage } : {}),
    });
    await recordEvent(tx, {
      caseId: c.id,
      at: now,
      actor: input.actor,
      action: "availability_given",
      data: { partyId: party.id, availability: input.availability, timeZone: input.timeZone ?? null, ...(input.preferLanguage !== undefined ? { preferLanguage: input.preferLanguage } : {}) },
    });
    return startBookingIfReady(deps, tx, c.id, now);
  });
  if (bookingStarted) deps.onJobsDue?.();
  return { bookingStarted, closed: false };
}

/** The claimant who filed (the first claimant, the one with a chat if any) and the other side. */
export function sidesOf(parties: PartyRecord[]): { claimant: PartyRecord | undefined; respondents: PartyRecord[] } {
  const claimants = parties.filter((p) => p.role === "claimant");
  return {
    claimant: claimants.find((p) => p.channelUserId) ?? claimants[0],
    respondents: parties.filter((p) => p.role === "respondent"),
  };
}

/** Both sides agreed, none declined, and both said when they can meet. */
export function readyToBook(parties: PartyRecord[]): boolean {
  const { claimant, respondents } = sidesOf(parties);
  const ready = (p: PartyRecord) => p.mediationConsent === "accepted" && parseAvailability(p.availability) !== null;
  return Boolean(claimant && ready(claimant) && respondents.some(ready) && !respondents.some((r) => r.mediationConsent === "declined"));
}

/** Inside the transaction that completed it: booking.start, once per case (the booking side offers slots). */
async function startBookingIfReady(deps: CaseDeps, tx: Sql, caseId: string, now: Date): Promise<boolean> {
  if (!readyToBook(await deps.repos.parties.ofCase(caseId, tx))) return false;
  await enqueueJob(tx, { kind: BOOKING_START, payload: { caseId }, dueAt: now, dedupeKey: `${BOOKING_START}:${caseId}` }, now);
  return true;
}

/**
 * Ends the mediation: the case is closed as referred through the one status change, and the claimant
 * is told the routes that fit the dispute (the resident notice carries `notice`). False when the case
 * was no longer open (closed meanwhile by someone else).
 */
export async function referCase(deps: CaseDeps, o: { caseId: string; notice: ReferralNotice; reason: string }): Promise<boolean> {
  const c = await deps.repos.cases.byId(o.caseId);
  if (!c || !isOpen(c.status)) return false;
  try {
    await closeCase(deps, { caseId: o.caseId, outcome: "referred", actor: "system", reason: o.reason, notice: o.notice });
    return true;
  } catch (err) {
    // Closed by someone else between the read and the write: that close stands.
    if (err instanceof AppError && (err.code === "CONFLICT" || err.code === "ILLEGAL_TRANSITION")) return false;
    throw err;
  }
}

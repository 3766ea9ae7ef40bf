import { AppError } from "../lib/errors.js";
import { DAY, MINUTE } from "../lib/clock.js";
import { dayGrid, mediatorOpenIn, partyWindows, type WeeklyWindow } from "./availability.js";
import { windowsOf } from "./availability-presets.js";
import { HORIZON_DAYS, STEP_MINUTES, type SchedulingDeps } from "./deps.js";
import { intersect, union, type Interval } from "./intervals.js";
import { localDayOf } from "./local-days.js";
import type { BusySpan, MediatorRecord, MeetingPrefs, SessionType } from "./scheduling.repository.js";
import { rankCandidate, searchSlots, type Candidate, type Slot, type SlotQuery } from "./slot-search.js";

export interface PartyPlan {
  partyId: string;
  zone: string;
  windows: readonly WeeklyWindow[];
  preferLanguage: string | null;
}

export interface SlotSearch {
  /** The case's mediator (accepted it), or those who take its type or sit in its room. */
  mediators: MediatorRecord[];
  type: SessionType;
  parties: PartyPlan[];
  disputeType: string;
  roomId: string | null;
  /** Only this mediator (the case has one). */
  mediatorId: string | null;
}

/** The default session type: the first one, or a sensible one when a centre has set none. */
export async function sessionTypeFor(deps: SchedulingDeps, id?: string): Promise<SessionType> {
  return pickSessionType(await deps.scheduling.sessionTypes(), id);
}

/** The type `id` among `types` (sorted by id), else the first, else a sensible one. */
function pickSessionType(types: readonly SessionType[], id?: string): SessionType {
  const t = (id && types.find((x) => x.id === id)) || types[0];
  return (
    t ?? { id: "standard", nameZh: "调解", nameEn: "Mediation", minutes: 60, bufferMinutes: 15, minNoticeMinutes: 120, dailyCap: 6, maxParticipants: 6 }
  );
}

/**
 * Mediators who may take the case: its own, or by speciality and room; none of those → every mediator.
 * The repository's mediatorsFor picks the same in SQL.
 */
export function eligibleMediators(all: MediatorRecord[], c: { mediatorId: string | null; disputeType: string; roomId: string | null }): MediatorRecord[] {
  if (c.mediatorId) return all.filter((m) => m.id === c.mediatorId);
  const fit = all.filter((m) => m.types.includes(c.disputeType) || (c.roomId !== null && m.roomId === c.roomId));
  return fit.length > 0 ? fit : all;
}

/**
 * The next slots for a case's session: times its mediators are open and every party can meet, each
 * with the best mediator free then. `after` continues a list ("more").
 */
export async function findSlots(
  deps: SchedulingDeps,
  input: { caseId: string; after?: Date; limit?: number; sessionTypeId?: string },
): Promise<{ slots: Slot[]; type: SessionType; parties: PartyPlan[] }> {
  const { search, data } = await readCaseSearch(deps, input);
  const slots = searchSlots(slotQuery(deps.cases.zone, search, data, { after: input.after, limit: input.limit ?? 4 }));
  return { slots, type: search.type, parties: search.parties };
}

/**
 * What findSlots reads for a case: every read in one statement (one round trip on PostgreSQL, where
 * waiting for a second one was much of the call), beside the centre's calendar (cached). The statement
 * cannot know the session type's notice before the type is picked, so it reads leave and sessions from
 * now; they are trimmed here to what readSearchData reads.
 */
export async function readCaseSearch(deps: SchedulingDeps, input: { caseId: string; sessionTypeId?: string }): Promise<{ search: SlotSearch; data: SearchData }> {
  const now = deps.cases.clock.now().getTime();
  const to = new Date(now + HORIZON_DAYS * DAY);
  const [found, sla] = await Promise.all([
    deps.scheduling.searchInputs(input.caseId, { leaveFrom: new Date(now), busyFrom: new Date(now - BUSY_LOOKBACK_MS), to, now: new Date(now) }),
    deps.cases.repos.sla.current(),
  ]);
  if (!found) throw new AppError("NOT_FOUND", `No case ${input.caseId}`);
  const { case: c, mediators } = found;
  const type = pickSessionType(found.sessionTypes, input.sessionTypeId);
  const from = now + type.minNoticeMinutes * MINUTE;
  const data: SearchData = {
    now,
    hours: found.hours,
    exceptions: found.exceptions.filter((e) => e.endsAt.getTime() > from),
    busy: found.busy.filter((b) => b.endsAt.getTime() > from - BUSY_LOOKBACK_MS),
    closedDates: closedDatesOf(sla),
  };
  const parties = found.parties.map((p) => planOf(deps, p));
  return { search: { mediators, type, parties, disputeType: c.disputeType, roomId: c.roomId, mediatorId: c.mediatorId }, data };
}

export async function partyPlans(deps: SchedulingDeps, caseId: string): Promise<PartyPlan[]> {
  // Only the parties taking part: the claimant (by filing) and those who agreed.
  return (await deps.scheduling.meetingPrefs(caseId)).map((p) => planOf(deps, p));
}

function planOf(deps: SchedulingDeps, p: Pick<MeetingPrefs, "id" | "availability" | "timeZone" | "preferLanguage">): PartyPlan {
  return { partyId: p.id, zone: p.timeZone ?? deps.cases.zone, windows: windowsOf(p.availability), preferLanguage: p.preferLanguage };
}

/** How long before the search's start busy() reads sessions from (those of the first local day count towards its cap). */
const BUSY_LOOKBACK_MS = DAY;

/** What one search reads: the mediators' weeks, leave and sessions in the horizon, and the centre's calendar. */
export interface SearchData {
  now: number;
  hours: Awaited<ReturnType<SchedulingDeps["scheduling"]["hours"]>>;
  exceptions: Awaited<ReturnType<SchedulingDeps["scheduling"]["exceptions"]>>;
  busy: BusySpan[];
  closedDates: ReadonlySet<string>;
}

/**
 * The search's reads, in a handful of statements: of only the mediators searched (`staffIds`, the
 * eligible ones; all when not given). Read on every call, so another instance's changes count at once.
 */
export async function readSearchData(deps: SchedulingDeps, type: SessionType, staffIds?: readonly string[]): Promise<SearchData> {
  const now = deps.cases.clock.now().getTime();
  const from = new Date(now + type.minNoticeMinutes * MINUTE);
  const to = new Date(now + HORIZON_DAYS * DAY);
  const [hours, exceptions, busy, sla] = await Promise.all([
    deps.scheduling.hours(staffIds),
    deps.scheduling.exceptions(from, to, staffIds),
    deps.scheduling.busy(from, to, new Date(now), staffIds),
    deps.cases.repos.sla.current(),
  ]);
  return { now, hours, exceptions, busy, closedDates: closedDatesOf(sla) };
}

function closedDatesOf(sla: { calendar: ReadonlyMap<string, boolean> }): ReadonlySet<string> {
  return new Set([...sla.calendar].filter(([, open]) => !open).map(([d]) => d));
}

/**
 * The search as searchSlots runs it, built from what was read: no I/O (benchmarked apart:
 * bench/scheduling.ts). The mediators' open hours are left to the search to work out window by window.
 */
export function slotQuery(zone: string, s: SlotSearch, data: SearchData, opts: SearchOptions): SlotQuery {
  const from = data.now + s.type.minNoticeMinutes * MINUTE;
  const to = data.now + HORIZON_DAYS * DAY;
  const range = { from, to };
  let windows: Interval[] = [[from, to]];
  for (const p of s.parties) windows = intersect(windows, partyWindows(p.zone, p.windows, range));
  const wanted = new Set(s.parties.map((p) => p.preferLanguage).filter((l): l is string => !!l));
  const dayOf = (at: number) => localDayOf(zone, at).date;

  const grid = dayGrid(zone, { ...range, closedDates: data.closedDates });
  const hoursOf = groupBy(data.hours, (h) => h.staffId);
  const exceptionsOf = groupBy(data.exceptions, (e) => e.staffId);
  const busyOf = groupBy(data.busy, (b) => b.staffId);
  const candidates: Candidate[] = [];
  for (const m of s.mediators) {
    if (opts.staffId && m.id !== opts.staffId) continue;
    const mine = (busyOf.get(m.id) ?? []).filter((b) => b.sessionId !== opts.ignoreSessionId);
    const perDay = new Map<string, number>();
    for (const b of mine) perDay.set(dayOf(b.startsAt.getTime()), (perDay.get(dayOf(b.startsAt.getTime())) ?? 0) + 1);
    candidates.push({
      staffId: m.id,
      openIn: (a, b) => mediatorOpenIn(grid, hoursOf.get(m.id) ?? [], exceptionsOf.get(m.id) ?? [], { from: a, to: b }),
      busy: union(mine.map((b): Interval => [b.startsAt.getTime(), b.endsAt.getTime() + b.bufferMinutes * MINUTE])),
      perDay,
      rank: rankCandidate({
        speaksWanted: [...wanted].some((l) => m.languages.includes(l)),
        specialises: m.types.includes(s.disputeType),
        load: mine.length,
      }),
    });
  }
  return {
    candidates,
    windows,
    lengthMs: s.type.minutes * MINUTE,
    bufferMs: s.type.bufferMinutes * MINUTE,
    stepMs: STEP_MINUTES * MINUTE,
    dailyCap: s.type.dailyCap,
    dayOf,
    after: opts.after?.getTime(),
    limit: opts.limit,
  };
}

export interface SearchOptions {
  after?: Date;
  limit: number;
  staffId?: string;
  ignoreSessionId?: string;
}

/** The search itself: its reads, then the pure search on them. */
export async function searchFor(deps: SchedulingDeps, s: SlotSearch, opts: SearchOptions): Promise<Slot[]> {
  return searchSlots(slotQuery(deps.cases.zone, s, await readSearchData(deps, s.type, searchedIds(s, opts)), opts));
}

/** The mediators a search reads: the one asked for, or every eligible one. */
export function searchedIds(s: SlotSearch, opts: Pick<SearchOptions, "staffId">): string[] {
  return s.mediators.filter((m) => !opts.staffId || m.id === opts.staffId).map((m) => m.id);
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

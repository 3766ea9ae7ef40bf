import type { Interval } from "./intervals.js";

/** One mediator as the search sees them: when they are open, what is taken, how they rank. */
export interface Candidate {
  staffId: string;
  /**
   * When they are open for sessions (weekly hours, openings, minus leave) in [from, to), sorted: asked
   * one window of the parties' at a time, so days after the first few slots are never worked out.
   */
  openIn: (from: number, to: number) => readonly Interval[];
  /** Taken: other sessions with the buffer after each, sorted and merged. */
  busy: readonly Interval[];
  /** Sessions already on each local day (YYYY-MM-DD), for the daily cap. */
  perDay: ReadonlyMap<string, number>;
  /** Lower is better: language match, speciality, load (see rankCandidates). */
  rank: number;
}

export interface SlotQuery {
  candidates: readonly Candidate[];
  /** When every party can meet, sorted (the intersection of their windows). */
  windows: readonly Interval[];
  lengthMs: number;
  bufferMs: number;
  /** Slots start on multiples of this (30 minutes). */
  stepMs: number;
  dailyCap: number;
  /** The local day (YYYY-MM-DD) of an instant, for the cap. */
  dayOf: (at: number) => string;
  /** Only slots starting after this (the "more" button's cursor). */
  after?: number;
  limit: number;
}

export interface Slot {
  startsAt: number;
  staffId: string;
}

/**
 * The earliest start times at which some mediator is open for the whole session, every party can
 * meet, and nothing of theirs is booked over the session and the buffer after it; each time with the
 * best-ranked mediator free then.
 */
export function searchSlots(q: SlotQuery): Slot[] {
  const best = new Map<number, { staffId: string; rank: number }>();
  // Each candidate's place in their busy list; starts only grow, window after window.
  const busyAt = q.candidates.map(() => 0);
  for (const [windowFrom, windowTo] of q.windows) {
    if (q.after !== undefined && windowTo <= q.after) continue;
    // Windows are sorted and apart, so once this one's starts make `limit`, later ones come after them.
    for (const [k, c] of q.candidates.entries()) {
      let b = busyAt[k]!;
      for (const [from, to] of c.openIn(windowFrom, windowTo)) {
        let start = Math.ceil(from / q.stepMs) * q.stepMs;
        if (q.after !== undefined && start <= q.after) start = (Math.floor(q.after / q.stepMs) + 1) * q.stepMs;
        for (; start + q.lengthMs <= to; start += q.stepMs) {
          const end = start + q.lengthMs + q.bufferMs;
          while (b < c.busy.length && c.busy[b]![1] <= start) b++;
          const next = c.busy[b];
          if (next && next[0] < end) continue;
          const held = best.get(start);
          if (held && (held.rank < c.rank || (held.rank === c.rank && held.staffId < c.staffId))) continue;
          if ((c.perDay.get(q.dayOf(start)) ?? 0) >= q.dailyCap) continue;
          best.set(start, { staffId: c.staffId, rank: c.rank });
        }
      }
      busyAt[k] = b;
    }
    if (best.size >= q.limit) break;
  }
  return [...best.entries()]
    .sort((x, y) => x[0] - y[0])
    .slice(0, q.limit)
    .map(([startsAt, v]) => ({ startsAt, staffId: v.staffId }));
}

/**
 * A mediator's rank for a case: one who speaks the party's language or dialect first (老乡调解员),
 * then one whose speciality is the dispute type, then the least loaded.
 */
export function rankCandidate(m: { speaksWanted: boolean; specialises: boolean; load: number }): number {
  return (m.speaksWanted ? 0 : 2_000_000) + (m.specialises ? 0 : 1_000_000) + Math.min(m.load, 999_999);
}

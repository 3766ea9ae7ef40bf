import { describe, expect, it } from "vitest";
import { DAY, HOUR, MINUTE } from "../lib/clock.js";
import type { WeeklyHours } from "./availability.js";
import { windowsOf, type PresetCode } from "./availability-presets.js";
import { HORIZON_DAYS } from "./deps.js";
import { slotQuery, type SearchData, type SlotSearch } from "./find-slots.js";
import { intersect, type Interval } from "./intervals.js";
import { searchSlots, type Slot, type SlotQuery } from "./slot-search.js";

const ZONE = "Asia/Shanghai";
const TYPE = { id: "standard", nameZh: "调解", nameEn: "Mediation", minutes: 60, bufferMinutes: 15, minNoticeMinutes: 120, dailyCap: 2, maxParticipants: 6 };

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The search as it was before it went window by window: every mediator's open hours over the whole horizon first. */
function searchWhole(q: SlotQuery, horizon: Interval): Slot[] {
  const best = new Map<number, { staffId: string; rank: number }>();
  for (const c of q.candidates) {
    const fits = intersect(c.openIn(horizon[0], horizon[1]), q.windows);
    let b = 0;
    for (const [from, to] of fits) {
      let start = Math.ceil(from / q.stepMs) * q.stepMs;
      if (q.after !== undefined && start <= q.after) start = (Math.floor(q.after / q.stepMs) + 1) * q.stepMs;
      for (; start + q.lengthMs <= to; start += q.stepMs) {
        while (b < c.busy.length && c.busy[b]![1] <= start) b++;
        const next = c.busy[b];
        if (next && next[0] < start + q.lengthMs + q.bufferMs) continue;
        const held = best.get(start);
        if (held && (held.rank < c.rank || (held.rank === c.rank && held.staffId < c.staffId))) continue;
        if ((c.perDay.get(q.dayOf(start)) ?? 0) >= q.dailyCap) continue;
        best.set(start, { staffId: c.staffId, rank: c.rank });
      }
    }
  }
  return [...best.entries()].sort((x, y) => x[0] - y[0]).slice(0, q.limit).map(([startsAt, v]) => ({ startsAt, staffId: v.staffId }));
}

describe("slot search, window by window", () => {
  it("offers what a search of the whole horizon offers: leave, openings, holidays, sessions, caps, cursors and limits", () => {
    const rand = random(7);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const presets: PresetCode[] = ["weekday_day", "weekday_evening", "weekend", "any"];
    const zones = [ZONE, "America/New_York", "Europe/London", "Asia/Dubai"];
    let compared = 0;
    for (let round = 0; round < 60; round++) {
      // Mondays 09:00, a Saturday night, and a start across London's and New York's DST changes.
      const now = pick([Date.UTC(2026, 11, 7, 1), Date.UTC(2026, 11, 12, 15, 10), Date.UTC(2027, 2, 10, 3), Date.UTC(2027, 2, 27, 22)]);
      const mediators = Array.from({ length: 12 }, (_, i) => ({
        id: `m${String(i).padStart(2, "0")}`,
        name: `m${i}`,
        roomId: null,
        types: rand() < 0.5 ? ["neighbour"] : [],
        languages: rand() < 0.3 ? ["yue"] : ["zh-CN"],
      }));
      const hours: (WeeklyHours & { staffId: string })[] = mediators.flatMap((m) =>
        [1, 2, 3, 4, 5, 6, 7].flatMap((weekday) => {
          if (rand() < 0.3) return [];
          const start = Math.floor(rand() * 40) * 30;
          // Some weeks run to midnight, so a day's hours meet the next day's.
          const end = rand() < 0.15 ? 24 * 60 : Math.min(24 * 60, start + 60 + Math.floor(rand() * 16) * 30);
          return [{ staffId: m.id, weekday, startMin: start, endMin: end }];
        }),
      );
      const exceptions = mediators.flatMap((m) =>
        rand() < 0.4
          ? [{ staffId: m.id, kind: pick(["leave", "open"] as const), startsAt: new Date(now + rand() * 10 * DAY), endsAt: new Date(now + rand() * 10 * DAY + rand() * 3 * DAY) }]
          : [],
      );
      const busy = mediators.flatMap((m) =>
        Array.from({ length: Math.floor(rand() * 6) }, (_, k) => {
          const startsAt = Math.floor((now + rand() * HORIZON_DAYS * DAY) / (30 * MINUTE)) * 30 * MINUTE;
          return { sessionId: `${m.id}-${k}`, staffId: m.id, startsAt: new Date(startsAt), endsAt: new Date(startsAt + HOUR), bufferMinutes: 15 };
        }),
      );
      const closedDates = new Set(rand() < 0.5 ? ["2026-12-09", "2027-03-12", "2027-03-30"] : []);
      const data: SearchData = { now, hours, exceptions, busy, closedDates };
      const search: SlotSearch = {
        mediators,
        type: TYPE,
        parties: [0, 1].map((k) => ({
          partyId: `p${k}`,
          zone: k === 0 ? ZONE : pick(zones),
          windows: windowsOf({ presets: [pick(presets)] }),
          preferLanguage: rand() < 0.3 ? "yue" : null,
        })),
        disputeType: "neighbour",
        roomId: null,
        mediatorId: null,
      };
      const horizon: Interval = [now + TYPE.minNoticeMinutes * MINUTE, now + HORIZON_DAYS * DAY];
      let after: Date | undefined;
      for (let press = 0; press < 4; press++) {
        const limit = pick([1, 4, 12]);
        const q = slotQuery(ZONE, search, data, { limit, ...(after ? { after } : {}), ...(rand() < 0.1 ? { staffId: pick(mediators).id } : {}) });
        const slots = searchSlots(q);
        expect(slots).toEqual(searchWhole(q, horizon));
        compared += slots.length;
        if (slots.length === 0) break;
        after = new Date(slots.at(-1)!.startsAt);
      }
    }
    // The comparison covered real offers, not only empty ones.
    expect(compared).toBeGreaterThan(300);
  });
});

import { recordEvent } from "../cases/audit.js";
import { AppError } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import type { WeeklyHours } from "./availability.js";
import { cancelSession } from "./book-session.js";
import type { SchedulingDeps } from "./deps.js";

/** A mediator's weekly hours, replaced as a whole (the console's week grid), in the centre's zone. */
export async function setWeeklyHours(deps: SchedulingDeps, input: { staffId: string; hours: WeeklyHours[]; actor: string }): Promise<void> {
  for (const h of input.hours) {
    if (!(h.weekday >= 1 && h.weekday <= 7 && h.startMin >= 0 && h.endMin <= 24 * 60 && h.startMin < h.endMin)) {
      throw new AppError("BAD_INPUT", `Bad hours: ${JSON.stringify(h)}`);
    }
  }
  await deps.cases.sql.transaction((tx) => deps.scheduling.setHours(tx, input.staffId, input.hours, newId));
}

export async function setSkills(deps: SchedulingDeps, input: { staffId: string; types: string[]; languages: string[] }): Promise<void> {
  await deps.cases.sql.transaction((tx) => deps.scheduling.setSkills(tx, input.staffId, input));
}

/**
 * Leave (or a one-off opening). Sessions already booked in the leave are cancelled with the reason
 * "mediator_leave" and their parties offered new times at once: found when the leave is added, not on
 * the day.
 */
export async function addTimeOff(
  deps: SchedulingDeps,
  input: { staffId: string; kind: "leave" | "open"; startsAt: Date; endsAt: Date; note?: string; actor: string },
): Promise<{ cancelled: string[] }> {
  if (!(input.endsAt > input.startsAt)) throw new AppError("BAD_INPUT", "Leave must end after it starts");
  const now = deps.cases.clock.now();
  await deps.cases.sql.transaction((tx) =>
    deps.scheduling.addException(tx, { id: newId(), staffId: input.staffId, kind: input.kind, startsAt: input.startsAt, endsAt: input.endsAt, note: input.note ?? null, createdAt: now }),
  );
  if (input.kind !== "leave") return { cancelled: [] };
  const hit = await deps.scheduling.bookedOverlapping(input.staffId, input.startsAt, input.endsAt);
  const cancelled: string[] = [];
  for (const s of hit) {
    const done = await cancelSession(deps, { sessionId: s.id, by: "system", reason: "mediator_leave", override: true, offerAgain: true });
    if (done) {
      cancelled.push(s.id);
      await deps.cases.sql.transaction((tx) =>
        recordEvent(tx, { caseId: s.caseId, at: now, actor: input.actor, action: "mediator_leave", data: { sessionId: s.id, staffId: input.staffId } }),
      );
    }
  }
  return { cancelled };
}

import { createEvent, type EventAttributes } from "ics";
import { AppError } from "../lib/errors.js";

export interface IcsSession {
  /** Stable across moves, so a calendar updates the event instead of adding another. */
  sessionId: string;
  /** Bumped on every move (SEQUENCE): the newest wins in the calendar. */
  version: number;
  startsAt: Date;
  endsAt: Date;
  title: string;
  description: string;
  location?: string;
  url?: string;
  cancelled?: boolean;
}

function parts(d: Date): [number, number, number, number, number] {
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()];
}

/** An iCalendar invitation (.ics) for a session, in UTC: each person's calendar shows it in their own zone. */
export function sessionIcs(s: IcsSession, now: Date): Buffer {
  const event: EventAttributes = {
    uid: `${s.sessionId}@onedoor`,
    sequence: s.version,
    start: parts(s.startsAt),
    startInputType: "utc",
    startOutputType: "utc",
    end: parts(s.endsAt),
    endInputType: "utc",
    endOutputType: "utc",
    title: s.title,
    description: s.description,
    method: s.cancelled ? "CANCEL" : "PUBLISH",
    status: s.cancelled ? "CANCELLED" : "CONFIRMED",
    lastModified: parts(now),
    productId: "onedoor/sessions",
    ...(s.location ? { location: s.location } : {}),
    ...(s.url ? { url: s.url } : {}),
    ...(s.cancelled ? {} : { alarms: [{ action: "display", description: s.title, trigger: { minutes: 60, before: true } }] }),
  };
  const { error, value } = createEvent(event);
  if (error || !value) throw new AppError("INTERNAL", `ICS for session ${s.sessionId}: ${error?.message ?? "empty"}`, { cause: error });
  return Buffer.from(value, "utf8");
}

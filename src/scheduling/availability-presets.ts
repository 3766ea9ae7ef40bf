import { z } from "zod";

/**
 * When a party can meet, as the chat asks it: a few windows a worker on shifts recognises, read in the
 * party's own time zone (Party.timeZone; null = the centre's). The one definition the consent step
 * stores and the slot search reads. Days are ISO weekdays (1 = Monday … 7 = Sunday); `to` is exclusive.
 */
export const PRESETS = {
  weekday_day: { days: [1, 2, 3, 4, 5], from: "09:00", to: "18:00" },
  weekday_evening: { days: [1, 2, 3, 4, 5], from: "18:00", to: "22:00" },
  weekend: { days: [6, 7], from: "09:00", to: "21:00" },
} as const satisfies Record<string, { days: readonly number[]; from: string; to: string }>;

/** The presets a party can pick; "any" means every window above (都可以). */
export const PRESET_CODES = ["weekday_day", "weekday_evening", "weekend", "any"] as const;
export type PresetCode = (typeof PRESET_CODES)[number];

/** Party.availability as stored: `{"presets": [...]}`, at least one, none twice. */
export const availabilitySchema = z.object({
  presets: z
    .array(z.enum(PRESET_CODES))
    .min(1)
    .refine((p) => new Set(p).size === p.length, "presets repeat"),
});
export type Availability = z.infer<typeof availabilitySchema>;

/** The stored JSON read back; null when absent or not readable (treated as "not given yet"). */
export function parseAvailability(json: string | null | undefined): Availability | null {
  if (!json) return null;
  try {
    const parsed = availabilitySchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** A preset as the slot search reads it: minutes from local midnight beside the clock times. */
export interface PresetWindow {
  days: readonly number[];
  from: string;
  to: string;
  fromMin: number;
  toMin: number;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

const windowOf = (p: keyof typeof PRESETS): PresetWindow => ({ ...PRESETS[p], fromMin: minutes(PRESETS[p].from), toMin: minutes(PRESETS[p].to) });

/**
 * The windows a party's availability stands for, in the party's zone. 都可以, and nothing given (or not
 * readable), mean every preset: the waking hours of the party's own day, so a worker abroad who said
 * "any time" is never offered 01:00 because it is office hours at the centre. The stored JSON may be
 * passed as it is.
 */
export function windowsOf(availability: Availability | string | null | undefined): PresetWindow[] {
  const a = typeof availability === "string" || availability == null ? parseAvailability(availability) : availability;
  const presets = !a || a.presets.includes("any") ? (Object.keys(PRESETS) as (keyof typeof PRESETS)[]) : a.presets.filter((p): p is keyof typeof PRESETS => p !== "any");
  return presets.map(windowOf);
}

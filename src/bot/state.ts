import { z } from "zod";
import { DISPUTE_TYPES, RISK_FLAGS } from "../cases/types.js";

export const STEPS = [
  "start", // nothing yet: the next message gets the greeting
  "consent",
  "describe",
  "confirm_type",
  "choose_type",
  "not_dispute",
  "other_party",
  "place",
  "amount",
  "since",
  "away",
  "service",
  "service_phone",
  "summary",
  "edit_which",
  "confirm_cancel",
  "confirm_withdraw",
  "idle",
] as const;
export type Step = (typeof STEPS)[number];

const pendingFile = z.object({
  kind: z.enum(["photo", "voice", "document"]),
  mime: z.string(),
  size: z.number(),
  sha256: z.string(),
  storagePath: z.string(),
  name: z.string().optional(),
});

export const draftSchema = z.object({
  /** Idempotency key for opening the case from this draft. */
  intakeKey: z.string(),
  description: z.string().optional(),
  type: z.enum(DISPUTE_TYPES).optional(),
  confidence: z.number().optional(),
  source: z.enum(["local", "llm", "llm_fallback", "resident"]).optional(),
  alternatives: z.array(z.enum(DISPUTE_TYPES)).default([]),
  riskFlags: z.array(z.enum(RISK_FLAGS)).default([]),
  summary: z.string().optional(),
  complexity: z.enum(["simple", "general", "complex", "difficult"]).optional(),
  // null = the resident skipped or said "none"; undefined = not asked yet.
  otherParty: z.string().nullable().optional(),
  place: z.string().nullable().optional(),
  amountYuan: z.number().nullable().optional(),
  since: z.string().nullable().optional(),
  away: z.boolean().optional(),
  serviceChannel: z.enum(["chat", "sms"]).optional(),
  servicePhone: z.string().optional(),
  files: z.array(pendingFile).default([]),
  /** The resident insisted on a dispute after the legal-question answer: no "not a dispute" button again. */
  insisted: z.boolean().default(false),
  /** Answering a question from the summary returns to the summary. */
  editing: z.boolean().default(false),
});
export type Draft = z.infer<typeof draftSchema>;

export const stateSchema = z.object({
  step: z.enum(STEPS).default("start"),
  consentAt: z.string().optional(),
  draft: draftSchema.optional(),
  /** Text sent before consent, kept so the resident need not type it again. */
  pendingText: z.string().optional(),
  /** Step to return to when the resident keeps going after "cancel?". */
  resumeStep: z.enum(STEPS).optional(),
  withdrawCode: z.string().optional(),
});
export type DialogueState = z.infer<typeof stateSchema>;

/** Parse stored state; anything unreadable (an older shape, a damaged row) starts over rather than crash. */
export function parseState(json: string | null | undefined): DialogueState {
  if (!json) return stateSchema.parse({});
  try {
    const parsed = stateSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : stateSchema.parse({});
  } catch {
    return stateSchema.parse({});
  }
}

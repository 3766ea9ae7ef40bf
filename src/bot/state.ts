import { z } from "zod";
import { DISPUTE_TYPES, RISK_FLAGS } from "../cases/types.js";
import { newId } from "../lib/ids.js";

/**
 * Dialogue state, stored per (channel, user) as JSON. It names the active flow and carries a schema
 * version: a row written by an older release is migrated on load, never silently reset (see
 * `loadState`). Bump STATE_VERSION and add a step to `migrate` whenever a change would not parse.
 */
export const STATE_VERSION = 2;

export const FLOWS = ["idle", "intake", "status", "respond", "handoff", "availability"] as const;
export type FlowName = (typeof FLOWS)[number];

export const INTAKE_STEPS = [
  "consent", // the privacy notice; a story typed here is kept and used after "agree"
  "describe",
  "confirm_type",
  "choose_type",
  "not_dispute",
  "other_party",
  "place",
  "amount",
  "claimants",
  "contact",
  "contact_phone",
  "away",
  "service",
  "service_address",
  "summary",
  "edit_which",
  "confirm_cancel",
] as const;
export type IntakeStep = (typeof INTAKE_STEPS)[number];

export const fileSchema = z.object({
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
  /** Claimants in all (the resident included) for a group claim; null = only the resident. */
  claimantCount: z.number().int().nullable().optional(),
  claimantNames: z.array(z.string()).default([]),
  name: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
  away: z.boolean().optional(),
  /** 送达地址确认: documents served in this chat, or on paper at an address. */
  serviceChannel: z.enum(["chat", "post"]).optional(),
  serviceAddress: z.string().optional(),
  files: z.array(fileSchema).default([]),
  /** The resident insisted on a dispute after the legal-question answer: no "not a dispute" button again. */
  insisted: z.boolean().default(false),
  /** Answering a question from the summary returns to the summary. */
  editing: z.boolean().default(false),
  typeConfirmed: z.boolean().default(false),
});
export type Draft = z.infer<typeof draftSchema>;

const intakeSchema = z.object({
  step: z.enum(INTAKE_STEPS),
  draft: draftSchema,
  /** Steps answered, oldest first: "back" returns to the last one. */
  history: z.array(z.enum(INTAKE_STEPS)).default([]),
  /** Text sent before consent, kept so the resident need not type it again. */
  pendingText: z.string().optional(),
  /** The step to return to when the resident keeps going after "cancel?". */
  resumeStep: z.enum(INTAKE_STEPS).optional(),
});
export type IntakeState = z.infer<typeof intakeSchema>;

export const stateSchema = z.object({
  v: z.literal(STATE_VERSION),
  active: z.enum(FLOWS).default("idle"),
  /** The greeting and privacy notice have been shown once. */
  greeted: z.boolean().default(false),
  consentAt: z.string().optional(),
  /** The resident chose a language themselves: it is never switched for them again. */
  localeChosen: z.boolean().default(false),
  /** An intake in progress; kept while another flow (status, a person) is active, resumed after. */
  intake: intakeSchema.optional(),
  status: z.object({ step: z.literal("confirm_withdraw"), code: z.string() }).optional(),
  respond: z
    .object({
      caseId: z.string(),
      code: z.string(),
      step: z.enum(["menu", "statement", "confirm_decline"]),
      /** The party this chat is in the case (absent in rows from before consent was asked). */
      partyId: z.string().optional(),
      answer: z.enum(["accepted", "declined"]).optional(),
    })
    .optional(),
  /** "When can you meet?" in progress: the presets picked so far, and the zone chosen (null = the centre's). */
  availability: z
    .object({
      partyId: z.string(),
      caseId: z.string(),
      step: z.enum(["presets", "zone", "language"]),
      selected: z.array(z.enum(["weekday_day", "weekday_evening", "weekend", "any"])).default([]),
      zone: z.string().nullable().optional(),
      /** The presets chosen, kept while the language or dialect is asked (saved together). */
      chosen: z.array(z.enum(["weekday_day", "weekday_evening", "weekend", "any"])).optional(),
      /** The party has not said which language or dialect they want the mediator to speak yet. */
      askLanguage: z.boolean().optional(),
      /** Where the conversation goes once it is answered. */
      returnTo: z.enum(["idle", "respond"]).default("idle"),
    })
    .optional(),
  handoff: z.object({ id: z.string(), openedAt: z.string(), ackedAt: z.string().optional() }).optional(),
  /** 签署 was pressed and a code sent: six digits typed next are that code for this agreement version. */
  signing: z.object({ documentId: z.string(), until: z.string() }).optional(),
  /** Risk seen in this conversation: a page goes out once per episode (see safety.ts). */
  safety: z
    .object({ lastRiskAt: z.string(), pagedAt: z.string(), flags: z.array(z.enum(RISK_FLAGS)) })
    .optional(),
  /** Messages in a row the dialogue did not understand; two hand the resident to a person. */
  misses: z.number().int().default(0),
});
export type DialogueState = z.infer<typeof stateSchema>;

export function freshState(): DialogueState {
  return stateSchema.parse({ v: STATE_VERSION });
}

export type LoadedState =
  | { state: DialogueState; migratedFrom?: number }
  /** Stored state that could not be read or migrated: the resident must be told, and it is logged. */
  | { state: DialogueState; lost: { reason: string; version: unknown } };

/** Reads stored state, migrating older versions. Never throws. */
export function loadState(json: string | null | undefined): LoadedState {
  if (!json || json === "{}") return { state: freshState() };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { state: freshState(), lost: { reason: "not JSON", version: undefined } };
  }
  const version = typeof raw === "object" && raw !== null ? ((raw as { v?: unknown }).v ?? 1) : undefined;
  let migrated: unknown;
  try {
    migrated = migrate(raw, version);
  } catch (err) {
    return { state: freshState(), lost: { reason: (err as Error).message, version } };
  }
  const parsed = stateSchema.safeParse(migrated);
  if (!parsed.success) {
    return { state: freshState(), lost: { reason: parsed.error.issues[0]?.message ?? "invalid", version } };
  }
  return version === STATE_VERSION ? { state: parsed.data } : { state: parsed.data, migratedFrom: version as number };
}

function migrate(raw: unknown, version: unknown): unknown {
  if (version === STATE_VERSION) return raw;
  if (version === 1) return fromV1(raw as V1State);
  throw new Error(`unknown state version ${String(version)}`);
}

/** Version 1 (before flows): one flat step machine with `step`, `draft`, `resumeStep`, `withdrawCode`. */
interface V1State {
  step?: string;
  consentAt?: string;
  draft?: Record<string, unknown> & { serviceChannel?: string; servicePhone?: string };
  pendingText?: string;
  resumeStep?: string;
  withdrawCode?: string;
}

const V1_RENAMED: Record<string, IntakeStep> = { service_phone: "service", since: "away" };

function fromV1(old: V1State): unknown {
  const step = old.step ?? "start";
  const base = {
    v: STATE_VERSION,
    greeted: step !== "start",
    consentAt: old.consentAt,
    misses: 0,
  };
  if (step === "confirm_withdraw" && old.withdrawCode) {
    return { ...base, active: "status", status: { step: "confirm_withdraw", code: old.withdrawCode } };
  }
  const intakeStep = step === "confirm_cancel" ? "confirm_cancel" : (V1_RENAMED[step] ?? step);
  if (old.draft && (INTAKE_STEPS as readonly string[]).includes(intakeStep)) {
    const { serviceChannel, servicePhone, ...rest } = old.draft;
    // v1 offered SMS service, which never existed: the resident is asked again, the number kept as contact.
    const draft = {
      ...rest,
      ...(serviceChannel === "chat" ? { serviceChannel: "chat" } : {}),
      ...(servicePhone ? { phone: servicePhone } : {}),
    };
    const resume = old.resumeStep ? (V1_RENAMED[old.resumeStep] ?? old.resumeStep) : undefined;
    return {
      ...base,
      active: "intake",
      intake: {
        step: serviceChannel === "sms" && intakeStep === "summary" ? "service" : intakeStep,
        draft,
        history: [],
        ...(resume && (INTAKE_STEPS as readonly string[]).includes(resume) ? { resumeStep: resume } : {}),
      },
    };
  }
  if (step === "consent" || old.pendingText) {
    return {
      ...base,
      active: "intake",
      intake: { step: "consent", draft: { intakeKey: newId() }, pendingText: old.pendingText },
    };
  }
  return { ...base, active: "idle" };
}

/** The 13 dispute types of DESIGN.md; labels live in the i18n catalogues under `type.<code>`. */
export const DISPUTE_TYPES = [
  "marriage_family",
  "neighbor",
  "labor",
  "traffic",
  "medical",
  "property_mgmt",
  "housing_land",
  "contract_debt",
  "consumer",
  "injury_tort",
  "expropriation",
  "other",
  "not_dispute",
] as const;
export type DisputeType = (typeof DISPUTE_TYPES)[number];

export function isDisputeType(v: unknown): v is DisputeType {
  return typeof v === "string" && (DISPUTE_TYPES as readonly string[]).includes(v);
}

export const RISK_FLAGS = ["group_claim", "wage_arrears_group", "violence", "self_harm", "large_sum"] as const;
export type RiskFlag = (typeof RISK_FLAGS)[number];

export const COMPLEXITIES = ["simple", "general", "complex", "difficult"] as const;
export type Complexity = (typeof COMPLEXITIES)[number];

export const TIERS = ["village", "township", "county"] as const;
export type Tier = (typeof TIERS)[number];

export const CASE_STATUSES = ["received", "routed", "in_mediation", "closed", "followed_up"] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const OUTCOMES = ["resolved", "failed", "withdrawn", "referred"] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const PARTY_ROLES = ["claimant", "respondent", "other"] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];

/** A case code: prefix, local date, daily sequence (一案一码). */
export const CASE_CODE_PATTERN = /[A-Z]{2,6}-\d{8}-\d{4,}/;

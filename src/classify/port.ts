import type { Complexity, DisputeType, RiskFlag } from "../cases/types.js";

/** Facts a classifier may pull out of the resident's text, so the dialogue can skip those questions. */
export interface ExtractedFacts {
  /** One-line summary in Chinese. */
  summary?: string;
  /** The other side(s) as the resident names them. */
  parties?: string[];
  /** Sum of money involved, in yuan. */
  amountYuan?: number;
  place?: string;
  since?: string;
  complexity?: Complexity;
}

export interface Classification {
  type: DisputeType;
  /** 0..1; below the dialogue's threshold the resident picks the type from buttons. */
  confidence: number;
  /** Top alternatives, best first, for the correction buttons. */
  alternatives: { type: DisputeType; confidence: number }[];
  riskFlags: RiskFlag[];
  facts: ExtractedFacts;
  /** Who answered: the local model, the language model, or the local model after the LLM failed. */
  source: "local" | "llm" | "llm_fallback";
}

/**
 * Classifier port. The dialogue depends on this and nothing else; implementations: the local
 * statistical model (default) and the language-model classifier (with the local one as fallback).
 */
export interface Classifier {
  classify(text: string, options?: { signal?: AbortSignal }): Promise<Classification>;
  /**
   * For a classifier behind an outside server: asks the server whether it is there, and tells its
   * breaker, so /healthz knows on a quiet night too. Throws when it is not.
   */
  ping?(signal: AbortSignal): Promise<void>;
}

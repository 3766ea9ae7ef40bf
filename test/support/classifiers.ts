import type { DisputeType, RiskFlag } from "../../src/cases/types.js";
import type { Classification, Classifier, ExtractedFacts } from "../../src/classify/port.js";

/**
 * A classifier behind our own port that answers what the test says (by substring), so dialogue tests
 * pin down the dialogue, not the model. The real models have their own tests.
 */
export function scriptedClassifier(
  rules: { match: string; type: DisputeType; confidence?: number; riskFlags?: RiskFlag[]; facts?: ExtractedFacts }[],
  fallback: DisputeType = "other",
): Classifier & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async classify(text: string): Promise<Classification> {
      calls.push(text);
      const rule = rules.find((r) => text.includes(r.match));
      return {
        type: rule?.type ?? fallback,
        confidence: rule?.confidence ?? (rule ? 0.9 : 0.2),
        alternatives: [{ type: "neighbor", confidence: 0.05 }],
        riskFlags: rule?.riskFlags ?? [],
        facts: rule?.facts ?? {},
        source: "local",
      };
    },
  };
}

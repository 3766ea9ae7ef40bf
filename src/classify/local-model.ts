// The default classifier: runs in-process with no account anywhere, answers in microseconds, and is
// the fallback whenever the language model is slow, down or talking nonsense.
import { readFileSync } from "node:fs";
import { AppError } from "../lib/errors.js";
import type { Classification, Classifier } from "./port.js";
import { LinearModel, modelFromFile, type ModelFile, type Prediction } from "./linear-model.js";
import { detectRiskFlags, parseAmountYuan } from "./risk.js";

export const DEFAULT_MODEL_FILE = "models/classifier.json";
/** Alternatives offered as correction buttons, best first. */
const MAX_ALTERNATIVES = 3;

export function loadModelFile(path: string): ModelFile {
  let raw: string;
  try {
    raw = readFileSync(path, "utf8");
  } catch (err) {
    throw new AppError("CONFIG", `Cannot read classifier model ${path}; run \`npm run train:classify\``, { cause: err });
  }
  try {
    return JSON.parse(raw) as ModelFile;
  } catch (err) {
    throw new AppError("CONFIG", `Classifier model ${path} is not valid JSON`, { cause: err });
  }
}

/**
 * The model's ranking with its decision gates applied: the answer is the best label whose probability
 * reaches its minimum (in practice: below the model's `not_dispute` gate a text is not answered as a
 * legal question; the best dispute type answers and not_dispute becomes the first alternative). The
 * probabilities are the model's own, unchanged.
 */
export function applyGates(model: LinearModel, ranked: Prediction[]): Prediction[] {
  const min = model.minProbability;
  const answer = ranked.findIndex((p) => p.probability >= min[model.labels.indexOf(p.type)]!);
  if (answer <= 0) return ranked;
  return [ranked[answer]!, ...ranked.slice(0, answer), ...ranked.slice(answer + 1)];
}

/** Synchronous and cheap: the classify port's promise is for the LLM implementation's sake. */
export function classifyLocally(model: LinearModel, text: string): Classification {
  const ranked = applyGates(model, model.predictText(text));
  const top = ranked[0]!;
  const amountYuan = parseAmountYuan(text);
  return {
    type: top.type,
    confidence: round3(top.probability),
    alternatives: ranked.slice(1, 1 + MAX_ALTERNATIVES).map((p) => ({ type: p.type, confidence: round3(p.probability) })),
    riskFlags: detectRiskFlags(text, { amountYuan }),
    facts: amountYuan === undefined ? {} : { amountYuan },
    source: "local",
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Loads the model at once (start-up), so a missing or broken file stops start-up rather than the
 * first resident's message. Pass `model` to use an in-memory model (tests, evaluation of a fresh fit).
 */
export function createLocalClassifier(options: { modelFile?: string; model?: ModelFile } = {}): Classifier {
  const model = modelFromFile(options.model ?? loadModelFile(options.modelFile ?? DEFAULT_MODEL_FILE));
  // Build the character table and compile the hot path now instead of on the first message.
  model.predictText("预热");
  return {
    async classify(text, opts = {}) {
      opts.signal?.throwIfAborted();
      return classifyLocally(model, text);
    },
  };
}

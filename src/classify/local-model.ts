// The default classifier: runs in-process with no account anywhere, answers in microseconds, and is
// the fallback whenever the language model is slow, down or talking nonsense.
import { readFileSync } from "node:fs";
import { AppError } from "../lib/errors.js";
import type { Classification, Classifier } from "./port.js";
import { extractFeatures } from "./features.js";
import { LinearModel, modelFromFile, type ModelFile } from "./linear-model.js";
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

/** Synchronous and cheap: the classify port's promise is for the LLM implementation's sake. */
export function classifyLocally(model: LinearModel, text: string): Classification {
  const ranked = model.predict(extractFeatures(text));
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
  // Warm the segmenter (dictionary load) now instead of on the first message.
  extractFeatures("预热");
  return {
    async classify(text, opts = {}) {
      opts.signal?.throwIfAborted();
      return classifyLocally(model, text);
    },
  };
}

// Labelled corpus files: JSON lines {"text","label"}. Reading never throws on content: a malformed
// line or a label outside the 13 types is reported and skipped, so one bad line cannot sink an eval.
import { readFile } from "node:fs/promises";
import { type DisputeType, isDisputeType } from "../cases/types.js";

export interface Example {
  text: string;
  label: DisputeType;
}

export interface ParsedDataset {
  examples: Example[];
  /** 1-based line numbers with why each was skipped. */
  malformed: { line: number; error: string }[];
  /** Labels not among the 13 types, with how many lines carried each; those lines are excluded. */
  unknownLabels: Record<string, number>;
}

export function parseJsonl(content: string): ParsedDataset {
  const out: ParsedDataset = { examples: [], malformed: [], unknownLabels: {} };
  content.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      out.malformed.push({ line, error: `not JSON: ${(err as Error).message}` });
      return;
    }
    const rec = value as { text?: unknown; label?: unknown } | null;
    if (typeof rec !== "object" || rec === null || Array.isArray(rec)) {
      out.malformed.push({ line, error: "not a JSON object" });
    } else if (typeof rec.text !== "string" || rec.text.trim() === "") {
      out.malformed.push({ line, error: "missing or empty \"text\"" });
    } else if (typeof rec.label !== "string") {
      out.malformed.push({ line, error: "missing \"label\"" });
    } else if (!isDisputeType(rec.label)) {
      out.unknownLabels[rec.label] = (out.unknownLabels[rec.label] ?? 0) + 1;
    } else {
      out.examples.push({ text: rec.text, label: rec.label });
    }
  });
  return out;
}

export async function readJsonl(file: string): Promise<ParsedDataset> {
  return parseJsonl(await readFile(file, "utf8"));
}

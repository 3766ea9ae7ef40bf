// One-off, reproducible: merges the writers' texts (corpus/classify/staging/w1…w7-*.jsonl) into the corpus.
// `npx tsx scripts/split-corpus.ts`
//
// Run once, on 2026-12-01, after scripts/relabel-old-corpus.py; it printed
//   writers' texts: 4332 (3 repeating an old line left out); train.jsonl 1257 + 3811, heldout.jsonl 359 + 518
// and staging/ was then removed (the writers' briefs moved to corpus/classify/). Kept as the record of
// how train.jsonl and heldout.jsonl were made; with the same staging files it gives the same split.
//
// A seeded split, stratified by (source file, label): of every stratum 12 % (rounded) goes to held-out set 1
// (corpus/classify/heldout.jsonl), the rest to corpus/classify/train.jsonl, both appended after the old
// (relabelled, see scripts/relabel-old-corpus.py) lines. Texts that repeat an old line (after dropping
// punctuation and spaces) are left out, so nothing is in both files. staging/heldout-apart.jsonl (held-out
// set 2, by a separate writer) is copied unchanged to corpus/classify/heldout-apart.jsonl and never mixed in.
// Refuses to run a second time (when train.jsonl already holds writers' texts).
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseJsonl, type Example } from "../src/classify/dataset.js";
import { seededRandom, shuffle } from "../src/classify/train-model.js";

const DIR = "corpus/classify";
const STAGING = join(DIR, "staging");
const HELDOUT_SHARE = 0.12;
const SEED = 20261201;

const key = (text: string) => text.normalize("NFKC").replace(/[\s\p{P}\p{S}]+/gu, "").toLowerCase();
/** The corpus files' own layout: {"text": "…", "label": "…"}. */
const line = (e: Example) => `{"text": ${JSON.stringify(e.text)}, "label": ${JSON.stringify(e.label)}}`;

function read(file: string): Example[] {
  const parsed = parseJsonl(readFileSync(file, "utf8"));
  if (parsed.malformed.length || Object.keys(parsed.unknownLabels).length) {
    throw new Error(`${file}: malformed lines ${JSON.stringify(parsed.malformed)}, unknown labels ${JSON.stringify(parsed.unknownLabels)}`);
  }
  return parsed.examples;
}

const oldTrain = read(join(DIR, "train.jsonl"));
const oldHeldout = read(join(DIR, "heldout.jsonl"));
if (!existsSync(STAGING)) throw new Error(`${STAGING} is gone: the split was done once (see the head of this script)`);
const writerFiles = readdirSync(STAGING).filter((f) => /^w\d+-.*\.jsonl$/.test(f)).sort();
if (writerFiles.length === 0) throw new Error(`no writers' files in ${STAGING}`);

const seen = new Set([...oldTrain, ...oldHeldout].map((e) => key(e.text)));
const writers = writerFiles.flatMap((f) => read(join(STAGING, f)).map((e) => ({ e, stratum: `${f}/${e.label}` })));
const oldTexts = new Set(oldTrain.map((e) => e.text));
// A handful of greetings ("你好") may repeat by chance; dozens mean the split has been done before.
if (writers.filter(({ e }) => oldTexts.has(e.text)).length > 20) {
  throw new Error("train.jsonl already contains the writers' texts; the split is done once");
}

const strata = new Map<string, Example[]>();
let duplicates = 0;
for (const { e, stratum } of writers) {
  const k = key(e.text);
  if (seen.has(k)) {
    duplicates++;
    continue;
  }
  seen.add(k);
  strata.set(stratum, [...(strata.get(stratum) ?? []), e]);
}

const random = seededRandom(SEED);
const toTrain: Example[] = [];
const toHeldout: Example[] = [];
for (const name of [...strata.keys()].sort()) {
  const items = shuffle(strata.get(name)!, random);
  const nHeldout = Math.round(items.length * HELDOUT_SHARE);
  toHeldout.push(...items.slice(0, nHeldout));
  toTrain.push(...items.slice(nHeldout));
}

writeFileSync(join(DIR, "train.jsonl"), [...oldTrain, ...toTrain].map(line).join("\n") + "\n");
writeFileSync(join(DIR, "heldout.jsonl"), [...oldHeldout, ...toHeldout].map(line).join("\n") + "\n");
const apart = join(STAGING, "heldout-apart.jsonl");
if (existsSync(apart)) copyFileSync(apart, join(DIR, "heldout-apart.jsonl"));
console.log(
  `writers' texts: ${writers.length} (${duplicates} repeating an old line left out); ` +
    `train.jsonl ${oldTrain.length} + ${toTrain.length}, heldout.jsonl ${oldHeldout.length} + ${toHeldout.length}`,
);

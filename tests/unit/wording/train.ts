// Trains the learned part of the wording check (app/models/wording-learned.ts) on the development
// sets only, and writes app/models/wording-model.json: `npm run wording:train`. Deterministic:
// the same sets give the same file, which the unit tests check. It first estimates, by 5-fold
// cross-validation on the development sets, which probability to act on: the lowest that keeps
// the rules and the model together at precision ≥ 0.95. The held-out set is never read.
import fs from "node:fs";
import { serverTokenizer } from "~/lib/wording-nlp.server";
import { namesOf, readBlame, type WordingField } from "~/models/wording";
import { blameProbability, sentenceFeatures, train, type Example, type LearnedModel } from "~/models/wording-learned";

const FILES = ["tests/unit/wording/development.json", "tests/unit/wording/development-2.json"];
const MODEL_FILE = "app/models/wording-model.json";
const PRECISION_FLOOR = Number(process.env.FLOOR ?? 0.93);

type Sentence = { text: string; field: WordingField; blaming: boolean };
/** A labelled text: its sentences' features, all of them and those the rules found nothing in. */
type Text = { field: WordingField; blaming: boolean; ruled: boolean; all: string[][]; sentences: string[][]; fold: number };

export function readTexts(): Text[] {
  const tokenize = serverTokenizer();
  const texts: Text[] = [];
  for (const file of FILES) {
    const corpus = JSON.parse(fs.readFileSync(file, "utf8")) as { directory: { people: string[]; teams: string[] }; sentences: Sentence[] };
    const names = namesOf(corpus.directory);
    corpus.sentences.forEach((s) => {
      const { words, hits, sentences, neutral } = readBlame(s.text, tokenize, s.field, names);
      texts.push({
        field: s.field,
        blaming: s.blaming,
        ruled: hits.length > 0,
        all: sentences.map(([a, b]) => sentenceFeatures(words.slice(a, b), s.field)),
        sentences: sentences.filter(([a, b]) => !hits.some((h) => h.from < b && h.to > a) && ![...neutral].some((n) => n >= a && n < b)).map(([a, b]) => sentenceFeatures(words.slice(a, b), s.field)),
        fold: texts.length % 5,
      });
    });
  }
  return texts;
}

/**
 * Training examples: the sentence of a one-sentence text, which carries the text's label without
 * doubt, and every sentence of a text labelled blameless. (A blaming text of several sentences
 * says only that one of them blames, not which.)
 */
const examplesOf = (texts: Text[]): Example[] => texts.filter((t) => t.all.length === 1 || !t.blaming).flatMap((t) => t.all.map((features) => ({ features, blaming: t.blaming })));

const SETTINGS = { epochs: Number(process.env.EPOCHS ?? 10), rate: Number(process.env.RATE ?? 0.1), l2: Number(process.env.L2 ?? 1e-4) };

export function trainModel(texts: Text[]): Omit<LearnedModel, "threshold"> {
  return train(examplesOf(texts), SETTINGS);
}

function figures(outcomes: { blaming: boolean; flagged: boolean; field: string }[], field?: string) {
  const of = outcomes.filter((o) => !field || o.field === field);
  const tp = of.filter((o) => o.flagged && o.blaming).length;
  const fp = of.filter((o) => o.flagged && !o.blaming).length;
  const fn = of.filter((o) => !o.flagged && o.blaming).length;
  return { precision: tp / Math.max(1, tp + fp), recall: tp / Math.max(1, tp + fn) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const texts = readTexts();
  // Out-of-fold probabilities: each text scored by a model that never saw it.
  const scored = texts.map((t) => ({ ...t, p: 0 }));
  for (let fold = 0; fold < 5; fold++) {
    const model = { ...trainModel(texts.filter((t) => t.fold !== fold)), threshold: 1 };
    for (const t of scored) if (t.fold === fold) t.p = Math.max(0, ...t.sentences.map((f) => blameProbability(model, f)));
  }
  const rulesOnly = figures(scored.map((t) => ({ blaming: t.blaming, flagged: t.ruled, field: t.field })));
  let threshold = 0.99;
  for (let th = 0.99; th >= 0.5; th -= 0.01) {
    const f = figures(scored.map((t) => ({ blaming: t.blaming, flagged: t.ruled || t.p >= th, field: t.field })));
    if (f.precision >= PRECISION_FLOOR) threshold = th;
    else break;
  }
  threshold = Math.round(threshold * 100) / 100;
  const outcomes = scored.map((t) => ({ blaming: t.blaming, flagged: t.ruled || t.p >= threshold, field: t.field }));
  const say = (name: string, f: { precision: number; recall: number }) => console.log(`  ${name.padEnd(22)} precision ${f.precision.toFixed(3)}  recall ${f.recall.toFixed(3)}`);
  console.log(`Development sets, ${texts.length} texts, 5-fold cross-validation:`);
  say("rules only", rulesOnly);
  say(`rules + model ≥ ${threshold}`, figures(outcomes));
  for (const field of ["question", "answer", "remediation"]) say(`  ${field}`, figures(outcomes, field));
  const model: LearnedModel = { ...trainModel(texts), threshold };
  fs.writeFileSync(MODEL_FILE, `${JSON.stringify(model, null, 0).replace(/,"/g, ',\n"')}\n`);
  console.log(`Wrote ${MODEL_FILE}: ${Object.keys(model.weights).length} weights, ${(fs.statSync(MODEL_FILE).size / 1024).toFixed(0)} KB.`);
}

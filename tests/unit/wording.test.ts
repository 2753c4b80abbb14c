import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { piecesOf } from "~/lib/wording-nlp";
import { serverTokenizer } from "~/lib/wording-nlp.server";
import { applyRewrite } from "~/models/blame";
import { checkWording, namesFor, type WordingField } from "~/models/wording-check";

// The wording check that reads sentence structure (app/models/wording.ts), measured on labelled
// corpora (tests/unit/wording/LABELS.md). The development set is what the rules are tuned on; the
// held-out set was written by someone who never saw the checker or the development set, and was
// committed with its hash before any tuning. Its sentences are never printed here: only figures.

type Sentence = { text: string; field: WordingField; blaming: boolean; kind?: string; tags?: string[] };
type Corpus = { directory: { people: string[]; teams: string[] }; sentences: Sentence[] };
const dir = path.resolve("tests/unit/wording");
const read = (file: string) => fs.readFileSync(path.join(dir, file));
const load = (file: string): Corpus => JSON.parse(read(file).toString("utf8"));
const tokenize = serverTokenizer();

type Tally = { tp: number; fp: number; fn: number; tn: number };
function measure(corpus: Corpus) {
  const names = namesFor(corpus.directory);
  const by = new Map<string, Tally>();
  const add = (key: string, outcome: keyof Tally) => {
    const t = by.get(key) ?? { tp: 0, fp: 0, fn: 0, tn: 0 };
    t[outcome] += 1;
    by.set(key, t);
  };
  for (const s of corpus.sentences) {
    const flagged = checkWording(s.text, { field: s.field, names, tokenize }).length > 0;
    const outcome = flagged ? (s.blaming ? "tp" : "fp") : s.blaming ? "fn" : "tn";
    add("all", outcome);
    add(`field ${s.field}`, outcome);
    if (s.kind) add(`kind ${s.kind}`, outcome);
  }
  const figures = (t: Tally) => ({ precision: t.tp / Math.max(1, t.tp + t.fp), recall: t.tp / Math.max(1, t.tp + t.fn), ...t });
  return new Map([...by].map(([k, t]) => [k, figures(t)]));
}

function report(name: string, m: ReturnType<typeof measure>) {
  const lines = [...m].sort(([a], [b]) => a.localeCompare(b)).map(([k, f]) => `  ${k.padEnd(26)} precision ${f.precision.toFixed(3)}  recall ${f.recall.toFixed(3)}  (${f.tp} found, ${f.fp} false alarms, ${f.fn} missed, ${f.tn} left alone)`);
  console.log(`wording check, ${name}:\n${lines.join("\n")}`);
}

describe("the wording corpora", () => {
  it("hold at least 1,000 labelled sentences, 300 of them held out, in every field", () => {
    const development = load("development.json");
    const heldOut = load("heldout.json");
    expect(development.sentences.length + heldOut.sentences.length).toBeGreaterThanOrEqual(1000);
    expect(heldOut.sentences.length).toBeGreaterThanOrEqual(300);
    for (const corpus of [development, heldOut]) {
      for (const field of ["question", "answer", "remediation"] as const) {
        const inField = corpus.sentences.filter((s) => s.field === field);
        expect(inField.length).toBeGreaterThanOrEqual(100);
        expect(inField.filter((s) => s.blaming).length).toBeGreaterThan(inField.length / 3);
      }
    }
  });

  it("keep the held-out set exactly as it was committed before tuning", () => {
    const [hash] = read("heldout.sha256").toString("utf8").trim().split(/\s+/);
    expect(crypto.createHash("sha256").update(read("heldout.json")).digest("hex")).toBe(hash);
  });
});

describe("the wording check on labelled sentences", () => {
  // The development sets are what the rules were written from and the model was trained on:
  // their figures say the check holds what it learned, not how it does on unseen prose (see
  // npm run wording:train for the cross-validated estimate, and the held-out set below).
  for (const file of ["development.json", "development-2.json"]) {
    it(`holds what it learned from ${file}`, () => {
      const m = measure(load(file));
      report(file, m);
      for (const key of ["all", "field question", "field answer", "field remediation"]) {
        expect(m.get(key)!.precision, key).toBeGreaterThanOrEqual(0.9);
        expect(m.get(key)!.recall, key).toBeGreaterThanOrEqual(0.9);
      }
    });
  }

  it("finds blame in the held-out set it was never tuned on: precision and recall ≥ 0.9, each field ≥ 0.85", () => {
    const m = measure(load("heldout.json"));
    report("held-out set", m);
    expect(m.get("all")!.precision).toBeGreaterThanOrEqual(0.9);
    expect(m.get("all")!.recall).toBeGreaterThanOrEqual(0.9);
    for (const field of ["question", "answer", "remediation"]) {
      expect(m.get(`field ${field}`)!.precision, field).toBeGreaterThanOrEqual(0.85);
      expect(m.get(`field ${field}`)!.recall, field).toBeGreaterThanOrEqual(0.85);
    }
  });
});

describe("the learned model", () => {
  it("is what training on the development sets gives: deterministic, no network", async () => {
    const { readTexts, trainModel } = await import("./wording/train");
    const shipped = JSON.parse(fs.readFileSync(path.resolve("app/models/wording-model.json"), "utf8")) as { bias: number; weights: Record<string, number>; threshold: number };
    const trained = trainModel(readTexts());
    expect(trained.bias).toBeCloseTo(shipped.bias, 2);
    const keys = Object.keys(shipped.weights);
    const same = keys.filter((k) => trained.weights[k] !== undefined && Math.abs(trained.weights[k] - shipped.weights[k]) <= 0.002);
    expect(same.length / keys.length).toBeGreaterThan(0.999);
    expect(Object.keys(trained.weights).length).toBeCloseTo(keys.length, -1);
  }, 120_000);
});

describe("rewordings", () => {
  it("leave no finding of their kind and every other sentence whole, over both corpora", () => {
    let offered = 0;
    const failures: string[] = [];
    for (const file of ["development.json", "heldout.json"]) {
      const corpus = load(file);
      const names = namesFor(corpus.directory);
      corpus.sentences.forEach((s, index) => {
        for (const f of checkWording(s.text, { field: s.field, names, tokenize })) {
          if (!f.rewrite) continue;
          offered += 1;
          const after = applyRewrite(s.text, f.rewrite);
          const left = checkWording(after, { field: s.field, names, tokenize }).filter((g) => g.kind === f.kind);
          const sentences = (t: string) => t.split(/(?<=[.!?])\s+|\n/).filter((x) => x.trim());
          const untouched = sentences(s.text).filter((x) => !x.includes(f.match));
          const lost = untouched.filter((x) => !after.includes(x));
          // Held-out sentences are not printed: only where they are.
          const where = file === "heldout.json" ? `held-out #${index}` : JSON.stringify(s.text);
          if (left.length > 0) failures.push(`${where}: “${file === "heldout.json" ? f.kind : f.match}” still has ${f.kind}`);
          if (lost.length > 0) failures.push(`${where}: lost ${lost.length} other sentence(s)`);
          if (!after.trim()) failures.push(`${where}: emptied the field`);
        }
      });
    }
    expect(failures).toEqual([]);
    expect(offered).toBeGreaterThan(20);
  });

  it("rewrite only the flagged words, in context", () => {
    const names = namesFor({ people: ["Leon Fischer"], teams: [] });
    const text = "The deploy went out at 14:05. Leon merged it sloppily. Add a canary stage.";
    const [finding] = checkWording(text, { field: "answer", names, tokenize }).filter((f) => f.kind === "judgement");
    expect(finding.match).toBe("sloppily");
    expect(applyRewrite(text, finding.rewrite!)).toBe("The deploy went out at 14:05. Leon merged it. Add a canary stage.");
  });

  it("offer the question to ask, and no rewording, where none is safe", () => {
    const names = namesFor({ people: [], teams: [] });
    const findings = checkWording("Obviously the author should have written a test.", { field: "answer", names, tokenize });
    expect(findings.map((f) => f.kind)).toEqual(["hindsight", "hindsight"]);
    // Dropping "Obviously" would still leave the author as the one who should have: no rewording.
    expect(findings.every((f) => f.rewrite === undefined)).toBe(true);
    expect(findings[1].suggestion).toMatch(/\?$/);
  });
});

describe("the wording check's cost", () => {
  it("hands the tagger pieces of bounded length, cut at sentence ends, spaces, or anywhere in a run without them", () => {
    for (const text of ["?!".repeat(20_000), "a.b".repeat(13_000), "word ".repeat(8_000), "One sentence. ".repeat(3_000), "x".repeat(40_000)]) {
      const pieces = piecesOf(text);
      expect(pieces.every(([a, b]) => b - a <= 320)).toBe(true);
      // Together they are the whole text, in order.
      expect(pieces.map(([a, b]) => text.slice(a, b)).join("")).toBe(text);
    }
    expect(piecesOf("Leon forgot. Tell Ned.\n- Add a check")).toEqual([[0, 12], [12, 22], [22, 23], [23, 36]]);
  });

  it("reads names from a set, so the directory's size changes no finding", () => {
    const few = namesFor({ people: ["Leon Fischer"], teams: ["Payments"] });
    const many = namesFor({ people: ["Leon Fischer", ...Array.from({ length: 10_000 }, (_, i) => `Person${i} Surname${i}`)], teams: ["Payments"] });
    const text = "Because Leon ran the cleanup job against the live bucket. The Payments team let the certificate expire.";
    const shape = (names: typeof few) => checkWording(text, { field: "answer", names, tokenize }).map((f) => [f.kind, f.match]);
    expect(shape(many)).toEqual(shape(few));
    expect(shape(few).length).toBe(2);
  });

  it("reads pathological texts up to the longest field, with every finding inside the text", () => {
    const names = namesFor({ people: ["Leon Fischer"], teams: ["Ops"] });
    const limit = 4_000;
    const inputs = [
      "be careful ".repeat(400),
      "fire ".repeat(800),
      "he merged it without review and ".repeat(125),
      "Tom was careless. ".repeat(220),
      "- Remind Leon to double-check\n".repeat(130),
      "a".repeat(limit),
      "\"".repeat(limit),
      "Had ".repeat(1000),
      "if only ".repeat(500),
      "Why did Leon ".repeat(300),
      "'s ".repeat(1300),
      "- ".repeat(2000),
      "?!".repeat(2000),
      "a.b".repeat(1400),
      "😀".repeat(2000),
      "\n- ".repeat(1400),
    ].map((t) => t.slice(0, limit));
    for (const text of inputs) {
      for (const field of ["question", "answer", "remediation"] as const) {
        const findings = checkWording(text, { field, names, tokenize });
        for (const f of findings) {
          expect(f.start).toBeGreaterThanOrEqual(0);
          expect(f.end).toBeLessThanOrEqual(text.length);
          expect(text.slice(f.start, f.end)).toBe(f.match);
        }
      }
    }
  });
});

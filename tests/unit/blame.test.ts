import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkWhy, findBlame, type WhyField } from "~/models/blame";

type Corpus = { directory: string[]; sentences: { text: string; field: WhyField; blaming: boolean }[] };
const corpus: Corpus = JSON.parse(fs.readFileSync(path.resolve("tests/unit/blame-corpus.json"), "utf8"));

describe("the blame-language check on the labelled corpus", () => {
  it(`keeps precision ≥ 0.85 and recall ≥ 0.9 over ${corpus.sentences.length} sentences`, () => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    const misses: string[] = [];
    for (const s of corpus.sentences) {
      const flagged = findBlame(s.text, { field: s.field, people: corpus.directory }).length > 0;
      if (flagged && s.blaming) tp += 1;
      else if (flagged) (fp += 1), misses.push(`false alarm: ${s.text}`);
      else if (s.blaming) (fn += 1), misses.push(`missed: ${s.text}`);
    }
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    console.log(`blame check: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} (${tp} found, ${fp} false alarms, ${fn} missed)`);
    if (misses.length > 0) console.log(misses.join("\n"));
    expect(corpus.sentences.length).toBeGreaterThanOrEqual(150);
    expect(precision).toBeGreaterThanOrEqual(0.85);
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });
});

describe("findings", () => {
  it("flag Ries's “So-and-so made a mistake” and suggest asking what let it through", () => {
    const [finding] = findBlame("So-and-so made a mistake.");
    expect(finding).toMatchObject({ kind: "person", match: "So-and-so made a mistake", start: 0 });
    expect(finding.suggestion).toBe("What allowed this mistake to reach production without being caught?");
  });

  it("say where the wording is, by field", () => {
    const result = checkWhy(
      { question: "Why did Ned break the build?", answer: "He was careless.", remediationMd: "Tell everyone to be more careful." },
      ["Ned Flanders"],
    );
    expect(result.question.map((f) => f.kind)).toEqual(["person"]);
    expect(result.answer.map((f) => [f.kind, f.match])).toEqual([["person", "He was careless"]]);
    expect(result.remediation.map((f) => [f.kind, f.match])).toEqual([["remediation", "be more careful"]]);
    const f = result.question[0];
    expect("Why did Ned break the build?".slice(f.start, f.end)).toBe(f.match);
  });

  it("leave neutral technical prose alone", () => {
    for (const text of [
      "The health check failed to detect the stalled worker.",
      "The deploy should have rolled back automatically.",
      "Ned paged the database team at 14:05.",
      "New engineers are not trained in TDD during orientation.",
      "Have the team add a canary stage to the pipeline.",
    ]) {
      expect(findBlame(text, { field: "remediation", people: ["Ned Flanders"] })).toEqual([]);
      expect(findBlame(text, { field: "answer", people: ["Ned Flanders"] })).toEqual([]);
    }
  });
});

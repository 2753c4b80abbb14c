import fs from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { applyRewrite, checkWhy, findBlame, findingKey, findingsToStore, MAX_FINDINGS_PER_WHY, type WhyField } from "~/models/blame";

type Corpus = { about?: string; directory: string[]; sentences: { text: string; field: WhyField; blaming: boolean }[] };
const load = (file: string): Corpus => JSON.parse(fs.readFileSync(path.resolve("tests/unit", file), "utf8"));

// The first corpus is the one the rules were written against. The other two were each written by
// someone who never saw the rules, and measured once before the rules learned from their misses:
// the first at precision 0.936 / recall 0.689, the second at 0.947 / 0.750. Those first readings
// are the honest estimate for unseen prose; the checks below keep what was learned from all three.
const CORPORA = [
  { file: "blame-corpus.json", name: "tuning corpus" },
  { file: "blame-corpus-holdout.json", name: "first held-out corpus" },
  { file: "blame-corpus-holdout-2.json", name: "second held-out corpus" },
];

function measure(corpus: Corpus) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const misses: string[] = [];
  for (const s of corpus.sentences) {
    const flagged = findBlame(s.text, { field: s.field, people: corpus.directory }).length > 0;
    if (flagged && s.blaming) tp += 1;
    else if (flagged) (fp += 1), misses.push(`false alarm: [${s.field}] ${s.text}`);
    else if (s.blaming) (fn += 1), misses.push(`missed: [${s.field}] ${s.text}`);
  }
  return { precision: tp / (tp + fp), recall: tp / (tp + fn), tp, fp, fn, misses };
}

describe("the blame-language check on labelled corpora", () => {
  for (const { file, name } of CORPORA) {
    const corpus = load(file);
    it(`keeps precision ≥ 0.85 and recall ≥ 0.9 on the ${name} (${corpus.sentences.length} sentences)`, () => {
      const m = measure(corpus);
      console.log(`blame check, ${name}: precision ${m.precision.toFixed(3)}, recall ${m.recall.toFixed(3)} (${m.tp} found, ${m.fp} false alarms, ${m.fn} missed)`);
      if (m.misses.length > 0) console.log(m.misses.join("\n"));
      expect(corpus.sentences.length).toBeGreaterThanOrEqual(150);
      expect(corpus.sentences.filter((s) => s.blaming).length).toBeGreaterThan(corpus.sentences.length / 3);
      expect(m.precision).toBeGreaterThanOrEqual(0.85);
      expect(m.recall).toBeGreaterThanOrEqual(0.9);
    });
  }
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

describe("suggested rewordings", () => {
  const reworded = (text: string, field: WhyField = "answer") => {
    const [finding] = findBlame(text, { field, people: ["Ned Flanders"] });
    return finding?.rewrite ? applyRewrite(text, finding.rewrite) : undefined;
  };

  it("turn a person's mistake into what let it through, and a call for care into a mechanism", () => {
    expect(reworded("So-and-so made a mistake.")).toBe("A mistake in the change was not caught before it reached production.");
    expect(reworded("Tell everyone to be more careful. Add a lint rule.", "remediation")).toBe(
      "Add a check, test or guard rail that catches this before it reaches production. Add a lint rule.",
    );
    expect(reworded("Reprimand Ned.", "remediation")).toBe("Change the tool, default or check that let this through, so nobody else meets the same trap.");
  });

  it("reword only the words when that is enough, keeping the sentence readable", () => {
    expect(reworded("It was human error on the deploy.")).toBe("It was an error the system did not catch on the deploy.");
    expect(reworded("Obviously the config was wrong.")).toBe("The config was wrong.");
    expect(reworded("We could easily have seen it.")).toBe("We could have seen it.");
  });

  it("offer no rewording where only the writer can say what happened", () => {
    expect(reworded("Ned forgot to run the migration.")).toBeUndefined();
  });
});

describe("what does not cry wolf, and rewordings that keep the text whole", () => {
  const people = ["Max Power", "Grant Frost", "Ned Flanders"];
  const matches = (text: string, field: WhyField = "answer") => findBlame(text, { field, people }).map((f) => f.match);

  it("reads a name that is also a word as a word when it is written as one", () => {
    expect(matches("The power failed in the rack after frost damage.")).toEqual([]);
    expect(matches("Because Ned forgot the flag.")).toEqual(["Ned forgot"]);
    expect(matches("Make sure ned@example.com never merges alone.", "remediation")).toHaveLength(1);
  });

  it("leaves people who lacked something, or were not paged, alone", () => {
    expect(matches("Because the reviewer had no way to see the generated SQL.")).toEqual([]);
    expect(matches("Why did the on-call engineer not get paged?", "question")).toEqual([]);
    expect(matches("Send the on-call engineer an alert when the disk is 80% full.", "remediation")).toEqual([]);
  });

  it("keeps a Markdown list item a list item, and a question a question", () => {
    const [careful] = findBlame("- Add a lint rule.\n- Tell everyone to be more careful.", { field: "remediation", people });
    expect(applyRewrite("- Add a lint rule.\n- Tell everyone to be more careful.", careful.rewrite!)).toBe(
      "- Add a lint rule.\n- Add a check, test or guard rail that catches this before it reaches production.",
    );
    const question = "Why did that change make a mistake?";
    const mistake = findBlame(question, { field: "question" }).find((f) => f.rewrite)!;
    expect(applyRewrite(question, mistake.rewrite!)).toBe("What allowed this mistake to reach production without being caught?");
    // "obvious" as an adjective is flagged, but not cut out of the sentence.
    const [obvious] = findBlame("The cause was obvious.");
    expect(obvious.match).toBe("obvious");
    expect(obvious.rewrite).toBeUndefined();
  });

  it("keys a finding the same however its words are spaced or broken across lines", () => {
    expect(findingKey("answer", "The engineer merged\r\n the change ")).toBe(findingKey("answer", "the engineer merged the change"));
  });
});

describe("the check's cost on long and repetitive text", () => {
  // Text no full stop breaks, with a finding every few words: the inputs that once took seconds.
  const LONG = {
    careful: "be careful ".repeat(2_000),
    obviously: "Obviously ".repeat(2_000),
    human: "human error ".repeat(2_000),
    fire: "fire ".repeat(4_000),
    merged: "he merged it ".repeat(2_000),
  };

  it("finds the sentence of every finding without walking back through the text for each", () => {
    for (const [name, text] of Object.entries(LONG)) {
      // Every character test the sentence handling makes goes through RegExp.prototype.test;
      // a walk per finding makes (findings × text length) of them.
      const tests = vi.spyOn(RegExp.prototype, "test");
      const findings = findBlame(text, { field: "remediation" });
      const made = tests.mock.calls.length;
      tests.mockRestore();
      expect(made, name).toBeLessThan(text.length);
      for (const f of findings) {
        expect(text.slice(f.start, f.end)).toBe(f.match);
        // No full stop: the sentence a call for care is reworded in is the whole text.
        if (name === "careful") expect([f.rewrite?.start, f.rewrite?.end]).toEqual([0, text.length]);
      }
    }
  });

  it("keeps each flagged wording once, at most a few per why, and says which fields had more", () => {
    const repeated = findingsToStore({ question: "Why?", answer: "", remediationMd: LONG.careful }, []);
    expect(repeated).toMatchObject({ items: [{ field: "remediation", match: "be careful" }], truncated: [] });
    const many = findingsToStore(
      {
        question: "Why did he forget? Obviously he was careless.",
        answer: "Because she made a mistake, he was careless, it was human error, sloppy and reckless.",
        remediationMd: "Be more careful. Retrain him. Fire him. Remind her. Tell Ned to pay attention.",
      },
      ["Ned Stark"],
    );
    expect(many.items).toHaveLength(MAX_FINDINGS_PER_WHY);
    // Each field gets its turn before any gets a second.
    expect(new Set(many.items.map((f) => f.field))).toEqual(new Set(["question", "answer", "remediation"]));
    expect(many.truncated.length).toBeGreaterThan(0);
  });
});

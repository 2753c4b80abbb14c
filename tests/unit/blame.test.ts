import { describe, expect, it } from "vitest";
import { serverTokenizer } from "~/lib/wording-nlp.server";
import { applyRewrite, checkWhy, findingKey, findingsToStore, MAX_FINDINGS_PER_WHY, type WhyField } from "~/models/blame";
import { namesOf } from "~/models/wording";
import { wordingCheck } from "~/models/wording-check";

// The findings as the app uses them: by field, with rewordings in context, stored once per
// wording. How well the check finds blame is measured on labelled corpora in wording.test.ts.

const checkWith = (people: string[], teams: string[] = []) => wordingCheck(serverTokenizer(), namesOf({ people, teams }));
const check = checkWith(["Ned Flanders", "Max Power", "Grant Frost", "ned@example.com"], ["Payments", "QA"]);
const find = (text: string, field: WhyField = "answer") => check(text, field);

describe("findings", () => {
  it("flag Ries's “So-and-so made a mistake” and ask what let it through", () => {
    const [finding] = find("So-and-so made a mistake.");
    expect(finding).toMatchObject({ kind: "person", start: 0 });
    expect(finding.suggestion).toBe("What allowed this mistake to reach production without being caught?");
  });

  it("say where the wording is, by field", () => {
    const result = checkWhy({ question: "Why did Ned break the build?", answer: "He was careless.", remediationMd: "Tell everyone to be more careful." }, check);
    expect(result.question.map((f) => f.kind)).toEqual(["question"]);
    expect(result.answer.map((f) => [f.kind, f.match])).toEqual([["judgement", "careless"]]);
    expect(result.remediation.map((f) => f.kind)).toContain("remediation");
    const f = result.question[0];
    expect("Why did Ned break the build?".slice(f.start, f.end)).toBe(f.match);
  });

  it("leave neutral technical prose alone", () => {
    for (const text of [
      "Aiko was the incident commander; Ravi handled communications.",
      "They were rebooted by the orchestrator after the kernel upgrade.",
      "The edge proxy is a dumb pipe.",
      "The human error budget metric was not tracked.",
      "The retry logic was careless about idempotency.",
      "The health check failed to detect the stalled worker.",
      "The deploy should have rolled back automatically.",
      "Ned paged the database team at 14:05.",
      "New engineers are not trained in TDD during orientation.",
      "Have the team add a canary stage to the pipeline.",
    ]) {
      expect(find(text, "remediation")).toEqual([]);
      expect(find(text, "answer")).toEqual([]);
    }
  });

  it("leave fixes aimed at the system alone, whatever words they share with fixes aimed at people", () => {
    for (const text of [
      "Make sure the deploy script checks the schema version.",
      'Change the banner text to "be careful: production".',
      "Fire off an alert when the queue is over 1,000.",
      "Make the on-call bot remind the outgoing engineer to fill in the handoff.",
    ]) {
      expect(find(text, "remediation")).toEqual([]);
    }
  });

  it("read a name that is also a word as a word when it is written as one", () => {
    expect(find("The power failed in the rack after frost damage.")).toEqual([]);
    expect(find("Because Ned forgot the flag.").map((f) => f.match)).toEqual(["Ned forgot"]);
    expect(find("Make sure ned@example.com never merges alone.", "remediation")).toHaveLength(1);
  });

  it("leave people who lacked something, or were not paged, alone", () => {
    expect(find("Because the reviewer had no way to see the generated SQL.")).toEqual([]);
    expect(find("Why did the on-call engineer not get paged?", "question")).toEqual([]);
    expect(find("Send the on-call engineer an alert when the disk is 80% full.", "remediation")).toEqual([]);
  });

  it("find a team as the cause, and a question that looks for a culprit", () => {
    expect(find("Because the Payments team let the certificate expire.").map((f) => f.kind)).toEqual(["person"]);
    expect(find("Who approved this change?", "question").map((f) => f.kind)).toEqual(["question"]);
    expect(find("Which engineer pushed the config?", "question").map((f) => f.kind)).toEqual(["question"]);
    expect(find("Why didn't QA catch the regression?", "question").map((f) => f.kind)).toEqual(["question"]);
    expect(find("Who owns the runbook?", "question")).toEqual([]);
  });
});

describe("suggested rewordings", () => {
  const reworded = (text: string, field: WhyField = "answer") => {
    const finding = find(text, field).find((f) => f.rewrite);
    return finding?.rewrite ? applyRewrite(text, finding.rewrite) : undefined;
  };

  it("change only the flagged words, keeping the rest of the sentence and the field", () => {
    expect(reworded("It was human error on the deploy.")).toBe("It was a gap in the safeguards on the deploy.");
    expect(reworded("Root cause: human error in the failover.")).toBe("Root cause: a gap in the safeguards in the failover.");
    expect(reworded("Obviously the config was wrong.")).toBe("The config was wrong.");
    expect(reworded("We could easily have seen it.")).toBe("We could have seen it.");
    expect(reworded("The rollout order was a rookie mistake.")).toBe("The rollout order was a mistake.");
    expect(reworded("Ned merged it sloppily. The canary was off.")).toBe("Ned merged it. The canary was off.");
  });

  it("offer no rewording where only the writer can say what happened, and never a placeholder", () => {
    expect(reworded("Ned forgot to run the migration.")).toBeUndefined();
    // Where the replacement would not read ("Pure a gap…"), there is none.
    expect(reworded("Pure human error.")).toBeUndefined();
    // Three system fixes and one aimed at a person: nothing offers to replace the list.
    const list = "- Add a lint rule.\n- Add a canary stage.\n- Alert on error rate.\n- Tell Ned to be more careful.";
    const findings = find(list, "remediation");
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) if (f.rewrite) expect(applyRewrite(list, f.rewrite)).toContain("- Add a lint rule.\n- Add a canary stage.\n- Alert on error rate.");
    expect(findings.some((f) => f.suggestion.endsWith("?"))).toBe(true);
  });

  it("key a finding the same however its words are spaced or broken across lines", () => {
    expect(findingKey("answer", "The engineer merged\r\n the change ")).toBe(findingKey("answer", "the engineer merged the change"));
  });
});

describe("what is stored with a why", () => {
  it("keeps each flagged wording once, at most a few per why, and says which fields had more", () => {
    const repeated = findingsToStore({ question: "Why?", answer: "", remediationMd: "Be careful. Be careful. Be careful." }, check);
    expect(repeated.items).toHaveLength(1);
    expect(repeated.items[0]).toMatchObject({ field: "remediation" });
    expect(repeated.truncated).toEqual([]);
    const many = findingsToStore(
      {
        question: "Why did he forget? Obviously he was careless.",
        answer: "Because she made a mistake, he was careless, it was human error, sloppy and reckless.",
        remediationMd: "Be more careful. Retrain him. Fire him. Remind her. Tell Ned to pay attention.",
      },
      checkWith(["Ned Stark"]),
    );
    expect(many.items).toHaveLength(MAX_FINDINGS_PER_WHY);
    // Each field gets its turn before any gets a second.
    expect(new Set(many.items.map((f) => f.field))).toEqual(new Set(["question", "answer", "remediation"]));
    expect(many.truncated.length).toBeGreaterThan(0);
  });
});

// Findings of the blameless-wording check as the app keeps and shows them: their shape, their
// labels, how a rewording is applied, and what is stored with a why. The check itself reads
// sentence structure (wording.ts, wording-check.ts) and runs on the server when a why is saved
// (blame.server.ts) and in a Web Worker in the browser as people type (app/lib/wording-client.ts).

export type BlameKind = "person" | "judgement" | "hindsight" | "remediation" | "question";
export const WHY_FIELDS = ["question", "answer", "remediation"] as const;
export type WhyField = (typeof WHY_FIELDS)[number];

export type Finding = {
  /** Where the wording is, as character offsets into the text. */
  start: number;
  end: number;
  match: string;
  kind: BlameKind;
  explanation: string;
  suggestion: string;
  /** A blameless rewording to put in place of text[start, end), where one can be offered. */
  rewrite?: Rewrite;
};

/** An edit of the field: text[start, end) becomes `text`; `sentence` is how the sentence then reads. */
export type Rewrite = { start: number; end: number; text: string; sentence?: string };

export const KIND_LABELS: Record<BlameKind, string> = {
  person: "A person as the cause",
  judgement: "Blame or judgement",
  hindsight: "Hindsight",
  remediation: "A fix aimed at a person",
  question: "A question that looks for a culprit",
};

/** The check of one field's text: the findings in it, in reading order (see wording-check.ts). */
export type Check = (text: string, field: WhyField) => Finding[];

/** The text with a finding's rewording applied; unchanged when the finding offers none. */
export function applyRewrite(text: string, rewrite: Rewrite): string {
  return `${text.slice(0, rewrite.start)}${rewrite.text}${text.slice(rewrite.end)}`;
}

export type WhyText = { question: string; answer: string; remediationMd: string };

/** Findings of a why, by field. */
export function checkWhy(why: WhyText, check: Check): Record<WhyField, Finding[]> {
  return {
    question: check(why.question, "question"),
    answer: check(why.answer, "answer"),
    remediation: check(why.remediationMd, "remediation"),
  };
}

/** What identifies a finding for acknowledging it: the field and the flagged words. */
export function findingKey(field: WhyField, match: string): string {
  return `${field}:${normalizedMatch(match)}`;
}

/** Flagged words as an acknowledgement stores them: lower case, any run of spaces or line breaks as one space. */
export function normalizedMatch(match: string): string {
  return match.trim().replace(/\s+/g, " ").toLowerCase();
}

export type OpenFinding = Finding & { field: WhyField };

/** At most this many different flagged wordings are kept per why; more must be reworded first. */
export const MAX_FINDINGS_PER_WHY = 3;

/** The findings stored with a why when it is saved, and the fields that had more than are kept. */
export type StoredFindings = { items: OpenFinding[]; truncated: WhyField[] };

/**
 * What the check finds in a why, as it is stored when the why is saved: each flagged wording once
 * (as an acknowledgement covers it, by `findingKey`), at most MAX_FINDINGS_PER_WHY in all, the
 * first ones of each field before the rest.
 */
export function findingsToStore(why: WhyText, check: Check): StoredFindings {
  const byField = checkWhy(why, check);
  const distinct = WHY_FIELDS.map((field) => {
    const seen = new Set<string>();
    return byField[field].filter((f) => !seen.has(findingKey(field, f.match)) && seen.add(findingKey(field, f.match))).map((f) => ({ ...f, field }));
  });
  // Fields take turns, so a long remediation cannot crowd out the answer's findings.
  const kept = distinct.map(() => 0);
  for (let taken = 0, progress = true; taken < MAX_FINDINGS_PER_WHY && progress; ) {
    progress = false;
    for (let i = 0; i < distinct.length && taken < MAX_FINDINGS_PER_WHY; i++) {
      if (kept[i] < distinct[i].length) {
        kept[i] += 1;
        taken += 1;
        progress = true;
      }
    }
  }
  return {
    items: distinct.flatMap((found, i) => found.slice(0, kept[i])),
    truncated: WHY_FIELDS.filter((_, i) => kept[i] < distinct[i].length),
  };
}

/** Stored findings as saved; none for a why not checked yet. */
export function parseStoredFindings(json: string | null): StoredFindings {
  if (!json) return { items: [], truncated: [] };
  return JSON.parse(json) as StoredFindings;
}

// Findings of the blameless-wording check, from the reading in wording.ts: where each is, why it
// matters, the question to ask instead, and a rewording where one is safe. A rewording changes
// only the flagged words, and is offered only when the checker itself finds no blame of that kind
// left in the sentence once it is applied.
import type { Tokenize } from "~/lib/wording-nlp";
import type { BlameKind, Check, Finding, Rewrite } from "./blame";
import { namesOf, readBlame, type Directory, type Hit, type Names, type RuleName, type WordingField } from "./wording";
import { blameProbability, sentenceFeatures, type LearnedModel } from "./wording-learned";
import learned from "./wording-model.json";

const MODEL = learned as LearnedModel;

export type { Directory, WordingField } from "./wording";

/** What the learned part says of a sentence the rules found nothing in, by field. */
const LEARNED: Record<WordingField, { kind: BlameKind; advice: Advice }> = {
  question: {
    kind: "question",
    advice: {
      explanation: "This question reads as looking for who did it. A culprit ends the analysis; a cause continues it.",
      suggestion: () => "Ask what in the system made this possible or likely: “Why could this happen without anything stopping it?”",
    },
  },
  answer: {
    kind: "person",
    advice: {
      explanation: "This answer reads as putting the cause on people rather than on what they worked with.",
      suggestion: () => SYSTEM_QUESTION,
    },
  },
  remediation: {
    kind: "remediation",
    advice: {
      explanation: "This fix reads as aimed at people's behaviour. It leaves the trap in place for the next person.",
      suggestion: () => "What check, test, guard rail or default would make this unnecessary to remember?",
    },
  },
};

type Advice = { explanation: string; suggestion: (about?: string) => string };

const SYSTEM_QUESTION = "Describe what in the system let this happen: the missing check, test, guard rail or default that would have caught it.";

const ADVICE: Record<Exclude<RuleName, "learned">, Advice> = {
  "agent-failure": {
    explanation: "This names a person as the cause. People act sensibly given what they see; the question is what they saw.",
    suggestion: (about) => (about ? `What made it easy to get ${about} wrong, and what would have caught it?` : SYSTEM_QUESTION),
  },
  "team-failure": {
    explanation: "This makes a team the cause. A team works inside the same system: what did it have to go on?",
    suggestion: (about) => (about ? `What did the process give the team to catch ${about}, and why did it not?` : "What did the process give the team to catch this, and why did it not?"),
  },
  "agent-not-done": {
    explanation: "Saying what someone did not do makes them the cause; the step was skippable, and that is the finding.",
    suggestion: (about) => (about ? `What made the step with ${about} easy to skip, and what could do it instead of a person?` : "What made the step easy to skip, and what could do it instead of a person?"),
  },
  "agent-wrong": {
    explanation: "This makes a person's action the cause. The action looked right to them at the time: what made it look right?",
    suggestion: (about) => (about ? `What let ${about} go ahead without anything stopping it?` : "What let this go ahead without anything stopping it?"),
  },
  "agent-because": {
    explanation: "An answer whose subject is a person stops at who. Ask what in the system made their action possible or likely.",
    suggestion: (about) => (about ? `What made ${about} possible, and what would have stopped it?` : SYSTEM_QUESTION),
  },
  passive: {
    explanation: "Blame in the passive is still blame: it points at the people who did not act, not at what made acting hard.",
    suggestion: () => "What made the warning easy to miss or to dismiss: too many of them, the wrong channel, no clear owner?",
  },
  "modal-perfect": {
    explanation: "“Should have” is hindsight: it judges a choice with what is known now, not what was known then.",
    suggestion: (about) => (about ? `What did people know at the time about ${about}, and what made it hard to see?` : "What did people know at the time, and what made the risk hard to see?"),
  },
  counterfactual: {
    explanation: "A counterfactual about a person describes what did not happen. The analysis needs what did happen, and why it made sense.",
    suggestion: () => "What made the path taken look reasonable at the time, and what would make the safer path the easy one?",
  },
  "hindsight-word": {
    explanation: "Hindsight makes the right choice look obvious; at the time it was not, and that is what to explain.",
    suggestion: () => "Describe what people knew at the time and what made the risk hard to see.",
  },
  "hindsight-phrase": {
    explanation: "Hindsight makes the right choice look obvious; at the time it was not, and that is what to explain.",
    suggestion: () => "Describe what people knew at the time and what made the risk hard to see.",
  },
  "judgement-word": {
    explanation: "A judgement of a person explains nothing about the system and makes people guarded.",
    suggestion: () => "Describe the conditions instead: time pressure, unclear docs, a confusing tool, a missing check.",
  },
  "judgement-phrase": {
    explanation: "Judging or assigning fault ends the search for causes and teaches people to hide problems.",
    suggestion: () => "What made the error easy to make and hard to notice? Ask why again.",
  },
  mistake: {
    explanation: "A mistake is where the analysis starts, not where it ends: people will always make some.",
    suggestion: () => "What allowed this mistake to reach production without being caught?",
  },
  behaviour: {
    explanation: "Asking people to be more careful changes nothing that will still be true next month.",
    suggestion: () => "What check, test, guard rail or default would catch this without anyone having to remember?",
  },
  "at-person": {
    explanation: "A fix aimed at people leaves the trap in place for the next person, and silences the next report.",
    suggestion: () => "What could change in the tool, the default, the check or the onboarding, so that nobody meets the same trap?",
  },
  consequence: {
    explanation: "A consequence for a person does not stop the next person from hitting the same trap, and it silences the next report.",
    suggestion: () => "Aim the fix at the system: a check, a test, a guard rail, a safer default.",
  },
  "person-must": {
    explanation: "A fix that relies on people doing better leaves the trap in place for everyone else.",
    suggestion: () => "What would do this step for them, or refuse to go on without it?",
  },
  who: {
    explanation: "Asking who leads to a person, not to what in the system allowed it.",
    suggestion: () => "Ask what made the change possible or likely: “Why could this change reach production without a check?”",
  },
  which: {
    explanation: "Asking which person did it leads to a culprit, not to a cause.",
    suggestion: () => "Ask what in the process let it through: “What in the process let this through unnoticed?”",
  },
  "why-person": {
    explanation: "This asks why a person acted, which leads to who rather than to what in the system allowed it.",
    suggestion: () => "Ask what made the action possible or likely: “Why could this reach production unreviewed?”",
  },
};

/** Findings of a text, as the check reports them, with rewordings verified against the check itself. */
export function checkWording(text: string, options: { field: WordingField; names: Names; tokenize: Tokenize }): Finding[] {
  return findingsOf(text, options, true);
}

/** At most this many rewordings are verified per text (the first findings), so a text full of findings stays cheap to check. */
const VERIFIED_REWRITES = 6;

function findingsOf(text: string, options: { field: WordingField; names: Names; tokenize: Tokenize }, withRewrites: boolean): Finding[] {
  const { words, hits, sentences, neutral } = readBlame(text, options.tokenize, options.field, options.names);
  // Where the rules found nothing in a sentence, nor a person merely not given something ("was
  // not paged"), the learned model may find blame: the whole sentence is the finding.
  // Which words a rule or a "not given" reading covers, marked once: each sentence is then a scan of its own words.
  const covered = new Uint8Array(words.length + 1);
  for (const h of hits) covered.fill(1, h.from, h.to);
  for (const n of neutral) covered[n] = 1;
  for (const [a, b] of sentences) {
    if (covered.subarray(a, b).includes(1)) continue;
    if (blameProbability(MODEL, sentenceFeatures(words.slice(a, b), options.field)) >= MODEL.threshold) {
      hits.push({ from: a, to: b, kind: LEARNED[options.field].kind, rule: "learned" });
    }
  }
  // One finding per word: the earliest start, then the longest, wins an overlap. A few words of
  // another kind inside it that can be reworded on their own ("sloppily" in "the engineer sloppily
  // pushed") are kept too, so their rewording is offered.
  hits.sort((a, b) => a.from - b.from || b.to - a.to);
  const kept: Hit[] = [];
  let reach = -1;
  let outer: Hit | undefined;
  for (const h of hits) {
    if (h.from < reach) {
      if (outer && h.edit && h.kind !== outer.kind && h.to <= outer.to && !kept.some((k) => k !== outer && k.from < h.to && h.from < k.to)) kept.push(h);
      continue;
    }
    kept.push(h);
    outer = h;
    reach = h.to;
  }
  let verified = 0;
  return kept.map((h): Finding => {
    const start = words[h.from].start;
    const end = words[h.to - 1].end;
    const advice = h.rule === "learned" ? LEARNED[options.field].advice : ADVICE[h.rule];
    const finding: Finding = { start, end, match: text.slice(start, end), kind: h.kind as BlameKind, explanation: advice.explanation, suggestion: advice.suggestion(h.about) };
    if (withRewrites && h.edit && verified < VERIFIED_REWRITES) {
      verified += 1;
      const rewrite = rewriteOf(text, words, h.edit);
      const sentence = rewrite ? reworded(text, rewrite, finding.kind, options) : undefined;
      if (rewrite && sentence !== undefined) finding.rewrite = { ...rewrite, sentence };
    }
    return finding;
  });
}

type Located = { start: number; end: number; text: string };

/** The character edit of a word edit: a deleted word takes one space with it; a sentence keeps its capital. */
function rewriteOf(text: string, words: { start: number; end: number; text: string }[], edit: NonNullable<Hit["edit"]>): Rewrite | undefined {
  let start = words[edit.from].start;
  let end = words[edit.to - 1].end;
  let replacement = edit.text;
  if (!replacement) {
    if (text[end] === " ") end += 1;
    else if (start > 0 && text[start - 1] === " ") start -= 1;
  }
  const atSentenceStart = /(?:^|[.!?]\s+|\n\s*(?:[-*+]\s+)?)$/.test(text.slice(Math.max(0, start - 8), start));
  if (atSentenceStart) {
    if (replacement) replacement = replacement[0].toUpperCase() + replacement.slice(1);
    else if (end < text.length && /\p{Ll}/u.test(text[end])) return { start, end: end + 1, text: text[end].toUpperCase() };
  }
  if (replacement === text.slice(start, end)) return undefined;
  return { start, end, text: replacement };
}

/**
 * The sentence around a rewording as it reads once applied, if it then has no finding of the kind
 * the rewording fixes and loses no sentence; otherwise none, and no rewording is offered.
 */
function reworded(text: string, rewrite: Located, kind: BlameKind, options: { field: WordingField; names: Names; tokenize: Tokenize }): string | undefined {
  // Only the sentence around the edit is read again: a bounded window, so the cost stays linear in the text.
  const from = sentenceStart(text, rewrite.start);
  const to = sentenceEnd(text, rewrite.end);
  const before = text.slice(from, to);
  const after = `${text.slice(from, rewrite.start)}${rewrite.text}${text.slice(rewrite.end, to)}`;
  if (sentenceCount(after) !== sentenceCount(before) || !after.trim()) return undefined;
  // No finding of the kind it fixes may be left. (Another kind may show once these words are gone,
  // "Ned merged it" after "sloppily": it was there all along, and is then shown for what it is.)
  return findingsOf(after, options, false).some((f) => f.kind === kind) ? undefined : after.trim();
}

const WINDOW = 200;

function sentenceStart(text: string, at: number): number {
  const floor = Math.max(0, at - WINDOW);
  for (let i = at - 1; i >= floor; i--) if (/[.!?\n]/.test(text[i])) return i + 1;
  return floor;
}

function sentenceEnd(text: string, at: number): number {
  const ceiling = Math.min(text.length, at + WINDOW);
  for (let i = at; i < ceiling; i++) if (/[.!?\n]/.test(text[i])) return i + 1;
  return ceiling;
}

const sentenceCount = (text: string) => text.split(/[.!?\n]+/).filter((s) => s.trim()).length;

/** The directory's names, read once per directory (sets of words: no cost per name when checking). */
const cache = new WeakMap<readonly string[], WeakMap<readonly string[], Names>>();
export function namesFor(directory: Directory): Names {
  let byTeams = cache.get(directory.people);
  if (!byTeams) cache.set(directory.people, (byTeams = new WeakMap()));
  let names = byTeams.get(directory.teams);
  if (!names) byTeams.set(directory.teams, (names = namesOf(directory)));
  return names;
}

/** The check as the app calls it, for one directory: a function of a field's text. */
export function wordingCheck(tokenize: Tokenize, names: Names): Check {
  return (text, field) => checkWording(text, { field, names, tokenize });
}

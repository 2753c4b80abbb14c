// The blame-language check: reads what people write in a why and points out wording that names
// a person as the cause, judges them, leans on hindsight, or aims a fix at a person rather than
// at the system. Pure, so it runs in the browser as people type and on the server after saving.

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

export type Rewrite = { start: number; end: number; text: string };

/** How a rule rewords what it found: the words themselves, or the whole sentence around them. */
type RewriteRule = { span: (match: string) => string } | { sentence: string };

export const KIND_LABELS: Record<BlameKind, string> = {
  person: "A person as the cause",
  judgement: "Blame or judgement",
  hindsight: "Hindsight",
  remediation: "A fix aimed at a person",
  question: "A question that looks for a culprit",
};

const PERSON_WORDS = [
  "so-and-so",
  "somebody",
  "someone",
  "some one",
  "he",
  "she",
  "they",
  "the new guy",
  "the new girl",
  "the new hire",
  "a new hire",
  "the intern",
  "an intern",
  "the junior(?: dev| developer| engineer)?",
  "the (?:[\\w-]+ ){0,2}(?:engineer|developer|dev|operator|admin|administrator|reviewer|tester|contractor|author|manager|dba|lead|person|guy|hire|team member)",
  "an? (?:[\\w-]+ )?(?:engineer|developer|dev|operator|admin|reviewer|contractor|team member)",
  "the dba",
  "the team",
  "whoever(?: \\w+)?",
  "nobody",
  "no one",
  "anyone",
  "anybody",
  "somebody on the [\\w-]+ team",
  "someone on the [\\w-]+ team",
  "(?:someone|somebody) in (?:the )?[\\w-]+(?: team)?",
  "the [\\w-]+ on (?:shift|call|duty)",
  "the on-call(?: (?:engineer|person|responder|sre|developer|dev|lead))?(?![- ](?:handbook|schedule|rotation|roster|runbook|phone|pager|tool|doc|guide|page|alert|channel|load|burden|policy|setup|process|system|calendar|bot|team)\\b)",
  "whoever was on (?:call|shift|duty)",
];

// What a person may be said to have done without making them the cause: acting in the response.
const NEUTRAL_ACTS =
  "paged|alerted|escalated|noticed|spotted|found|reported|rolled back|restarted|followed|fixed|restored|mitigated|declared|opened|filed|" +
  "owns|owned|will|joined|investigated|identified|confirmed|asked|wrote|updated|led|coordinated|responded|acknowledged|traced|" +
  "diagnosed|handed|called|woke|was paged|was on call|was on shift|was the incident|is|has|had been paged|recovered|saw|raised|flagged|" +
  "tried|started|stopped|switched|failed over|drained|scaled|added|removed|opened|closed|posted|shared|emailed|messaged|told|warned|" +
  "ran|applied|approved|received|worked|deployed|merged|used|executed|were working|was working|was the (?:only|first|last|primary|listed)|" +
  "had no|has no|was on leave|was away|was out|was not told|was never told|did not get|didn't get|was not paged|wasn't paged|could not|couldn't|" +
  "did not receive|didn't receive|was not given|wasn't given|was given";

// The words between two parts of one phrase ("merged … without"): within the clause and bounded,
// so that a long text without full stops is read once, not once per verb it holds.
const WITHIN_CLAUSE = "[^.;\\n]{0,120}?";

// Verbs of failing, as what a person did.
const FAILURE =
  "(?:made (?:a|an|the) (?:mistake|error|typo|blunder)|messed up|screwed up|forgot|forgets|broke|ignored|neglected|overlooked|missed|" +
  "didn't|did not|don't|doesn't|does not|never (?:checked|tested|read|looked)|failed to|should have|should've|could have|" +
  "was careless|were careless|wasn't paying attention|was not paying attention|caused|deleted|pushed a (?:broken|bad)|" +
  "accidentally|mistakenly|carelessly|was lazy|got it wrong|fat[- ]fingered|misconfigured|rubber[- ]stamped|turned off|chose to (?:ignore|override|skip|bypass)|" +
  "botched|goofed|bungled|fumbled|dropped the ball|rushed|misread|misjudged|misunderstood|misunderstands|skipped|overrode|bypassed|" +
  "went ahead|was distracted|were distracted|was sloppy|never got around to|never (?:verified|bothered|noticed|followed)|slept through|" +
  `assumed\\b${WITHIN_CLAUSE}\\bnever|let (?:the|it|a|an)\\b${WITHIN_CLAUSE}\\b(?:lapse|slip|expire|through)|copied\\b${WITHIN_CLAUSE}\\bwithout|` +
  `(?:merged|approved|pushed|deployed|ran|shipped|released|changed|ran)\\b${WITHIN_CLAUSE}\\b(?:without|instead of))`;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

type Rule = { pattern: RegExp; kind: BlameKind; explanation: string; suggestion: string; fields?: WhyField[]; rewrite?: RewriteRule };

const MISTAKE_SENTENCE = "A mistake in the change was not caught before it reached production.";
const CAREFUL_SENTENCE = "Add a check, test or guard rail that catches this before it reaches production.";
const PERSON_FIX_SENTENCE = "Change the tool, default or check that let this through, so nobody else meets the same trap.";

/** What a remediation aimed at one person gets told, whichever way it was put. */
const PERSON_FIX: Omit<Rule, "pattern"> = {
  kind: "remediation",
  explanation: "A fix aimed at one person leaves the trap in place for everyone else, and silences the next report.",
  suggestion: "Change what everyone meets: the tool, the default, the check, the onboarding.",
  fields: ["remediation"],
  rewrite: { sentence: PERSON_FIX_SENTENCE },
};

const SYSTEM_SUGGESTION =
  "Describe what in the system let this happen: the missing check, test, guard rail or default that would have caught it.";

const MISTAKE_SUGGESTION = "What allowed this mistake to reach production without being caught?";

const STATIC_RULES: Rule[] = [
  {
    // Consequences for a person, however politely put.
    pattern:
      /\b(?:performance review|(?:take|taking) away (?:[\w'-]+ ){0,3}(?:access|privileges|rights)|revoke (?:his|her|their) (?:access|privileges)|dock (?:[\w'-]+ ){0,3}(?:pay|bonus)|serious (?:conversation|talk|word) with|until (?:he|she|they) (?:proves?|stops?|learns?|can be trusted)|near production until)\b/gi,
    kind: "remediation",
    explanation: "A consequence for a person does not stop the next person from hitting the same trap, and it silences the next report.",
    suggestion: "Aim the fix at the system: a check, a test, a guard rail, a safer default.",
    fields: ["remediation"],
    rewrite: { sentence: PERSON_FIX_SENTENCE },
  },
  {
    pattern: /\b(?:made|make|makes) (?:a|an) (?:mistake|error)\b/gi,
    kind: "person",
    explanation: "A mistake is where the analysis starts, not where it ends: people will always make some.",
    suggestion: MISTAKE_SUGGESTION,
  },
  {
    pattern: /\bhuman error\b/gi,
    kind: "judgement",
    explanation: "“Human error” names who, not why; it stops the analysis one level too early.",
    suggestion: "What made the error easy to make and hard to notice? Ask why again.",
    rewrite: { span: () => "an error the system did not catch" },
  },
  {
    pattern:
      /\b(?:careless(?:ly|ness)?|sloppy|sloppiness|negligen(?:t|ce|tly)|lazy(?![- ]?(?:load|init|eval|client|instan|fetch|import|creat|singleton|connect|list|sequence|iterat|val|propert|static))|laziness|incompetent|incompetence|reckless(?:ly|ness)?|irresponsible|stupid|dumb|idiot\w*|clueless|inattentive|asleep at the wheel|rubber[- ]stamp\w*|name and shame|held? accountable|hold (?:[\w'-]+ ){1,3}accountable|dropped the ball|without thinking|(?:nobody|no one|not) (?:[\w-]+ ){0,4}paying attention|operator error|user error|a lapse by|(?:'s|his|her|their) (?:oversight|lapse|slip(?:-up)?|blunder|carelessness))\b/gi,
    kind: "judgement",
    explanation: "A judgement of a person explains nothing about the system and makes people guarded.",
    suggestion: "Describe the conditions instead: time pressure, unclear docs, a confusing tool, a missing check.",
  },
  {
    pattern: /\b(?:didn't|did not) bother\b/gi,
    kind: "judgement",
    explanation: "This judges someone's effort rather than describing what happened.",
    suggestion: "What made the step costly or easy to skip?",
    rewrite: { span: () => "did not" },
  },
  {
    pattern: /\b(?:(?:\w+)'s fault|whose fault|at fault|(?<!git )blame[ds]?(?!less)|(?:his|her|their) (?:fault|mistake|error))\b/gi,
    kind: "judgement",
    explanation: "Assigning fault ends the search for causes and teaches people to hide problems.",
    suggestion: "Ask how the system let the failure through, not whose fault it was.",
  },
  {
    pattern:
      /\b(?:if only|could (?:easily|simply|just) have|obviously|(?<!\b(?:no|not|non-|nothing|less|far from) )obvious(?! (?:names?|fix|symptom|suspect|first|workaround|candidate|choice|answer|explanation|cause|place|way)\b)|in hindsight|clearly should|simply (?:needed|had) to|just (?:needed|had) to|all [\w@.]+ had to do|should have known|any(?:one|body) (?:would|could) have|had (?:he|she|they|the [\w-]+(?: [\w-]+)?|[A-Z]\w+) (?:been paying attention|checked|looked|read))\b/gi,
    kind: "hindsight",
    explanation: "Hindsight makes the right choice look obvious; at the time it was not, and that is what to explain.",
    suggestion: "Describe what people knew at the time and what made the risk hard to see.",
    rewrite: { span: hindsightRewrite },
  },
  {
    pattern:
      /\b(?:fire|sack|dismiss|reprimand|discipline|punish|penali[sz]e|write up|warn|demote|blame)\s+(?:him|her|them|whoever|the\s+\w+(?:\s+\w+)?\s*(?:responsible|involved|who)?|\w+ (?:responsible|involved))\b|\b(?:fire|sack|reprimand|discipline|punish)\b(?=[^.\n]{0,120}?\b(?:responsible|engineer|developer|him|her|whoever)\b)/gi,
    kind: "remediation",
    explanation: "Punishing a person does not stop the next person from hitting the same trap, and it silences the next report.",
    suggestion: "Aim the fix at the system: a check, a test, a guard rail, a safer default.",
    fields: ["remediation"],
    rewrite: { sentence: PERSON_FIX_SENTENCE },
  },
  {
    pattern:
      /\b(?:be (?:more )?careful|more careful|pay (?:more )?attention|double[- ]check(?:s|ing)? (?:next time|more)|try harder|be more diligent|be more vigilant|be more thorough|remember to|(?:a |the )?reminder (?:not )?to|slow down and think|think twice)\b/gi,
    kind: "remediation",
    explanation: "Asking people to be more careful changes nothing that will still be true next month.",
    suggestion: "Replace care with a mechanism: a check, a test, a guard rail, a default.",
    fields: ["remediation"],
    rewrite: { sentence: CAREFUL_SENTENCE },
  },
  {
    pattern: /\b(?:retrain|re-train|remind|tell|talk to|have a word with|coach)\s+(?:him|her|them|the\s+(?:engineer|developer|intern|new\s+\w+)|[A-Z][a-z]+)\b/g,
    ...PERSON_FIX,
    explanation: "A fix aimed at one person leaves the trap in place for everyone else.",
  },
];

function personRules(people: readonly string[]): Rule[] {
  const names = people
    .flatMap((p) => {
      const trimmed = p.trim();
      if (!trimmed) return [];
      if (trimmed.includes("@")) {
        const local = trimmed.split("@")[0];
        const first = local.split(/[._-]/)[0];
        return first && first !== local && first.length >= 2 ? [trimmed, local, first] : [trimmed, local];
      }
      // People are named by full name, first name or surname.
      const parts = trimmed.split(/\s+/).filter((w) => w.length > 2);
      return [trimmed, ...parts];
    })
    .map(escape);
  const subjects = [...PERSON_WORDS, ...names];
  const subject = `(?:${subjects.join("|")})`;
  // Whom a fix may be aimed at: people, not "the team" or "anyone", which are fine to involve.
  const GROUPS = new Set(["the team", "anyone", "anybody", "nobody", "no one", "they"]);
  const target = `(?:${subjects.filter((w) => !GROUPS.has(w)).join("|")})`;
  // One person, named or not: not a group, and not "they", which is as often a system.
  const individual = `(?:${subjects.filter((w) => !GROUPS.has(w) && w !== "whoever(?: \\w+)?" && w !== "the team").join("|")})`;
  const rules: Rule[] = [
    {
      // A question asking why a person did (or did not do) something asks who, not why.
      pattern: new RegExp(
        `\\bwhy (?:did|didn't|did not|couldn't|could not|wouldn't|would not|do|don't|does|doesn't|hadn't|would) ${target}\\b(?!'s)(?!(?: [\\w-]+)? (?:not |never )?(?:get|got|receive|paged|alerted|notified|called|woken)\\b)|\\bwho (?:was|is|were) (?:responsible|to blame|at fault)\\b`,
        "gi",
      ),
      kind: "person",
      explanation: "This asks why a person acted, which leads to who rather than to what in the system allowed it.",
      suggestion: "Ask what made the action possible or likely: “Why could this change reach production unreviewed?”",
    },
    {
      pattern: new RegExp(
        `\\b(?:retrain|re-train|remind|tell|talk to|coach|reassign|hold|put|have|make sure|remove|suspend|fire|sack|reprimand|discipline|punish|warn|demote|write up|ban)\\s+${target}(?:'s)?\\b`,
        "gi",
      ),
      ...PERSON_FIX,
    },
    {
      // "Lena needs to slow down", "Sam will double-check it himself": the fix is a person trying harder.
      pattern: new RegExp(
        `\\b${target}\\s+(?:needs to|should|must|has to|ought to|will have to)\\s+(?:get better|improve|learn|slow down|be more|think|stop|remember|double[- ]check|pay|try)\\b|\\b(?:himself|herself)\\b`,
        "gi",
      ),
      ...PERSON_FIX,
      explanation: "A fix that relies on one person doing better leaves the trap in place for everyone else.",
    },
    {
      // A consequence or an order for a named person: "No more Friday deploys for Ruth", "revoke Olu's rights".
      pattern: new RegExp(
        `\\b(?:no more [\\w\\s-]{1,30} for|(?:formal |written )?warning to|disciplinary action against|revoke|suspend|deduct [\\w\\s-]{1,40} from|make)\\s+${target}(?:'s)?\\b|\\bask\\s+${target}\\s+to\\s+(?:stop|not|never|avoid|be more)\\b|\\bsend\\s+${target}\\s+(?:to|on|for)\\s+(?:a |an |the )?(?:[\\w-]+ ){0,2}(?:training|course|class|refresher|workshop)\\b|\\b(?:personally accountable|disciplinary|formal warning|written warning|apologi[sz]e|name (?:and shame|whoever|the (?:person|engineer)))\\b|\\bsign-off from (?:his|her|their) manager\\b|\\b(?:more carefully|properly next time)\\b`,
        "gi",
      ),
      ...PERSON_FIX,
    },
    {
      pattern: new RegExp(`(?:^|(?<=[\\s,;:(“"'-]))${subject}(?:'s)?\\s+(?:\\w+ly\\s+)?${FAILURE}\\b`, "gi"),
      kind: "person",
      explanation: "This names a person as the cause. People act sensibly given what they see; the question is what they saw.",
      suggestion: SYSTEM_SUGGESTION,
    },
  ];
  rules.push({
    // In an answer, a person as the subject of what happened makes them the cause, however it
    // is put ("Because Hannah shipped it anyway"), unless they were acting in the response.
    pattern: new RegExp(
      `(?:^|(?<=\\bbecause\\s)|(?<=[.;:]\\s)|(?<=\\b(?:and|but|so)\\s))${individual}(?:,[^,.]{1,40},)?\\s+(?:\\w+ly\\s+)?(?!(?:${NEUTRAL_ACTS})\\b)(?:was|were|did|didn't|had|hadn't|went|ran|made|took|left|let|put|kept|chose|got|gave|set|[\\w-]+ed)\\b`,
      "gi",
    ),
    kind: "person",
    explanation: "This makes a person the subject of the failure. People act sensibly given what they see; the question is what they saw and what let it through.",
    suggestion: SYSTEM_SUGGESTION,
    fields: ["answer"],
  });
  if (names.length > 0) {
    rules.push({
      pattern: new RegExp(`\\b(?:${names.join("|")})(?:'s)?\\s+(?:fault|mistake|error|typo|bad (?:change|deploy|config))\\b`, "gi"),
      kind: "person",
      explanation: "This names a person as the cause.",
      suggestion: SYSTEM_SUGGESTION,
    });
  }
  return rules;
}

function hindsightRewrite(match: string): string {
  const lower = match.toLowerCase();
  if (/^could (?:easily|simply|just) have$/.test(lower)) return "could have";
  if (/^(?:simply|just) (?:needed|had) to$/.test(lower)) return lower.replace(/^(?:simply|just) /, "");
  if (lower === "obviously") return "";
  return match;
}

/**
 * The sentences of one text, found once: the places of its full stops and line breaks, so the
 * sentence around any finding is a binary search, not a walk through the text.
 */
class Sentences {
  private readonly stops: number[] = [];
  private readonly starts = new Map<number, number>();
  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // . ! ? and the line break
      if (c === 46 || c === 33 || c === 63 || c === 10) this.stops.push(i);
    }
  }

  /** How many stops lie before index `i`. */
  private stopsBefore(i: number): number {
    let lo = 0;
    let hi = this.stops.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.stops[mid] < i) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Where the sentence holding index `at` starts: after the previous stop, its list marker and spaces. */
  private startOf(at: number): number {
    const before = this.stopsBefore(at);
    const from = before === 0 ? 0 : this.stops[before - 1] + 1;
    let start = this.starts.get(from);
    if (start === undefined) {
      // A Markdown list item keeps its marker: "- Tell Ned to be careful." stays an item.
      const marker = /[ \t]{0,20}(?:[-*+]|\d{1,9}[.)])[ \t]+/y;
      marker.lastIndex = from;
      start = marker.exec(this.text) ? marker.lastIndex : from;
      const limit = before < this.stops.length ? this.stops[before] : this.text.length;
      while (start < limit && /\s/.test(this.text[start])) start += 1;
      this.starts.set(from, start);
    }
    return start;
  }

  /** The sentence around [start, end): from after the previous full stop or line break to the next. */
  around(start: number, end: number): { start: number; end: number } {
    const from = Math.min(this.startOf(start), start);
    const next = this.stopsBefore(end);
    let to = next < this.stops.length ? this.stops[next] : this.text.length;
    if (to < this.text.length && this.text[to] !== "\n") to += 1;
    return { start: from, end: to };
  }
}

function capitalised(text: string, atSentenceStart: boolean): string {
  return atSentenceStart && text ? text[0].toUpperCase() + text.slice(1) : text;
}

function rewriteFor(
  text: string,
  sentences: Sentences,
  field: WhyField,
  start: number,
  end: number,
  rule: RewriteRule | undefined,
  mistake: boolean,
): Rewrite | undefined {
  if (mistake) return { ...sentences.around(start, end), text: field === "question" ? MISTAKE_SUGGESTION : MISTAKE_SENTENCE };
  if (!rule) return undefined;
  if ("sentence" in rule) return { ...sentences.around(start, end), text: rule.sentence };
  const replacement = rule.span(text.slice(start, end));
  if (replacement === text.slice(start, end)) return undefined;
  const atStart = sentences.around(start, end).start === start;
  // Removing a word takes one of the spaces around it with it.
  if (!replacement) {
    const to = text[end] === " " ? end + 1 : end;
    // "Obviously the config…" loses its first word, so the next one starts the sentence.
    return atStart && to < text.length ? { start, end: to + 1, text: text[to].toUpperCase() } : { start, end: to, text: "" };
  }
  return { start, end, text: capitalised(replacement, atStart) };
}

/** The text with a finding's rewording applied; unchanged when the finding offers none. */
export function applyRewrite(text: string, rewrite: Rewrite): string {
  return `${text.slice(0, rewrite.start)}${rewrite.text}${text.slice(rewrite.end)}`;
}

const PERSON_WORD = new RegExp(`\\b(?:${PERSON_WORDS.join("|")})\\b`, "i");

// The person rules are large alternations of everyone's names: built once per directory, not per text.
type Compiled = { key: string; rules: Rule[]; nameWords: Set<string> };
let compiled: Compiled | undefined;
function rulesFor(people: readonly string[]): Compiled {
  const key = people.join("\n");
  if (compiled?.key !== key) {
    const nameWords = new Set(
      people.flatMap((p) => (p.includes("@") ? [] : p.toLowerCase().split(/\s+/))).filter((w) => w.length > 2 && !PERSON_WORDS.includes(w)),
    );
    compiled = { key, rules: [...personRules(people), ...STATIC_RULES], nameWords };
  }
  return compiled;
}

/**
 * Names that are also words ("Power", "Page", "Frost") count as a person only when written as a
 * name: a match whose only directory words are in lower case ("the power failed") is no person.
 */
function namesOnlyAsWords(match: string, nameWords: ReadonlySet<string>): boolean {
  const words = (match.match(/[\p{L}'-]+/gu) ?? []).filter((w) => nameWords.has(w.toLowerCase()));
  if (match.includes("@")) return false;
  return words.length > 0 && words.every((w) => w[0] === w[0].toLowerCase()) && !PERSON_WORD.test(match);
}

/** Findings in one piece of text, in reading order, overlapping ones merged to the first. */
export function findBlame(text: string, options: { field?: WhyField; people?: readonly string[] } = {}): Finding[] {
  const field = options.field ?? "answer";
  const { rules: all, nameWords } = rulesFor(options.people ?? []);
  const rules = all.filter((r) => !r.fields || r.fields.includes(field));
  const found: Finding[] = [];
  const sentences = new Sentences(text);
  // Which characters a finding already covers: an overlapping match is merged into the first,
  // checked in the length of the match rather than against every finding so far.
  const covered = new Uint8Array(text.length);
  const overlaps = (start: number, end: number) => {
    for (let i = start; i < end; i++) if (covered[i]) return true;
    return false;
  };
  for (const rule of rules) {
    for (const m of text.matchAll(rule.pattern)) {
      const start = m.index ?? 0;
      const end = start + m[0].length;
      if (overlaps(start, end)) continue;
      if (rule.kind === "person" || rule.kind === "remediation") {
        // An email address names its person whatever its case.
        if (text[end] !== "@" && namesOnlyAsWords(m[0], nameWords)) continue;
      }
      // "X made a mistake" gets the question that turns it toward the system.
      const mistake = rule.kind === "person" && /\b(?:mistake|error)\b/i.test(m[0]) && field !== "remediation";
      const suggestion = mistake ? MISTAKE_SUGGESTION : rule.suggestion;
      const rewrite = rewriteFor(text, sentences, field, start, end, rule.rewrite, mistake);
      covered.fill(1, start, end);
      found.push({ start, end, match: m[0], kind: rule.kind, explanation: rule.explanation, suggestion, ...(rewrite ? { rewrite } : {}) });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

export type WhyText = { question: string; answer: string; remediationMd: string };

/** Findings of a why, by field. */
export function checkWhy(why: WhyText, people: readonly string[] = []): Record<WhyField, Finding[]> {
  return {
    question: findBlame(why.question, { field: "question", people }),
    answer: findBlame(why.answer, { field: "answer", people }),
    remediation: findBlame(why.remediationMd, { field: "remediation", people }),
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
export function findingsToStore(why: WhyText, people: readonly string[]): StoredFindings {
  const byField = checkWhy(why, people);
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

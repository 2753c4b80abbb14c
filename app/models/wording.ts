// The blameless-wording check's reading of a text: words with their parts of speech and lemmas
// (from wink-nlp, see app/lib/wording-nlp.ts), the people and teams in it, the verbs they are the
// subject of, and the rules that find blame in that structure. Pure and linear: every rule looks
// at a bounded window around a word, names are looked up in sets, and nothing backtracks.
import type { Token, Tokenize } from "~/lib/wording-nlp";
import * as L from "./wording-lexicon";

export type Hit = {
  /** Token range [from, to) of the wording found. */
  from: number;
  to: number;
  kind: "person" | "judgement" | "hindsight" | "remediation" | "question";
  /** Which reading found it: picks the explanation and the question to ask. */
  rule: RuleName;
  /** Token range that a rewording may delete or replace, when one is safe. */
  edit?: { from: number; to: number; text: string };
  /** The words the finding is about, for the question to ask (a noun phrase from the sentence). */
  about?: string;
};

export type RuleName =
  | "agent-failure"
  | "agent-not-done"
  | "agent-wrong"
  | "agent-because"
  | "team-failure"
  | "passive"
  | "modal-perfect"
  | "counterfactual"
  | "hindsight-word"
  | "hindsight-phrase"
  | "judgement-word"
  | "judgement-phrase"
  | "mistake"
  | "behaviour"
  | "at-person"
  | "consequence"
  | "person-must"
  | "who"
  | "which"
  | "why-person"
  /** The learned model's reading of a whole sentence (wording-learned.ts). */
  | "learned";

export type WordingField = "question" | "answer" | "remediation";

/** Who a text may name: the directory's people (names and email addresses) and its teams. */
export type Directory = { people: readonly string[]; teams: readonly string[] };

type Agent = "name" | "pronoun" | "they" | "anyone" | "role" | "team";

type Word = Token & {
  i: number;
  /** Part of a quotation: somebody else's wording, left alone. */
  quoted: boolean;
  /** What a person or team the word stands for, if any, and where its noun phrase starts and ends. */
  agent?: Agent;
  /** The lexicon word a misspelling was read as. */
  fixed?: string;
  /** A mention followed by "'s": it owns something, it does not act. */
  possessive?: boolean;
};

/** What the check knows of the directory: every name word and team word in a set, built once per directory. */
export type Names = { words: Set<string>; emails: Set<string>; locals: Set<string>; teams: Set<string> };

export function namesOf(directory: Directory): Names {
  const words = new Set<string>();
  const emails = new Set<string>();
  const locals = new Set<string>();
  for (const raw of directory.people) {
    const p = raw.trim().toLowerCase();
    if (!p) continue;
    if (p.includes("@")) {
      emails.add(p);
      const local = p.split("@")[0];
      locals.add(local);
      for (const part of local.split(/[._-]/)) if (part.length >= 2) words.add(part);
    } else {
      for (const part of p.split(/\s+/)) if (part.length >= 2) words.add(part.replace(/[.,]$/, ""));
    }
  }
  const teams = new Set<string>();
  for (const raw of directory.teams) {
    const t = raw.trim().toLowerCase().replace(/\s+team$/, "");
    if (t) teams.add(t);
  }
  return { words, emails, locals, teams };
}

// ---------------------------------------------------------------------------------------------
// Phrases: a trie over lemmas, so that every phrase is matched in one pass over the words.

type Trie = { next: Map<string, Trie>; end?: string };

function trieOf(phrases: readonly string[]): Trie {
  const root: Trie = { next: new Map() };
  for (const p of phrases) {
    const words = p.split(" ");
    let node = root;
    for (const w of words) {
      let child = node.next.get(w);
      if (!child) node.next.set(w, (child = { next: new Map() }));
      node = child;
    }
    node.end = words.join(" ");
  }
  return root;
}

const JUDGEMENT_TRIE = trieOf(L.JUDGEMENT_PHRASES);
const HINDSIGHT_TRIE = trieOf(L.HINDSIGHT_PHRASES);
const BEHAVIOUR_TRIE = trieOf(L.BEHAVIOUR_PHRASES);
const CONSEQUENCE_TRIE = trieOf(L.CONSEQUENCE_PHRASES);

/** The longest phrase of the trie starting at word `at`, compared by lemma or by the word as written. */
function phraseAt(words: Word[], at: number, end: number, trie: Trie): { to: number; phrase: string } | undefined {
  let node: Trie | undefined = trie;
  let best: { to: number; phrase: string } | undefined;
  for (let j = at; j < end && node; j++) {
    const w = words[j];
    if (w.quoted) break;
    const key = w.fixed ?? w.lemma;
    node = node.next.get(key) ?? node.next.get(w.lower) ?? (w.lower === "n't" ? node.next.get("not") : undefined);
    if (node?.end) best = { to: j + 1, phrase: node.end };
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Typos: a misspelt lexicon word ("carelessy", "forgeted") is read as the word, when it is one edit
// away. Symmetric deletion: every word of the lexicon and every word read is reduced by one letter
// at most, and the reductions are looked up in a map, so the cost is the word's length, not the lexicon's.

const FUZZY = (() => {
  const byDeletion = new Map<string, string>();
  const add = (key: string, word: string) => {
    if (!byDeletion.has(key)) byDeletion.set(key, word);
  };
  for (const word of L.fuzzyTargets()) {
    add(word, word);
    for (let i = 0; i < word.length; i++) add(word.slice(0, i) + word.slice(i + 1), word);
  }
  return byDeletion;
})();

const KNOWN = new Set<string>([...L.fuzzyTargets()]);

function fuzzyWord(lower: string): string | undefined {
  const known = L.MISSPELLINGS[lower];
  if (known) return known;
  if (lower.length < 6 || lower.length > 24 || KNOWN.has(lower) || !/^[a-z-]+$/.test(lower)) return undefined;
  const direct = FUZZY.get(lower);
  // The word with one letter fewer than a lexicon word, or a lexicon word with one letter fewer than it.
  if (direct && direct !== lower) return sameStart(direct, lower) ? direct : undefined;
  for (let i = 0; i < lower.length; i++) {
    const hit = FUZZY.get(lower.slice(0, i) + lower.slice(i + 1));
    if (hit && Math.abs(hit.length - lower.length) <= 1 && sameStart(hit, lower)) return hit;
  }
  return undefined;
}

const sameStart = (a: string, b: string) => a.slice(0, 3) === b.slice(0, 3);

/** Real words one edit away from a lexicon word, which are not misspellings of it. */
const NOT_TYPOS = new Set([
  "carefully", "careers", "forgets", "ignores", "neglects", "skipper", "focuses", "alerted", "alerts", "awarded", "reminds",
  "reminder", "reminders", "retrains", "obvious", "hastily", "lapses", "slacks", "dimmed", "sheer", "laxer", "overlooks",
  "attentions", "vigilance", "diligence", "caution", "cautions", "cautioned", "responsive", "accounted", "disciplines",
  "mistaken", "mistakes", "forgiven", "forgave", "forgive", "clearing", "cleared", "hurried", "engineered", "engineers", "developed", "reviewed", "reviewers", "operated", "operators", "doubled", "doubles", "everyone", "someone", "somebody", "nobody", "thoroughly", "engineering", "developers", "operations", "responsive",
]);

// ---------------------------------------------------------------------------------------------
// Reading the words.

/** The most words one clause is read as: longer runs are read in pieces. */
const MAX_CLAUSE = 80;

const CLAUSE_BREAKS = new Set([".", "!", "?", ";", "—", "–", "…", "|"]);
const LIST_MARKER = /^(?:[-*+•]|\d{1,3}[.)])$/;

/** Tokens joined by a hyphen with no space ("on-call", "double-check", "fat-fingered") as one word. */
function joinHyphens(tokens: Token[], text: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const prev = out[out.length - 1];
    const hyphen = tokens[i + 1];
    if (prev && t.text === "." && hyphen && prev.end === t.start && t.end === hyphen.start && /\w$/.test(prev.text) && /^\w/.test(hyphen.text) && hyphen.pos !== "BREAK") {
      // "olu.adeyemi", "config.yaml": one word, not the end of a sentence.
      const joined = text.slice(prev.start, hyphen.end);
      out[out.length - 1] = { text: joined, lower: joined.toLowerCase(), lemma: joined.toLowerCase(), pos: "PROPN", start: prev.start, end: hyphen.end };
      i += 1;
      continue;
    }
    if (
      prev &&
      t.text === "-" &&
      hyphen &&
      prev.end === t.start &&
      t.end === hyphen.start &&
      /\w$/.test(prev.text) &&
      /^\w/.test(hyphen.text) &&
      hyphen.pos !== "BREAK"
    ) {
      const joined = text.slice(prev.start, hyphen.end);
      out[out.length - 1] = {
        text: joined,
        lower: joined.toLowerCase(),
        lemma: `${prev.lower}-${hyphen.lemma}`,
        pos: hyphen.pos === "VERB" || prev.pos === "VERB" ? "VERB" : hyphen.pos === "ADJ" || prev.pos === "ADJ" ? "ADJ" : hyphen.pos,
        start: prev.start,
        end: hyphen.end,
      };
      i += 1;
      continue;
    }
    out.push(t);
  }
  return out;
}

const IRREGULAR: Record<string, string> = {
  forgot: "forget", forgotten: "forget", broke: "break", broken: "break", overrode: "override", overridden: "override",
  took: "take", taken: "take", ran: "run", made: "make", left: "leave", let: "let", sent: "send", told: "tell", got: "get",
  gotten: "get", wrote: "write", written: "write", drove: "drive", went: "go", gone: "go", did: "do", done: "do", put: "put",
  set: "set", misread: "misread", misunderstood: "misunderstand", overlooked: "overlook", mistook: "mistake", mistaken: "mistake",
  chose: "choose", chosen: "choose", thought: "think", knew: "know", known: "know", saw: "see", seen: "see", kept: "keep",
  held: "hold", shut: "shut", hit: "hit", cut: "cut", fell: "fall", slept: "sleep", forgave: "forgive", gave: "give", given: "give",
  bypassed: "bypass", mixed: "mix", fat_fingered: "fat-finger", "fat-fingered": "fat-finger", "rubber-stamped": "rubber-stamp",
  "double-checked": "double-check", "mis-tagged": "mis-tag", "mis-typed": "mistype", "mis-configured": "misconfigure",
};

/**
 * The lexicon's verbs in every form ("botched", "misconfigured", "fat-fingered"), to their lemma:
 * the tagger reads some of them as adjectives or names, and its lemmas miss rare verbs.
 */
const VERB_FORMS = (() => {
  const forms = new Map<string, string>();
  const verbs = [...L.FAILURE_VERBS, ...L.AT_PERSON_VERBS, ...L.ACTS_ON_THE_SYSTEM, ...L.HUMAN_VERBS, ...L.CULPRIT_VERBS];
  for (const v of verbs) {
    if (!/^[a-z-]+$/.test(v)) continue;
    const stem = v.endsWith("e") ? v.slice(0, -1) : v;
    const doubled = /[^aeiou][aeiou][bdgklmnprt]$/.test(v) && !/(?:en|er|on|it|et)$/.test(v) ? v + v[v.length - 1] : v;
    const y = v.endsWith("y") && !/[aeiou]y$/.test(v) ? v.slice(0, -1) + "i" : undefined;
    for (const f of [v, `${v}s`, `${stem}ed`, `${stem}ing`, `${doubled}ed`, `${doubled}ing`, ...(y ? [`${y}ed`, `${y}es`] : []), ...(v.endsWith("e") ? [`${v}d`] : [])]) {
      if (!forms.has(f)) forms.set(f, v);
    }
  }
  for (const [form, lemma] of Object.entries(IRREGULAR)) forms.set(form, lemma);
  return forms;
})();

/** Whether a word can be an imperative at the start of a fix: "Reprimand Ned", "Fire the engineer". */
const IMPERATIVES = new Set([...L.AT_PERSON_VERBS, "add", "make", "ensure", "stop", "tell", "have", "get", "let", "keep", "put", "give", "send", "hold", "do", "take", "pay", "be", "try", "think", "slow", "read", "double-check", "remember", "check", "review"]);

function repair(words: Word[], clauseStarts: Set<number>) {
  for (const w of words) {
    const lemma = VERB_FORMS.get(w.lower);
    if (lemma && (w.pos === "VERB" || w.pos === "ADJ" || w.pos === "NOUN" || w.pos === "PROPN") && !w.agent) {
      const prev = words[w.i - 1];
      const next = words[w.i + 1];
      const afterAgent = !!prev && (prev.agent !== undefined || L.ROLE_NOUNS.has(prev.lemma) || prev.pos === "PROPN" || prev.pos === "PRON" || prev.pos === "ADV");
      const imperative = clauseStarts.has(w.i) && IMPERATIVES.has(lemma) && !!next && (next.pos === "DET" || next.pos === "PROPN" || next.pos === "PRON" || next.pos === "NOUN" || next.pos === "ADJ" || next.pos === "ADP");
      if (w.pos === "VERB" || afterAgent || imperative) {
        w.lemma = lemma;
        if (w.pos !== "VERB" && (afterAgent || imperative) && !(prev && prev.pos === "DET")) w.pos = "VERB";
      }
    }
    // "the support lead failed": a role noun the tagger read as a verb, between its determiner and the verb.
    if (w.pos === "VERB" && L.ROLE_NOUNS.has(w.lower) && words[w.i - 1] && (words[w.i - 1].pos === "DET" || words[w.i - 1].pos === "NOUN") && words[w.i + 1] && isVerbish(words[w.i + 1])) w.pos = "NOUN";
  }
}

function wordsOf(text: string, tokenize: Tokenize): Word[] {
  const tokens = joinHyphens(tokenize(text), text);
  const words: Word[] = tokens.map((t, i) => ({ ...t, i, quoted: false }));
  // Quotations: between a pair of double quotes, curly quotes or backticks on one line.
  let open: { close: string; at: number } | undefined;
  for (const w of words) {
    if (w.pos === "BREAK") open = undefined;
    else if (open && w.text === open.close) {
      for (let j = open.at; j <= w.i; j++) words[j].quoted = true;
      open = undefined;
    } else if (!open && (w.text === '"' || w.text === "“" || w.text === "`" || w.text === "«")) open = { close: L.QUOTES[w.text], at: w.i };
  }
  for (const w of words) {
    if (w.pos === "PROPN" || w.pos === "PUNCT" || w.pos === "BREAK" || NOT_TYPOS.has(w.lower)) continue;
    // A word the tagger knows as an inflection ("approved" → "approve") is no misspelling.
    if (!L.MISSPELLINGS[w.lower] && (w.lemma !== w.lower || VERB_FORMS.has(w.lower))) continue;
    const fixed = fuzzyWord(w.lower);
    if (fixed) w.fixed = fixed;
  }
  return words;
}

/** The clauses of a text as word ranges: split at full stops, semicolons, dashes, line breaks and list markers. */
function clausesOf(words: Word[]): [number, number][] {
  const clauses: [number, number][] = [];
  let from = 0;
  for (let i = 0; i <= words.length; i++) {
    const w = words[i];
    if (i === words.length || w.pos === "BREAK" || CLAUSE_BREAKS.has(w.text)) {
      // A run of full stops or question marks ("??") ends one clause.
      if (i > from) clauses.push([from, i]);
      from = i + 1;
    }
  }
  // A run-on "sentence" is read in pieces of at most MAX_CLAUSE words (at a comma or a conjunction
  // where there is one), so that no rule's look around a word costs more than a bounded window.
  const bounded: [number, number][] = [];
  for (const [a, b] of clauses) {
    let start = a;
    while (b - start > MAX_CLAUSE) {
      let cut = start + MAX_CLAUSE;
      for (let j = cut; j > start + MAX_CLAUSE / 2; j--) {
        if (words[j].text === "," || words[j].lower === "and" || words[j].lower === "but") {
          cut = j;
          break;
        }
      }
      bounded.push([start, cut]);
      start = cut;
    }
    bounded.push([start, b]);
  }
  // A list marker at the start of a clause is not part of it.
  return bounded
    .map(([a, b]): [number, number] => {
      let start = a;
      while (start < b && (LIST_MARKER.test(words[start].text) || words[start].text === ">" || words[start].text === "#")) start++;
      if (start < b - 1 && /^\d{1,3}$/.test(words[start].text) && (words[start + 1].text === "." || words[start + 1].text === ")")) start += 2;
      return [start, b];
    })
    .filter(([a, b]) => b > a);
}

const isCapitalised = (w: Word) => /^\p{Lu}/u.test(w.text);

/** A name that is also a word ("Will", "Rose", "Mark") starting a clause is a name when a past-tense verb, "'s" or a surname follows. */
function nameAtStart(w: Word, next: Word | undefined): boolean {
  if (!next) return false;
  if (next.lower === "'s" || next.lower === "’s") return true;
  if (/^\p{Lu}/u.test(next.text) && next.pos === "PROPN") return true;
  return (next.pos === "VERB" || next.pos === "ADJ" || next.pos === "NOUN") && /ed$/.test(next.lower) || ["ran", "did", "made", "took", "left", "forgot", "broke", "put", "set", "let", "was", "had", "went", "never", "didn't", "wasn't", "then", "also"].includes(next.lower);
}

/** Marks the words that stand for a person or a team, and returns each mention's word range. */
function markAgents(words: Word[], names: Names, clauses: [number, number][]): Map<number, { from: number; agent: Agent }> {
  const mentions = new Map<number, { from: number; agent: Agent }>(); // keyed by the mention's last word
  const clauseStart = new Set(clauses.map(([a]) => a));
  for (const w of words) {
    if (w.quoted || w.pos === "PUNCT" || w.pos === "BREAK") continue;
    const next = words[w.i + 1];
    const nextIsThing = next && !next.quoted && (L.THING_AFTER_AGENT.has(next.lemma) || L.THING_AFTER_AGENT.has(next.lower));
    let agent: Agent | undefined;
    if (/^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$/.test(w.lower)) {
      // An email address names a person, in the directory or not.
      agent = "name";
    } else if (names.words.has(w.lower) && (w.pos === "PROPN" || (isCapitalised(w) && (!clauseStart.has(w.i) || nameAtStart(w, next))) || names.locals.has(w.lower))) {
      agent = "name";
    } else if (w.pos === "PRON" || L.PERSON_PRONOUNS.has(w.lower)) {
      if (L.PERSON_PRONOUNS.has(w.lower)) agent = "pronoun";
      else if (w.lower === "they" || w.lower === "them") agent = "they";
      else if (L.ANY_PERSON.has(w.lower)) agent = "anyone";
    } else if (L.ANY_PERSON.has(w.lower)) {
      agent = "anyone";
    } else if (w.lower === "one" && words[w.i - 1]?.lower === "no") {
      agent = "anyone";
    } else if (L.TEAM_HEADS.has(w.lemma) && (w.pos === "NOUN" || w.pos === "PROPN") && !nextIsThing) {
      // "the team", "the platform team", "Payments team", but not "team lead" (a role) or "team channel".
      if (w.lemma === "side" || w.lemma === "group" || w.lemma === "org") {
        const prev = words[w.i - 1];
        if (prev && (names.teams.has(prev.lower) || L.FUNCTION_TEAMS.has(prev.lower))) agent = "team";
      } else agent = "team";
    } else if (
      (names.teams.has(w.lower) && (isCapitalised(w) || (next && L.TEAM_HEADS.has(next.lemma)))) ||
      (L.FUNCTION_TEAMS.has(w.lower) && (w.text === w.text.toUpperCase() || w.lower === "devs" || w.lower === "ops" || w.lower === "devops" || w.lower === "sres" || w.lower === "dbas")) ||
      ((w.lower === "engineering" || w.lower === "management" || w.lower === "leadership" || w.lower === "support" || w.lower === "security") && isCapitalised(w) && !clauseStart.has(w.i))
    ) {
      if (w.lower === "it" && w.text !== "IT") continue;
      if (!nextIsThing && !(next && (next.pos === "NOUN" || next.pos === "PROPN") && !L.TEAM_HEADS.has(next.lemma) && !L.ROLE_NOUNS.has(next.lemma))) agent = "team";
    } else if ((w.pos === "NOUN" || w.pos === "PROPN" || w.pos === "ADJ" || w.lower === "on-call" || !!w.fixed) && (L.ROLE_NOUNS.has(w.lemma) || L.ROLE_NOUNS.has(w.lower) || L.ROLE_NOUNS.has(w.lower.replace(/s$/, "")) || (!!w.fixed && L.ROLE_NOUNS.has(w.fixed)))) {
      const isHead = !next || !(next.pos === "NOUN" || next.pos === "PROPN") || L.ROLE_NOUNS.has(next.lemma) || next.quoted;
      if (isHead && !nextIsThing) agent = "role";
      // "the on-call engineer": the engineer is the head.
      if (w.lower === "on-call" && next && L.ROLE_NOUNS.has(next.lemma)) agent = undefined;
    }
    if (!agent) continue;
    // A name followed by more of the same name ("Priya Shah") is one mention; so is "the DBA team".
    if (next && !next.quoted && agent === "name" && names.words.has(next.lower) && isCapitalised(next)) {
      next.agent = "name";
      continue;
    }
    w.agent = agent;
    if (next && (next.lower === "'s" || next.lower === "’s" || next.lower === "'")) w.possessive = true;
    // Where the noun phrase starts: back over determiners, adjectives, numbers and compound nouns.
    let from = w.i;
    while (from > 0) {
      const p = words[from - 1];
      if (p.quoted || p.pos === "BREAK" || CLAUSE_BREAKS.has(p.text) || clauseStart.has(from)) break;
      if (agent === "name" && !(p.agent === "name")) break;
      if (p.pos === "DET" || p.pos === "ADJ" || p.pos === "NUM" || ((p.pos === "NOUN" || p.pos === "PROPN") && !p.agent) || p.lower === "'s" || p.pos === "PRON" && (p.lower === "our" || p.lower === "their" || p.lower === "his" || p.lower === "her" || p.lower === "your")) {
        if (p.lower === "'s") break;
        from -= 1;
        if (from < w.i - 5) break;
      } else if (p.agent === "name" || (p.agent && (agent === "team" || agent === "role") && (p.agent === "team" || p.agent === "role"))) {
        from -= 1;
      } else break;
    }
    mentions.set(w.i, { from, agent });
  }
  return mentions;
}

const isVerbish = (w: Word) => w.pos === "VERB" || w.pos === "AUX";
const isNegation = (w: Word) => w.lower === "not" || w.lower === "n't" || w.lower === "never" || w.lemma === "not" || w.lower === "didnt" || w.lower === "dont" || w.lower === "wasnt" || w.lower === "hasnt" || w.lower === "havent" || w.lower === "wouldnt" || w.lower === "couldnt";

type Group = {
  from: number;
  to: number;
  lemmas: string[];
  main?: Word;
  first?: Word;
  negated: boolean;
  modal?: string;
  perfect: boolean;
  passive: boolean;
  /** "forgot to rotate": the verb after "to". */
  then?: Word;
};

/** The verb groups of a clause: auxiliaries, negation, adverbs and verbs that read as one. */
function groupsOf(words: Word[], from: number, to: number): Group[] {
  const groups: Group[] = [];
  let i = from;
  while (i < to) {
    const w = words[i];
    const startsGroup = !w.quoted && !w.agent && (isVerbish(w) || (isNegation(w) && i + 1 < to && isVerbish(words[i + 1])) || w.lower === "didnt" || w.lower === "dont");
    if (!startsGroup) {
      i++;
      continue;
    }
    const g: Group = { from: i, to: i, lemmas: [], negated: false, perfect: false, passive: false };
    let sawBe = false;
    let j = i;
    let adverbs = 0;
    while (j < to) {
      const x = words[j];
      if (x.quoted || (x.agent && j > i)) break;
      if (isVerbish(x)) {
        const lemma = x.fixed ? lemmaOfFixed(x.fixed) : x.lemma;
        g.lemmas.push(lemma);
        if (x.pos === "AUX" && L.MODALS.has(x.lower) && !g.modal) g.modal = x.lower;
        if (g.modal && L.PERFECT_MODALS.has(g.modal) && (x.lower === "have" || x.lower === "'ve" || x.lower === "of")) g.perfect = true;
        if (x.lemma === "be" || x.lemma === "get") sawBe = true;
        else if (sawBe && x.pos === "VERB" && /(?:ed|en|wn|ung|ught|t)$/.test(x.lower)) g.passive = true;
        if (x.pos === "VERB" || (x.pos === "AUX" && !g.main && j + 1 >= to)) {
          if (!g.main) g.main = x;
          else if (!g.then) g.then = x;
        }
        if (!g.first) g.first = x;
        j++;
        continue;
      }
      if (isNegation(x)) {
        g.negated = true;
        if (x.lower === "didnt" || x.lower === "dont") g.lemmas.push("do");
        j++;
        continue;
      }
      if (x.pos === "ADV" && adverbs < 2 && j + 1 < to && (isVerbish(words[j + 1]) || isNegation(words[j + 1]) || words[j + 1].pos === "ADV")) {
        adverbs++;
        j++;
        continue;
      }
      // "forgot to rotate", "failed to check": the infinitive reads with the verb before it.
      if (x.lower === "to" && (g.main || g.modal) && j + 1 < to && (words[j + 1].pos === "VERB" || VERB_FORMS.has(words[j + 1].lower)) && !g.then) {
        j++;
        continue;
      }
      break;
    }
    g.to = j;
    if (!g.main) g.main = g.first;
    groups.push(g);
    i = Math.max(j, i + 1);
  }
  return groups;
}


/** The lemma of a lexicon word a misspelling was read as ("forgeted" → "forgot" → "forget"). */
const lemmaOfFixed = (fixed: string) => VERB_FORMS.get(fixed) ?? fixed;

/** The mention whose noun phrase ends just before the group, across adverbs and a parenthesis; or none. */
function subjectOf(words: Word[], g: Group, clauseFrom: number, mentions: Map<number, { from: number; agent: Agent }>) {
  let j = g.from - 1;
  let steps = 0;
  while (j >= clauseFrom && steps < 12) {
    const w = words[j];
    if (mentions.has(j)) return w.possessive ? undefined : { at: j, ...mentions.get(j)! };
    if (w.pos === "ADV" || w.lower === "also" || w.lower === "then" || w.lower === "just" || w.lower === "only") {
      j--;
      steps++;
      continue;
    }
    // "Leon, the new hire, deployed…": skip a parenthesis between commas.
    if (w.text === "," || w.text === ")") {
      let k = j - 1;
      let inside = 0;
      while (k >= clauseFrom && inside < 8 && words[k].text !== "," && words[k].text !== "(") {
        k--;
        inside++;
      }
      if (k >= clauseFrom && inside < 8 && k !== j - 1) {
        j = k - 1;
        steps += inside;
        if (j >= clauseFrom && mentions.has(j)) return { at: j, ...mentions.get(j)! };
        continue;
      }
    }
    break;
  }
  return undefined;
}

/** The noun phrase after word `at`: what a verb acts on ("the wrong bucket"), for the question to ask. */
function objectAfter(words: Word[], at: number, to: number): string | undefined {
  let j = at;
  const from = j;
  while (j < to && j - from < 7 && !words[j].quoted && (["DET", "ADJ", "NOUN", "PROPN", "NUM"].includes(words[j].pos) || words[j].lower === "'s")) j++;
  if (j === from || !words.slice(from, j).some((w) => w.pos === "NOUN" || w.pos === "PROPN")) return undefined;
  return words.slice(from, j).map((w, k) => (k > 0 && words[from + k - 1].end < w.start ? " " : "") + w.text).join("");
}

const PERSONAL: ReadonlySet<Agent> = new Set<Agent>(["name", "pronoun", "role", "anyone"]);

function isAdjectiveAfterBe(words: Word[], i: number): boolean {
  const prev = words[i - 1];
  const before = words[i - 2];
  return (!!prev && prev.lemma === "be") || (!!prev && (prev.lower === "so" || prev.lower === "too" || prev.lower === "very" || prev.lower === "more") && !!before && before.lemma === "be");
}

// ---------------------------------------------------------------------------------------------
// The rules.

/** Every hit in the text, in reading order, at most one per word: earlier words and stronger rules first. */
/**
 * What a person was not given: "was not paged", "didn't get the alert", "had no way to see". The
 * rules read these as the system's gap, and mark them so the learned model does not read the
 * person in them as a culprit. They mark the same way a blame-looking word they read as technical
 * ("human error budget", "dumb pipe") and "they" that are machines ("they were rebooted by the
 * orchestrator"): where the rules have read a sentence as not blaming, the model does not overrule them.
 */
const NOT_GIVEN_TO_A_PERSON = new Set(["get", "receive", "page", "alert", "notify", "call", "wake", "tell", "inform", "give", "grant", "provide", "show", "teach", "train", "onboard", "invite", "add", "warn", "brief", "have", "hear", "offer", "allow", "permit", "assign", "include"]);

export function readBlame(text: string, tokenize: Tokenize, field: WordingField, names: Names): { words: Word[]; hits: Hit[]; sentences: [number, number][]; neutral: Set<number> } {
  const words = wordsOf(text, tokenize);
  const clauses = clausesOf(words);
  const mentions = markAgents(words, names, clauses);
  repair(words, new Set(clauses.map(([a]) => a)));
  const hits: Hit[] = [];
  const neutral = new Set<number>();
  for (const [from, to] of clauses) readClause(words, from, to, field, mentions, hits, neutral);
  return { words, hits, sentences: sentencesOf(words), neutral };
}

/** The sentences of a text as word ranges (a list item is one), at most MAX_CLAUSE words each, markers left out. */
function sentencesOf(words: Word[]): [number, number][] {
  const sentences: [number, number][] = [];
  let from = 0;
  for (let i = 0; i <= words.length; i++) {
    const w = words[i];
    const stop = i === words.length || w.pos === "BREAK" || w.text === "." || w.text === "!" || w.text === "?" || i - from >= MAX_CLAUSE;
    if (!stop) continue;
    let start = from;
    while (start < i && (LIST_MARKER.test(words[start].text) || words[start].text === ">" || words[start].text === "#")) start++;
    // A question keeps its question mark: it is part of what the sentence is.
    const end = w && w.text === "?" ? i + 1 : i;
    if (end > start && words.slice(start, end).some((x) => x.pos !== "PUNCT")) sentences.push([start, end]);
    from = i + 1;
  }
  return sentences;
}

function readClause(words: Word[], from: number, to: number, field: WordingField, mentions: Map<number, { from: number; agent: Agent }>, hits: Hit[], neutral: Set<number>) {
  const push = (h: Hit) => hits.push(h);
  // Word indices the rules read as not blaming (see NOT_GIVEN_TO_A_PERSON).
  const notGiven = (at: number) => neutral.add(at);
  const personIn = (a: number, b: number) => {
    for (let j = Math.max(a, from); j < Math.min(b, to); j++) if (words[j].agent && words[j].agent !== "they") return true;
    return false;
  };
  const hasPerson = personIn(from, to);
  const isQuestion = field === "question" || words[to]?.text === "?";
  const first = words[from];
  const groups = groupsOf(words, from, to);
  let errorMarker = false;
  for (let j = from; j < to; j++) {
    const w = words[j];
    if (w.quoted) continue;
    if (L.ERROR_MARKERS.has(w.lemma) || L.ERROR_MARKERS.has(w.lower) || (w.fixed && L.ERROR_MARKERS.has(w.fixed))) {
      if (!L.WEAK_ERROR_MARKERS.has(w.lower)) errorMarker = true;
      else if (w.lower === "without" || w.lower === "instead" || w.lower === "despite") errorMarker = true;
    }
  }
  const startsWithBecause = first && (first.lower === "because" || first.lower === "since" || first.lower === "cause" || first.lower === "bc" || first.lower === "coz");

  // Judgement words and phrases.
  for (let j = from; j < to; j++) {
    const w = words[j];
    if (w.quoted) continue;
    const phrase = phraseAt(words, j, to, JUDGEMENT_TRIE);
    if (phrase && !judgementPhraseIsNeutral(words, j, phrase, from, hasPerson)) {
      push({ from: j, to: phrase.to, kind: "judgement", rule: "judgement-phrase", edit: judgementPhraseEdit(words, j, phrase) });
      j = phrase.to - 1;
      continue;
    }
    // A technical term that looks like blame ("human error budget", "git blame"): no person judged here.
    if (phrase && !hasPerson) notGiven(j);
    const word = judgementWord(w);
    if (!word) continue;
    const next = words[j + 1];
    if (next && (L.JUDGEMENT_LOOK_ALIKE_NEXT.has(next.lower) || L.JUDGEMENT_LOOK_ALIKE_NEXT.has(next.lemma))) {
      if (!hasPerson) notGiven(j);
      continue;
    }
    // A name that is also a judgement word is a name; the word in capitals ("Careless") is still the word.
    if (w.agent) continue;
    if (L.SOFT_JUDGEMENT.has(word) && !hasPerson) continue;
    if (word === "lapse" && w.pos === "VERB") continue;
    if (word === "blindly" && !hasPerson) continue;
    // "the retry logic is careless about idempotency": an adjective said of a thing, with no person in the clause.
    if (!hasPerson && w.pos === "ADJ" && (["ADP"].includes(words[j + 1]?.pos ?? "") || words.slice(Math.max(from, j - 3), j).some((x) => x.lemma === "be")) && thingBefore(words, j, from)) continue;
    // "The retry logic was careless about idempotency": a judgement of code, not of a person.
    if (isAdjectiveAfterBe(words, j)) {
      const g = groups.find((x) => x.to >= j && x.from < j);
      const subject = g ? subjectOf(words, g, from, mentions) : undefined;
      const clauseHasAgentBefore = personIn(from, j);
      if (!subject && !clauseHasAgentBefore && !hasPerson && thingBefore(words, j, from)) continue;
    }
    push({ from: j, to: j + 1, kind: "judgement", rule: "judgement-word", edit: judgementWordEdit(words, j, from, to) });
  }

  // Hindsight words and phrases.
  for (let j = from; j < to; j++) {
    const w = words[j];
    if (w.quoted) continue;
    const phrase = phraseAt(words, j, to, HINDSIGHT_TRIE);
    if (phrase) {
      const always = /^should have be (?:obvious|clear|evident|catch|spot|notice)|^should(?:'ve| have) know/.test(phrase.phrase);
      const needsPerson = !always && L.HINDSIGHT_NEEDS_PERSON_PREFIX.some((p) => phrase.phrase.startsWith(p));
      const subject = personBefore(words, j, from, 4);
      if (needsPerson ? subject || (phrase.phrase.startsWith("should have") && !systemBefore(words, j, from)) : !neutralHindsight(words, j, phrase.phrase, from, to)) {
        if (!(phrase.phrase === "a simple" && !hasPerson)) {
          if (!(phrase.phrase === "of course" && !hasPerson)) {
            if (!(phrase.phrase.startsWith("common sense") && !hasPerson)) {
              push({ from: j, to: phrase.to, kind: "hindsight", rule: "hindsight-phrase", edit: hindsightPhraseEdit(words, j, phrase) });
              j = phrase.to - 1;
              continue;
            }
          }
        }
      }
    }
    const word = w.fixed ?? w.lower;
    if ((word === "obvious" || word === "evident") && !(words[j - 1] && (isNegation(words[j - 1]) || ["no", "non", "less", "nothing", "far"].includes(words[j - 1].lower)))) {
      const next = words[j + 1];
      const neutralNoun = next && /^(?:names?|fix|symptoms?|suspects?|first|workaround|candidates?|choice|answer|explanation|cause|place|way|solution|next|step|steps|reason|signal|signals|indicator|sign|signs|default|approach)$/.test(next.lower);
      const nobody = words.slice(from, j).some((x) => x.agent === "anyone" || isNegation(x) || x.lower === "nobody");
      if (!neutralNoun && (hasPerson || nobody || ["glaringly", "blindingly", "painfully", "so", "very", "completely", "totally", "pretty", "super"].includes(words[j - 1]?.lower ?? ""))) {
        push({ from: j, to: j + 1, kind: "hindsight", rule: "hindsight-word" });
        continue;
      }
    }
    if (L.HINDSIGHT_WORDS.has(word) && w.pos !== "ADJ") {
      const prev = words[j - 1];
      if (prev && (isNegation(prev) || prev.lower === "more" || prev.lower === "less" || prev.lower === "not")) continue;
      // "clearly" describing how something was said or shown is no hindsight: "the runbook clearly states".
      const next = words[j + 1];
      if ((word === "clearly" || word === "plainly") && next && (next.pos === "VERB" || next.pos === "ADJ") && !L.FAILURE_VERBS.has(next.lemma) && !hasPerson) continue;
      if ((word === "clearly" || word === "plainly") && next && ["visible", "documented", "labelled", "labeled", "marked", "stated", "defined", "written", "explained", "described", "shown", "show", "state", "say", "says", "said", "explain", "communicate", "communicated", "separate", "separated", "wrong", "broken", "different", "distinguish"].includes(next.lower)) continue;
      if (word === "surely" && !hasPerson) continue;
      push({ from: j, to: j + 1, kind: "hindsight", rule: "hindsight-word", edit: deletion(words, j, j + 1, from, to) });
    }
  }

  // "Shouldn't Mei have known…?", "Couldn't the reviewer have spotted…?"
  for (let j = from; j + 3 < to; j++) {
    const w = words[j];
    if (!["should", "could", "shouldn't", "couldn't", "wouldn't"].includes(w.lower) || (j !== from && words[j - 1].text !== ",")) continue;
    let k = j + 1;
    if (isNegation(words[k])) k++;
    let m = -1;
    for (let x = k; x < to && x <= k + 3; x++) if (mentions.has(x) && (mentions.get(x)!.from <= k)) m = x;
    if (m >= 0 && words[m].agent !== "they" && (words[m + 1]?.lower === "have" || words[m + 1]?.lower === "'ve")) push({ from: j, to: Math.min(to, m + 3), kind: "hindsight", rule: "modal-perfect" });
  }

  // Counterfactuals: "Had the developer run the tests…", "If Leon had asked…".
  counterfactuals(words, from, to, push);

  // "made a mistake", "did a mistake": a person and a mistake.
  for (let j = from; j + 1 < to; j++) {
    const w = words[j];
    if ((w.lemma === "make" || w.lemma === "do" || w.lower === "did") && !w.quoted) {
      let k = j + 1;
      while (k < to && k < j + 4 && (words[k].pos === "DET" || words[k].pos === "ADJ" || words[k].pos === "ADV")) k++;
      if (k < to && k > j + 1 && ["mistake", "error", "blunder", "typo", "slip", "goof", "boo-boo", "misstep"].includes(words[k].fixed ?? words[k].lemma)) {
        const subject = personBefore(words, j, from, 4);
        // "Why did the mistake get checked in?": "did" is an auxiliary there, not what someone did.
        const auxiliary = words[k + 1] && (words[k + 1].pos === "VERB" || words[k + 1].pos === "AUX");
        if (!auxiliary && (subject !== undefined || (j === from && field !== "remediation"))) {
          const start = subject ?? j;
          push({ from: start, to: k + 1, kind: "person", rule: "mistake" });
        }
      }
    }
  }

  // "Tom's typo", "Marcus's bad change": a person's error as the cause.
  for (let j = from; j + 2 < to; j++) {
    const w = words[j];
    if (!w.agent || !w.possessive || w.agent === "they") continue;
    let k = j + 2;
    let bad = false;
    while (k < to && k < j + 5 && (words[k].pos === "ADJ" || words[k].pos === "ADV")) {
      if (L.ERROR_MARKERS.has(words[k].lower) || judgementWord(words[k])) bad = true;
      k++;
    }
    const noun = words[k];
    if (noun && (["typo", "mistake", "error", "blunder", "oversight", "slip", "goof", "screw-up", "lapse", "misconfiguration", "fault", "negligence", "carelessness"].includes(noun.fixed ?? noun.lemma) || (bad && (noun.pos === "NOUN" || noun.pos === "PROPN")))) {
      const start = mentions.get(j)?.from ?? j;
      push({ from: start, to: k + 1, kind: "person", rule: "mistake" });
      j = k;
    }
  }
  // "All Tom had to do was…", "all the reviewer needed to do…"
  for (let j = from; j + 3 < to; j++) {
    if (words[j].lower !== "all") continue;
    const agent = firstAgent(words, j + 1, Math.min(to, j + 4));
    if (!agent || agent.agent === "they") continue;
    const v = words[agent.to];
    if (v && (v.lemma === "have" || v.lemma === "need") && words[agent.to + 1]?.lower === "to" && words[agent.to + 2]?.lemma === "do") {
      push({ from: j, to: agent.to + 3, kind: "hindsight", rule: "hindsight-phrase" });
    }
  }

  // Verbs with a person or team as their subject.
  let previousSubject: ReturnType<typeof subjectOf>;
  for (const g of groups) {
    let subject = subjectOf(words, g, from, mentions);
    const before = words[g.from - 1];
    if (!subject) subject = relativeSubject(words, g, from, mentions, groups);
    if (!subject && previousSubject && before && (before.lower === "and" || before.lower === "but" || before.lower === "then" || before.lower === "or")) subject = previousSubject;
    previousSubject = subject ?? (mentionsBetween(words, from, g.from) ? undefined : previousSubject);
    if (!subject || !g.main) continue;
    const agent = subject.agent;
    const main = g.main;
    const lemma = main.fixed ? lemmaOfFixed(main.fixed) : main.lemma;
    const lemmas = g.lemmas.map((l) => l);
    if (g.then) lemmas.push(g.then.lemma);
    const letThrough = (lemmas.includes("let") || lemmas.includes("allow")) && words.slice(g.to, Math.min(to, g.to + 5)).some((x) => ["through", "slip", "lapse", "expire", "rot", "pass"].includes(x.lemma));
    const failure = lemmas.find((l) => L.FAILURE_VERBS.has(l) || /^mis-?[a-z]{3,}$/.test(l)) ?? (letThrough ? "let" : undefined);
    const span = { from: subject.from, to: g.to };
    const isTeam = agent === "team";
    if (agent === "they" && !(lemmas.some((l) => L.HUMAN_VERBS.has(l)) || (g.perfect && lemmas.some((l) => L.HUMAN_VERBS.has(l))))) {
      // "They were rebooted by the orchestrator", "they crashed": machines, when a thing does it to them or nothing human is done.
      if (!hasPerson && (g.passive || !lemmas.some((l) => L.ACTS_ON_THE_SYSTEM.has(l)))) notGiven(g.from);
      continue;
    }
    // A question of who did something is handled with the questions.
    if (words[from]?.lower === "who" || words[from]?.lower === "whose") continue;
    const about = objectAfter(words, g.to, to);

    if (g.perfect && g.modal && ["should", "could", "might", "must", "ought", "would"].includes(g.modal)) {
      if (g.modal === "would" && !["know", "see", "spot", "notice", "catch", "realise", "realize", "check", "ask", "read", "test", "verify", "review"].includes(lemma)) continue;
      if (g.modal !== "would" || agent !== "they") {
        if (isNegation(words[g.from - 1] ?? words[0]) && !failure) continue;
        push({ ...span, kind: "hindsight", rule: "modal-perfect", about });
        continue;
      }
    }
    if (g.passive && g.negated && NOT_GIVEN_TO_A_PERSON.has(lemma) && agent !== "they") notGiven(g.from);
    if (g.passive) continue;
    if (failure && !(failure === "fail" && g.then && L.NOT_GIVEN_VERBS.has(g.then.lemma))) {
      if (failure === "miss" && about && /\b(?:deadline|window|train|flight|meeting)\b/.test(about)) continue;
      push({ ...span, kind: "person", rule: isTeam ? "team-failure" : "agent-failure", about });
      continue;
    }
    if ((g.negated || words[g.to]?.lower === "no") && NOT_GIVEN_TO_A_PERSON.has(lemma) && agent !== "they") notGiven(g.from);
    if (g.negated && !L.NOT_GIVEN_VERBS.has(lemma) && g.modal !== "can" && g.modal !== "could" && !(g.lemmas.includes("be") && !g.passive && main.lemma === "be")) {
      if (g.modal === "will" || g.modal === "should" || g.modal === "must") continue;
      push({ ...span, kind: "person", rule: isTeam ? "team-failure" : "agent-not-done", about });
      continue;
    }
    if (agent === "they" && errorMarker && !isQuestion && !L.RESPONSE_VERBS.has(lemma)) {
      push({ ...span, kind: "person", rule: "agent-wrong", about });
      continue;
    }
    if (agent === "they" && errorMarker && !isQuestion && L.ACTS_ON_THE_SYSTEM.has(lemma)) {
      push({ ...span, kind: "person", rule: "agent-wrong", about });
      continue;
    }
    if (PERSONAL.has(agent) || isTeam) {
      if (lemma === "be" || lemma === "have" || (L.NOT_GIVEN_VERBS.has(lemma) && !L.ACTS_ON_THE_SYSTEM.has(lemma))) continue;
      const fixLikeObject = about !== undefined && /\b(?:fix|fixes|rollback|revert|patch|hotfix|mitigation|failover|workaround|incident|status|page|timeline|channel|bridge)\b/i.test(about);
      const presentHabit = main.lower.endsWith("s") && !main.lower.endsWith("ss") && main.lemma !== main.lower;
      const respondedOnly = L.RESPONSE_VERBS.has(lemma) && !L.ACTS_ON_THE_SYSTEM.has(lemma) && !errorMarker;
      if (field === "answer" && startsWithBecause && subject.from <= from + 2 && agent !== "anyone" && !fixLikeObject && !respondedOnly && !(isTeam && presentHabit)) {
        push({ ...span, kind: "person", rule: isTeam ? "team-failure" : "agent-because", about });
        continue;
      }
      if (errorMarker && !isQuestion && !fixLikeObject) {
        push({ ...span, kind: "person", rule: "agent-wrong", about });
        continue;
      }
      if (L.RESPONSE_VERBS.has(lemma) && !L.ACTS_ON_THE_SYSTEM.has(lemma)) continue;
      if (errorMarker && !isQuestion) {
        push({ ...span, kind: "person", rule: "agent-wrong", about });
        continue;
      }
      const fixLike = about !== undefined && /\b(?:fix|fixes|rollback|revert|patch|hotfix|mitigation|failover|workaround|incident|status|page|timeline|channel|bridge)\b/i.test(about);
      if (field === "answer" && startsWithBecause && subject.from <= from + 2 && agent !== "anyone" && !fixLike) {
        push({ ...span, kind: "person", rule: isTeam ? "team-failure" : "agent-because", about });
        continue;
      }
      if (field === "answer" && L.ACTS_ON_THE_SYSTEM.has(lemma) && !L.RESPONSE_ONLY_IN_ANSWERS.has(lemma) && !fixLike && agent !== "anyone" && about !== undefined) {
        push({ ...span, kind: "person", rule: isTeam ? "team-failure" : "agent-because", about });
        continue;
      }
    }
  }

  // Passive blame: "the alerts were ignored by everyone who received them", "the migration was run by Kenji".
  for (let j = from; j < to; j++) {
    const w = words[j];
    const afterBe = !!words[j - 1] && (words[j - 1].lemma === "be" || words[j - 1].lemma === "get" || isNegation(words[j - 1]));
    if (w.quoted || !(w.pos === "VERB" || w.pos === "ADJ") || !(/(?:ed|en|wn|un|ught|ft|pt|st|t)$/.test(w.lower) || (afterBe && VERB_FORMS.has(w.lower)))) continue;
    const lemma = VERB_FORMS.get(w.lower) ?? w.lemma;
    let by = -1;
    for (let k = j + 1; k < to && k <= j + 7; k++) {
      if (words[k].lower === "by") {
        by = k;
        break;
      }
      if (words[k].lower === "to" && words[k + 1]?.pos === "VERB") {
        k++;
        continue;
      }
      if (words[k].pos === "VERB" || words[k].text === ",") break;
    }
    let agentAfter: { agent: Agent; to: number } | undefined;
    for (let k = by + 1; by >= 0 && k < to && k <= by + 5; k++) {
      const m = mentions.get(k);
      if (m && m.from <= by + 1 && words[k].agent !== "they") {
        let end = k + 1;
        while (end < to && words[end].agent) end++;
        agentAfter = { agent: words[k].agent!, to: end };
        break;
      }
      if (m) break;
    }
    const negatedPassive = words.slice(Math.max(from, j - 3), j).some((x) => isNegation(x));
    const blamable = L.FAILURE_VERBS.has(lemma) || /^mis-?[a-z]{3,}$/.test(lemma) || PASSIVE_BLAME.has(lemma) || ((L.ACTS_ON_THE_SYSTEM.has(lemma) || L.CULPRIT_VERBS.has(lemma)) && (errorMarker || isQuestion));
    if (agentAfter && agentAfter.agent !== "they") {
      if ((blamable || negatedPassive) && !L.NOT_GIVEN_VERBS.has(lemma)) push({ from: j, to: agentAfter.to, kind: "person", rule: "passive" });
    } else if (["ignore", "neglect", "overlook", "disregard"].includes(lemma) && words[j - 1] && (words[j - 1].lemma === "be" || words[j - 1].lemma === "get" || words[j - 1].lemma === "then" || words[j - 1].lower === "and")) {
      if (!isNegation(words[j - 2] ?? words[j - 1]) && !(words[j + 1]?.lower === "by" && !agentAfter) && !words.slice(from, j).some((x) => x.lower === "silently" || x.lower === "parser" || x.lower === "config")) push({ from: j, to: j + 1, kind: "person", rule: "passive" });
    }
  }

  if (field === "remediation") remediations(words, from, to, groups, mentions, push);
  if (isQuestion) questions(words, from, to, groups, mentions, push, notGiven);
}

/**
 * The subject of a verb after a relative clause: "whoever was on call muted…", "the engineer who
 * approved it forgot…". The mention is the clause's first; the verb is the next group after its own.
 */
function relativeSubject(words: Word[], g: Group, from: number, mentions: Map<number, { from: number; agent: Agent }>, groups: Group[]) {
  const index = groups.indexOf(g);
  if (index < 1) return undefined;
  for (let j = from; j < g.from && j < from + 4; j++) {
    const m = mentions.get(j);
    if (!m) continue;
    const relative = words[j].lower === "whoever" || ((words[j + 1]?.lower === "who" || words[j + 1]?.lower === "that") && j + 1 < g.from);
    const own = groups[index - 1];
    if (relative && own.from > j && own.to < g.from && !words.slice(own.to, g.from).some((w) => w.text === "," && false)) return { at: j, ...m };
    return undefined;
  }
  return undefined;
}

/** Verbs that, done to a warning or a check by a person, are blame in the passive. */
const PASSIVE_BLAME = new Set(["mute", "snooze", "silence", "dismiss", "leave", "allow", "wave", "click", "pass", "let", "skip", "override", "bypass", "ignore", "close", "acknowledge", "unread", "rush", "push", "turn", "forget", "wipe", "drop", "delete"]);

function mentionsBetween(words: Word[], a: number, b: number) {
  for (let j = a; j < b; j++) if (words[j].agent) return true;
  return false;
}

function firstAgent(words: Word[], a: number, b: number): { agent: Agent; to: number } | undefined {
  for (let j = a; j < b; j++) {
    if (words[j].agent) {
      let to = j + 1;
      while (to < b && words[to].agent === words[j].agent) to++;
      return { agent: words[j].agent!, to };
    }
    if (words[j].pos === "VERB" || words[j].pos === "PUNCT") break;
  }
  return undefined;
}

/** The first word of a person or team mention within `span` words before `at`, in the clause. */
function personBefore(words: Word[], at: number, clauseFrom: number, span: number): number | undefined {
  for (let j = at - 1; j >= clauseFrom && j >= at - span; j--) {
    const w = words[j];
    if (w.agent && w.agent !== "they") {
      let k = j;
      while (k > clauseFrom && (words[k - 1].pos === "DET" || words[k - 1].pos === "ADJ" || words[k - 1].agent)) k--;
      return k;
    }
    if (w.pos === "VERB" && j < at - 1) return undefined;
  }
  return undefined;
}

/** A thing (a noun that is no person) as the subject just before `at`: "the deploy should have…". */
function systemBefore(words: Word[], at: number, clauseFrom: number): boolean {
  for (let j = at - 1; j >= clauseFrom && j >= at - 4; j--) {
    const w = words[j];
    if (w.agent) return false;
    if (w.pos === "NOUN" || w.pos === "PROPN" || (w.pos === "PRON" && ["it", "this", "that", "which", "we", "they"].includes(w.lower))) return true;
  }
  return false;
}

/** Whether the nearest noun before `at` in the clause is a thing ("the retry logic", "it" after one), not a name. */
function thingBefore(words: Word[], at: number, clauseFrom: number): boolean {
  for (let j = at - 1; j >= clauseFrom; j--) {
    const w = words[j];
    if (w.agent) return false;
    if (w.pos === "PROPN" && /^\p{Lu}/u.test(w.text)) return false;
    if (w.pos === "NOUN") return true;
    if (w.pos === "PRON") return w.lower === "it" || w.lower === "this" || w.lower === "that" || w.lower === "which";
  }
  return false;
}

function judgementWord(w: Word): string | undefined {
  const word = w.fixed ?? w.lower;
  if (L.JUDGEMENT_WORDS.has(word)) return word;
  if (L.JUDGEMENT_WORDS.has(w.lemma)) return w.lemma;
  // Adverbs of a judgement adjective: "sloppily" → "sloppy", "carelessly" → "careless".
  if (word.endsWith("ily") && L.JUDGEMENT_WORDS.has(`${word.slice(0, -3)}y`)) return word;
  if (word.endsWith("ly") && L.JUDGEMENT_WORDS.has(word.slice(0, -2))) return word;
  return undefined;
}

function judgementPhraseIsNeutral(words: Word[], at: number, phrase: { to: number; phrase: string }, from: number, hasPerson: boolean): boolean {
  const next = words[phrase.to];
  const prev = words[at - 1];
  // "human error budget", "git blame", "blameless", "not about blame", "no one is to blame".
  if (next && /^(?:budget|budgets|metric|metrics|rate|rates|class|classes|code|codes|handling|handler|page|message|messages|category|bucket|count)$/.test(next.lower) && /error/.test(phrase.phrase)) return true;
  if (/fault$/.test(phrase.phrase) && next && /^(?:domain|domains|tolerance|tolerant|injection|injector|line|lines|zone|zones|code|codes|isolation|handler|detector|detection)$/.test(next.lower)) return true;
  if (phrase.phrase === "blame" && !hasPerson && words[at].pos !== "VERB") return true;
  if (phrase.phrase === "blame" && prev && ["assign", "assigning", "assigned", "apportion", "about", "of", "avoid"].includes(prev.lower)) return true;
  if (phrase.phrase === "blame") {
    if (prev && (prev.lower === "git" || prev.lower === "no" || prev.lower === "not" || prev.lower === "without" || prev.lower === "`")) return true;
    if (next && (next.lower === "view" || next.lower === "output" || next.lower === "log" || next.lower === "annotation")) return true;
    for (let j = Math.max(from, at - 4); j < at; j++) if (isNegation(words[j]) || words[j].lower === "no" || words[j].lower === "nobody" || words[j].lower === "blameless") return true;
  }
  if ((phrase.phrase === "to blame" || phrase.phrase === "at fault") && prev && (prev.lower === "nobody" || prev.lower === "no" || isNegation(prev))) return true;
  if ((phrase.phrase === "to blame" || phrase.phrase === "at fault") && words[at - 2] && (words[at - 2].lower === "nobody" || words[at - 2].lower === "one" && words[at - 3]?.lower === "no")) return true;
  if (phrase.phrase.startsWith("fat") && next && /^(?:proof|protection|guard)/.test(next.lower)) return true;
  if ((phrase.phrase === "rubber stamp" || phrase.phrase === "rubber-stamp") && !hasPerson && prev?.pos === "DET") return false;
  if (/^(?:slip up|mess up|screw up|muck up|goof up|cock up)$/.test(phrase.phrase) && !hasPerson) return true;
  if (/^lack of /.test(phrase.phrase) && !hasPerson) return true;
  if (phrase.phrase === "know better" && !hasPerson) return true;
  if (/^(?:be accountable|hold accountable|held accountable)$/.test(phrase.phrase) && !hasPerson) return true;
  if (phrase.phrase === "not think" && !hasPerson) return true;
  if (/^(?:cut corner|cutting corner|corner be cut|take a shortcut|took a shortcut)$/.test(phrase.phrase) && !hasPerson) return true;
  return false;
}

function neutralHindsight(words: Word[], at: number, phrase: string, from: number, to: number): boolean {
  const prev = words[at - 1];
  if (prev && isNegation(prev)) return true;
  if (phrase === "looking back" || phrase === "look back") {
    const next = words[at + 1];
    if (!next || next.text !== ",") return true;
  }
  if (/^(?:would|could) have (?:catch|prevent|avoid|see|spot|notice)/.test(phrase)) {
    // "A canary would have caught it" is a remediation's case, not hindsight about a person.
    return !personIn(words, from, at);
  }
  if (/^(?:it be easy to|only have to|only need to)$/.test(phrase)) return !personIn(words, from, to);
  return false;
}

function personIn(words: Word[], a: number, b: number) {
  for (let j = a; j < b; j++) if (words[j].agent && words[j].agent !== "they") return true;
  return false;
}

function counterfactuals(words: Word[], from: number, to: number, push: (h: Hit) => void) {
  for (let j = from; j < to; j++) {
    const w = words[j];
    if (w.quoted) continue;
    const atClauseStart = j === from || words[j - 1].text === "," || ["and", "but", "so", "because", "that", "since", "as", "if"].includes(words[j - 1].lower);
    // "Had the developer run…", "Had anyone checked…"
    if (w.lower === "had" && atClauseStart) {
      const agent = firstAgent(words, j + 1, Math.min(to, j + 5));
      if (agent && agent.agent !== "they") {
        let verbAt = agent.to;
        while (verbAt < to && verbAt < agent.to + 3 && !(words[verbAt].pos === "VERB" || isNegation(words[verbAt]) || words[verbAt].lower === "been" || VERB_FORMS.has(words[verbAt].lower))) verbAt++;
        const verb = words[verbAt];
        if (verb && verbAt < to && (verb.pos === "VERB" || isNegation(verb) || verb.pos === "ADV" || verb.lower === "been" || VERB_FORMS.has(verb.lower))) {
          push({ from: j, to: Math.min(to, agent.to + 1), kind: "hindsight", rule: "counterfactual" });
          continue;
        }
      }
    }
    // "If Leon had asked…", "if the reviewer would have…", "if someone just checked…"
    if (w.lower === "if" || w.lower === "unless") {
      let k = j + 1;
      if (words[k]?.lower === "only") k++;
      const agent = firstAgent(words, k, Math.min(to, k + 4));
      if (!agent || agent.agent === "they") continue;
      let v = agent.to;
      while (v < to && v < agent.to + 3 && (words[v].pos === "ADV" || isNegation(words[v]))) v++;
      const verb = words[v];
      if (!verb) continue;
      const had = verb.lower === "had" || verb.lower === "'d" || verb.lower === "hadn't" || verb.lower === "would" || verb.lower === "had've";
      const pastAction = verb.pos === "VERB" && /ed$/.test(verb.lower) && !L.NOT_GIVEN_VERBS.has(verb.lemma) && (words[j + 1]?.lower === "only" || words.slice(agent.to, v).some((x) => x.lower === "just" || x.lower === "simply" || x.lower === "only"));
      const bareIf = verb.lemma === "have" && words[v + 1] && (words[v + 1].pos === "VERB" || isNegation(words[v + 1]) || words[v + 1].lower === "been");
      if ((had && !(words[v + 1] && L.NOT_GIVEN_VERBS.has(words[v + 1].lemma) && words[v + 1].lemma !== "check")) || pastAction || (bareIf && verb.lower === "had")) {
        push({ from: j, to: Math.min(to, v + 2), kind: "hindsight", rule: "counterfactual" });
      }
    }
    if (w.lower === "were" && atClauseStart) {
      const agent = firstAgent(words, j + 1, Math.min(to, j + 4));
      if (agent && agent.agent !== "they" && words[agent.to]?.lower === "to") push({ from: j, to: agent.to + 2, kind: "hindsight", rule: "counterfactual" });
      else if (agent && agent.agent !== "they") {
        for (let k = agent.to; k < to && k < agent.to + 5; k++) {
          if (L.BEHAVIOUR_ADJECTIVES.has(words[k].fixed ?? words[k].lower)) {
            push({ from: j, to: k + 1, kind: "hindsight", rule: "counterfactual" });
            break;
          }
        }
      }
    }
  }
}

function remediations(words: Word[], from: number, to: number, groups: Group[], mentions: Map<number, { from: number; agent: Agent }>, push: (h: Hit) => void) {
  // Behaviour: "be more careful", "take extra care", "pay attention", "remember to".
  for (let j = from; j < to; j++) {
    const w = words[j];
    if (w.quoted) continue;
    const phrase = phraseAt(words, j, to, BEHAVIOUR_TRIE);
    if (phrase && !behaviourIsNeutral(words, j, phrase, from, to)) {
      push({ from: j, to: phrase.to, kind: "remediation", rule: "behaviour" });
      j = phrase.to - 1;
      continue;
    }
    const adjective = w.fixed ?? w.lower;
    if (L.BEHAVIOUR_ADJECTIVES.has(adjective) && (w.pos === "ADJ" || w.fixed)) {
      // "be careful", "stay vigilant", "extra vigilant", "more careful"; not "a careful rollout".
      let k = j - 1;
      while (k >= from && k > j - 4 && (words[k].pos === "ADV" || ["more", "extra", "very", "super", "especially", "a", "bit", "lot", "particularly", "much"].includes(words[k].lower))) k--;
      const verb = words[k];
      const intensified = k < j - 1;
      if ((verb && ["be", "stay", "remain", "become", "get", "keep"].includes(verb.lemma)) || (intensified && !words[j + 1]?.pos.startsWith("NOUN"))) {
        const start = verb && ["be", "stay", "remain", "become", "get", "keep"].includes(verb.lemma) ? k : k + 1;
        if (systemBefore(words, start, from) && !personBefore(words, start, from, 4)) continue;
        if (adjective === "aware" && words[j + 1]?.lower === "of" && !personIn(words, from, to) && !isImperative(words, from)) continue;
        if (adjective === "responsible" || adjective === "accountable") {
          if (!personIn(words, from, to)) continue;
        }
        push({ from: start, to: j + 1, kind: "remediation", rule: "behaviour" });
      }
    }
    const consequence = phraseAt(words, j, to, CONSEQUENCE_TRIE);
    if (consequence && !consequenceIsNeutral(words, j, consequence, from, to)) {
      push({ from: j, to: consequence.to, kind: "remediation", rule: "consequence" });
      j = consequence.to - 1;
    }
  }
  // "Make sure the release manager reads…", "ensure whoever is on call…": a fix that is a person remembering.
  for (let j = from; j + 1 < to; j++) {
    const sure = (words[j].lemma === "make" && words[j + 1].lower === "sure") || words[j].lemma === "ensure";
    if (!sure || words[j].quoted) continue;
    const after = words[j].lemma === "ensure" ? j + 1 : j + 2;
    const head = words[after]?.lower === "that" ? after + 1 : after;
    for (let k = head; k < to && k <= head + 4; k++) {
      const m = mentions.get(k);
      if (m && m.from <= head + 2 && words[k].agent !== "they" && !words[k].possessive) {
        push({ from: j, to: k + 1, kind: "remediation", rule: "behaviour" });
        break;
      }
      if (m || words[k].pos === "VERB") break;
    }
  }
  // "Don't let interns deploy on their own", "no longer allow Tom to…"
  for (let j = from; j + 2 < to; j++) {
    if (!["let", "allow", "permit"].includes(words[j].lemma) || words[j].quoted) continue;
    const negated = words.slice(Math.max(from, j - 3), j).some((w) => isNegation(w) || w.lower === "no" || w.lower === "longer");
    const m = mentions.get(j + 1) ?? mentions.get(j + 2);
    if (negated && m && words[j + 1].agent !== "they") push({ from: Math.max(from, j - 2), to: j + 2, kind: "remediation", rule: "consequence" });
  }
  // A verb aimed at people: "Remind all engineers to double-check", "retrain the intern on…".
  for (const g of groups) {
    const verb = g.first;
    if (!verb || verb.quoted) continue;
    const lemma = verb.fixed ? lemmaOfFixed(verb.fixed) : verb.lemma;
    if (!L.AT_PERSON_VERBS.has(lemma)) continue;
    // "Make the incident bot remind responders": the bot does the reminding.
    const before = words[g.from - 1];
    if (before && !before.agent && (before.pos === "NOUN" || before.pos === "PROPN" || (before.lower === "to" && words[g.from - 2]?.pos === "NOUN"))) continue;
    // The person or team the verb acts on: a mention whose noun phrase starts right after it.
    let objectAt = -1;
    for (let j = g.to; j < to && j < g.to + 7; j++) {
      const m = mentions.get(j);
      if (m && m.from <= g.to + 3 && (!words[j].possessive || ["revoke", "remove", "restrict", "limit", "strip", "take", "suspend", "dock", "deduct", "cut", "review", "audit"].includes(lemma))) {
        objectAt = j;
        break;
      }
      if (m?.from !== undefined || words[j].pos === "VERB" || words[j].pos === "PUNCT") break;
    }
    if (objectAt < 0 && words[g.to]?.lower === "with" && mentions.has(g.to + 1)) objectAt = g.to + 1;
    if (objectAt < 0) continue;
    const k = objectAt;
    const objectAgent = words[k].agent!;
    let objectEnd = k + 1;
    while (objectEnd < to && words[objectEnd].agent) objectEnd++;
    if (objectAgent === "they" && !["remind", "retrain", "tell", "warn", "train", "fire"].includes(lemma)) continue;
    let restFrom = objectEnd;
    // "Ask someone in finance to stop…": a short phrase after the person.
    if (["in", "on", "from", "at"].includes(words[restFrom]?.lower ?? "")) {
      for (let x = restFrom + 1; x < to && x <= restFrom + 3; x++) if (words[x].lower === "to") restFrom = x;
    }
    const rest = words.slice(restFrom, Math.min(to, restFrom + 6));
    const restLemmas = rest.map((w) => w.lemma);
    const aimsAtBehaviour =
      L.AT_PERSON_ALWAYS.has(lemma) ||
      (restLemmas[0] === "to" && (L.BEHAVIOUR_ADJECTIVES.has(restLemmas[2] ?? "") || ["double-check", "check", "verify", "remember", "think", "slow", "pay", "take", "be", "stop", "avoid", "read", "review", "always", "never", "not", "ask", "follow", "confirm", "make", "look", "get", "wait", "test", "try", "pair", "shadow", "re-read", "escalate", "sign", "attend", "complete", "respond", "acknowledge", "watch", "monitor", "learn"].includes(restLemmas[1] ?? ""))) ||
      (restLemmas[0] === "not" || restLemmas[0] === "never") ||
      (["send", "put"].includes(lemma) && rest.some((w) => /^(?:training|course|class|refresher|workshop|bootcamp|probation|pip)$/.test(w.lower))) ||
      (["reassign", "move", "rotate", "transfer"].includes(lemma) && rest.some((w) => /^(?:away|off|out)$/.test(w.lower))) ||
      (["remove", "revoke", "strip", "restrict", "limit", "block", "ban", "bar", "take"].includes(lemma) && (words[k].possessive || rest.some((w) => /^(?:access|rights?|privileges?|permissions?|from|rota|rotation|on-call|keys)$/.test(w.lower)))) ||
      (["have", "get", "make"].includes(lemma) && (rest.some((w) => w.fixed ? L.BEHAVIOUR_ADJECTIVES.has(w.fixed) : L.BEHAVIOUR_ADJECTIVES.has(w.lower)) || restLemmas[0] === "double-check" || restLemmas.includes("apologise") || restLemmas.includes("apologize") || restLemmas[0] === "sign" && restLemmas.includes("acknowledgement"))) ||
      (["talk", "speak"].includes(lemma) && objectAgent !== "team") ||
      (["email", "message", "announce", "inform", "notify"].includes(lemma) && rest.some((w) => L.BEHAVIOUR_ADJECTIVES.has(w.lower) || w.lower === "remind" || w.lower === "careful")) ||
      (["monitor", "watch", "supervise", "audit", "review"].includes(lemma) && objectAgent !== "team" && objectAgent !== "anyone" && rest.length < 6 && !rest.some((w) => w.pos === "NOUN" && !w.agent));
    if (!aimsAtBehaviour) continue;
    if (lemma === "train" && rest.some((w) => ["model", "classifier", "network"].includes(w.lemma))) continue;
    // "Train all engineers on the new deploy tool": onboarding for everyone, not a fix aimed at one person.
    if (["train", "educate", "coach", "mentor", "onboard"].includes(lemma) && words.slice(g.to, k).some((w) => ["all", "every", "new", "each", "our"].includes(w.lower))) continue;
    if ((lemma === "train" || lemma === "educate" || lemma === "coach" || lemma === "mentor") && objectAgent === "team" && !rest.length) continue;
    // The span: the verb and the person, and what they are told to be or do ("to be more careful").
    let end = objectEnd;
    if (restLemmas[0] === "to" || restLemmas[0] === "not" || restLemmas[0] === "never") {
      end = restFrom + 1;
      while (end < to && end < restFrom + 6 && (isVerbish(words[end]) || words[end].pos === "ADV" || isNegation(words[end]) || words[end].lower === "to" || L.BEHAVIOUR_ADJECTIVES.has(words[end].fixed ?? words[end].lower) || words[end].lower === "more" || words[end].lower === "extra")) end++;
    }
    push({ from: g.from, to: Math.min(to, end), kind: "remediation", rule: "at-person" });
  }
  // People told to behave: "Leon will double-check his configs himself", "all engineers must verify…".
  for (const g of groups) {
    const subject = subjectOf(words, g, from, mentions);
    if (!subject || subject.agent === "they") continue;
    if (!["should", "must", "need", "will", "shall", "ought", "have", "has", "needs"].includes(g.modal ?? "") && !g.lemmas.includes("need") && !g.lemmas.includes("have")) continue;
    const lemmas = [...g.lemmas, ...(g.then ? [g.then.lemma] : [])];
    const after = words.slice(g.to, Math.min(to, g.to + 4));
    const behaviour =
      lemmas.some((l) => ["double-check", "remember", "learn", "think", "slow", "pay", "try", "stop", "avoid", "improve", "care", "double", "triple-check", "focus", "concentrate", "apologise", "apologize", "read"].includes(l)) ||
      (lemmas.includes("be") && after.some((w) => L.BEHAVIOUR_ADJECTIVES.has(w.fixed ?? w.lower))) ||
      (["check", "verify", "review", "confirm", "test", "look", "ask", "follow", "get", "wait", "run", "make"].includes(lemmas[lemmas.length - 1] ?? "") && (after.some((w) => ["manually", "carefully", "personally", "themselves", "himself", "herself", "properly", "always", "twice", "again", "first"].includes(w.lower)) || words.slice(g.from, g.to).some((w) => ["always", "personally", "manually", "carefully"].includes(w.lower)) || subject.agent === "anyone" || subject.agent === "role" && /\b(?:all|every|each)\b/i.test(words.slice(subject.from, subject.at + 1).map((w) => w.text).join(" "))));
    const obligation = ["must", "need", "should", "ought", "shall"].includes(g.modal ?? "") || g.lemmas.includes("need") || (g.lemmas.includes("have") && words.slice(g.from, g.to + 1).some((w) => w.lower === "to"));
    const last = lemmas[lemmas.length - 1] ?? "";
    const personalWork = obligation && (PERSONAL_WORK.has(last) || lemmas.slice(1).some((l) => l === "stop" || l === "re-read" || l === "pair")) && !SYSTEM_WORK.has(last);
    if (behaviour || personalWork) push({ from: subject.from, to: g.to, kind: "remediation", rule: "person-must" });
  }
  // "himself", "herself": a fix that is one person doing better.
  for (let j = from; j < to; j++) if ((words[j].lower === "himself" || words[j].lower === "herself") && !words[j].quoted) push({ from: j, to: j + 1, kind: "remediation", rule: "person-must" });
}

/** What people are told to do themselves, in a fix that relies on them: test, check, read, wait… */
const PERSONAL_WORK = new Set(["test", "check", "verify", "read", "re-read", "review", "confirm", "look", "follow", "ask", "wait", "pair", "shadow", "escalate", "respond", "acknowledge", "watch", "monitor", "remember", "be", "get", "sign", "double-check", "inspect", "validate", "attend", "complete", "take", "think", "learn", "study", "practise", "practice", "memorise", "memorize", "tell", "inform", "notify", "communicate", "announce", "coordinate", "update", "avoid", "stop", "refrain", "never", "always", "not"]);

/** What a team or person can be asked to build: a fix to the system, with an owner. */
const SYSTEM_WORK = new Set(["add", "build", "automate", "implement", "create", "write", "configure", "set", "migrate", "fix", "own", "lead", "schedule", "deploy", "ship", "enable", "disable", "remove", "replace", "upgrade", "document", "design", "introduce", "install"]);

function isImperative(words: Word[], from: number) {
  const w = words[from];
  return !!w && (w.pos === "VERB" || w.lemma === "be") && w.i === from;
}

function behaviourIsNeutral(words: Word[], at: number, phrase: { to: number; phrase: string }, from: number, to: number): boolean {
  const prev = words[at - 1];
  const next = words[phrase.to];
  // "an automated double-check", "add a double check step".
  if (/^(?:double|triple)[- ]check/.test(phrase.phrase) && prev && (prev.pos === "DET" || prev.pos === "ADJ" || prev.lower === "automated")) return true;
  if (/^(?:double|triple)[- ]check/.test(phrase.phrase) && next && (next.pos === "NOUN" && ["step", "stage", "gate", "job", "script", "rule"].includes(next.lower))) return true;
  if (/^(?:double|triple)[- ]check/.test(phrase.phrase) && systemBefore(words, at, from) && !personBefore(words, at, from, 5)) return true;
  if (phrase.phrase === "remember to" || phrase.phrase === "remember that" || phrase.phrase === "not forget" || phrase.phrase === "never forget") {
    // "so nobody has to remember to" is the point of a system fix.
    for (let j = Math.max(from, at - 5); j < at; j++) if (["nobody", "no", "nothing", "without", "instead", "rely", "relying", "need"].includes(words[j].lower)) return true;
    if (systemBefore(words, at, from) && !personBefore(words, at, from, 4)) return true;
  }
  if (/^make sure (?:to|all)/.test(phrase.phrase) || /^ensure all/.test(phrase.phrase)) {
    const after = words.slice(phrase.to, Math.min(to, phrase.to + 3));
    if (phrase.phrase.endsWith("all") && !after.some((w) => w.agent)) return true;
  }
  if (phrase.phrase === "next time" || phrase.phrase === "properly next time") {
    for (let j = from; j < to; j++) if (["alert", "alarm", "bot", "check", "script", "pipeline", "job", "system", "automation", "tool"].includes(words[j].lemma)) return true;
  }
  if (phrase.phrase === "keep an eye" && !personIn(words, from, to) && !isImperative(words, from)) return true;
  if (phrase.phrase === "learn from" && !personIn(words, from, to)) return true;
  if (phrase.phrase === "take care" && next && next.lower === "of") return true;
  if (phrase.phrase === "be aware" && !personIn(words, from, to) && !isImperative(words, from)) return true;
  if ((phrase.phrase === "slow down" || phrase.phrase === "think before") && systemBefore(words, at, from)) return true;
  return false;
}

function consequenceIsNeutral(words: Word[], at: number, phrase: { to: number; phrase: string }, from: number, to: number): boolean {
  const p = phrase.phrase;
  const person = personIn(words, from, to);
  if (p.startsWith("'s") && !words[at - 1]?.agent) return true;
  if (p.startsWith("manager") && !personIn(words, from, at)) return true;
  if (["accountable", "accountability", "consequence", "consequences", "bonus", "shame", "pip", "apology", "supervision", "near production", "take away", "lose access", "strip of", "call out", "call-out", "named in", "until they prove", "no more deploy", "no more friday", "write up", "write-up", "watch over", "someone watch", "under supervision", "supervise"].includes(p) && !person) return true;
  if (p === "take away" && !words.slice(phrase.to, Math.min(to, phrase.to + 5)).some((w) => /^(?:access|rights?|privileges?|permissions?|keys)$/.test(w.lower))) return true;
  if (p === "write up" || p === "write-up") {
    const next = words[phrase.to];
    if (!next || !next.agent) return true;
  }
  if (p === "call out" || p === "call-out") {
    const next = words[phrase.to];
    if (!next || !next.agent) return true;
  }
  if (p === "near production" && !words.slice(from, at).some((w) => w.lower === "until" || w.lower === "not" || w.lower === "no")) return true;
  if (p.startsWith("until") && !words.slice(phrase.to, to).some((w) => ["prove", "learn", "stop", "show", "trust", "trusted", "demonstrate", "can"].includes(w.lemma))) return true;
  if (p === "lose access" && words.slice(from, at).some((w) => w.lemma === "customer" || w.lemma === "user")) return true;
  return false;
}

function questions(words: Word[], from: number, to: number, groups: Group[], mentions: Map<number, { from: number; agent: Agent }>, push: (h: Hit) => void, notGiven: (at: number) => void) {
  let start = from;
  // "So who approved it?", "And which engineer…"
  while (start < to && ["so", "and", "but", "then", "ok", "okay", "also", "-", "*"].includes(words[start].lower)) start++;
  const first = words[start];
  if (!first) return;
  const second = words[start + 1];
  if ((first.lower === "who" || first.lower === "who's" || first.lower === "whom") && second) {
    const g = groups.find((x) => x.from === start + 1 || x.from === start + 2);
    const lemmas = g ? [...g.lemmas, ...(g.then ? [g.then.lemma] : [])] : [];
    const tail = words.slice(start + 1, Math.min(to, start + 6)).map((w) => w.lower).join(" ");
    const responsible = /\b(?:responsible|to blame|at fault|accountable|culprit|guilty)\b/.test(tail);
    const culprit = lemmas.some((l) => L.CULPRIT_VERBS.has(l) && !["be", "do"].includes(l)) && !(g?.passive && lemmas.some((l) => ["page", "notify", "alert", "call"].includes(l)));
    const negatedNeutral = g?.negated && lemmas.some((l) => !["be", "do", "get", "receive"].includes(l));
    if (responsible || culprit || negatedNeutral) {
      if (lemmas.includes("own") || lemmas.includes("maintain")) return;
      if (!responsible && lemmas.some((l) => ["page", "notify", "alert", "call", "escalate", "lead", "coordinate", "run"].includes(l)) && !g?.negated && !lemmas.some((l) => L.FAILURE_VERBS.has(l))) return;
      if (!responsible && /^(?:can|could|should|will|would|may|must|is|are)$/.test(second.lower) && !lemmas.some((l) => L.FAILURE_VERBS.has(l))) return;
      push({ from: start, to: g ? g.to : start + 2, kind: "question", rule: "who" });
      return;
    }
  }
  if (first.lower === "whose" && second && ["change", "fault", "commit", "pr", "idea", "decision", "mistake", "code", "call", "responsibility", "job", "deploy", "push", "merge", "config", "script", "error", "typo", "watch", "shift", "approval", "review", "pull"].includes(second.lemma)) {
    push({ from: start, to: start + 2, kind: "question", rule: "who" });
    return;
  }
  if (first.lower === "which" && second) {
    let k = -1;
    for (let j = start + 1; j < to && j <= start + 5; j++) {
      const m = mentions.get(j);
      if (m && m.from <= start + 3) {
        k = j;
        break;
      }
      if (m || words[j].pos === "VERB") break;
    }
    if (k > 0 && words[k].agent !== "they") {
      let end = k + 1;
      const g = groups.find((x) => x.from >= end && x.from <= end + 1);
      if (g) end = g.to;
      const gl = g ? [...g.lemmas, ...(g.then ? [g.then.lemma] : [])] : [];
      if (g && gl.some((l) => ["page", "notify", "alert", "own", "receive", "get"].includes(l)) && !g.negated) return;
      if (g && g.lemmas.length === 1 && g.lemmas[0] === "be" && !/\b(?:responsible|on call|on-call)\b/.test(words.slice(g.to, to).map((w) => w.lower).join(" "))) return;
      push({ from: start, to: end, kind: "question", rule: "which" });
      return;
    }
  }
  if ((first.lower === "why" || first.lower === "how" || first.lower === "what") && second) {
    // "Why did Sam…", "Why didn't QA catch…", "How did the reviewer miss…", "Why was the on-call so slow…"
    const g = groups.find((x) => x.from > start && x.from <= start + 2);
    if (!g || g.modal === "can" || g.modal === "could" || g.modal === "would" || g.modal === "will") return;
    // The person must come straight after the auxiliary: "Why did the alert page Lena" is about the alert.
    let at = -1;
    for (let j = g.to; j < to && j <= g.to + 5; j++) {
      const m = mentions.get(j);
      if (m && m.from <= g.to + (isNegation(words[g.to]) ? 1 : 0)) {
        at = j;
        break;
      }
      if (m || words[j].pos === "VERB" || words[j].pos === "PUNCT") break;
    }
    if (at < 0 || words[at].possessive || words[at].agent === "they") return;
    let end = at + 1;
    while (end < to && words[end].agent) end++;
    // "Why did the intern use…": the tagger often reads the bare verb after the subject as a noun.
    const bare = words[end];
    if (bare && !isVerbish(bare) && !isNegation(bare) && (bare.pos === "NOUN" || bare.pos === "ADJ" || bare.pos === "PROPN") && g.lemmas.includes("do")) {
      bare.pos = "VERB";
      bare.lemma = VERB_FORMS.get(bare.lower) ?? bare.lemma;
    }
    const afterAgent = groupsOf(words, end, Math.min(to, end + 5))[0];
    const lemmas = [...g.lemmas, ...(afterAgent ? afterAgent.lemmas : [])];
    const verb = afterAgent?.main;
    const negated = g.negated || !!afterAgent?.negated || isNegation(words[end] ?? words[at]);
    if (!verb) {
      // "Why was the reviewer so careless…", "Why wasn't Ops around?"
      if (g.lemmas.includes("be") && words.slice(end, Math.min(to, end + 4)).some((w) => !!judgementWord(w) || ["slow", "late", "unaware", "absent", "away", "asleep", "distracted", "offline", "unreachable", "quiet"].includes(w.fixed ?? w.lower))) {
        push({ from: start, to: end, kind: "question", rule: "why-person" });
      }
      return;
    }
    if (afterAgent && afterAgent.from > end + 1) return;
    const lemma = verb.fixed ? lemmaOfFixed(verb.fixed) : verb.lemma;
    const failing = lemmas.some((l) => L.FAILURE_VERBS.has(l));
    if (g.lemmas.includes("be") && !g.lemmas.includes("do") && !failing) return;
    if (NOT_GIVEN_TO_A_PERSON.has(lemma) && !failing && (negated || g.passive || afterAgent?.passive || ["get", "receive", "have", "hear"].includes(lemma))) notGiven(start);
    if (L.NOT_GIVEN_VERBS.has(lemma) && !failing && !negated) return;
    if (["get", "receive", "have", "exist", "hear", "own"].includes(lemma) && !failing) return;
    if (first.lower === "what" && !failing && !negated) return;
    if (first.lower === "how" && !failing && !negated && !["let", "allow", "approve", "merge", "push", "deploy", "run", "delete", "miss", "drop", "wipe"].includes(lemma)) return;
    if (!negated && !failing && ["page", "escalate", "restart", "roll", "rollback", "revert", "respond", "call", "declare", "find", "notice", "spot", "fix", "restore"].includes(lemma)) return;
    if (negated && ["get", "receive", "have", "see", "hear", "know"].includes(lemma) && first.lower !== "why") return;
    push({ from: start, to: afterAgent ? afterAgent.to : end, kind: "question", rule: "why-person" });
  }
}

// ---------------------------------------------------------------------------------------------
// Rewordings: only deletions and replacements of a few words that leave the sentence whole.

function deletion(words: Word[], a: number, b: number, clauseFrom: number, clauseTo: number): Hit["edit"] {
  // "Obviously, the config…": the comma after a sentence adverb goes with it.
  let end = b;
  if (words[end]?.text === ",") end++;
  let start = a;
  if (words[a - 1]?.text === "," && end === b && (words[b]?.text === "," || b >= clauseTo)) start = a - 1;
  if (end - start >= clauseTo - clauseFrom) return undefined;
  return { from: start, to: end, text: "" };
}

function judgementWordEdit(words: Word[], j: number, from: number, to: number): Hit["edit"] {
  const w = words[j];
  const next = words[j + 1];
  // An adverb of manner ("merged it sloppily") or an adjective before a noun ("a careless mistake") can go.
  if (w.pos === "ADV" || (/ly$/.test(w.lower) && w.pos !== "ADJ")) return deletion(words, j, j + 1, from, to);
  if (w.pos === "ADJ" && next && (next.pos === "NOUN" || next.pos === "ADJ") && !isAdjectiveAfterBe(words, j)) {
    const prev = words[j - 1];
    // "an careless…" would need its article changed: "a"/"an" follow the next word.
    if (prev && (prev.lower === "a" || prev.lower === "an")) {
      const article = /^[aeiou]/i.test(next.text) && !/^(?:uni|use|one|eu)/i.test(next.text) ? "an" : "a";
      return { from: j - 1, to: j + 1, text: matchCase(article, prev.text) };
    }
    return deletion(words, j, j + 1, from, to);
  }
  return undefined;
}

function matchCase(word: string, like: string) {
  return /^\p{Lu}/u.test(like) ? word[0].toUpperCase() + word.slice(1) : word;
}

const PHRASE_REPLACEMENTS: Record<string, string> = {
  "human error": "a gap in the safeguards",
  "operator error": "a gap in the safeguards",
  "user error": "a gap in the safeguards",
  "pilot error": "a gap in the safeguards",
  "lapse in judgement": "a decision that looked right at the time",
  "lapse in judgment": "a decision that looked right at the time",
  "lapse of judgement": "a decision that looked right at the time",
  "lapse of judgment": "a decision that looked right at the time",
  "error in judgement": "a decision that looked right at the time",
  "error in judgment": "a decision that looked right at the time",
  "error of judgement": "a decision that looked right at the time",
  "error of judgment": "a decision that looked right at the time",
  "poor judgement": "a decision that looked right at the time",
  "poor judgment": "a decision that looked right at the time",
  "bad judgement": "a decision that looked right at the time",
  "bad judgment": "a decision that looked right at the time",
};

function judgementPhraseEdit(words: Word[], at: number, phrase: { to: number; phrase: string }): Hit["edit"] {
  const prev = words[at - 1];
  const p = phrase.phrase;
  // "a rookie mistake" → "a mistake"; "a careless mistake" → "a mistake".
  if (/^(?:rookie|careless|silly|stupid|dumb|basic|beginner|amateur|newbie|schoolboy|simple|obvious) (?:mistake|error)$/.test(p)) {
    const noun = p.split(" ")[1];
    const text = words.slice(at, phrase.to).map((w) => w.text).join(" ");
    const kept = text.slice(text.lastIndexOf(" ") + 1) || noun;
    if (prev && (prev.lower === "a" || prev.lower === "an")) return { from: at - 1, to: phrase.to, text: `${matchCase(/^[aeiou]/.test(kept) ? "an" : "a", prev.text)} ${kept}` };
    return { from: at, to: phrase.to, text: kept };
  }
  const replacement = PHRASE_REPLACEMENTS[p];
  // "Human errors happen": the replacement is singular, so a plural has none.
  const last = words[phrase.to - 1];
  if (replacement && last.lower !== last.lemma && last.lower.endsWith("s")) return undefined;
  if (replacement) {
    // "a human error" → "a gap…" takes the article with it. The replacement brings its own article,
    // so it fits only where a noun phrase starts: after a verb, a preposition, a conjunction or
    // punctuation, or at the start. After anything else ("Pure human error", "the human error")
    // it would not read: no rewording.
    if (prev && (prev.lower === "a" || prev.lower === "an")) return { from: at - 1, to: phrase.to, text: matchCase(replacement, prev.text) };
    const startsNounPhrase = !prev || prev.pos === "BREAK" || ["AUX", "VERB", "ADP", "SCONJ", "CCONJ", "PUNCT"].includes(prev.pos) || LIST_MARKER.test(prev.text);
    if (!startsNounPhrase) return undefined;
    return { from: at, to: phrase.to, text: matchCase(replacement, words[at].text) };
  }
  return undefined;
}

function hindsightPhraseEdit(words: Word[], at: number, phrase: { to: number; phrase: string }): Hit["edit"] {
  const p = phrase.phrase;
  if (/^could (?:easily|simply|just) have$/.test(p)) return { from: at, to: phrase.to, text: matchCase("could have", words[at].text) };
  if (/^(?:in hindsight|with hindsight|in retrospect|of course)$/.test(p)) {
    let to = phrase.to;
    if (words[to]?.text === ",") to++;
    return { from: at, to, text: "" };
  }
  if (/^(?:simply|just) (?:need|have) to$/.test(p)) return { from: at, to: at + 1, text: "" };
  return undefined;
}

import { STOPWORDS } from "~/lib/words";
import { shorten } from "~/lib/shorten";

// How close two whys are in cause, from their words alone: what "Seen before" uses to decide
// whether a why of another incident is worth showing, and to say what they have in common.
// Calibrated on labelled pairs of whys (tests/unit/relevance-pairs*.json); the threshold and the
// weights below were chosen on the tuning set and checked on the held-out set.

/** Words that appear in most post-mortems whatever the cause: shared, they say little. */
const GENERIC = new Set(
  (
    "service system production prod error fail failure issue problem incident team user customer request time change data " +
    "check run job process update alert alerting monitor add use make set work code old high low long short slow every nobody " +
    "someone anyone thing way need needed instead still again already because caused cause due result fix fixed broke break " +
    "page paged dashboard test tests testing api app application server host instance deploy release started start stop stopped " +
    "missing wrong new hour hours minute minutes day days week weeks month after before never always automatically automatic " +
    "review ensure sure know known used using take took level only all our their call oncall ran depend depends dependent relied rely"
  ).split(" "),
);

/** Short words that still name something. */
const SHORT = new Set(["ip", "db", "ci", "os", "gc", "s3", "k8s", "dns", "tls", "ssl", "cdn", "api", "sso", "jvm", "ttl", "mx", "iam", "nat", "oom", "etl"]);

/** Spellings of one thing, read as one term. */
const SAME: Record<string, string> = {
  cert: "certificate", certs: "certificate", certificates: "certificate", ssl: "tls", db: "database", databases: "database",
  k8s: "kubernetes", oomkilled: "oom", ooms: "oom", acked: "acknowledge", ack: "acknowledge", acks: "acknowledge",
  expiry: "expire", expiration: "expire", expired: "expire", expires: "expire", renewal: "renew", renewed: "renew",
};

/** Longest stem kept: "expiration" and "expired" compare as one, "certificate" and "certain" do not collide below. */
const STEM_LENGTH = 6;

export function stemOf(word: string): string {
  let w = SAME[word] ?? word;
  w = w.replace(/'s$/, "");
  if (w.length > 4) w = w.replace(/(?:ies)$/, "y").replace(/(?:ing|ed|es|s)$/, "");
  return w.slice(0, STEM_LENGTH);
}

/** A word that may tell a cause: its stem, the word lower-cased, and where it stands in the text. */
export type Term = { stem: string; word: string; start: number; end: number };

/** The words of a text that may tell its cause, in order, each with its stem. Linear in the text. */
export function termsOf(text: string): Term[] {
  const terms: Term[] = [];
  for (const match of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = match[0].toLowerCase();
    if (STOPWORDS.has(word) || /^\d+$/.test(word)) continue;
    if (word.length < 3 && !SHORT.has(word)) continue;
    terms.push({ stem: stemOf(word), word, start: match.index, end: match.index + match[0].length });
  }
  return terms;
}

function weight(stem: string, word: string): number {
  return GENERIC.has(word) || GENERIC.has(stem) ? GENERIC_WEIGHT : 1;
}

export const GENERIC_WEIGHT = 0.2;

export type Relevance = {
  /** 0 to 1: the weighted share of the two texts' terms that they have in common. */
  score: number;
  /** What they have in common, as the first text writes it: phrases first, then single words. */
  matchedOn: string[];
};

/** At most this many terms are named as what a match matched on, each of at most RUN_TERMS words and TERM_LENGTH characters. */
const SHOWN = 5;
const RUN_TERMS = 4;
const TERM_LENGTH = 60;


export function relevance(a: string, b: string): Relevance {
  const x = termsOf(a);
  const y = termsOf(b);
  const wx = new Map<string, number>();
  const wy = new Map<string, number>();
  for (const t of x) wx.set(t.stem, weight(t.stem, t.word));
  for (const t of y) wy.set(t.stem, weight(t.stem, t.word));
  let shared = 0;
  let total = 0;
  for (const [s, w] of wx) {
    total += w;
    if (wy.has(s)) shared += w + wy.get(s)!;
  }
  for (const w of wy.values()) total += w;
  // Two words side by side in both texts ("connection pool", "certificate expiry") are a phrase.
  const pairsY = new Set<string>();
  for (let i = 1; i < y.length; i++) pairsY.add(`${y[i - 1].stem} ${y[i].stem}`);
  const phrases = new Set<string>();
  const inPhrase = new Set<string>();
  for (let i = 1; i < x.length; i++) {
    const key = `${x[i - 1].stem} ${x[i].stem}`;
    if (x[i - 1].stem === x[i].stem || !pairsY.has(key)) continue;
    if (weight(x[i - 1].stem, x[i - 1].word) + weight(x[i].stem, x[i].word) < 1.2) continue;
    const phrase = `${x[i - 1].word} ${x[i].word}`;
    phrases.add(phrase);
    inPhrase.add(x[i - 1].stem).add(x[i].stem);
  }
  // Shown as the longest runs both texts share, as the first one writes them ("report queries
  // exhausted", "fixtures between tests"), not as overlapping pairs.
  const runs = new Set<string>();
  let first = -1;
  for (let i = 0; i < x.length; i++) {
    const next = i + 1 < x.length && phrases.has(`${x[i].word} ${x[i + 1].word}`);
    if (next && first < 0) first = i;
    if (!next && first >= 0) {
      runs.add(a.slice(x[first].start, x[Math.min(i, first + RUN_TERMS - 1)].end).replace(/\s+/g, " "));
      first = -1;
    }
  }
  const words: string[] = [];
  const seen = new Set<string>();
  for (const t of x) {
    if (!wy.has(t.stem) || seen.has(t.stem) || inPhrase.has(t.stem)) continue;
    seen.add(t.stem);
    if (weight(t.stem, t.word) === 1) words.push(a.slice(t.start, t.end));
  }
  const score = total === 0 ? 0 : Math.min(1, shared / total + PHRASE_BONUS * phrases.size);
  return { score, matchedOn: [...runs, ...words].slice(0, SHOWN).map((t) => plainCase(shorten(t, TERM_LENGTH))) };
}

export const PHRASE_BONUS = 0.05;

/** "Reset shared" at a sentence's start reads "reset shared"; names such as S3 or CoreDNS keep their case. */
function plainCase(text: string): string {
  return text.replace(/\p{L}+/gu, (w) => (/^\p{Lu}\p{Ll}+$/u.test(w) ? w.toLowerCase() : w));
}

/** Close enough in cause to show as seen before. */
export const RELEVANT = 0.3;

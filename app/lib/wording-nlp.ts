// Words of a text as the wording check reads them: each with where it is, its part of speech and
// its lemma ("forgot" → "forget"), from wink-nlp's English model. The same code runs on the
// server (wording-nlp.server.ts) and in the browser's wording worker; each loads the model itself.
import type WinkNLP from "wink-nlp";

type NLP = ReturnType<typeof WinkNLP>;

export type Token = {
  /** As written. */
  text: string;
  lower: string;
  /** The dictionary form: "forgot" → "forget", "engineers" → "engineer". */
  lemma: string;
  /** Universal part of speech (VERB, AUX, NOUN, PROPN, PRON, ADJ, ADV, …); "BREAK" for a line break. */
  pos: string;
  start: number;
  end: number;
};

export type Tokenize = (text: string) => Token[];

/** The longest piece of text handed to the tagger at once, and the longest run in it without a space. */
const PIECE = 320;
const RUN = 48;

/**
 * Where a text is cut into pieces for the tagger: after a line break or a sentence's end, and
 * otherwise at a space, or anywhere, once a piece reaches PIECE characters. The tagger takes
 * quadratic time on long runs of punctuation ("?!?!…", "a.b.a.b…"); pieces of bounded length keep
 * the whole linear.
 */
export function piecesOf(text: string): [number, number][] {
  const pieces: [number, number][] = [];
  let from = 0;
  let space = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === " " || c === "\t") space = i;
    const end = c === "\n" || ((c === "." || c === "!" || c === "?") && (text[i + 1] === " " || text[i + 1] === "\n"));
    if (end) {
      pieces.push([from, i + 1]);
      from = i + 1;
      space = -1;
    } else if (i + 1 - from >= PIECE || (i - space >= RUN && i + 1 - from >= RUN)) {
      // A piece ends at its last space; a run of RUN characters without one ("@@@@…", a long URL) is cut where it stands.
      const cut = space > from + PIECE / 2 && i + 1 - from >= PIECE ? space + 1 : i + 1;
      pieces.push([from, cut]);
      from = cut;
      space = -1;
    }
  }
  if (from < text.length) pieces.push([from, text.length]);
  return pieces;
}

/** A tokenizer over a loaded wink-nlp instance. Linear in the text: pieces of bounded length, each token found once, in order. */
export function winkTokenizer(nlp: NLP): Tokenize {
  const its = nlp.its;
  const tokensOf = (text: string, offset: number, tokens: Token[]) => {
    if (!text.trim()) {
      if (text.includes("\n")) tokens.push({ text: "\n", lower: "\n", lemma: "\n", pos: "BREAK", start: offset + text.indexOf("\n"), end: offset + text.indexOf("\n") + 1 });
      return;
    }
    const doc = nlp.readDoc(text);
    const values = doc.tokens().out(its.value) as string[];
    const pos = doc.tokens().out(its.pos) as string[];
    const lemmas = doc.tokens().out(its.lemma as Parameters<typeof doc.out>[0]) as unknown as string[];
    let at = 0;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      let start = text.indexOf(value, at);
      // The tokenizer keeps every character it reports; should it not, the token is placed where the reading stands.
      if (start < 0 || start - at > 64) start = at;
      const end = Math.min(text.length, start + value.length);
      at = end;
      const isBreak = value.includes("\n");
      tokens.push({
        text: value,
        lower: value.toLowerCase(),
        lemma: (lemmas[i] ?? value).toLowerCase(),
        pos: isBreak ? "BREAK" : (pos[i] ?? "X"),
        start: offset + start,
        end: offset + end,
      });
    }
    // A line break at the end of a piece is a break between this piece and the next.
    if (text.endsWith("\n") && tokens[tokens.length - 1]?.pos !== "BREAK") tokens.push({ text: "\n", lower: "\n", lemma: "\n", pos: "BREAK", start: offset + text.length - 1, end: offset + text.length });
  };
  return (text) => {
    const tokens: Token[] = [];
    if (!text.trim()) return tokens;
    for (const [from, to] of piecesOf(text)) tokensOf(text.slice(from, to), from, tokens);
    return tokens;
  };
}

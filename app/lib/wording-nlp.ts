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

/** A tokenizer over a loaded wink-nlp instance. Linear in the text: each token is found once, in order. */
export function winkTokenizer(nlp: NLP): Tokenize {
  const its = nlp.its;
  return (text) => {
    if (!text.trim()) return [];
    const doc = nlp.readDoc(text);
    const values = doc.tokens().out(its.value) as string[];
    const pos = doc.tokens().out(its.pos) as string[];
    const lemmas = doc.tokens().out(its.lemma as Parameters<typeof doc.out>[0]) as unknown as string[];
    const tokens: Token[] = [];
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
        start,
        end,
      });
    }
    return tokens;
  };
}

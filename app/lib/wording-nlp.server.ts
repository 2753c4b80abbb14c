import { createRequire } from "node:module";
import type WinkNLP from "wink-nlp";

type NLP = ReturnType<typeof WinkNLP>;
import { winkTokenizer, type Tokenize } from "./wording-nlp";

// The English model is about 3 MB of JSON and costs the process about 60 MB once loaded: it is
// loaded on the first check, not at start-up, and once per process.
let tokenize: Tokenize | undefined;

export function serverTokenizer(): Tokenize {
  if (!tokenize) {
    const require = createRequire(import.meta.url);
    const winkNLP = require("wink-nlp") as (model: unknown, pipe?: string[]) => NLP;
    const model = require("wink-eng-lite-web-model") as unknown;
    tokenize = winkTokenizer(winkNLP(model, ["sbd", "pos"]));
  }
  return tokenize;
}

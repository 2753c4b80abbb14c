// The wording check in the browser, off the page's main thread: the English model (about 3 MB)
// is fetched only when someone first types in a why's form, and only once per page.
import winkNLP from "wink-nlp";
import model from "wink-eng-lite-web-model";
import { winkTokenizer } from "~/lib/wording-nlp";
import { checkWhy, type WhyText } from "~/models/blame";
import { namesOf } from "~/models/wording";
import { wordingCheck } from "~/models/wording-check";

export type WordingRequest = { id: number; why: WhyText; people: string[]; teams: string[] };

const tokenize = winkTokenizer(winkNLP(model, ["sbd", "pos"]));
let directory: { key: string; names: ReturnType<typeof namesOf> } | undefined;

self.onmessage = (event: MessageEvent<WordingRequest>) => {
  const { id, why, people, teams } = event.data;
  const key = `${people.join("\n")}\u0000${teams.join("\n")}`;
  if (directory?.key !== key) directory = { key, names: namesOf({ people, teams }) };
  self.postMessage({ id, findings: checkWhy(why, wordingCheck(tokenize, directory.names)) });
};

// The learned part of the wording check: a logistic regression over the words of one sentence,
// with people and teams replaced by what they are (a name, a role, a team), so that it learns
// "@role must re-read" rather than one engineer's name. It is trained on the labelled development
// sets (npm run wording:train, deterministic) and its weights ship as JSON: no network, no
// randomness. It speaks only where the rules found nothing in a sentence (wording-check.ts).

export type SentenceWords = { text: string; lemma: string; pos: string; agent?: string; fixed?: string; quoted?: boolean }[];

/** The features of one sentence of a field: words, pairs of words, its start, and a few of its shapes. */
export function sentenceFeatures(words: SentenceWords, field: string): string[] {
  const tokens: string[] = [];
  for (const w of words) {
    if (w.quoted) continue;
    if (w.pos === "PUNCT" && w.text !== "?") continue;
    if (w.pos === "BREAK") continue;
    if (w.agent) tokens.push(`@${w.agent}`);
    else if (w.pos === "NUM" || /^\d/.test(w.text)) tokens.push("#");
    else tokens.push((w.fixed ?? w.lemma).toLowerCase());
  }
  const f = field[0];
  const features = new Set<string>([`field:${f}`]);
  for (let i = 0; i < tokens.length; i++) {
    features.add(`u:${tokens[i]}`);
    features.add(`${f}u:${tokens[i]}`);
    if (i + 1 < tokens.length) {
      features.add(`b:${tokens[i]}_${tokens[i + 1]}`);
      features.add(`${f}b:${tokens[i]}_${tokens[i + 1]}`);
    }
  }
  if (tokens[0]) features.add(`${f}first:${tokens[0]}`);
  if (tokens[1]) features.add(`${f}first2:${tokens[0]}_${tokens[1]}`);
  const firstWord = words.find((w) => w.pos !== "PUNCT" && w.pos !== "BREAK");
  if (firstWord?.pos === "VERB") features.add(`${f}s:imperative`);
  if (words.some((w) => w.agent && w.agent !== "they")) features.add(`${f}s:person`);
  return [...features];
}

export type LearnedModel = { bias: number; weights: Record<string, number>; threshold: number };

/** The model's probability that a sentence with these features puts blame on people. */
export function blameProbability(model: LearnedModel, features: readonly string[]): number {
  let z = model.bias;
  for (const f of features) z += model.weights[f] ?? 0;
  return 1 / (1 + Math.exp(-z));
}

export type Example = { features: string[]; blaming: boolean };

/**
 * Trains the model by stochastic gradient descent in a fixed order with fixed settings, so the
 * same examples always give the same weights. Classes are weighted to count equally.
 */
export function train(examples: readonly Example[], options: { epochs?: number; rate?: number; l2?: number } = {}): Omit<LearnedModel, "threshold"> {
  const epochs = options.epochs ?? 10;
  const rate = options.rate ?? 0.1;
  const l2 = options.l2 ?? 1e-4;
  const positives = examples.filter((e) => e.blaming).length;
  const weightOf = { true: examples.length / (2 * Math.max(1, positives)), false: examples.length / (2 * Math.max(1, examples.length - positives)) };
  const weights = new Map<string, number>();
  let bias = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const step = rate / (1 + epoch * 0.2);
    for (const e of examples) {
      let z = bias;
      for (const f of e.features) z += weights.get(f) ?? 0;
      const p = 1 / (1 + Math.exp(-z));
      const g = (p - (e.blaming ? 1 : 0)) * weightOf[e.blaming ? "true" : "false"];
      bias -= step * g;
      for (const f of e.features) {
        const w = weights.get(f) ?? 0;
        weights.set(f, w - step * (g + l2 * w));
      }
    }
  }
  const kept: Record<string, number> = {};
  for (const [f, w] of [...weights].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) if (Math.abs(w) >= 0.01) kept[f] = Math.round(w * 1000) / 1000;
  return { bias: Math.round(bias * 1000) / 1000, weights: kept };
}

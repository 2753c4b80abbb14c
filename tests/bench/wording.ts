// The wording check's cost, as printed figures (npm run bench:wording; also run by npm run bench):
// loading the language model (time, memory per process), time per KB of text at 10 KB and
// 100 KB, on ordinary prose and on inputs built to be slow, and time per typical why with a
// directory of 10 and of 10,000 people.
import fs from "node:fs";
import { performance } from "node:perf_hooks";

const corpus = JSON.parse(fs.readFileSync("tests/unit/wording/development.json", "utf8")) as {
  sentences: { text: string; field: "question" | "answer" | "remediation" }[];
};

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
global.gc?.();
const before = process.memoryUsage();
let started = performance.now();
const { serverTokenizer } = await import("~/lib/wording-nlp.server");
const { checkWording, namesFor } = await import("~/models/wording-check");
const tokenize = serverTokenizer();
tokenize("Warm up.");
const loadMs = performance.now() - started;
global.gc?.();
const after = process.memoryUsage();
console.log(`Language model: loaded in ${loadMs.toFixed(0)} ms; costs ${mb(after.rss - before.rss)} of resident memory per process (${mb(after.heapUsed - before.heapUsed)} of heap).`);

function people(n: number): string[] {
  const first = ["Aiko", "Ravi", "Leon", "Mei", "Grace", "Diego", "Hannah", "Olu", "Priya", "Tom", "Will", "Rose", "Kenji", "Lena", "Marcus", "Aisha"];
  const last = ["Tanaka", "Shah", "Fischer", "Obi", "Alvarez", "Schulz", "Adeyemi", "Baker", "Hartley", "Nakamura", "Watanabe", "Webb", "Rahman", "Kim"];
  return Array.from({ length: n }, (_, i) => (i % 5 === 4 ? `person${i}@example.com` : `${first[i % first.length]}${i >= first.length ? i : ""} ${last[(i * 7) % last.length]}`));
}

/** Milliseconds per call, median of `rounds` timed runs of `count` calls each. */
function timed(count: number, rounds: number, run: (i: number) => void): number {
  const results: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (let i = 0; i < count; i++) run(i);
    results.push((performance.now() - t) / count);
  }
  return results.sort((a, b) => a - b)[Math.floor(results.length / 2)];
}

const small = namesFor({ people: people(10), teams: ["Payments", "DBA", "QA", "Ops"] });
started = performance.now();
const big = namesFor({ people: people(10_000), teams: ["Payments", "DBA", "QA", "Ops"] });
const directoryMs = performance.now() - started;
const sentences = corpus.sentences;
// Warm both paths before timing.
for (const s of sentences.slice(0, 200)) checkWording(s.text, { field: s.field, names: small, tokenize });
const with10 = timed(sentences.length, 5, (i) => checkWording(sentences[i].text, { field: sentences[i].field, names: small, tokenize }));
const with10k = timed(sentences.length, 5, (i) => checkWording(sentences[i].text, { field: sentences[i].field, names: big, tokenize }));
console.log(
  `Per typical why field (${sentences.length} labelled texts, median of 5 runs): ${with10.toFixed(3)} ms with 10 people, ${with10k.toFixed(3)} ms with 10,000 people (${(with10k / with10).toFixed(2)}×); reading a directory of 10,000 people: ${directoryMs.toFixed(0)} ms, once per directory.`,
);

const prose = sentences.map((s) => s.text).join(" ");
const inputs: Record<string, (bytes: number) => string> = {
  "ordinary prose": (bytes) => prose.repeat(Math.ceil(bytes / prose.length)).slice(0, bytes),
  '"be careful " repeated': (bytes) => "be careful ".repeat(Math.ceil(bytes / 11)).slice(0, bytes),
  '"fire " repeated': (bytes) => "fire ".repeat(Math.ceil(bytes / 5)).slice(0, bytes),
  '"he merged it without review and " without full stops': (bytes) => "he merged it without review and ".repeat(Math.ceil(bytes / 32)).slice(0, bytes),
  "one finding per sentence": (bytes) => "Tom was careless. ".repeat(Math.ceil(bytes / 18)).slice(0, bytes),
  "one word without spaces": (bytes) => "a".repeat(bytes),
};
console.log("Time per KB of text (remediation field, 10 people; median of 5 rounds of 20 checks at 10 KB, 2 at 100 KB):");
for (const [name, make] of Object.entries(inputs)) {
  const figures = [10_000, 100_000].map((bytes) => {
    const text = make(bytes);
    // One run first, so the figure is the check's and not the compiler's warming up to a new input.
    checkWording(text, { field: "remediation", names: small, tokenize });
    const ms = timed(Math.max(1, 200_000 / bytes), 5, () => checkWording(text, { field: "remediation", names: small, tokenize }));
    return { bytes, perKb: ms / (bytes / 1024) };
  });
  console.log(
    `  ${name.padEnd(56)} ${figures.map((f) => `${(f.bytes / 1000).toFixed(0)} KB: ${f.perKb.toFixed(3)} ms/KB`).join(", ")} (100 KB ÷ 10 KB per KB: ${(figures[1].perKb / figures[0].perKb).toFixed(2)}×)`,
  );
}

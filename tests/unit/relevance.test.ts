import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { relevance, RELEVANT } from "~/models/relevance";

// Seen before's threshold, measured on labelled pairs of whys. The threshold was chosen on the
// tuning set alone; the held-out set was written with it and is only measured here. Floors are
// what the tuning set showed, less a margin: precision first, since a wrong "seen before" sends
// the facilitator after an unrelated incident.

type Pair = { similar: boolean; a: [string, string]; b: [string, string] };

function load(file: string): Pair[] {
  return (JSON.parse(fs.readFileSync(path.join(__dirname, file), "utf8")) as { pairs: Pair[] }).pairs;
}

function measure(pairs: Pair[]) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const p of pairs) {
    const shown = relevance(p.a.join(" "), p.b.join(" ")).score >= RELEVANT;
    if (shown && p.similar) tp += 1;
    else if (shown) fp += 1;
    else if (p.similar) fn += 1;
  }
  return { precision: tp / (tp + fp), recall: tp / (tp + fn), tp, fp, fn, pairs: pairs.length };
}

const FLOORS = { precision: 0.85, recall: 0.7 };

describe("Seen before's relevance threshold", () => {
  for (const [name, file] of [
    ["tuning set", "relevance-pairs.json"],
    ["held-out set", "relevance-pairs-holdout.json"],
  ] as const) {
    it(`keeps precision >= ${FLOORS.precision} and recall >= ${FLOORS.recall} on the ${name}`, () => {
      const pairs = load(file);
      expect(pairs.filter((p) => p.similar).length * 2).toBe(pairs.length);
      const m = measure(pairs);
      console.log(`${name}: precision ${m.precision.toFixed(2)}, recall ${m.recall.toFixed(2)} (${m.pairs} pairs: ${m.tp} true, ${m.fp} false matches, ${m.fn} missed)`);
      expect(m.precision).toBeGreaterThanOrEqual(FLOORS.precision);
      expect(m.recall).toBeGreaterThanOrEqual(FLOORS.recall);
    });
  }

  it("does not call a dashboard that depends on S3 the same cause as an order-dependent test", () => {
    const dashboard = "The status dashboard depends on S3 and could not load during the S3 outage. Serve the status page from a second provider.";
    const test = "The integration test depends on the order tests run in and fails when run after the S3 upload test. Isolate test state.";
    expect(relevance(dashboard, test).score).toBeLessThan(RELEVANT);
  });

  it("says what a match matched on, phrases first, as the first text writes them", () => {
    const r = relevance(
      "The TLS certificate expired; certificate renewal was a manual calendar task. Automate renewal.",
      "Our certificate expired overnight because certificate renewal failed.",
    );
    expect(r.score).toBeGreaterThanOrEqual(RELEVANT);
    expect(r.matchedOn).toEqual(["certificate expired", "certificate renewal"]);
  });

  it("names at most five short terms, however long and alike the texts", () => {
    const long = `${"Report queries exhausted the connection pool of the primary database again. ".repeat(40)}${"x".repeat(1500)}`;
    const r = relevance(long, long);
    expect(r.score).toBe(1);
    expect(r.matchedOn.length).toBeLessThanOrEqual(5);
    for (const term of r.matchedOn) expect(term.length).toBeLessThanOrEqual(60);
    expect(r.matchedOn[0]).toBe("report queries exhausted the connection");
  });
});

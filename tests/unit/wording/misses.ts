import fs from "node:fs";
import { serverTokenizer } from "~/lib/wording-nlp.server";
import { checkWording, namesFor } from "~/models/wording-check";
const tokenize = serverTokenizer();
// Tuning aid: prints the development set's figures and, with SHOW=fp, fn or fpfn, its misses.
// The held-out set is never read here: its figures come only from tests/unit/wording.test.ts.
const files = process.argv.slice(2).length ? process.argv.slice(2) : ["tests/unit/wording/development.json"];
if (files.some((f) => f.includes("heldout"))) throw new Error("The held-out set is not for tuning: measure it with npx vitest run tests/unit/wording.test.ts.");
const show = process.env.SHOW ?? "";
for (const file of files) {
  const c = JSON.parse(fs.readFileSync(file, "utf8"));
  const directory = Array.isArray(c.directory) ? { people: c.directory, teams: [] } : c.directory;
  const names = namesFor(directory);
  const by: Record<string, { tp: number; fp: number; fn: number; tn: number }> = {};
  const add = (k: string, key: "tp" | "fp" | "fn" | "tn") => ((by[k] ??= { tp: 0, fp: 0, fn: 0, tn: 0 })[key] += 1);
  const lines: string[] = [];
  for (const s of c.sentences) {
    const f = checkWording(s.text, { field: s.field, names, tokenize });
    const flagged = f.length > 0;
    const r = flagged ? (s.blaming ? "tp" : "fp") : s.blaming ? "fn" : "tn";
    add("all", r); add(s.field, r); if (s.kind) add("kind:" + s.kind, r);
    if ((r === "fp" && show.includes("fp")) || (r === "fn" && show.includes("fn"))) lines.push(`${r} [${s.field}/${s.kind ?? ""}] ${s.text}${f.length ? "  <= " + f.map((x) => x.kind + ":" + x.match).join(" | ") : ""}`);
  }
  console.log(file);
  for (const [k, v] of Object.entries(by)) {
    const p = v.tp / (v.tp + v.fp || 1), r = v.tp / (v.tp + v.fn || 1);
    console.log(`  ${k.padEnd(28)} P ${p.toFixed(3)} R ${r.toFixed(3)}  tp ${v.tp} fp ${v.fp} fn ${v.fn} tn ${v.tn}`);
  }
  if (lines.length) console.log(lines.join("\n"));
}

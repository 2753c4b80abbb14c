// Where a server's CPU time goes, from a V8 CPU profile (node --cpu-prof): self time summed by
// what the code belongs to, so the parts add up to the whole.
import fs from "node:fs";

type Node = { id: number; callFrame: { functionName: string; url: string }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

const PARTS: [string, RegExp][] = [
  ["Remix and React Router: matching, data loading, responses", /node_modules\/(@remix-run\/(router|server-runtime|node|express|react)|react-router|react-router-dom)\//],
  ["Loader data serialised for hydration (turbo-stream)", /node_modules\/turbo-stream\//],
  ["React rendering to HTML (react-dom/server)", /node_modules\/(react-dom|react)\//],
  ["Database: drizzle query building and SQLite", /node_modules\/(drizzle-orm|better-sqlite3)\//],
  ["The app's own code (loaders, models, components)", /\/build\/(server|bench)\//],
  ["HTTP: Express, compression, Node's http", /node_modules\/(express|compression|body-parser|on-finished|finalhandler|send|serve-static)\/|^node:(_http|http|net|stream|internal\/streams)/],
  ["The server's own front (server.js: checks, page cache)", /\/server\.js$/],
  ["Other libraries", /node_modules\//],
  ["Node internals", /^node:/],
];

export type ProfilePart = { part: string; ms: number; share: number };

/** Self time per part of the stack, busiest first; idle time is left out of the shares. */
export function summariseProfile(file: string): { busyMs: number; idleMs: number; parts: ProfilePart[] } {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const micros = profile.timeDeltas[i] ?? 0;
    const { functionName, url } = byId.get(id)!.callFrame;
    if (functionName === "(idle)") {
      idle += micros;
      return;
    }
    const part =
      functionName === "(garbage collector)"
        ? "Garbage collection"
        : url === ""
          ? functionName === "(program)"
            ? "V8 and native code"
            : "Native calls (SQLite, I/O, encoding)"
          : (PARTS.find(([, pattern]) => pattern.test(url))?.[0] ?? "Other");
    totals.set(part, (totals.get(part) ?? 0) + micros);
  });
  const busy = [...totals.values()].reduce((a, b) => a + b, 0);
  return {
    busyMs: busy / 1000,
    idleMs: idle / 1000,
    parts: [...totals.entries()].map(([part, micros]) => ({ part, ms: micros / 1000, share: micros / busy })).sort((a, b) => b.ms - a.ms),
  };
}

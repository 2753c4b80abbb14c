import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// SQL only SQLite understands lives in the named query modules (app/models/sql/), where a
// PostgreSQL twin will sit beside it; the rules stay in SQL either engine runs.
// docs/decisions/0017-async-models-on-one-sqlite-connection.md

const SQLITE_ONLY = [
  /\bjson_each\s*\(/i,
  /\bjson_group_array\s*\(/i,
  /\bjson_array\s*\(/i,
  /\bjson_extract\s*\(/i,
  /\bgroup_concat\s*\(/i,
  /\bunixepoch\s*\(/i,
  /\bjulianday\s*\(/i,
  /\bstrftime\s*\(/i,
  /\blikely\s*\(/i,
  /\bindexed by\b/i,
  /\bbm25\s*\(/i,
  /\bsnippet\s*\(/i,
  /\bhighlight\s*\(/i,
  /\bsearch_index\b/i,
  /\browid\b/i,
  /\bglob\b/i,
  /\bsqlite_master\b/i,
];

// Data migrations bring SQLite databases made by older versions up to date: they are SQLite's own.
const EXEMPT = ["app/models/sql/", "app/models/data-migrations.server.ts"];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    return /\.tsx?$/.test(entry.name) ? [file] : [];
  });
}

/** The code without its comments: a comment may name what the code no longer does. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

describe("SQL only SQLite understands", () => {
  it("is written only in the named query modules", () => {
    const found: string[] = [];
    for (const file of [...sources("app/models"), ...sources("app/lib"), ...sources("app/routes")]) {
      const relative = file.split(path.sep).join("/");
      if (EXEMPT.some((e) => relative.startsWith(e))) continue;
      const text = code(fs.readFileSync(file, "utf8"));
      for (const pattern of SQLITE_ONLY) if (pattern.test(text)) found.push(`${relative}: ${pattern.source}`);
    }
    expect(found).toEqual([]);
  });

  it("each named query module says why it exists", () => {
    for (const file of sources("app/models/sql")) {
      expect(fs.readFileSync(file, "utf8"), file).toMatch(/PostgreSQL/);
    }
  });
});

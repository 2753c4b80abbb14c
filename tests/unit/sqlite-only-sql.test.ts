import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// SQL only one engine understands lives in the named query modules (app/models/sql/), where
// each SQLite module has a PostgreSQL twin; the rules stay in SQL either engine runs.
// docs/decisions/0033-two-engines-one-set-of-models.md

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

const POSTGRES_ONLY = [
  /\bjson_agg\s*\(/i,
  /\bjson_build_array\s*\(/i,
  /\bjson_array_elements(_text)?\s*\(/i,
  /\bstring_agg\s*\(/i,
  /\bto_char\s*\(/i,
  /\bto_tsvector\s*\(/i,
  /\bto_tsquery\s*\(/i,
  /\bts_rank(_cd)?\s*\(/i,
  /\bts_headline\s*\(/i,
  /\bextract\s*\(\s*epoch\b/i,
  /\bxmin\b/i,
  /\bilike\b/i,
  /\w::\w/,
];

// Data migrations bring SQLite databases made by older versions up to date: they are SQLite's
// own. The data port's engines (app/lib/db-*.server.ts) speak their engine's SQL.
const EXEMPT = ["app/models/sql/", "app/models/data-migrations.server.ts", "app/lib/db-sqlite.server.ts", "app/lib/db-postgres.server.ts", "app/lib/db.server.ts"];

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

describe("SQL only one engine understands", () => {
  it("is written only in the named query modules", () => {
    const found: string[] = [];
    for (const file of [...sources("app/models"), ...sources("app/lib"), ...sources("app/routes")]) {
      const relative = file.split(path.sep).join("/");
      if (EXEMPT.some((e) => relative.startsWith(e))) continue;
      const text = code(fs.readFileSync(file, "utf8"));
      for (const pattern of [...SQLITE_ONLY, ...POSTGRES_ONLY]) if (pattern.test(text)) found.push(`${relative}: ${pattern.source}`);
    }
    expect(found).toEqual([]);
  });

  it("each named query module says why it exists", () => {
    for (const file of sources("app/models/sql")) {
      expect(fs.readFileSync(file, "utf8"), file).toMatch(/PostgreSQL/);
    }
  });

  it("has a PostgreSQL twin for each SQLite module", () => {
    const modules = fs.readdirSync("app/models/sql");
    for (const name of modules.filter((m) => m.startsWith("sqlite"))) expect(modules, name).toContain(name.replace(/^sqlite/, "postgres"));
  });
});

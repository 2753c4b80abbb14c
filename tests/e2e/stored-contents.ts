// What a store holds, compared before and after a request on either engine.
import crypto from "node:crypto";
import { E2E_ENGINE, type Stored } from "./stored";

/**
 * A digest of every table's rows but those of the tables named, in any order the engine reads
 * them. Stored.fingerprint moves with any write at all; a check that a refused request changed
 * nothing must still let it be counted against a rate limit (rate_counts), as every attempt is.
 */
export async function contentsDigest(stored: Stored, except: readonly string[]): Promise<string> {
  const tables =
    E2E_ENGINE === "postgres"
      ? await stored.all<{ name: string }>("select tablename as name from pg_tables where schemaname = 'public' order by tablename")
      : await stored.all<{ name: string }>("select name from sqlite_master where type = 'table' order by name");
  const hash = crypto.createHash("sha256");
  for (const { name } of tables) {
    if (except.includes(name)) continue;
    const rows = (await stored.all(`select * from "${name}"`)).map((row) => JSON.stringify(row)).sort();
    hash.update(`${name}\0${rows.join("\n")}\0`);
  }
  return hash.digest("hex");
}

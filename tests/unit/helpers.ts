import { openDatabase, useDatabase } from "~/lib/db.server";

/** A fresh, migrated in-memory database for one test. */
export function freshDatabase() {
  return useDatabase(openDatabase(":memory:"));
}

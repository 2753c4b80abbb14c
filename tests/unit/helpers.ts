import { openDatabase, useDatabase } from "~/lib/db.server";

/** A fresh, migrated in-memory database for one test. */
export function freshDatabase() {
  return useDatabase(openDatabase(":memory:"));
}

/** The error a call throws; fails the test when it throws nothing. */
export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error");
}

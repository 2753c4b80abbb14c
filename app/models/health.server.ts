import { sql } from "drizzle-orm";
import { db } from "~/lib/db.server";

/** Whether the database answers a query: what the health check reports. */
export function databaseAnswers(): boolean {
  try {
    db().get(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}

import { sql } from "drizzle-orm";
import { db, rowOf } from "~/lib/db.server";

/** Whether the database answers a query: what the health check reports. */
export async function databaseAnswers(): Promise<boolean> {
  try {
    await rowOf(db(), sql`select 1`);
    return true;
  } catch {
    return false;
  }
}

import { sql } from "drizzle-orm";
import { db } from "~/lib/db.server";

/** For load balancers and the test runner: answers 200 when the database answers. */
export function loader() {
  try {
    db().get(sql`select 1`);
    return new Response("ok", { headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" } });
  } catch {
    return new Response("database unavailable", { status: 503, headers: { "Content-Type": "text/plain" } });
  }
}

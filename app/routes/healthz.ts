import { databaseAnswers } from "~/models/health.server";

/** For load balancers and the test runner: answers 200 when the database answers. */
export async function loader() {
  if (await databaseAnswers()) return new Response("ok", { headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" } });
  return new Response("database unavailable", { status: 503, headers: { "Content-Type": "text/plain" } });
}

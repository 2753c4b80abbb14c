import type { LoaderFunctionArgs } from "@remix-run/node";
import { openApiDocument } from "~/lib/api/openapi.server";
import { apiOrigin } from "~/lib/env.server";

/**
 * The API's OpenAPI 3.1 document: public, like any API's reference; it holds no data. Revalidated
 * each time: its server address follows the request's when APP_URL is not set.
 */
export function loader({ request }: LoaderFunctionArgs) {
  return new Response(JSON.stringify(openApiDocument(apiOrigin(request)), null, 2), {
    headers: { "Content-Type": "application/json", "Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*" },
  });
}

import type { LoaderFunctionArgs } from "@remix-run/node";
import { openApiDocument } from "~/lib/api/openapi.server";
import { apiOrigin } from "~/lib/env.server";

/** The API's OpenAPI 3.1 document: public, like any API's reference; it holds no data. */
export function loader({ request }: LoaderFunctionArgs) {
  return new Response(JSON.stringify(openApiDocument(apiOrigin(request)), null, 2), {
    headers: { "Content-Type": "application/json", "Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*" },
  });
}

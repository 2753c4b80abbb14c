import crypto from "node:crypto";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { openApiDocument } from "~/lib/api/openapi.server";
import { apiOrigin } from "~/lib/env.server";

/** The document as sent, by the address it names: written once, not on every request. */
const written = new Map<string, { text: string; etag: string }>();
/** Addresses kept: APP_URL's, or the few a server is reached at when it is not set (Host is the asker's to choose). */
const ORIGINS_KEPT = 4;

function documentFor(origin: string) {
  let kept = written.get(origin);
  if (!kept) {
    const text = JSON.stringify(openApiDocument(origin), null, 2);
    kept = { text, etag: `"${crypto.createHash("sha256").update(text).digest("base64url").slice(0, 22)}"` };
    if (written.size >= ORIGINS_KEPT) written.delete(written.keys().next().value!);
    written.set(origin, kept);
  }
  return kept;
}

/**
 * The API's OpenAPI 3.1 document: public, like any API's reference; it holds no data. Revalidated
 * each time (its server address follows the request's when APP_URL is not set); an unchanged
 * document is answered 304.
 */
export function loader({ request }: LoaderFunctionArgs) {
  const { text, etag } = documentFor(apiOrigin(request));
  const headers = { "Content-Type": "application/json", "Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*", ETag: etag };
  if (request.headers.get("If-None-Match")?.split(/\s*,\s*/).includes(etag)) return new Response(null, { status: 304, headers });
  return new Response(text, { headers });
}

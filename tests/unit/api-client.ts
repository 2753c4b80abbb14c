import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { expect } from "vitest";
import { serveApi } from "~/lib/api.server";
import { API, openApiDocument } from "~/lib/api/openapi.server";

// Calls the API's own handler as a script would over HTTP (a bearer token, no cookie), and holds
// every answer to what the OpenAPI document says of that operation: its status is declared, its
// content type is the declared one, and its body matches the declared schema.

export const API_ORIGIN = "http://hindsight.test";

type Json = any;
type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { $ref?: string; type?: string } }> }> }>> };

let ajv: InstanceType<typeof Ajv2020> | undefined;
let doc: Doc | undefined;

function validator(ref: string) {
  if (!ajv || !doc) {
    doc = openApiDocument(API_ORIGIN) as unknown as Doc;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ ...doc, $id: "openapi.json" });
  }
  return ajv.getSchema(`openapi.json${ref}`) ?? ajv.compile({ $ref: `openapi.json${ref}` });
}

export type ApiAnswer = { status: number; body: Json; text: string; headers: Headers };

export type ApiCallOptions = { body?: unknown; query?: Record<string, string>; headers?: Record<string, string>; address?: string };

/**
 * A client acting with one token. Each call names the operation's path template and its
 * parameters, so the answer is checked against the document's entry for that operation.
 */
export function apiClient(token: string | undefined) {
  return async (method: string, template: string, params: Record<string, string | number> = {}, options: ApiCallOptions = {}): Promise<ApiAnswer> => {
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params[name])));
    const query = options.query ? `?${new URLSearchParams(options.query)}` : "";
    const request = new Request(`${API_ORIGIN}/api/v1${path}${query}`, {
      method,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(options.body !== undefined ? { "Content-Type": "application/json" } : {}),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const response = await serveApi(API, request, options.address ?? "10.0.0.9", API_ORIGIN);
    const text = await response.text();
    // An export answers text (CSV, Markdown), read from `text`; its body is then empty.
    const isJson = /json/.test(response.headers.get("content-type") ?? "application/json");
    const body: Json = !isJson ? {} : text ? JSON.parse(text) : {};
    const declared = openApiDocument(API_ORIGIN) as unknown as Doc;
    const entry = declared.paths[template]?.[method.toLowerCase()];
    expect(entry, `${method} ${template} is in the document`).toBeTruthy();
    const answer = entry.responses[String(response.status)];
    expect(answer, `${method} ${template} answered ${response.status}, which the document does not declare: ${text.slice(0, 300)}`).toBeTruthy();
    if (answer.content) {
      const [[type, { schema }]] = Object.entries(answer.content);
      expect(response.headers.get("content-type")?.split(";")[0]).toBe(type);
      if (schema.$ref) {
        const validate = validator(schema.$ref);
        expect(validate(body), `${method} ${template} ${response.status} matches ${schema.$ref}: ${JSON.stringify(validate.errors)}`).toBe(true);
      } else {
        expect(schema.type, `${method} ${template} ${response.status} declares text`).toBe("string");
        expect(isJson, `${method} ${template} ${response.status} answers ${type}, not JSON`).toBe(false);
      }
    }
    return { status: response.status, body, text, headers: response.headers };
  };
}

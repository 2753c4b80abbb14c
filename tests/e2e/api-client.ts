// A client of the JSON API over real HTTP, with a token and no cookie. Every answer is checked
// against the OpenAPI document the server publishes: its status must be one the document lists
// for the operation, and its body must match the schema given for it.
import { expect, request as playwrightRequest, type APIRequestContext, type Page } from "@playwright/test";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { BASE_URL } from "./helpers";

export type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { $ref?: string; type?: string } }> }> }>> };
export type Json = Record<string, any>;

let doc: Doc | undefined;
let ajv: InstanceType<typeof Ajv2020>;

/** The document the server publishes, read once (anonymously) per worker. */
export async function apiDocument(): Promise<Doc> {
  if (doc) return doc;
  const anonymous = await playwrightRequest.newContext({ baseURL: BASE_URL });
  const response = await anonymous.get("/api/v1/openapi.json");
  expect(response.status()).toBe(200);
  const read = (await response.json()) as Doc;
  expect(read).toMatchObject({ openapi: "3.1.0" });
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...read, $id: "openapi.json" });
  await anonymous.dispose();
  doc = read;
  return read;
}

export type Answer = { status: number; body: Json; text: string; headers: Record<string, string> };

/**
 * A client acting with one token (and no cookie: a fresh request context). Each call names the
 * operation's path template, so its answer is held to what the document says of it.
 */
export function client(token: string) {
  let context: APIRequestContext | undefined;
  return async (method: string, template: string, params: Record<string, string | number> = {}, options: { body?: unknown; query?: Record<string, string>; headers?: Record<string, string>; raw?: boolean } = {}): Promise<Answer> => {
    const doc = await apiDocument();
    context ??= await playwrightRequest.newContext({ baseURL: BASE_URL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => (options.raw ? String(params[name]) : encodeURIComponent(String(params[name]))));
    const query = options.query ? `?${new URLSearchParams(options.query)}` : "";
    const response = await context.fetch(`/api/v1${path}${query}`, {
      method,
      headers: { ...(options.body !== undefined ? { "Content-Type": "application/json" } : {}), ...options.headers },
      data: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const status = response.status();
    const text = await response.text();
    // An export answers text (CSV, Markdown), read from `text`; its body is then empty.
    const isJson = /json/.test(response.headers()["content-type"] ?? "application/json");
    const body = !isJson ? {} : text ? (JSON.parse(text) as Json) : {};
    const declared = doc.paths[template]?.[method.toLowerCase()];
    expect(declared, `${method} ${template} is in the document`).toBeTruthy();
    const answer = declared.responses[String(status)];
    expect(answer, `${method} ${template} answered ${status}: ${text.slice(0, 300)}`).toBeTruthy();
    if (answer.content) {
      const [[type, { schema }]] = Object.entries(answer.content);
      expect(response.headers()["content-type"].split(";")[0]).toBe(type);
      if (schema.$ref) {
        const validate = ajv.getSchema(`openapi.json${schema.$ref}`) ?? ajv.compile({ $ref: `openapi.json${schema.$ref}` });
        expect(validate(body), `${method} ${template} ${status} matches ${schema.$ref}: ${JSON.stringify(validate.errors)}`).toBe(true);
      } else {
        expect(schema.type, `${method} ${template} ${status} declares text`).toBe("string");
        expect(isJson, `${method} ${template} ${status} answers ${type}, not JSON`).toBe(false);
      }
    }
    return { status, body, text, headers: response.headers() };
  };
}

/** Makes a token on the profile's API tokens page, as its owner would, and reads it from the page. */
export async function makeToken(page: Page, name: string, scope: "Read only" | "Read and change"): Promise<string> {
  await page.goto("/account/tokens");
  await page.getByLabel("Name").fill(name);
  await page.getByRole("radio", { name: scope }).check();
  await page.getByRole("button", { name: "Make token" }).click();
  const shown = page.getByRole("status").filter({ hasText: "Copy it now" });
  await expect(shown).toContainText(name);
  const token = (await shown.locator("code.one-time-link").textContent())?.trim() ?? "";
  expect(token).toMatch(/^hs_[\w-]{43}$/);
  return token;
}


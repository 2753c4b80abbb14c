import { z } from "zod";
import { API_BASE, API_BODY_LIMIT, API_RATE_PER_MINUTE, API_RATE_PER_PERSON, router, type Operation } from "../api.server";
import { OPERATIONS } from "./operations.server";
import { components, Problem } from "./representations.server";

// The OpenAPI 3.1 document, written from the operations' own zod schemas: the schemas that check
// a request are the ones it documents, so the two cannot drift apart. OpenAPI 3.1's schemas are
// JSON Schema 2020-12, which zod writes itself.

export const API = router(OPERATIONS);

const REF = (id: string) => `#/components/schemas/${id}`;
type JsonSchema = Record<string, unknown>;

/** Keys zod writes that are not JSON Schema: the form adapter's hints, and each schema's own id. */
function clean(schema: unknown): JsonSchema {
  return JSON.parse(JSON.stringify(schema, (key, value: unknown) => (key === "typedAs" || key === "$schema" || key === "$id" ? undefined : value))) as JsonSchema;
}

const componentName = (op: Operation) => `${op.id[0].toUpperCase()}${op.id.slice(1)}Request`;

function parameters(op: Operation) {
  const list: JsonSchema[] = [];
  const add = (where: "path" | "query" | "header", shape: z.ZodObject | undefined) => {
    for (const [name, field] of Object.entries(shape?.shape ?? {})) {
      const schema = clean(z.toJSONSchema(field as z.ZodType, { io: "input", unrepresentable: "any", target: "draft-2020-12" }));
      const { description, ...rest } = schema;
      list.push({
        name,
        in: where,
        required: where === "path" || !(field as z.ZodType).safeParse(undefined).success,
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  };
  add("path", op.params);
  add("query", op.query);
  add("header", op.headers);
  if (op.ifMatch) {
    list.push({
      name: "If-Match",
      in: "header",
      required: op.ifMatch === "required",
      description: 'The version the change is based on, as the ETag of the last read gave it ("7").',
      schema: { type: "string" },
    });
  }
  return list;
}

let document: JsonSchema | undefined;

/** The document; `servers` is filled for the address it is read at. */
export function openApiDocument(origin: string): JsonSchema {
  document ??= build();
  return { ...document, servers: [{ url: `${origin}${API_BASE}` }] };
}

function build(): JsonSchema {
  const requests = z.registry<{ id: string }>();
  for (const op of OPERATIONS) if (op.body) requests.add(op.body, { id: componentName(op) });
  const uri = (id: string) => REF(id);
  const output = z.toJSONSchema(components, { io: "output", unrepresentable: "any", uri, target: "draft-2020-12" }).schemas;
  const input = z.toJSONSchema(requests, { io: "input", unrepresentable: "any", uri, target: "draft-2020-12" }).schemas;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const responses: Record<string, unknown> = {};
    const answers: Operation["responses"] = { ...op.responses, 500: { description: "A fault on the server; it is logged. Try again.", schema: Problem } };
    if (op.body) {
      answers[413] = { description: "The body is larger than 256 KB or holds more than 2,000 values.", schema: Problem };
      answers[415] = { description: "The body is not sent as JSON.", schema: Problem };
    }
    for (const [status, answer] of Object.entries(answers)) {
      const id = answer.schema ? components.get(answer.schema)?.id : undefined;
      if (answer.schema && !id) throw new Error(`${op.id}: the ${status} answer's schema is not a named component.`);
      const type = id === "Problem" ? "application/problem+json" : "application/json";
      // An export answers text in its own media type (text/csv, text/markdown), not JSON.
      const content = answer.type ? { [answer.type]: { schema: { type: "string" } } } : id ? { [type]: { schema: { $ref: REF(id) } } } : undefined;
      responses[status] = {
        description: answer.description,
        ...(answer.headers ? { headers: Object.fromEntries(Object.entries(answer.headers).map(([name, description]) => [name, { description, schema: { type: "string" } }])) } : {}),
        ...(content ? { content } : {}),
      };
    }
    (paths[op.path] ??= {})[op.method.toLowerCase()] = {
      operationId: op.id,
      tags: [op.tag],
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      parameters: parameters(op),
      ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: { $ref: REF(componentName(op)) } } } } } : {}),
      responses,
      security: [{ token: [] }],
      "x-scope": op.scope,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Hindsight API",
      version: "1",
      description: [
        "What a person does in the browser, with a personal API token acting as them: incidents, their whys, timelines and actions, live sessions, learnings and search, their own profile, the integrations and, for administrators, administration. The same rules decide what it may see and change. What makes or changes a way in (a password, a new token, the browser's sessions, the private feed link) stays in the browser.",
        "",
        "- **Authentication**: `Authorization: Bearer hs_…`, a token made on the profile page. A read token may only read; a read-and-write token may change what its owner may. Cookies are never read.",
        "- **Changes** of a stored thing send `If-Match` with the version read (its `ETag`); a stale one is answered 409 with the thing as it is now in `current`.",
        "- **Errors** are `application/problem+json` (RFC 9457), with one entry per refused field in `errors` (a JSON pointer into the request body).",
        "- **Lists** come a page at a time: pass a page's `nextCursor` back as `cursor` for the next; `null` on the last page.",
        `- **Limits**: ${API_RATE_PER_MINUTE} requests per minute per token and ${API_RATE_PER_PERSON} per person over all their tokens (then 429 with Retry-After); a request body of at most ${API_BODY_LIMIT / 1024} KB; each field's own limit, as the page's forms.`,
      ].join("\n"),
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    tags: [...new Set(OPERATIONS.map((op) => op.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: clean({ ...output, ...input }),
      securitySchemes: { token: { type: "http", scheme: "bearer", description: "A personal API token (hs_…), made on the profile page." } },
    },
  };
}

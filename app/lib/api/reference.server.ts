import type { FieldRow, OperationView, Reference } from "~/components/api-reference";
import { renderMarkdown } from "../markdown.server";
import { openApiDocument } from "./openapi.server";

// The API reference page's content, read from the OpenAPI document itself: what the page shows is
// what the document says, operation by operation and schema by schema.

type JsonSchema = Record<string, unknown>;

/** A line of the document's Markdown (`code`, emphasis) as sanitized HTML, without its paragraph. */
const inline = (text: string) => renderMarkdown(text).replace(/^<p>|<\/p>\s*$/g, "");

const refName = (ref: unknown) => (typeof ref === "string" ? ref.replace("#/components/schemas/", "") : null);

/** A schema's type in a few words, and the component it names when it is one. */
function typeOf(schema: JsonSchema | undefined): { type: string; ref: string | null } {
  if (!schema) return { type: "any", ref: null };
  const ref = refName(schema.$ref);
  if (ref) return { type: ref, ref };
  if (Array.isArray(schema.anyOf)) {
    const parts = (schema.anyOf as JsonSchema[]).map(typeOf);
    return { type: parts.map((p) => p.type).join(" or "), ref: parts.find((p) => p.ref)?.ref ?? null };
  }
  if (Array.isArray(schema.enum)) return { type: (schema.enum as unknown[]).map((v) => JSON.stringify(v)).join(" | "), ref: null };
  if (schema.type === "array") {
    const item = typeOf(schema.items as JsonSchema | undefined);
    return { type: `list of ${item.type}`, ref: item.ref };
  }
  const format = typeof schema.format === "string" ? ` (${schema.format})` : "";
  return { type: `${typeof schema.type === "string" ? schema.type : "any"}${format}`, ref: null };
}

function notesOf(schema: JsonSchema): string {
  const notes: string[] = [];
  if (typeof schema.description === "string") notes.push(schema.description);
  if (typeof schema.minLength === "number" && schema.minLength > 0) notes.push("not empty");
  if (typeof schema.maxLength === "number") notes.push(`at most ${schema.maxLength.toLocaleString("en")} characters`);
  if (typeof schema.maxItems === "number") notes.push(`at most ${schema.maxItems} items`);
  if (typeof schema.maximum === "number" && schema.maximum < 1e9) notes.push(`at most ${schema.maximum}`);
  if (typeof schema.minimum === "number") notes.push(`at least ${schema.minimum}`);
  if ("default" in schema) notes.push(`default ${JSON.stringify(schema.default)}`);
  return notes.join("; ");
}

function fieldsOf(schema: JsonSchema): FieldRow[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { type, ref } = typeOf(property);
    return { name, type, typeRef: ref, required: required.has(name), notes: notesOf(property) };
  });
}

let cached: Reference | undefined;

export function apiReference(origin: string): Reference {
  const doc = openApiDocument(origin);
  cached ??= build(doc);
  return { ...cached, server: `${origin}/api/v1` };
}

function build(doc: JsonSchema): Reference {
  const tags = new Map<string, OperationView[]>();
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, JsonSchema>>)) {
    for (const [method, op] of Object.entries(methods)) {
      const parameters = ((op.parameters ?? []) as JsonSchema[]).map((p) => {
        const schema = (p.schema ?? {}) as JsonSchema;
        const { type, ref } = typeOf(schema);
        return { name: String(p.name), in: String(p.in), type, typeRef: ref, required: Boolean(p.required), notes: [p.description, notesOf(schema)].filter(Boolean).join("; ") };
      });
      const bodySchema = ((op.requestBody as JsonSchema | undefined)?.content as Record<string, { schema: JsonSchema }> | undefined)?.["application/json"]?.schema;
      const responses = Object.entries(op.responses as Record<string, JsonSchema>).map(([status, r]) => {
        const content = r.content as Record<string, { schema: JsonSchema }> | undefined;
        const schema = content ? Object.values(content)[0]?.schema : undefined;
        return { status, descriptionHtml: inline(String(r.description)), ref: refName(schema?.$ref) };
      });
      const view: OperationView = {
        id: String(op.operationId),
        method: method.toUpperCase(),
        path,
        summary: String(op.summary),
        descriptionHtml: typeof op.description === "string" ? inline(op.description) : "",
        scope: String(op["x-scope"]),
        parameters,
        body: bodySchema ? { ref: refName(bodySchema.$ref) ?? "" } : null,
        responses,
      };
      const tag = ((op.tags as string[] | undefined) ?? ["Other"])[0];
      tags.set(tag, [...(tags.get(tag) ?? []), view]);
    }
  }
  const schemas = Object.entries(((doc.components as JsonSchema).schemas ?? {}) as Record<string, JsonSchema>).map(([name, schema]) => ({
    name,
    description: typeof schema.description === "string" ? schema.description : "",
    fields: fieldsOf(schema),
  }));
  return {
    description: String((doc.info as JsonSchema).description),
    server: "",
    tags: [...tags].map(([name, operations]) => ({ name, operations })),
    schemas,
  };
}

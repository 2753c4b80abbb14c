// A page's form sends text; the domain's inputs (app/models/inputs.ts) ask for numbers,
// booleans, lists and ISO times. This reads each field the way its schema asks for it, so a form
// and an API are held to the same rules. What cannot be read is passed on as typed: the schema
// then refuses it with the field's own message, and the page shows that next to the field.
import { z } from "zod";
import { parseReference } from "~/models/incident";
import { fromInputValue } from "./time";

/** A posted form, or its values as plain strings (see formValues). */
export type FormInput = FormData | Record<string, string>;

type Reading = "text" | "number" | "reference" | "boolean" | "time" | "list" | "numbers";

/** How a field's text is read, from the type its schema asks for under any optional, default or pipe. */
function readingOf(schema: z.core.$ZodType): { reading: Reading; nullable: boolean } {
  let nullable = false;
  let current = schema as z.core.$ZodTypes;
  for (;;) {
    const def = current._zod.def;
    switch (def.type) {
      case "nullable":
        nullable = true;
        current = def.innerType as z.core.$ZodTypes;
        continue;
      case "optional":
      case "default":
      case "prefault":
      case "nonoptional":
      case "catch":
      case "readonly":
        current = def.innerType as z.core.$ZodTypes;
        continue;
      case "pipe":
        current = def.in as z.core.$ZodTypes;
        continue;
      // An incident's number, which people type as its reference (see app/models/inputs.ts).
      case "number":
        return { reading: z.globalRegistry.get(current)?.typedAs === "reference" ? "reference" : "number", nullable };
      case "boolean":
        return { reading: "boolean", nullable };
      case "string":
        return { reading: "format" in def && def.format === "datetime" ? "time" : "text", nullable };
      case "array":
        return { reading: readingOf(def.element).reading === "number" ? "numbers" : "list", nullable };
      default:
        return { reading: "text", nullable };
    }
  }
}

// By what it does rather than `instanceof`: the server's FormData need not be this global's class.
function isFormData(form: FormInput): form is FormData {
  return typeof (form as FormData).getAll === "function";
}

/** Every text sent under a name: a form may repeat a field (ticked checkboxes); plain values hold one. */
function textsOf(form: FormInput, name: string): string[] {
  if (isFormData(form)) return form.getAll(name).filter((v): v is string => typeof v === "string");
  return Object.hasOwn(form, name) ? [form[name]] : [];
}

/** A number as typed, or the text itself when it is not one. */
function number(text: string): number | string {
  const value = text.trim();
  const n = Number(value);
  return value !== "" && Number.isFinite(n) ? n : text;
}

function read(texts: string[], { reading, nullable }: { reading: Reading; nullable: boolean }): unknown {
  const empty = nullable ? null : undefined;
  const [first] = texts;
  switch (reading) {
    case "text":
      return first;
    case "number":
      return first === undefined || first.trim() === "" ? empty : number(first);
    case "reference":
      return first === undefined || first.trim() === "" ? empty : (parseReference(first.trim()) ?? number(first));
    // A ticked checkbox sends "on"; an unticked one sends nothing at all.
    case "boolean":
      return first === "on" || first === "true";
    // A `datetime-local` field, read as UTC; a time already in ISO form is kept as it is.
    case "time":
      return first === undefined || first.trim() === "" ? empty : (fromInputValue(first) ?? first);
    // A list is typed one per line or comma-separated, or sent as repeated fields.
    case "list":
      return texts.flatMap((t) => t.split(/[,\n]/)).map((t) => t.trim()).filter(Boolean);
    case "numbers":
      return texts.flatMap((t) => t.split(/[,\n]/)).map((t) => t.trim()).filter(Boolean).map(number);
  }
}

/**
 * The form's fields as the schema's input: numbers as numbers (empty is left out, or null where
 * the schema takes null), a checkbox as a boolean, a list as a list, a `datetime-local` time as
 * ISO in UTC (empty: left out or null), anything else as typed. Fields the schema does not name
 * are left out.
 */
export function fromForm(schema: z.ZodObject, form: FormInput): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.shape)) {
    const value = read(textsOf(form, name), readingOf(field));
    if (value !== undefined) input[name] = value;
  }
  return input;
}

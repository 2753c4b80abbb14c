import { z } from "zod";
import { tooLongMessage } from "./limits";

/**
 * Line breaks and other control characters in a field of one line (a title, a name, a question)
 * become spaces: pasted text keeps its words, and a title can never add a line to an email, a
 * Markdown heading or a header.
 */
export function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, " ");
}

/** A one-line text field: trimmed, at most `limit` characters, and required when `required` says how to ask for it. */
export function lineField(limit: number, required?: string) {
  const trimmed = z.string().trim();
  return z
    .string()
    .transform(oneLine)
    .pipe((required ? trimmed.min(1, required) : trimmed).max(limit, tooLongMessage(limit)));
}

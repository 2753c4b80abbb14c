import type { z } from "zod";
import { formFailure, formValues, modelFailure, readForm, validateForm } from "./http.server";

// A page with several forms posts them all to its one action, each naming its change in the
// `intent` field (a form with no JavaScript can only post to one address and come back to the
// page with its messages). Each change is declared once: the domain input it takes, which of the
// page's forms shows a refusal, and what it does. The action is then handleIntent.

type Values = Record<string, string>;

/** What an intent answers: a redirect after the change, or the page's form with its messages. */
export type IntentOutcome = Response | ReturnType<typeof formFailure<Values>>;

/** One change a page's forms can ask for. */
export type Intent<C> = {
  /** The domain input (app/models/inputs.ts), read from the form by the form adapter. */
  input: z.ZodObject;
  /** The form that comes back with the messages, when it is one of several alike. */
  target?: (values: Values) => string | undefined;
  /**
   * Whether input the schema refuses comes back to the form with its messages ("form") or is a
   * bad request: fields no person types (ids, a fixed choice) are only wrong when forged.
   */
  refused: "form" | "bad-request";
  run: (context: C, input: never, values: Values) => Promise<IntentOutcome>;
};

/** Declares an intent, its input's type inferred from its schema. */
export function intent<C, S extends z.ZodObject>(spec: {
  input: S;
  target?: (values: Values) => string | undefined;
  refused?: "form" | "bad-request";
  run: (context: C, input: z.output<S>, values: Values) => Promise<IntentOutcome>;
}): Intent<C> {
  return { refused: "form", ...spec, run: spec.run as Intent<C>["run"] };
}

/**
 * Runs the intent the form names: its input read and checked, then its change. A refusal, of the
 * input or by a model, comes back to the form that asked with what was typed; an unknown intent
 * is a bad request.
 */
export async function handleIntent<C>(request: Request, context: C, intents: Record<string, Intent<C>>): Promise<IntentOutcome> {
  const form = await readForm(request);
  const values = formValues(form);
  const chosen = Object.hasOwn(intents, values.intent ?? "") ? intents[values.intent] : undefined;
  if (!chosen) throw new Response("Bad request", { status: 400 });
  const target = chosen.target?.(values);
  // The form itself, not its first values: ticked checkboxes send a list.
  const parsed = validateForm(chosen.input, form);
  if (!parsed.ok) {
    if (chosen.refused === "bad-request") throw new Response("Bad request", { status: 400 });
    return formFailure(400, { target, errors: parsed.errors, values });
  }
  try {
    return await chosen.run(context, parsed.data as never, values);
  } catch (error) {
    return modelFailure(error, values, target);
  }
}

import { useEffect, useRef } from "react";

/** What came back from a failed save of one of the page's forms. */
export type FormState = {
  target: string;
  errors: Record<string, string[] | undefined>;
  formError?: string;
  values: Record<string, string>;
  /** The stored version, when the save was refused because someone else saved first. */
  conflict?: Record<string, string>;
};

/** A key that remounts a form whenever it comes back with new values, so the fields show them. */
export function formKey(base: string, state: FormState | undefined): string {
  return state ? `${base}:${JSON.stringify(state.values)}:${JSON.stringify(state.conflict ?? {})}` : base;
}

/** Moves focus to the first field with an error once a form comes back, so it can be fixed at once. */
export function useFocusFirstError<T extends HTMLElement>(state: FormState | undefined) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (!state) return;
    const invalid = ref.current?.querySelector<HTMLElement>("[aria-invalid='true'], .form-error, .conflict");
    if (invalid) {
      if (!invalid.matches("input, textarea, select")) invalid.setAttribute("tabindex", "-1");
      invalid.focus();
    }
  }, [state]);
  return ref;
}

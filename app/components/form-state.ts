import { useLocation, useNavigation } from "@remix-run/react";
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

/**
 * After a save that lands on a fragment (`#why-12`, `#entry-3`, `#action-7`), focus goes to what
 * was just saved, not back to the top of a page with hundreds of tab stops. Only a submission that
 * ended on a new location counts: a refused save keeps the focus on the field to fix. Without
 * JavaScript the browser lands on the same fragment. A save that lands on a page, not an item,
 * puts focus on the message that says it was saved.
 */
export function useFocusSavedItem() {
  const navigation = useNavigation();
  const location = useLocation();
  const submittedFrom = useRef<string | null>(null);
  useEffect(() => {
    if (navigation.state === "submitting" && submittedFrom.current === null) submittedFrom.current = location.key;
  }, [navigation.state, location.key]);
  useEffect(() => {
    if (navigation.state !== "idle" || submittedFrom.current === null) return;
    const from = submittedFrom.current;
    submittedFrom.current = null;
    if (from === location.key) return;
    // A save that lands on a page rather than on an item (the edit page's "Incident saved."):
    // focus goes to the message saying so, at the top of the page's content.
    const target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : document.querySelector<HTMLElement>("#main > .flash");
    if (!target) return;
    if (!target.matches("a[href], button, input, select, textarea, [tabindex]")) target.setAttribute("tabindex", "-1");
    target.focus();
  }, [navigation.state, location]);
}

/**
 * For a form sent by a fetcher, which keeps the page as it is: once its save has landed on a new
 * location (the redirect to `#why-12`, followed without a page load), `saved` is called with the
 * element that fragment names, to move focus there and clear the form. A refused save answers
 * with the form's messages and calls nothing. The fetcher may be idle a moment before the new
 * location is there: the call waits for it.
 */
export function useFetcherSaved(fetcher: { state: "idle" | "submitting" | "loading"; data?: unknown }, saved: (target: HTMLElement | null) => void) {
  const location = useLocation();
  const sentFrom = useRef<string | null>(null);
  const onSaved = useRef(saved);
  onSaved.current = saved;
  useEffect(() => {
    if (fetcher.state !== "idle") {
      if (sentFrom.current === null) sentFrom.current = location.key;
      return;
    }
    if (sentFrom.current === null) return;
    const refused = (fetcher.data as { ok?: boolean } | undefined)?.ok === false;
    if (refused) {
      sentFrom.current = null;
      return;
    }
    if (sentFrom.current === location.key) return;
    sentFrom.current = null;
    onSaved.current(location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null);
  }, [fetcher.state, fetcher.data, location]);
}

/** Moves focus to an element that may not take it by itself (an item of a list). */
export function focusOn(element: HTMLElement) {
  if (!element.matches("a[href], button, input, select, textarea, [tabindex]")) element.setAttribute("tabindex", "-1");
  element.focus();
}

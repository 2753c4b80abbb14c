import { useNavigation } from "@remix-run/react";
import { useEffect, useId, useState, type FormEvent, type ReactNode } from "react";
import { submittedLength } from "~/models/limits";

export type ControlProps = {
  id: string;
  name: string;
  "aria-describedby"?: string;
  "aria-invalid"?: true;
};

/**
 * A labelled form control with its hint and its error beside it. The control itself is rendered
 * by the caller, wired to the label and messages through the props it receives.
 */
export function Field({
  label,
  name,
  hint,
  error,
  className,
  describedBy,
  limit,
  children,
}: {
  label: ReactNode;
  name: string;
  hint?: ReactNode;
  /** The most characters the field holds: shown beside it, and counted as it is typed. */
  limit?: number;
  /** The id of another element that describes the control, e.g. notes shown under it. */
  describedBy?: string;
  error?: string[] | string;
  className?: string;
  children: (props: ControlProps) => ReactNode;
}) {
  const id = `${useId()}-${name}`;
  const hintId = hint ? `${id}-hint` : undefined;
  const message = Array.isArray(error) ? error[0] : error;
  const errorId = message ? `${id}-error` : undefined;
  const countId = limit ? `${id}-count` : undefined;
  const description = [errorId, hintId, countId, describedBy].filter(Boolean).join(" ") || undefined;
  const [length, setLength] = useState<number | null>(null);
  useEffect(() => {
    if (!limit) return;
    const control = document.getElementById(id) as HTMLInputElement | HTMLTextAreaElement | null;
    if (control) setLength(submittedLength(control.value));
  }, [id, limit]);
  const counted = limit ? (event: FormEvent<HTMLDivElement>) => {
    const target = event.target as HTMLElement;
    if (target.id === id) setLength(submittedLength((target as HTMLInputElement).value));
  } : undefined;
  return (
    <div className={["field", message ? "field--invalid" : "", className ?? ""].join(" ").trim()} onInput={counted}>
      <label htmlFor={id}>{label}</label>
      {children({ id, name, "aria-describedby": description, ...(message ? { "aria-invalid": true } : {}) })}
      {hint ? (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {limit ? <CharacterCount id={countId!} limit={limit} length={length} /> : null}
      {message ? (
        <p className="field__error" id={errorId}>
          {message}
        </p>
      ) : null}
    </div>
  );
}

/**
 * How much of a field's limit its text takes. Before scripts run (or without them), and while
 * the field is empty, it states the limit; then it counts as the person types, warns near the limit and says by how much the
 * text is over it. Nothing is cut: the server refuses over-long text with a message and keeps it.
 */
export function CharacterCount({ id, limit, length }: { id: string; limit: number; length: number | null }) {
  const figure = (n: number) => n.toLocaleString("en");
  // Empty (or before scripts run), the field only states its limit: no "0 / …" under every field.
  if (length === null || length === 0) {
    return (
      <p className="field__count" id={id}>
        At most {figure(limit)} characters.
      </p>
    );
  }
  const over = length - limit;
  const near = over <= 0 && length >= limit * 0.9;
  return (
    <p className={["field__count", over > 0 ? "field__count--over" : near ? "field__count--near" : ""].join(" ").trim()} id={id}>
      {figure(length)} / {figure(limit)} characters
      {over > 0 ? (
        <span role="status">
          {" "}
          — {figure(over)} too many; shorten it before saving.
        </span>
      ) : near ? (
        <span> — {figure(limit - length)} left</span>
      ) : null}
    </p>
  );
}

/**
 * A submit button that says what it is doing while its form is on its way. `intent` names the
 * form's action (sent by the button itself unless the button sends its own `name`/`value`);
 * `match` narrows the pending state to one of several forms with the same intent.
 */
export function SubmitButton({
  children,
  pendingText = "Saving…",
  intent,
  name,
  value,
  match,
  className = "button",
  label,
}: {
  children: ReactNode;
  /** The accessible name, when the words on the button repeat down the page: say which item ("Mark done: Rotate the certificate"). */
  label?: string;
  pendingText?: string;
  intent?: string;
  name?: string;
  value?: string;
  match?: Record<string, string>;
  className?: string;
}) {
  const navigation = useNavigation();
  const form = navigation.formData;
  const own = name !== undefined ? { name, value } : intent !== undefined ? { name: "intent", value: intent } : {};
  const pending =
    navigation.state === "submitting" &&
    (intent === undefined || form?.get("intent") === intent) &&
    (own.name === undefined || form?.get(own.name) === own.value) &&
    Object.entries(match ?? {}).every(([key, expected]) => form?.get(key) === expected);
  return (
    <button type="submit" className={className} {...own} disabled={pending} aria-label={label}>
      {pending ? pendingText : children}
    </button>
  );
}

export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <p className="form-error" role="alert">
      {message}
    </p>
  );
}

/** Hidden inputs that tell the action which record a form is about. */
export function HiddenInputs({ values }: { values: Record<string, string> }) {
  return (
    <>
      {Object.entries(values).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
    </>
  );
}

/**
 * Copies `text` to the clipboard. Shown once the page runs JavaScript (without it the text is
 * there to select); says whether the copy worked.
 */
export function CopyButton({ text, label = "Copy link" }: { text: string; label?: string }) {
  const [mounted, setMounted] = useState(false);
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => setMounted(true), []);
  if (!mounted) return null;
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => setState("copied"),
      () => setState("failed"),
    );
  };
  return (
    <>
      <button type="button" className="button button--quiet button--small" onClick={copy}>
        {label}
      </button>
      <span role="status" className="muted small">
        {state === "copied" ? "Copied." : state === "failed" ? "Could not copy: select the link and copy it." : ""}
      </span>
    </>
  );
}

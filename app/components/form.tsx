import { useNavigation } from "@remix-run/react";
import { useId, type ReactNode } from "react";

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
  children,
}: {
  label: ReactNode;
  name: string;
  hint?: ReactNode;
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
  const description = [errorId, hintId, describedBy].filter(Boolean).join(" ") || undefined;
  return (
    <div className={["field", message ? "field--invalid" : "", className ?? ""].join(" ").trim()}>
      <label htmlFor={id}>{label}</label>
      {children({ id, name, "aria-describedby": description, ...(message ? { "aria-invalid": true } : {}) })}
      {hint ? (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {message ? (
        <p className="field__error" id={errorId}>
          {message}
        </p>
      ) : null}
    </div>
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

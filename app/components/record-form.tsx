import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import { ConflictNotice } from "./conflict-notice";
import { FormError, HiddenInputs, SubmitButton } from "./form";
import { useFocusFirstError, type FormState } from "./form-state";

/**
 * A form that saves one record of the page: it comes back with what was typed and the errors
 * beside the fields, or, after a refused concurrent edit, with both versions side by side.
 */
export function RecordForm({
  intent,
  hidden,
  values,
  state,
  labels,
  submit,
  className,
  children,
}: {
  intent: string;
  hidden: Record<string, string>;
  values: Record<string, string | undefined>;
  state?: FormState;
  /** Names of the fields, for showing two versions side by side. */
  labels: Record<string, string>;
  submit: string;
  className?: string;
  children: (shown: Record<string, string | undefined>, errors: FormState["errors"]) => ReactNode;
}) {
  const ref = useFocusFirstError<HTMLFormElement>(state);
  return (
    <Form method="post" preventScrollReset ref={ref} className={className}>
      {state?.conflict ? <ConflictNotice stored={state.conflict} mine={state.values} labels={labels} /> : null}
      {state?.conflict ? null : <FormError message={state?.formError} />}
      <HiddenInputs values={hidden} />
      {children(state?.values ?? values, state?.errors ?? {})}
      <div className="form-actions">
        <SubmitButton intent={intent} match={hidden} className="button button--small">
          {state?.conflict ? "Save my version" : submit}
        </SubmitButton>
      </div>
    </Form>
  );
}

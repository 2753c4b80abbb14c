import { Form } from "@remix-run/react";
import { EXCEPTION_DURATION_LABELS, EXCEPTION_DURATIONS } from "~/models/gate";
import { FIELD_LIMITS } from "~/models/limits";
import { Field, FormError, SubmitButton } from "./form";
import { formKey, type FormState } from "./form-state";

/** What the incident does to the deploy gate, as the incident page shows it. */
export type GateNoticeView = {
  /** "checkout and payments", "every service without a policy of its own"… */
  services: string;
  /** When it began to hold, as shown. */
  since: string;
  /** One line per policy it breaks: which services, the severities, and how it breaks it. */
  lines: string[];
  /** What opens the gate again. */
  remedy: string;
  /** The exception letting deploys through meanwhile. */
  exception: { id: number; until: string; grantedBy: string; reason: string } | null;
  /** Whether this person may grant or end an exception (the facilitator, an admin). */
  canManage: boolean;
};

/**
 * The deploy gate on the incident page: shown only while the incident breaks a policy. It holds
 * deploys until its analysis is published or its P1 actions are done, unless an exception lets
 * them through for a while.
 */
export function GateNotice({ gate, state }: { gate: GateNoticeView | null; state?: FormState }) {
  if (!gate) return null;
  const { exception } = gate;
  return (
    <section className={`panel gate-notice${exception ? " gate-notice--excepted" : ""}`} aria-labelledby="gate-title" id="deploy-gate">
      <h2 id="gate-title">{exception ? "Deploys let through the gate" : "Holding deploys"}</h2>
      {exception ? (
        <p>
          This incident would hold deploys of {gate.services} (since {gate.since}), but an exception lets them through until{" "}
          <strong>{exception.until}</strong>, granted by {exception.grantedBy}: <span className="user-text">“{exception.reason}”</span>
        </p>
      ) : (
        <p>
          This incident is holding deploys of <strong>{gate.services}</strong> since {gate.since}.
        </p>
      )}
      <ul className="gate-notice__reasons">
        {gate.lines.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      {!exception ? <p className="muted small">{gate.remedy}</p> : null}
      {gate.canManage && exception ? (
        <Form method="post" preventScrollReset className="inline-form no-print">
          <input type="hidden" name="exceptionId" value={exception.id} />
          <FormError message={state?.formError} />
          <SubmitButton intent="end-gate-exception" className="button button--small button--quiet" pendingText="Ending…">
            End the exception now
          </SubmitButton>
        </Form>
      ) : null}
      {gate.canManage && !exception ? (
        <details className="no-print gate-notice__grant" open={state ? true : undefined}>
          <summary>Let deploys through for a while</summary>
          <Form method="post" preventScrollReset key={formKey("gate", state)}>
            <FormError message={state?.formError} />
            <Field
              label="Why deploys may go ahead"
              name="reason"
              hint="Recorded in the history, e.g. the fix for this incident must ship."
              error={state?.errors.reason}
              limit={FIELD_LIMITS.reason}
            >
              {(p) => <input {...p} type="text" required maxLength={FIELD_LIMITS.reason} defaultValue={state?.values.reason ?? ""} />}
            </Field>
            <Field label="For" name="hours" error={state?.errors.hours}>
              {(p) => (
                <select {...p} required defaultValue={state?.values.hours ?? "4"}>
                  {EXCEPTION_DURATIONS.map((hours) => (
                    <option key={hours} value={hours}>
                      {EXCEPTION_DURATION_LABELS[hours]}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <SubmitButton intent="grant-gate-exception" pendingText="Granting…">
              Grant the exception
            </SubmitButton>
          </Form>
        </details>
      ) : null}
    </section>
  );
}

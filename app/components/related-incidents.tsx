import { Form, Link } from "@remix-run/react";
import { labelFor } from "~/lib/item-label";
import type { Severity, Status } from "~/models/incident";
import { SeverityBadge } from "./badges";
import { Field, FormError, SubmitButton } from "./form";
import { formKey, type FormState } from "./form-state";

export type RelatedView = { id: number; reference: string; title: string; severity: Severity; status: Status; started: string };

/** Incidents marked as related to this one: the same cause, the same system, the same week. */
export function RelatedIncidents({ items, canEdit, state }: { items: RelatedView[]; canEdit: boolean; state?: FormState }) {
  if (items.length === 0 && !canEdit) return null;
  return (
    <section className="panel" aria-labelledby="related-title" id="related">
      <h2 id="related-title">Related incidents</h2>
      {items.length > 0 ? (
        <ul className="related">
          {items.map((r) => (
            <li key={r.id}>
              <Link to={`/incidents/${r.reference}`}>
                {r.reference}: {r.title}
              </Link>{" "}
              <SeverityBadge severity={r.severity} /> <span className="muted small">started {r.started}</span>
              {canEdit ? (
                <Form method="post" preventScrollReset className="inline-form related__unlink">
                  <input type="hidden" name="relatedId" value={r.id} />
                  <SubmitButton intent="unlink-incident" match={{ relatedId: String(r.id) }} className="button button--small button--quiet" pendingText="Removing…" label={labelFor("Not related", `${r.reference}: ${r.title}`)}>
                    Not related
                  </SubmitButton>
                </Form>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">None yet. “Seen before” under each why suggests incidents with a similar cause.</p>
      )}
      {canEdit ? (
        <Form method="post" preventScrollReset className="inline-form no-print" key={formKey("related", state)}>
          <FormError message={state?.formError} />
          <Field label="Mark another incident as related" name="relatedId" error={state?.errors.relatedId} className="related__field">
            {(p) => <input {...p} type="text" required placeholder="INC-12" defaultValue={state?.values.relatedId ?? ""} />}
          </Field>
          <SubmitButton intent="link-incident" className="button button--small" pendingText="Linking…">
            Link
          </SubmitButton>
        </Form>
      ) : null}
    </section>
  );
}

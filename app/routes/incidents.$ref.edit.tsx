import { type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ConflictNotice } from "~/components/conflict-notice";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, SubmitButton } from "~/components/form";
import { formKey, useFocusFirstError, type FormState } from "~/components/form-state";
import { FacilitatorField, IncidentFields } from "~/components/incident-form";
import { requireIncidentRoute } from "~/lib/guards.server";
import { formFailure, formValues, modelFailure, readForm, validateForm } from "~/lib/http.server";
import { revalidateAfterRefusal } from "~/lib/revalidate";
import { redirectWithFlash } from "~/lib/session.server";
import { permissionsFor } from "~/models/authorization";
import { labelsFor } from "~/models/incident";
import { fieldValues, saveIncident } from "~/models/incident.server";
import { incidentChange, incidentPeople } from "~/models/inputs";
import { listUsers } from "~/models/user.server";

const CONFLICT_LABELS = labelsFor(["title", "severity", "startedAt", "detectedAt", "resolvedAt", "services", "impactMd", "summaryMd", "visibility"]);

const PARTS: Record<string, { details: boolean; people: boolean } | undefined> = {
  save: { details: true, people: true },
  fields: { details: true, people: false },
  people: { details: false, people: true },
};

export const shouldRevalidate = revalidateAfterRefusal;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, incident } = await requireIncidentRoute(request, params.ref);
  const permissions = permissionsFor(user, incident);
  if (!permissions.contribute) {
    throw new Response("Only the facilitator, participants and admins can edit this incident.", { status: 403 });
  }
  return {
    reference: incident.reference,
    values: fieldValues(incident),
    permissions,
    facilitatorId: incident.facilitatorId,
    participantIds: incident.participantIds,
    people: permissions.manage ? (await listUsers()).map((u) => ({ id: u.id, name: u.name, team: u.team })) : [],
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, incident } = await requireIncidentRoute(request, params.ref);
  if (!permissionsFor(user, incident).contribute) {
    throw new Response("Only the facilitator, participants and admins can edit this incident.", { status: 403 });
  }
  const form = await readForm(request);
  const chosen = form.getAll("participantIds");
  const values: Record<string, string> = { ...formValues(form), participantIds: chosen.join(",") };
  // The page's one form ("save") carries the details and, for the facilitator and admins, the
  // people; a post may also carry only one part ("fields", "people").
  const parts = PARTS[values.intent];
  if (!parts) throw new Response("Bad request", { status: 400 });
  const withPeople = parts.people && (values.intent === "people" || permissionsFor(user, incident).manage);
  const fields = parts.details ? validateForm(incidentChange, values) : undefined;
  const people = withPeople ? validateForm(incidentPeople, values) : undefined;
  if ((fields && !fields.ok) || (people && !people.ok)) {
    const errors = { ...(fields && !fields.ok ? fields.errors : {}), ...(people && !people.ok ? people.errors : {}) };
    return formFailure(400, { target: "edit", errors, values });
  }
  try {
    await saveIncident(user, incident.id, fields?.ok ? fields.data : undefined, people?.ok ? people.data : undefined);
    return redirectWithFlash(`/incidents/${incident.reference}`, "Incident saved.");
  } catch (error) {
    return modelFailure(error, values, "edit");
  }
}

export default function EditIncident() {
  const { reference, values, permissions, facilitatorId, participantIds, people } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>() as FormState | undefined;
  const formRef = useFocusFirstError<HTMLFormElement>(failure);
  const shown = failure?.values ?? values;
  const chosenParticipants = failure ? failure.values.participantIds.split(",").filter(Boolean).map(Number) : participantIds;
  const chosenFacilitator = failure ? Number(failure.values.facilitatorId) : facilitatorId;

  // One form for the details and the people: saving one part never drops what was typed in the other.
  return (
    <Form method="post" ref={formRef} key={formKey(`edit-${values.version}`, failure)}>
      <section className="panel" aria-labelledby="details-title">
        <h2 id="details-title">Details</h2>
        {failure?.conflict ? <ConflictNotice stored={failure.conflict} mine={failure.values} labels={CONFLICT_LABELS} /> : null}
        {failure?.conflict ? null : <FormError message={failure?.formError} />}
        <input type="hidden" name="version" value={failure?.conflict?.version ?? values.version} />
        <IncidentFields values={shown} errors={failure?.errors ?? {}} canSetVisibility={permissions.manage} />
      </section>

      {permissions.manage ? (
        <section className="panel" aria-labelledby="people-title">
          <h2 id="people-title">People</h2>
          <FacilitatorField
            people={people}
            defaultValue={chosenFacilitator}
            error={failure?.errors.facilitatorId}
            hint="Exactly one person leads the analysis."
          />
          <fieldset aria-describedby={failure?.errors.participantIds ? "participants-error" : undefined}>
            <legend>Participants</legend>
            <p className="field__hint">The people associated with the problem. They can build the analysis with the facilitator.</p>
            <div className="choices choices--inline">
              {people.map((person) => (
                <label key={person.id}>
                  <input
                    type="checkbox"
                    name="participantIds"
                    value={person.id}
                    defaultChecked={chosenParticipants.includes(person.id)}
                    aria-invalid={failure?.errors.participantIds ? true : undefined}
                  />
                  {person.name}
                </label>
              ))}
            </div>
            {failure?.errors.participantIds ? (
              <p className="field__error" id="participants-error">
                {failure.errors.participantIds[0]}
              </p>
            ) : null}
          </fieldset>
        </section>
      ) : null}

      <div className="form-actions">
        <SubmitButton intent="save">{failure?.conflict ? "Save my version" : "Save changes"}</SubmitButton>
        <Link to={`/incidents/${reference}`}>Cancel</Link>
      </div>
    </Form>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

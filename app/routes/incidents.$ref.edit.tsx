import { type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ConflictNotice } from "~/components/conflict-notice";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, SubmitButton } from "~/components/form";
import { formKey, useFocusFirstError, type FormState } from "~/components/form-state";
import { FacilitatorField, IncidentFields } from "~/components/incident-form";
import { requireIncidentRoute } from "~/lib/guards.server";
import { formFailure, formValues, modelFailure, readForm, validate } from "~/lib/http.server";
import { revalidateAfterRefusal } from "~/lib/revalidate";
import { redirectWithFlash } from "~/lib/session.server";
import { permissionsFor } from "~/models/access";
import { labelsFor } from "~/models/incident";
import { incidentFieldsSchema } from "~/models/incident-form.server";
import { fieldValues, setPeople, updateIncident } from "~/models/incident.server";
import { listUsers } from "~/models/user.server";

const fieldsSchema = incidentFieldsSchema.and(z.object({ version: z.coerce.number().int().positive() }));
const peopleSchema = z.object({
  facilitatorId: z.coerce.number({ message: "Choose a facilitator." }).int(),
  participantIds: z.array(z.coerce.number().int()),
});

const CONFLICT_LABELS = labelsFor(["title", "severity", "startedAt", "detectedAt", "resolvedAt", "services", "impactMd", "summaryMd", "visibility"]);

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
    people: permissions.manage ? listUsers().map((u) => ({ id: u.id, name: u.name, team: u.team })) : [],
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, incident } = await requireIncidentRoute(request, params.ref);
  const form = await readForm(request);
  const values = formValues(form);
  const page = `/incidents/${incident.reference}`;
  if (values.intent === "fields") {
    const parsed = validate(fieldsSchema, values);
    if (!parsed.ok) return formFailure(400, { target: "fields", errors: parsed.errors, values });
    const { version, ...fields } = parsed.data;
    try {
      updateIncident(user, incident.id, version, fields);
      return redirectWithFlash(page, "Incident details saved.");
    } catch (error) {
      return modelFailure(error, values, "fields");
    }
  }
  if (values.intent === "people") {
    const kept = { ...values, participantIds: form.getAll("participantIds").join(",") };
    const parsed = peopleSchema.safeParse({ ...values, participantIds: form.getAll("participantIds") });
    if (!parsed.success) {
      return formFailure(400, { target: "people", errors: z.flattenError(parsed.error).fieldErrors, values: kept });
    }
    try {
      setPeople(user, incident.id, parsed.data.facilitatorId, parsed.data.participantIds);
      return redirectWithFlash(page, "People saved.");
    } catch (error) {
      return modelFailure(error, kept, "people");
    }
  }
  throw new Response("Bad request", { status: 400 });
}

export default function EditIncident() {
  const { reference, values, permissions, facilitatorId, participantIds, people } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const fieldsState = failure?.target === "fields" ? (failure as FormState) : undefined;
  const peopleState = failure?.target === "people" ? (failure as FormState) : undefined;
  const fieldsRef = useFocusFirstError<HTMLFormElement>(fieldsState);
  const shown = fieldsState?.values ?? values;
  const chosenParticipants = peopleState ? peopleState.values.participantIds.split(",").map(Number) : participantIds;
  const chosenFacilitator = peopleState ? Number(peopleState.values.facilitatorId) : facilitatorId;

  return (
    <>
      <section className="panel" aria-labelledby="details-title">
        <h2 id="details-title">Details</h2>
        <Form method="post" ref={fieldsRef} key={formKey(`fields-${values.version}`, fieldsState)}>
          {fieldsState?.conflict ? <ConflictNotice stored={fieldsState.conflict} mine={fieldsState.values} labels={CONFLICT_LABELS} /> : null}
          {fieldsState?.conflict ? null : <FormError message={fieldsState?.formError} />}
          <input type="hidden" name="version" value={fieldsState?.conflict?.version ?? values.version} />
          <IncidentFields values={shown} errors={fieldsState?.errors ?? {}} canSetVisibility={permissions.manage} />
          <div className="form-actions">
            <SubmitButton intent="fields">{fieldsState?.conflict ? "Save my version" : "Save details"}</SubmitButton>
            <Link to={`/incidents/${reference}`}>Cancel</Link>
          </div>
        </Form>
      </section>

      {permissions.manage ? (
        <section className="panel" aria-labelledby="people-title">
          <h2 id="people-title">People</h2>
          <Form method="post" key={formKey("people", peopleState)}>
            <FormError message={peopleState?.formError} />
            <FacilitatorField
              people={people}
              defaultValue={chosenFacilitator}
              error={peopleState?.errors.facilitatorId}
              hint="Exactly one person leads the analysis."
            />
            <fieldset>
              <legend>Participants</legend>
              <p className="field__hint">The people associated with the problem. They can build the analysis with the facilitator.</p>
              <div className="choices choices--inline">
                {people.map((person) => (
                  <label key={person.id}>
                    <input type="checkbox" name="participantIds" value={person.id} defaultChecked={chosenParticipants.includes(person.id)} />
                    {person.name}
                  </label>
                ))}
              </div>
              {peopleState?.errors.participantIds ? <p className="field__error">{peopleState.errors.participantIds[0]}</p> : null}
            </fieldset>
            <SubmitButton intent="people">Save people</SubmitButton>
          </Form>
        </section>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

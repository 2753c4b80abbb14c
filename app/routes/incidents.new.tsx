import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, SubmitButton } from "~/components/form";
import { FacilitatorField, IncidentFields } from "~/components/incident-form";
import { formFailure, formValues, modelFailure, readForm, validateForm } from "~/lib/http.server";
import { redirectWithFlash, requireUser } from "~/lib/session.server";
import { toInputValue } from "~/lib/time";
import { reportIncident } from "~/models/incident.server";
import { incidentReport } from "~/models/inputs";
import { listUsers } from "~/models/user.server";

export const meta: MetaFunction = () => [{ title: "Report an incident · Hindsight" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return {
    me: user.id,
    people: (await listUsers()).map((u) => ({ id: u.id, name: u.name, team: u.team })),
    now: toInputValue(new Date().toISOString()),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const values = formValues(await readForm(request));
  const parsed = validateForm(incidentReport, values);
  if (!parsed.ok) return formFailure(400, { errors: parsed.errors, values });
  try {
    const incident = await reportIncident(user, parsed.data);
    return redirectWithFlash(`/incidents/${incident.reference}`, `${incident.reference} reported. Start the analysis when the people involved are gathered.`);
  } catch (error) {
    return modelFailure(error, values);
  }
}

export default function ReportIncident() {
  const { me, people, now } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const values = failure?.values ?? { startedAt: now, facilitatorId: String(me), visibility: "org" };
  const errors = failure?.errors ?? {};
  return (
    <>
      <div className="page-header">
        <h1>Report an incident</h1>
      </div>
      <Form method="post" className="panel" noValidate={false}>
        <FormError message={failure?.formError ?? (Object.keys(errors).length > 0 ? "Some fields need attention; see below." : undefined)} />
        <IncidentFields values={values} errors={errors} />
        <FacilitatorField
          people={people}
          defaultValue={values.facilitatorId}
          error={errors.facilitatorId}
          hint="One person leads the analysis and moves it through review to publication."
        />
        <div className="form-actions">
          <SubmitButton pendingText="Reporting…">Report incident</SubmitButton>
        </div>
      </Form>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

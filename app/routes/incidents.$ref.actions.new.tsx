import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ActionFields } from "~/components/action-form";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, SubmitButton } from "~/components/form";
import { useFocusFirstError, type FormState } from "~/components/form-state";
import { requireIncidentRoute } from "~/lib/guards.server";
import { formFailure, formValues, modelFailure, readForm, validateForm } from "~/lib/http.server";
import { firstParagraphText } from "~/lib/markdown.server";
import { redirectWithFlash } from "~/lib/session.server";
import { formatDate } from "~/lib/time";
import { permissionsFor } from "~/models/authorization";
import { PRIORITIES } from "~/models/action";
import { createAction, pastDueRefusal, policyDueDate, today } from "~/models/action.server";
import { ownerChoices } from "~/models/incident.server";
import { newActionInput } from "~/models/inputs";
import { listWhys } from "~/models/why.server";

export const meta: MetaFunction = () => [{ title: "Add a follow-up action · Hindsight" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, incident } = await requireIncidentRoute(request, params.ref);
  if (!permissionsFor(user, incident).contribute) {
    throw new Response("Only the facilitator, participants and admins can add follow-up actions.", { status: 403 });
  }
  const whyParam = new URL(request.url).searchParams.get("why");
  const why = whyParam ? (await listWhys(incident.id)).find((w) => String(w.id) === whyParam) : undefined;
  if (whyParam && !why) throw new Response("Not found", { status: 404 });
  return {
    reference: incident.reference,
    why: why ? { id: why.id, question: why.question, answer: why.answer, remediationHtml: why.remediationHtml } : null,
    values: {
      whyId: why ? String(why.id) : "",
      title: why ? firstParagraphText(why.remediationMd, 200) : "",
      descriptionMd: why?.remediationMd ?? "",
      ownerId: String(user.id),
      priority: "P2",
      dueDate: "",
      trackerUrl: "",
    },
    people: await ownerChoices(user, incident),
    today: await today(),
    dueHint: `Leave empty for the ${incident.severity} default: ${(await Promise.all(PRIORITIES.map(async (p) => `${p} by ${formatDate(await policyDueDate(incident.severity, p))}`))).join(", ")}.`,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, incident } = await requireIncidentRoute(request, params.ref);
  const values = formValues(await readForm(request));
  const parsed = validateForm(newActionInput, values);
  if (!parsed.ok) return formFailure(400, { target: "action", errors: parsed.errors, values });
  const { whyId, ...fields } = parsed.data;
  const pastDue = await pastDueRefusal(fields.dueDate, values.pastDue === "confirmed");
  if (pastDue) return formFailure(400, { target: "action", errors: { dueDate: [pastDue] }, values, confirm: "pastDue" });
  try {
    const created = await createAction(user, incident.id, whyId, fields);
    return redirectWithFlash(
      `/incidents/${incident.reference}#action-${created.id}`,
      `Action added for ${created.ownerName}, due ${formatDate(created.dueDate)}.`,
    );
  } catch (error) {
    return modelFailure(error, values, "action");
  }
}

export default function NewAction() {
  const { reference, why, values, people, dueHint, today } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>() as (FormState & { confirm?: string }) | undefined;
  const ref = useFocusFirstError<HTMLFormElement>(failure);
  const shown = failure?.values ?? values;
  return (
    <section className="panel" aria-labelledby="new-action-title">
      <h2 id="new-action-title">Add a follow-up action</h2>
      {why ? (
        <div className="callout">
          <p className="small">
            For the why <strong>{why.question}</strong> — {why.answer}
          </p>
          <div className="prose small" dangerouslySetInnerHTML={{ __html: why.remediationHtml }} />
        </div>
      ) : null}
      <Form method="post" ref={ref}>
        <FormError message={failure?.formError} />
        <input type="hidden" name="whyId" value={shown.whyId ?? ""} />
        <ActionFields values={shown} errors={failure?.errors ?? {}} people={people} dueHint={dueHint} pastDue={{ today, confirm: failure?.confirm === "pastDue" }} />
        <div className="form-actions">
          <SubmitButton pendingText="Adding…">Add action</SubmitButton>
          <Link to={`/incidents/${reference}${why ? `#why-${why.id}` : ""}`}>Cancel</Link>
        </div>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ActionFields } from "~/components/action-form";
import { ActionStatusBadge } from "~/components/actions";
import { SeverityBadge } from "~/components/badges";
import { ConflictNotice } from "~/components/conflict-notice";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormError, SubmitButton } from "~/components/form";
import { formKey, useFocusFirstError, type FormState } from "~/components/form-state";
import { formFailure, formValues, modelFailure, orErrorPage, readForm, safeRedirect, validateForm } from "~/lib/http.server";
import { redirectWithFlash, requireUser } from "~/lib/session.server";
import { formatDate, formatTime } from "~/lib/time";
import {
  ACTION_STATUS_LABELS,
  ACTION_TRANSITIONS,
  ACTION_TRANSITION_LABELS,
  isOverdue,
} from "~/models/action";
import { canChangeAction } from "~/models/authorization";
import { actionValues, changeActionStatus, getAction, today, updateAction } from "~/models/action.server";
import { labelsFor } from "~/models/incident";
import { ownerChoices } from "~/models/incident.server";
import { actionChange, actionStatusChange } from "~/models/inputs";
import { listWhys } from "~/models/why.server";
import { FIELD_LIMITS } from "~/models/limits";
import { MAX_ID } from "~/models/inputs";

/** The action's number in the address. */
const id = z.coerce.number().int().positive().max(MAX_ID);
const LABELS = labelsFor(["title", "descriptionMd", "ownerId", "dueDate", "priority", "trackerUrl"]);

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.action.title} · Hindsight` : "Action · Hindsight" }];

async function load(request: Request, param: string | undefined) {
  const user = await requireUser(request);
  const actionId = id.safeParse(param);
  if (!actionId.success) throw new Response("Not found", { status: 404 });
  return { user, ...(await orErrorPage(() => getAction(user, actionId.data))) };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, action, incident, completedByName } = await load(request, params.id);
  const why = action.whyId ? (await listWhys(incident.id)).find((w) => w.id === action.whyId) : undefined;
  const canChange = canChangeAction(user, incident, action);
  return {
    action: {
      ...action,
      due: formatDate(action.dueDate),
      overdue: isOverdue(action, await today()),
      completed: action.completedAt ? `${formatTime(action.completedAt)}${completedByName ? ` by ${completedByName}` : ""}` : null,
    },
    values: actionValues(action),
    incident: { reference: incident.reference, title: incident.title, severity: incident.severity },
    why: why ? { id: why.id, question: why.question, answer: why.answer } : null,
    canChange,
    people: canChange ? await ownerChoices(user, incident, action.ownerId) : [],
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, action } = await load(request, params.id);
  const values = formValues(await readForm(request));
  const back = safeRedirect(values.redirectTo, `/actions/${action.id}`);
  if (values.intent === "status") {
    const parsed = validateForm(actionStatusChange, values);
    if (!parsed.ok) return formFailure(400, { target: "status", errors: parsed.errors, values });
    try {
      const changed = await changeActionStatus(user, action.id, parsed.data.to, parsed.data.wontDoReason);
      return redirectWithFlash(back, `“${changed.title}” is now ${ACTION_STATUS_LABELS[changed.status].toLowerCase()}.`);
    } catch (error) {
      return modelFailure(error, values, "status");
    }
  }
  if (values.intent === "update") {
    const parsed = validateForm(actionChange, values);
    if (!parsed.ok) return formFailure(400, { target: "update", errors: parsed.errors, values });
    const { version, ...fields } = parsed.data;
    try {
      await updateAction(user, action.id, version, fields);
      return redirectWithFlash(`/actions/${action.id}`, "Action saved.");
    } catch (error) {
      return modelFailure(error, values, "update");
    }
  }
  throw new Response("Bad request", { status: 400 });
}

export default function ActionPage() {
  const { action, values, incident, why, canChange, people } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>() as FormState | undefined;
  const statusState = failure?.target === "status" ? failure : undefined;
  const updateState = failure?.target === "update" ? failure : undefined;
  const updateRef = useFocusFirstError<HTMLFormElement>(updateState);
  const statusRef = useFocusFirstError<HTMLDivElement>(statusState);
  return (
    <article aria-labelledby="action-title">
      <h1 id="action-title" className="incident-title">
        {action.title}
      </h1>
      <div className="incident-meta">
        <ActionStatusBadge status={action.status} overdue={action.overdue} />
        <span>{action.priority}</span>
        <span>Owner: {action.ownerName}</span>
        <span>Due {action.due}</span>
        {action.completed ? <span>{action.status === "done" ? "Done" : "Decided"} {action.completed}</span> : null}
      </div>

      <section className="panel section-gap" aria-labelledby="context-title">
        <h2 id="context-title">Why this action exists</h2>
        <p>
          <span className="ref">{incident.reference}</span> <Link to={`/incidents/${incident.reference}`}>{incident.title}</Link>{" "}
          <SeverityBadge severity={incident.severity} />
        </p>
        {why ? (
          <p>
            It carries out the remediation of the why <Link to={`/incidents/${incident.reference}#why-${why.id}`}>{why.question}</Link> —{" "}
            {why.answer}
          </p>
        ) : (
          <p className="muted">It is not linked to one why.</p>
        )}
        {action.descriptionHtml ? <div className="prose" dangerouslySetInnerHTML={{ __html: action.descriptionHtml }} /> : null}
        {action.trackerUrl ? (
          <p>
            Tracked in <a href={action.trackerUrl} rel="noopener noreferrer">{action.trackerUrl}</a>
          </p>
        ) : null}
        {action.status === "wont_do" ? (
          <p>
            <strong>Won't do:</strong> {action.wontDoReason}
          </p>
        ) : null}
      </section>

      {canChange ? (
        <section className="panel" aria-labelledby="status-title">
          <h2 id="status-title">Status</h2>
          <div ref={statusRef}>
            <FormError message={statusState?.formError} />
            <div className="form-actions">
              {ACTION_TRANSITIONS[action.status]
                .filter((to) => to !== "wont_do")
                .map((to) => (
                  <Form key={to} method="post">
                    <input type="hidden" name="intent" value="status" />
                    <SubmitButton name="to" value={to} intent="status" className="button button--quiet">
                      {ACTION_TRANSITION_LABELS[`${action.status}→${to}`]}
                    </SubmitButton>
                  </Form>
                ))}
            </div>
            {ACTION_TRANSITIONS[action.status].includes("wont_do") ? (
              <Form method="post" className="section-gap" key={formKey("wont-do", statusState)}>
                <input type="hidden" name="intent" value="status" />
                <input type="hidden" name="to" value="wont_do" />
                <Field label="Won't do, because" name="wontDoReason" error={statusState?.errors.wontDoReason} limit={FIELD_LIMITS.reason} hint="Required: say why, so others know it was decided, not forgotten.">
                  {(p) => <input {...p} type="text" defaultValue={statusState?.values.wontDoReason} />}
                </Field>
                <SubmitButton intent="status" className="button button--quiet">
                  Record won't do
                </SubmitButton>
              </Form>
            ) : null}
          </div>
        </section>
      ) : null}

      {canChange ? (
        <section className="panel" aria-labelledby="edit-title">
          <h2 id="edit-title">Edit</h2>
          <Form method="post" ref={updateRef} key={formKey(`update-${values.version}`, updateState)}>
            {updateState?.conflict ? <ConflictNotice stored={updateState.conflict} mine={updateState.values} labels={LABELS} /> : null}
            <FormError message={updateState?.formError} />
            <input type="hidden" name="version" value={updateState?.conflict?.version ?? values.version} />
            <ActionFields values={updateState?.values ?? values} errors={updateState?.errors ?? {}} people={people} dueHint="Leave empty to use the default for the priority." />
            <SubmitButton intent="update">{updateState?.conflict ? "Save my version" : "Save action"}</SubmitButton>
          </Form>
        </section>
      ) : (
        <p className="muted small">Only the owner, the incident's facilitator and admins can change this action.</p>
      )}
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

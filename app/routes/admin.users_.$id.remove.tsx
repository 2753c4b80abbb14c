import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ActionStatusBadge } from "~/components/actions";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormError, SubmitButton } from "~/components/form";
import { formFailure, formValues, readForm, statusOf, validateForm } from "~/lib/http.server";
import { redirectWithFlash, requireAdmin } from "~/lib/session.server";
import { formatDate } from "~/lib/time";
import { DomainError, NotFound } from "~/models/errors";
import { personRemoval } from "~/models/inputs";
import { removalOf, removePerson } from "~/models/person-removal.server";
import { MAX_ID } from "~/models/inputs";

// Removing someone is confirmed on a page of its own (it works without JavaScript), which lists
// the unfinished actions they own and offers to hand them to someone else.

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Remove ${data?.person.name ?? "a person"} · Hindsight` }];

function userIdOf(id: string | undefined): number {
  const userId = Number(id);
  if (!Number.isInteger(userId) || userId <= 0 || userId > MAX_ID) throw new Response("Not found", { status: 404 });
  return userId;
}

function notFoundOr(error: unknown): never {
  if (error instanceof NotFound) throw new Response("Not found", { status: 404 });
  throw error;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const userId = userIdOf(params.id);
  try {
    const { person, openActions, openCount, handOverTo } = await removalOf(admin, userId);
    return {
      person: { id: person.id, name: person.name, email: person.email },
      isMe: person.id === admin.id,
      openCount,
      openActions: openActions.map((a) => ({
        id: a.id,
        title: a.title,
        incidentReference: a.incidentReference,
        status: a.status,
        overdue: a.overdue,
        due: formatDate(a.dueDate),
      })),
      handOverTo,
    };
  } catch (error) {
    notFoundOr(error);
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const userId = userIdOf(params.id);
  const values = formValues(await readForm(request));
  const parsed = validateForm(personRemoval, values);
  if (!parsed.ok) return formFailure(400, { errors: { handTo: ["Choose someone from the list, or nobody."] }, values });
  try {
    const { name, handedOver, handedTo } = await removePerson(admin, userId, parsed.data.handTo);
    const handed = handedOver > 0 ? ` ${handedOver} unfinished ${handedOver === 1 ? "action is" : "actions are"} now ${handedTo}'s.` : "";
    return redirectWithFlash("/admin/users", `Removed ${name}: they are signed out and can no longer sign in.${handed}`);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error instanceof NotFound) throw new Response("Not found", { status: 404 });
    // Whatever stopped the handover (the new owner's place on a full incident, say) is about the choice of person.
    if (error.field) return formFailure(statusOf(error), { errors: { handTo: [error.message] }, values });
    return formFailure(statusOf(error), { errors: {}, formError: error.message, values });
  }
}

export default function RemovePerson() {
  const { person, isMe, openCount, openActions, handOverTo } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const chosen = failure?.values.handTo ?? "";
  return (
    <>
      <div className="page-header">
        <h1>Remove {person.name}?</h1>
        <p className="muted">{person.email}</p>
      </div>
      {isMe ? (
        <div className="panel">
          <p>You cannot remove yourself. Another admin can.</p>
          <Link to="/admin/users">Back to People</Link>
        </div>
      ) : (
        <section className="panel" aria-labelledby="remove-title">
          <h2 id="remove-title">What removing does</h2>
          <ul>
            <li>They are signed out everywhere at once, and can no longer sign in; their set-password and feed links stop working.</li>
            <li>Incident histories, publications and finished actions keep their name; where they still own work it reads “{person.name} (removed)”.</li>
            <li>Adding them again with the same email brings the account back, with a new set-password link.</li>
          </ul>
          <FormError message={failure?.formError} />
          <Form method="post">
            {openCount === 0 ? (
              <p>They own no unfinished follow-up actions.</p>
            ) : (
              <>
                <h3>
                  Their unfinished follow-up actions ({openCount.toLocaleString("en")})
                </h3>
                <ul className="removal-actions">
                  {openActions.map((a) => (
                    <li key={a.id}>
                      <Link to={`/actions/${a.id}`}>{a.title}</Link>{" "}
                      <span className="muted small">
                        {a.incidentReference} · due {a.due}
                      </span>{" "}
                      <ActionStatusBadge status={a.status} overdue={a.overdue} />
                    </li>
                  ))}
                </ul>
                {openCount > openActions.length ? (
                  <p className="small">
                    <Link to={`/actions/all?owner=${person.id}&status=unfinished`}>and {(openCount - openActions.length).toLocaleString("en")} more</Link>
                  </p>
                ) : null}
                <Field
                  label="Hand their unfinished actions to"
                  name="handTo"
                  error={failure?.errors.handTo}
                  hint="Each handover is recorded in the incident's history. On a restricted incident the new owner joins its people, so they can see what they owe."
                >
                  {(p) => (
                    <select {...p} defaultValue={chosen}>
                      <option value="">Nobody for now: keep them as {person.name} (removed)</option>
                      {handOverTo.map((u) => (
                        <option key={u.id} value={u.id}>
                          {u.name}
                          {u.team ? ` (${u.team})` : ""}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
              </>
            )}
            <div className="form-actions">
              <SubmitButton className="button button--danger" pendingText="Removing…">
                Remove <span className="user-text">{person.name}</span>
              </SubmitButton>
              <Link to="/admin/users">Cancel</Link>
            </div>
          </Form>
        </section>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

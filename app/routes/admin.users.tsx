import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, type HeadersFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CopyButton, Field, FormError, SubmitButton } from "~/components/form";
import { formFailure, formValues, modelFailure, readForm, validate } from "~/lib/http.server";
import { requireAdmin } from "~/lib/session.server";
import { FIELD_LIMITS } from "~/models/limits";
import { addAndInvite, reinvite } from "~/models/account-links.server";
import { listAccounts, updateUser } from "~/models/user.server";
import { newPersonInput, personInput } from "~/models/inputs";

const updateSchema = personInput.extend({ userId: z.coerce.number().int() });
const userIdSchema = z.object({ userId: z.coerce.number().int() });

// A new token (an invitation link) is shown once, in the answer to the post that made it: kept in no cache.
export const headers: HeadersFunction = () => ({ "Cache-Control": "private, no-store" });

export const meta: MetaFunction = () => [{ title: "People · Hindsight" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  return { users: await listAccounts(admin), me: admin.id };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const values = formValues(await readForm(request));
  const intent = values.intent;
  try {
    if (intent === "add") {
      const parsed = validate(newPersonInput, values);
      if (!parsed.ok) return formFailure(400, { target: intent, errors: parsed.errors, values });
      const { user, url, via } = await addAndInvite(admin, parsed.data);
      // The link is emailed, and shown once, in this response, for an admin whose mail does not reach the person.
      return data({ ok: true as const, intent, link: { name: user.name, email: user.email, url, via } });
    }
    if (intent === "update") {
      const parsed = validate(updateSchema, values);
      if (!parsed.ok) return formFailure(400, { target: intent, errors: parsed.errors, values });
      const { userId, ...rest } = parsed.data;
      const user = await updateUser(admin, userId, rest);
      return data({ ok: true as const, intent, message: `Saved ${user.name}.` });
    }
    const parsed = validate(userIdSchema, values);
    if (!parsed.ok) throw new Response("Bad request", { status: 400 });
    if (intent === "link") {
      const { user, url, via } = await reinvite(admin, parsed.data.userId);
      return data({ ok: true as const, intent, link: { name: user.name, email: user.email, url, via } });
    }
  } catch (error) {
    return modelFailure(error, values, intent);
  }
  throw new Response("Bad request", { status: 400 });
}

export default function People() {
  const { users, me } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failure = result && !result.ok ? result : undefined;
  const addFailure = failure?.target === "add" ? failure : undefined;
  const addValues: Record<string, string> = addFailure?.values ?? {};
  // A refused edit opens its person's form again, with what was typed and why it was refused.
  const updateFailure = failure?.target === "update" ? failure : undefined;
  const editing = (userId: number) => (updateFailure?.values.userId === String(userId) ? updateFailure : undefined);
  return (
    <>
      <div className="page-header">
        <h1>People</h1>
      </div>
      {result?.ok && "link" in result ? <InvitationSent key={result.link.url} {...result.link} /> : null}
      {result?.ok && "message" in result ? (
        <p className="flash" role="status">
          {result.message}
        </p>
      ) : null}
      {failure && failure.target !== "add" && failure.target !== "update" ? <FormError message={failure.formError ?? Object.values(failure.errors)[0]?.[0]} /> : null}

      <section className="panel" aria-labelledby="add-person">
        <h2 id="add-person">Add a person</h2>
        <FormError message={addFailure?.formError} />
        <Form method="post" key={result?.ok && "link" in result && result.intent === "add" ? result.link.url : "add"}>
          <div className="grid-2">
            <Field label="Name" name="name" error={addFailure?.errors.name} limit={FIELD_LIMITS.personName}>
              {(p) => <input {...p} type="text" required defaultValue={addValues.name} />}
            </Field>
            <Field label="Email" name="email" error={addFailure?.errors.email}>
              {(p) => <input {...p} type="email" required defaultValue={addValues.email} />}
            </Field>
            <Field label="Team" name="team" error={addFailure?.errors.team} limit={FIELD_LIMITS.team}>
              {(p) => <input {...p} type="text" defaultValue={addValues.team} />}
            </Field>
            <Field label="Role" name="role" error={addFailure?.errors.role}>
              {(p) => (
                <select {...p} defaultValue={addValues.role ?? "member"}>
                  <option value="member">Member</option>
                  <option value="admin">Admin</option>
                </select>
              )}
            </Field>
          </div>
          <SubmitButton intent="add" pendingText="Adding…">
            Add and invite by email
          </SubmitButton>
        </Form>
      </section>

      <section aria-labelledby="everyone">
        <h2 id="everyone">Everyone ({users.length})</h2>
        <div className="table-wrap">
          <table className="list list--stack">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Team</th>
                <th scope="col">Role</th>
                <th scope="col">Manage</th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr key={user.id}>
                  <td>
                    {user.name}
                    {user.hasPassword ? null : <div className="muted small">Has not set a password yet</div>}
                  </td>
                  <td data-label="Email">{user.email}</td>
                  <td data-label="Team">{user.team}</td>
                  <td data-label="Role">{user.role === "admin" ? "Admin" : "Member"}</td>
                  <td data-label="Manage">
                    <details className="disclosure" open={editing(user.id) ? true : undefined}>
                      <summary>Edit {user.name}</summary>
                      <Form method="post">
                        <FormError message={editing(user.id)?.formError} />
                        <input type="hidden" name="userId" value={user.id} />
                        <Field label="Name" name="name" error={editing(user.id)?.errors.name} limit={FIELD_LIMITS.personName}>
                          {(p) => <input {...p} type="text" required defaultValue={editing(user.id)?.values.name ?? user.name} />}
                        </Field>
                        <Field label="Team" name="team" error={editing(user.id)?.errors.team} limit={FIELD_LIMITS.team}>
                          {(p) => <input {...p} type="text" defaultValue={editing(user.id)?.values.team ?? user.team} />}
                        </Field>
                        <Field label="Role" name="role" error={editing(user.id)?.errors.role}>
                          {(p) => (
                            <select {...p} defaultValue={editing(user.id)?.values.role ?? user.role}>
                              <option value="member">Member</option>
                              <option value="admin">Admin</option>
                            </select>
                          )}
                        </Field>
                        <SubmitButton intent="update" match={{ userId: String(user.id) }} className="button button--small">
                          Save
                        </SubmitButton>
                      </Form>
                      <Form method="post" className="form-actions">
                        <input type="hidden" name="userId" value={user.id} />
                        <SubmitButton intent="link" match={{ userId: String(user.id) }} className="button button--quiet button--small" pendingText="Creating…">
                          Invite again by email
                        </SubmitButton>
                      </Form>
                      {user.id !== me ? (
                        <p className="form-actions">
                          <Link to={`/admin/users/${user.id}/remove`} className="button button--danger button--small">
                            Remove <span className="user-text">{user.name}</span>…
                          </Link>
                          <span className="muted small">Asks first, and offers to hand over their unfinished actions.</span>
                        </p>
                      ) : null}
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

/** What an invitation sent: the email, and the link once, to copy when the email does not arrive. */
function InvitationSent({ name, email, url, via }: { name: string; email: string; url: string; via: "password-link" | "provider" }) {
  if (via === "provider") {
    return (
      <div className="callout" role="status">
        <p>
          We emailed an invitation to <strong>{name}</strong> at {email}. They sign in with the identity provider, from the sign-in page: no password
          link is needed.
        </p>
        <p className="copy-line">
          <code className="one-time-link">{url}</code> <CopyButton text={url} />
        </p>
      </div>
    );
  }
  return (
    <div className="callout" role="status">
      <p>
        We emailed an invitation to <strong>{name}</strong> at {email}. If it does not reach them, give them this link yourself: it works once and is not
        shown again. A newer invitation to {name} replaces it.
      </p>
      <p className="copy-line">
        <code className="one-time-link">{url}</code> <CopyButton text={url} />
      </p>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

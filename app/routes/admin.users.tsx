import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormError, SubmitButton } from "~/components/form";
import { env } from "~/lib/env.server";
import { formFailure, formValues, modelFailure, readForm, validate } from "~/lib/http.server";
import { requireAdmin } from "~/lib/session.server";
import { FIELD_LIMITS } from "~/models/limits";
import { addUser, issuePasswordToken, listUsers, updateUser } from "~/models/user.server";
import { lineField } from "~/models/inputs";

const role = z.enum(["admin", "member"], { message: "Choose a role." });
const person = {
  name: lineField(FIELD_LIMITS.personName, "Enter a name."),
  team: (lineField(FIELD_LIMITS.team)).default(""),
  role,
};
const addSchema = z.object({ ...person, email: z.string().trim().email("Enter an email address like name@company.com.") });
const updateSchema = z.object({ ...person, userId: z.coerce.number().int() });
const userIdSchema = z.object({ userId: z.coerce.number().int() });

export const meta: MetaFunction = () => [{ title: "People · Hindsight" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  return { users: await listUsers(), me: admin.id };
}

function linkFor(token: string) {
  return `${env().APP_URL}/set-password/${token}`;
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const values = formValues(await readForm(request));
  const intent = values.intent;
  try {
    if (intent === "add") {
      const parsed = validate(addSchema, values);
      if (!parsed.ok) return formFailure(400, { target: intent, errors: parsed.errors, values });
      const { user, token } = await addUser(admin, parsed.data);
      // The link is shown once, in this response, and never stored anywhere readable.
      return data({ ok: true as const, intent, link: { name: user.name, url: linkFor(token) } });
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
      const user = (await listUsers()).find((u) => u.id === parsed.data.userId);
      if (!user) throw new Response("Not found", { status: 404 });
      return data({ ok: true as const, intent, link: { name: user.name, url: linkFor(await issuePasswordToken(admin, user.id)) } });
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
      {result?.ok && "link" in result ? (
        <div className="callout" role="status">
          <p>
            Give this one-time link to <strong>{result.link.name}</strong> so they can choose a password. It works once and
            expires in 7 days; it is not shown again.
          </p>
          <code className="one-time-link">{result.link.url}</code>
        </div>
      ) : null}
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
            Add and get a set-password link
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
                          New set-password link
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

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

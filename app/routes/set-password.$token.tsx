import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Field, FormError, SubmitButton } from "~/components/form";
import { formFailure, formValues, modelFailure, readForm, validate } from "~/lib/http.server";
import { startSession } from "~/lib/session.server";
import { FIELD_LIMITS, tooLongMessage } from "~/models/limits";
import { findPasswordToken, setPasswordWithToken } from "~/models/user.server";

const schema = z
  .object({
    password: z.string().min(10, "Use at least 10 characters.").max(FIELD_LIMITS.password, tooLongMessage(FIELD_LIMITS.password)),
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The two passwords are not the same." });

export const meta: MetaFunction = () => [{ title: "Choose a password · Hindsight" }, { name: "referrer", content: "no-referrer" }];

export async function loader({ params }: LoaderFunctionArgs) {
  const user = await findPasswordToken(params.token ?? "");
  if (!user) throw new Response("Not found", { status: 404 });
  return { name: user.name, email: user.email };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const parsed = validate(schema, formValues(await readForm(request)));
  if (!parsed.ok) return formFailure(400, { errors: parsed.errors, values: {} });
  try {
    const user = await setPasswordWithToken(params.token ?? "", parsed.data.password);
    return startSession(request, user.id, "/incidents", `Welcome to Hindsight, ${user.name}.`);
  } catch (error) {
    return modelFailure(error, {});
  }
}

export default function SetPassword() {
  const user = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const errors = failure?.errors ?? {};
  return (
    <div className="narrow panel">
      <h1>Choose your password</h1>
      <p>
        Hello {user.name}. Choose a password for <strong>{user.email}</strong>. This link works once.
      </p>
      <FormError message={failure?.formError} />
      <Form method="post">
        <input type="hidden" name="username" autoComplete="username" value={user.email} />
        <Field label="New password" name="password" hint="At least 10 characters." error={errors.password}>
          {(p) => <input {...p} type="password" autoComplete="new-password" required minLength={10} />}
        </Field>
        <Field label="The same password again" name="confirm" error={errors.confirm}>
          {(p) => <input {...p} type="password" autoComplete="new-password" required />}
        </Field>
        <SubmitButton>Set password and sign in</SubmitButton>
      </Form>
    </div>
  );
}

import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { Field, FormError, SubmitButton } from "~/components/form";
import { formFailure, formValues, readForm, safeRedirect, validate } from "~/lib/http.server";
import { getUser, isKnownDevice, startSession } from "~/lib/session.server";
import { countUsers, signIn } from "~/models/user.server";

const schema = z.object({
  email: z.string().trim().min(1, "Enter your email address."),
  password: z.string().min(1, "Enter your password."),
  redirectTo: z.string().optional(),
});

export const meta: MetaFunction = () => [{ title: "Sign in · Hindsight" }];

export async function loader({ request }: LoaderFunctionArgs) {
  if (await countUsers() === 0) throw redirect("/setup");
  if (await getUser(request)) throw redirect("/incidents");
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const values = formValues(await readForm(request));
  const kept = { email: values.email ?? "", redirectTo: values.redirectTo ?? "" };
  const parsed = validate(schema, values);
  if (!parsed.ok) return formFailure(400, { errors: parsed.errors, values: kept });
  const { email, password, redirectTo } = parsed.data;
  const result = await signIn(email, password, { address: context.clientAddress, knownDevice: await isKnownDevice(request, email) });
  if (result.ok) {
    return startSession(request, result.user.id, safeRedirect(redirectTo, "/"));
  }
  if (result.reason === "throttled") {
    return formFailure(429, {
      errors: {},
      formError: `Too many failed sign-ins. Wait ${result.retryAfterSeconds} seconds, then try again.`,
      values: kept,
    });
  }
  return formFailure(400, { errors: {}, formError: "That email and password do not match an account.", values: kept });
}

export default function SignIn() {
  const failure = useActionData<typeof action>();
  const [params] = useSearchParams();
  const values = failure?.values;
  const errors = failure?.errors ?? {};
  return (
    <div className="narrow panel">
      <h1>Sign in to Hindsight</h1>
      <FormError message={failure?.formError} />
      <Form method="post">
        <input type="hidden" name="redirectTo" value={values?.redirectTo ?? params.get("redirectTo") ?? ""} />
        <Field label="Email" name="email" error={errors.email}>
          {(p) => <input {...p} type="email" autoComplete="username" required defaultValue={values?.email} autoFocus />}
        </Field>
        <Field label="Password" name="password" error={errors.password}>
          {(p) => <input {...p} type="password" autoComplete="current-password" required />}
        </Field>
        <SubmitButton pendingText="Signing in…">Sign in</SubmitButton>
      </Form>
      <p className="muted small">No account yet? Ask a Hindsight admin to add you; they will give you a link to choose a password.</p>
    </div>
  );
}

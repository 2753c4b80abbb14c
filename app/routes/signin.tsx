import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { Field, FormError, SubmitButton } from "~/components/form";
import { formFailure, formValues, readForm, safeRedirect, validate } from "~/lib/http.server";
import { getUser, isKnownDevice, startSession } from "~/lib/session.server";
import { passwordSignInFor, signInOptions } from "~/models/sign-in-policy.server";
import { FIELD_LIMITS, tooLongMessage } from "~/models/limits";
import { countUsers, signIn } from "~/models/user.server";

const schema = z.object({
  email: z.string().trim().min(1, "Enter your email address.").max(320, "That is too long for an email address."),
  password: z.string().min(1, "Enter your password.").max(FIELD_LIMITS.password, tooLongMessage(FIELD_LIMITS.password)),
  redirectTo: z.string().optional(),
});

export const meta: MetaFunction = () => [{ title: "Sign in · Hindsight" }];

export async function loader({ request }: LoaderFunctionArgs) {
  if (await countUsers() === 0) throw redirect("/setup");
  if (await getUser(request)) throw redirect("/incidents");
  return await signInOptions();
}

export async function action({ request, context }: ActionFunctionArgs) {
  const values = formValues(await readForm(request));
  const kept = { email: values.email ?? "", redirectTo: values.redirectTo ?? "" };
  const parsed = validate(schema, values);
  if (!parsed.ok) return formFailure(400, { errors: parsed.errors, values: kept });
  const { email, password, redirectTo } = parsed.data;
  const result = await signIn(email, password, { address: context.clientAddress, knownDevice: await isKnownDevice(request, email) });
  const { provider, passwords } = await signInOptions();
  // With passwords for admins only, a member's right password is answered as a wrong one: the
  // answer must not tell a guesser they found it.
  const refused = passwords === "admins" ? `That email and password do not match an administrator's account. Members sign in with ${provider}.` : "That email and password do not match an account.";
  if (result.ok) {
    if (!(await passwordSignInFor(result.user.role))) return formFailure(400, { errors: {}, formError: refused, values: kept });
    return startSession(request, result.user.id, { method: "password", address: context.clientAddress }, safeRedirect(redirectTo, "/"));
  }
  if (result.reason === "throttled") {
    return formFailure(429, {
      errors: {},
      formError: `Too many failed sign-ins. Wait ${result.retryAfterSeconds} seconds, then try again.`,
      values: kept,
    });
  }
  return formFailure(400, { errors: {}, formError: refused, values: kept });
}

export default function SignIn() {
  const { provider, passwords } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const [params] = useSearchParams();
  const values = failure?.values;
  const errors = failure?.errors ?? {};
  const redirectTo = values?.redirectTo ?? params.get("redirectTo") ?? "";
  const passwordForm = (
    <>
      <FormError message={failure?.formError} />
      <Form method="post">
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <Field label="Email" name="email" error={errors.email}>
          {(p) => <input {...p} type="email" autoComplete="username" required defaultValue={values?.email} autoFocus={!provider} />}
        </Field>
        <Field label="Password" name="password" error={errors.password}>
          {(p) => <input {...p} type="password" autoComplete="current-password" required />}
        </Field>
        <SubmitButton pendingText="Signing in…">Sign in</SubmitButton>
      </Form>
      <p className="small">
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
    </>
  );
  return (
    <div className="narrow panel">
      <h1>Sign in to Hindsight</h1>
      {provider ? (
        <>
          {/* A plain link: the provider's page is a navigation away, with or without JavaScript. */}
          <p>
            <a className="button button--wide" href={`/signin/sso${redirectTo ? `?redirectTo=${encodeURIComponent(redirectTo)}` : ""}`}>
              Sign in with {provider}
            </a>
          </p>
          {passwords === "everyone" ? (
            <>
              <p className="muted small or-line">or with your Hindsight password</p>
              {passwordForm}
            </>
          ) : (
            <details className="disclosure" open={failure ? true : undefined}>
              <summary>Administrators: sign in with a password</summary>
              <p className="muted small">For when {provider} is down. Members sign in with {provider}.</p>
              {passwordForm}
            </details>
          )}
        </>
      ) : (
        passwordForm
      )}
      <p className="muted small">No account yet? Ask a Hindsight admin to add you: you will get an email to choose a password{provider ? `, or sign in with ${provider}` : ""}.</p>
    </div>
  );
}

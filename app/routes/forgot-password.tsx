import { data, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { z } from "zod";
import { Field, FormError, SubmitButton } from "~/components/form";
import { formFailure, formValues, readForm, validate } from "~/lib/http.server";
import { RESET_MINUTES, requestPasswordReset } from "~/models/account-links.server";

const schema = z.object({ email: z.string().trim().max(320, "That is too long for an email address.").email("Enter an email address like name@company.com.") });

export const meta: MetaFunction = () => [{ title: "Forgot your password · Hindsight" }];

export async function action({ request, context }: ActionFunctionArgs) {
  const values = formValues(await readForm(request));
  const parsed = validate(schema, values);
  if (!parsed.ok) return formFailure(400, { errors: parsed.errors, values: { email: values.email ?? "" } });
  const result = await requestPasswordReset(parsed.data.email, { address: context.clientAddress });
  if (!result.ok) {
    return formFailure(429, { errors: {}, formError: `Too many requests for a link. Wait ${result.retryAfterSeconds} seconds, then try again.`, values: { email: parsed.data.email } });
  }
  // The same answer whether an account has this address or not.
  return data({ ok: true as const, email: parsed.data.email, minutes: RESET_MINUTES });
}

export default function ForgotPassword() {
  const result = useActionData<typeof action>();
  if (result?.ok) {
    return (
      <div className="narrow panel">
        <h1>Check your email</h1>
        <p role="status">
          If a Hindsight account uses <strong>{result.email}</strong>, we have emailed it a link to choose a new password. The link works once, within{" "}
          {result.minutes} minutes.
        </p>
        <p className="muted small">Nothing after a few minutes? Check the address and your spam folder, or ask a Hindsight admin.</p>
        <p>
          <Link to="/signin">Back to sign in</Link>
        </p>
      </div>
    );
  }
  const failure = result && !result.ok ? result : undefined;
  return (
    <div className="narrow panel">
      <h1>Forgot your password?</h1>
      <p>Enter your email address: we will send you a link to choose a new one.</p>
      <FormError message={failure?.formError} />
      <Form method="post">
        <Field label="Email" name="email" error={failure?.errors.email}>
          {(p) => <input {...p} type="email" autoComplete="username" required defaultValue={failure?.values.email} autoFocus />}
        </Field>
        <SubmitButton pendingText="Sending…">Email me a link</SubmitButton>
      </Form>
      <p className="small">
        <Link to="/signin">Back to sign in</Link>
      </p>
    </div>
  );
}

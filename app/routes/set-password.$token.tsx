import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Field, FormError, SubmitButton } from "~/components/form";
import { formFailure, formValues, modelFailure, readForm, validate } from "~/lib/http.server";
import { startSession } from "~/lib/session.server";
import { FIELD_LIMITS, tooLongMessage } from "~/models/limits";
import { findPasswordLink, setPasswordWithLink } from "~/models/account-links.server";
import { NotFound } from "~/models/errors";

const schema = z
  .object({
    password: z.string().min(10, "Use at least 10 characters.").max(FIELD_LIMITS.password, tooLongMessage(FIELD_LIMITS.password)),
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The two passwords are not the same." });

export const meta: MetaFunction = () => [{ title: "Choose a password · Hindsight" }, { name: "referrer", content: "no-referrer" }];

export async function loader({ params }: LoaderFunctionArgs) {
  const person = await findPasswordLink(params.token ?? "");
  // An unknown, used or expired link reads the same: a page that says so and offers a new one.
  if (!person) return data({ valid: false as const }, { status: 404 });
  return { valid: true as const, name: person.name, email: person.email, purpose: person.purpose };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const parsed = validate(schema, formValues(await readForm(request)));
  if (!parsed.ok) return formFailure(400, { errors: parsed.errors, values: {} });
  try {
    const user = await setPasswordWithLink(params.token ?? "", parsed.data.password);
    return startSession(request, user.id, { method: "link", address: context.clientAddress }, "/incidents", `Your password is set. Welcome to Hindsight, ${user.name}.`);
  } catch (error) {
    // Used or expired since the page was opened: the same page as for a link opened too late.
    if (error instanceof NotFound) return data({ expired: true as const }, { status: 404 });
    return modelFailure(error, {});
  }
}

export default function SetPassword() {
  const link = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failure = result && "errors" in result ? result : undefined;
  const errors = failure?.errors ?? {};
  if (!link.valid || (result && "expired" in result)) {
    return (
      <div className="narrow panel">
        <h1>This link no longer works</h1>
        <p>Links to choose a password work once, and only for a while: this one was used already, has expired, or was replaced by a newer one.</p>
        <p>
          <Link to="/forgot-password">Ask for a new link by email</Link>, or ask a Hindsight admin to invite you again.
        </p>
      </div>
    );
  }
  return (
    <div className="narrow panel">
      <h1>{link.purpose === "reset" ? "Choose a new password" : "Choose your password"}</h1>
      <p>
        Hello {link.name}. Choose a password for <strong>{link.email}</strong>. This link works once
        {link.purpose === "reset" ? "; your other sessions end when you save." : "."}
      </p>
      <FormError message={failure?.formError} />
      <Form method="post">
        <input type="hidden" name="username" autoComplete="username" value={link.email} />
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

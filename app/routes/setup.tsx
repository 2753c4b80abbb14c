import { redirect, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { z } from "zod";
import { Field, FormError, SubmitButton } from "~/components/form";
import { formFailure, formValues, modelFailure, readForm, validate } from "~/lib/http.server";
import { startSession } from "~/lib/session.server";
import { FIELD_LIMITS, tooLongMessage } from "~/models/limits";
import { countUsers, createFirstAdmin } from "~/models/user.server";
import { lineField } from "~/models/inputs";

const schema = z.object({
  name: lineField(FIELD_LIMITS.personName, "Enter your name."),
  email: z.string().trim().email("Enter an email address like name@company.com."),
  team: (lineField(FIELD_LIMITS.team)).default(""),
  password: z.string().min(10, "Use at least 10 characters.").max(FIELD_LIMITS.password, tooLongMessage(FIELD_LIMITS.password)),
});

export const meta: MetaFunction = () => [{ title: "Set up Hindsight" }];

export async function loader() {
  if (await countUsers() > 0) throw redirect("/signin");
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const values = formValues(await readForm(request));
  const parsed = validate(schema, values);
  const { password: _password, ...kept } = values;
  if (!parsed.ok) return formFailure(400, { errors: parsed.errors, values: kept });
  try {
    const admin = await createFirstAdmin(parsed.data);
    return startSession(request, admin.id, { method: "password", address: context.clientAddress }, "/incidents", `Welcome, ${admin.name}. You are Hindsight's first admin.`);
  } catch (error) {
    return modelFailure(error, kept);
  }
}

export default function Setup() {
  const failure = useActionData<typeof action>();
  const values = failure?.values ?? {};
  const errors = failure?.errors ?? {};
  return (
    <div className="narrow panel">
      <h1>Create the first account</h1>
      <p className="muted">
        Hindsight has no accounts yet. The first account is an administrator, who can then add everyone else.
      </p>
      <FormError message={failure?.formError} />
      <Form method="post" noValidate={false}>
        <Field label="Your name" name="name" error={errors.name} limit={FIELD_LIMITS.personName}>
          {(p) => <input {...p} type="text" autoComplete="name" required defaultValue={values.name} />}
        </Field>
        <Field label="Email" name="email" error={errors.email}>
          {(p) => <input {...p} type="email" autoComplete="email" required defaultValue={values.email} />}
        </Field>
        <Field label="Team" name="team" hint="Optional, e.g. SRE or Platform." error={errors.team} limit={FIELD_LIMITS.team}>
          {(p) => <input {...p} type="text" defaultValue={values.team} />}
        </Field>
        <Field label="Password" name="password" hint="At least 10 characters." error={errors.password}>
          {(p) => <input {...p} type="password" autoComplete="new-password" required minLength={10} />}
        </Field>
        <SubmitButton pendingText="Creating…">Create the admin account</SubmitButton>
      </Form>
    </div>
  );
}

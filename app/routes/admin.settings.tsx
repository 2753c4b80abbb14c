import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormError, SubmitButton } from "~/components/form";
import { formFailure, formValues, modelFailure, validate } from "~/lib/http.server";
import { redirectWithFlash, requireAdmin } from "~/lib/session.server";
import { isValidTimeZone } from "~/lib/time";
import { PRIORITIES, type DuePolicy } from "~/models/action";
import { SEVERITIES, SEVERITY_DEFINITIONS } from "~/models/incident";
import { getSettings, updateSettings } from "~/models/settings.server";

const days = z.coerce.number({ message: "Enter a number of days." }).int("Whole days.").min(1, "At least 1 day.").max(365, "At most 365 days.");
const schema = z.object({
  ...Object.fromEntries(SEVERITIES.flatMap((s) => PRIORITIES.map((p) => [`${s}-${p}`, days]))),
  reminderHour: z.coerce.number({ message: "Enter an hour from 0 to 23." }).int().min(0, "From 0 to 23.").max(23, "From 0 to 23."),
  timeZone: z.string().trim().refine(isValidTimeZone, "Enter a time zone like Europe/Berlin or America/New_York."),
});

export const meta: MetaFunction = () => [{ title: "Settings · Hindsight" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const settings = getSettings();
  const values: Record<string, string> = { reminderHour: String(settings.reminderHour), timeZone: settings.timeZone };
  for (const s of SEVERITIES) for (const p of PRIORITIES) values[`${s}-${p}`] = String(settings.duePolicy[s][p]);
  return { values };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const values = formValues(await request.formData());
  const parsed = validate(schema, values);
  if (!parsed.ok) return formFailure(400, { errors: parsed.errors, values });
  const data = parsed.data as Record<string, number | string>;
  const duePolicy = Object.fromEntries(SEVERITIES.map((s) => [s, Object.fromEntries(PRIORITIES.map((p) => [p, data[`${s}-${p}`]]))])) as DuePolicy;
  try {
    updateSettings(admin, { duePolicy, reminderHour: Number(data.reminderHour), timeZone: String(data.timeZone) });
    return redirectWithFlash("/admin/settings", "Settings saved.");
  } catch (error) {
    return modelFailure(error, values);
  }
}

export default function Settings() {
  const { values: saved } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const values: Record<string, string> = failure?.values ?? saved;
  const errors = failure?.errors ?? {};
  return (
    <>
      <div className="page-header">
        <h1>Settings</h1>
      </div>
      <Form method="post">
        <FormError message={failure?.formError ?? (Object.keys(errors).length > 0 ? "Some fields need attention; see below." : undefined)} />
        <section className="panel" aria-labelledby="policy-title">
          <h2 id="policy-title">Due dates of follow-up actions</h2>
          <p className="muted small">
            Days from when an action is created to its default due date, by the incident's severity and the action's
            priority. Whoever adds an action can still choose another date.
          </p>
          <div className="table-wrap">
            <table className="list policy">
              <caption className="visually-hidden">Default days until due</caption>
              <thead>
                <tr>
                  <th scope="col">Severity</th>
                  {PRIORITIES.map((p) => (
                    <th key={p} scope="col">
                      {p}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {SEVERITIES.map((s) => (
                  <tr key={s}>
                    <th scope="row" title={SEVERITY_DEFINITIONS[s]}>
                      {s}
                    </th>
                    {PRIORITIES.map((p) => (
                      <td key={p}>
                        <Field label={`${s} ${p}, days`} name={`${s}-${p}`} error={errors[`${s}-${p}`]} className="field--compact">
                          {(props) => <input {...props} type="number" min={1} max={365} required defaultValue={values[`${s}-${p}`]} />}
                        </Field>
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <section className="panel" aria-labelledby="reminders-title">
          <h2 id="reminders-title">Daily reminders</h2>
          <p className="muted small">
            Once a day each owner gets one email listing their actions that are overdue or due within two days. The time
            zone also decides what "today" and "overdue" mean.
          </p>
          <div className="grid-2">
            <Field label="Hour of the day (0–23)" name="reminderHour" error={errors.reminderHour}>
              {(p) => <input {...p} type="number" min={0} max={23} required defaultValue={values.reminderHour} />}
            </Field>
            <Field label="Time zone" name="timeZone" error={errors.timeZone} hint="An IANA name, e.g. Europe/Berlin.">
              {(p) => <input {...p} type="text" required defaultValue={values.timeZone} />}
            </Field>
          </div>
        </section>
        <SubmitButton>Save settings</SubmitButton>
      </Form>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

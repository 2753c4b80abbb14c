import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormError, SubmitButton } from "~/components/form";
import { formFailure, formValues, modelFailure, readForm } from "~/lib/http.server";
import { redirectWithFlash, requireAdmin } from "~/lib/session.server";
import { PRIORITIES } from "~/models/action";
import { SEVERITIES, SEVERITY_DEFINITIONS } from "~/models/incident";
import { settingsInput } from "~/models/inputs";
import { settingsFor, updateSettings } from "~/models/settings.server";

/** The page's fields as the settings' input: the due-date table's cells by severity and priority, the recipients as a list. */
function settingsFromForm(values: Record<string, string>) {
  const number = (text: string | undefined) => (text === undefined || text.trim() === "" ? undefined : Number.isFinite(Number(text)) ? Number(text) : text);
  return {
    duePolicy: Object.fromEntries(SEVERITIES.map((s) => [s, Object.fromEntries(PRIORITIES.map((p) => [p, number(values[`${s}-${p}`])]))])),
    reminderHour: number(values.reminderHour),
    timeZone: values.timeZone,
    digestTo: (values.digestTo ?? "").split(/[\s,;]+/).filter(Boolean),
    digestWhenEmpty: values.digestWhenEmpty,
    digestDay: number(values.digestDay),
    digestHour: number(values.digestHour),
  };
}

/** Each refusal under the page's field: a cell of the due-date table is named "SEV1-P1". */
function fieldErrors(error: z.ZodError): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const [first, severity, priority] = issue.path.map(String);
    const field = first === "duePolicy" ? `${severity}-${priority}` : first;
    (errors[field] ??= []).push(issue.message);
  }
  return errors;
}

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

export const meta: MetaFunction = () => [{ title: "Settings · Hindsight" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const { settings, environment } = await settingsFor(admin);
  const values: Record<string, string> = {
    reminderHour: String(settings.reminderHour),
    timeZone: settings.timeZone,
    digestTo: settings.digestTo.join(", "),
    digestWhenEmpty: settings.digestWhenEmpty,
    digestDay: String(settings.digestDay),
    digestHour: String(settings.digestHour),
  };
  for (const s of SEVERITIES) for (const p of PRIORITIES) values[`${s}-${p}`] = String(settings.duePolicy[s][p]);
  return { values, envRecipients: environment.digestTo.join(", ") };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const values = formValues(await readForm(request));
  const parsed = settingsInput.safeParse(settingsFromForm(values));
  if (!parsed.success) return formFailure(400, { errors: fieldErrors(parsed.error), values });
  try {
    await updateSettings(admin, parsed.data);
    return redirectWithFlash("/admin/settings", "Settings saved.");
  } catch (error) {
    return modelFailure(error, values);
  }
}

export default function Settings() {
  const { values: saved, envRecipients } = useLoaderData<typeof loader>();
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
        <section className="panel" aria-labelledby="digest-title" id="digest">
          <h2 id="digest-title">Weekly digest</h2>
          <p className="muted small">
            Once a week the company's mailing lists get an email of what was learned since the last digest: new post-mortems,
            completed actions, overdue actions by team, the most frequent causes. Restricted incidents never go to a list;
            people who subscribe on their account page get the ones they may see. <a href="/digest">Preview it</a>.
          </p>
          <Field
            label="Recipients"
            name="digestTo"
            error={errors.digestTo}
            hint={
              envRecipients
                ? `Mailing-list addresses, comma-separated. When empty, the digest goes to DIGEST_TO: ${envRecipients}. To stop it for the lists, empty both.`
                : "Mailing-list addresses, comma-separated, e.g. everyone@company.com. When empty, only people who subscribe get the digest."
            }
          >
            {(p) => <input {...p} type="text" defaultValue={values.digestTo} />}
          </Field>
          <div className="grid-3">
            <Field label="Day" name="digestDay" error={errors.digestDay}>
              {(p) => (
                <select {...p} defaultValue={values.digestDay}>
                  {WEEKDAYS.map((day, i) => (
                    <option key={day} value={i + 1}>
                      {day}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Hour (0–23)" name="digestHour" error={errors.digestHour}>
              {(p) => <input {...p} type="number" min={0} max={23} required defaultValue={values.digestHour} />}
            </Field>
          </div>
          <fieldset>
            <legend>A week without new post-mortems</legend>
            <div className="choices">
              <label>
                <input type="radio" name="digestWhenEmpty" value="note" defaultChecked={values.digestWhenEmpty !== "skip"} /> Send a short
                note (with completed and overdue actions)
              </label>
              <label>
                <input type="radio" name="digestWhenEmpty" value="skip" defaultChecked={values.digestWhenEmpty === "skip"} /> Send nothing
              </label>
            </div>
          </fieldset>
        </section>
        <SubmitButton>Save settings</SubmitButton>
      </Form>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CopyButton, Field, FormError, SubmitButton } from "~/components/form";
import { env } from "~/lib/env.server";
import { formFailure, formValues, modelFailure, readForm, validate } from "~/lib/http.server";
import { callbackUrl, providerProblem } from "~/lib/oidc.server";
import { redirectWithFlash, requireAdmin } from "~/lib/session.server";
import { signInSettingsInput } from "~/models/inputs";
import { getSettings } from "~/models/settings.server";
import { providerConfigured, setSignInSettings } from "~/models/sign-in-policy.server";

export const meta: MetaFunction = () => [{ title: "Sign-in · Hindsight" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const settings = await getSettings();
  const configured = providerConfigured();
  return {
    configured,
    issuer: env().OIDC_ISSUER ?? null,
    clientId: env().OIDC_CLIENT_ID ?? null,
    scopes: env().OIDC_SCOPES,
    groupsClaim: env().OIDC_GROUPS_CLAIM,
    redirectUrl: callbackUrl(),
    problem: configured ? await providerProblem() : null,
    values: {
      providerName: settings.providerName,
      providerDomains: settings.providerDomains.join(", "),
      providerAdminGroups: settings.providerAdminGroups.join("\n"),
      passwordSignIn: settings.passwordSignIn,
    },
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const values = formValues(await readForm(request));
  const parsed = validate(signInSettingsInput, values);
  if (!parsed.ok) return formFailure(400, { errors: parsed.errors, values });
  try {
    const ended = await setSignInSettings(admin, parsed.data);
    return redirectWithFlash("/admin/sign-in", `Sign-in settings saved.${ended > 0 ? ` Members were signed out of ${ended} ${ended === 1 ? "session" : "sessions"} begun with a password.` : ""}`);
  } catch (error) {
    return modelFailure(error, values);
  }
}

export default function SignInSettings() {
  const { configured, issuer, clientId, scopes, groupsClaim, redirectUrl, problem, values: stored } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const values = failure?.values ?? stored;
  const errors = failure?.errors ?? {};
  return (
    <>
      <div className="page-header">
        <h1>Sign-in</h1>
        <p className="muted">How people sign in: with the company's identity provider (OpenID Connect), with a Hindsight password, or both.</p>
      </div>

      <section className="panel" aria-labelledby="provider-title">
        <h2 id="provider-title">Identity provider</h2>
        <p>Register Hindsight with your provider as a web application (authorization code flow) with this redirect URL:</p>
        <p className="copy-line">
          <code>{redirectUrl}</code> <CopyButton text={redirectUrl} label="Copy URL" />
        </p>
        {configured ? (
          <>
            <dl className="facts">
              {[
                ["Issuer", issuer],
                ["Client ID", clientId],
                ["Scopes asked for", scopes],
                ["Groups claim", groupsClaim],
              ].map(([term, value]) => (
                <div key={term}>
                  <dt>{term}</dt>
                  <dd>
                    <code className="user-text">{value}</code>
                  </dd>
                </div>
              ))}
            </dl>
            {problem ? (
              <p className="form-error" role="alert">
                {problem}
              </p>
            ) : (
              <p role="status">The provider answers: people can sign in with it.</p>
            )}
          </>
        ) : (
          <p>
            Not configured. Set <code>OIDC_ISSUER</code>, <code>OIDC_CLIENT_ID</code> and <code>OIDC_CLIENT_SECRET</code> in the server's environment, then
            restart it (see the README).
          </p>
        )}
      </section>

      <section className="panel" aria-labelledby="policy-title">
        <h2 id="policy-title">Who signs in how</h2>
        <FormError message={failure?.formError} />
        <Form method="post">
          <Field label="Provider name on the sign-in button" name="providerName" error={errors.providerName} limit={60}>
            {(p) => <input {...p} type="text" required defaultValue={values.providerName} />}
          </Field>
          <Field
            label="Email domains that get an account at their first sign-in"
            name="providerDomains"
            hint="Comma-separated, e.g. company.com, eu.company.com. Empty: nobody new; people an admin added are linked by their email."
            error={errors.providerDomains}
          >
            {(p) => <input {...p} type="text" defaultValue={values.providerDomains} />}
          </Field>
          <Field
            label="Provider groups whose members are admins"
            name="providerAdminGroups"
            hint={`One per line, from the "${groupsClaim}" claim. Applied at every sign-in: members of these groups become admins, others members. Empty: roles are set on the People page.`}
            error={errors.providerAdminGroups}
          >
            {(p) => <textarea {...p} rows={3} defaultValue={values.providerAdminGroups} />}
          </Field>
          <Field label="Password sign-in" name="passwordSignIn" error={errors.passwordSignIn}>
            {(p) => (
              <select {...p} defaultValue={values.passwordSignIn}>
                <option value="everyone">Everyone may use a password</option>
                <option value="admins">Only admins, for when the provider is down</option>
              </select>
            )}
          </Field>
          <SubmitButton pendingText="Saving…">Save sign-in settings</SubmitButton>
        </Form>
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

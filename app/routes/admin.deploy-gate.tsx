import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ConflictNotice } from "~/components/conflict-notice";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CopyButton, Field, FormError, SubmitButton } from "~/components/form";
import { formKey, type FormState } from "~/components/form-state";
import { env } from "~/lib/env.server";
import { apiUrl, gitHubApp } from "~/lib/github.server";
import { handleIntent, intent } from "~/lib/intents.server";
import { redirectWithFlash, requireAdmin } from "~/lib/session.server";
import { labelFor } from "~/lib/item-label";
import { formatTime } from "~/lib/time";
import { listDeploymentReviews } from "~/models/deployment-review.server";
import { DomainError } from "~/models/errors";
import { describeReason, formatRepositoryServices, GATE_LIMITS, policyValues, type GatePolicy } from "~/models/gate";
import { createPolicy, decideGate, deletePolicy, listPolicies, repositoryServicesFor, setRepositoryServices, updatePolicy } from "~/models/gate.server";
import { SEVERITIES, SEVERITY_DEFINITIONS } from "~/models/incident";
import { gatePolicyChange, gatePolicyDeletion, gatePolicyInput, gateRepositoriesInput } from "~/models/inputs";
import type { User } from "~/models/user.server";

export const meta: MetaFunction = () => [{ title: "Deploy gate · Hindsight" }];

const PAGE = "/admin/deploy-gate";
const WEBHOOK_PATH = "/api/github/deployment-protection-rule";
const POLICY_LABELS = { minSeverity: "Severity", analysisHours: "Analysis published within (hours)", holdOnOverdueP1: "Holds on overdue P1 actions" };

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const asked = new URL(request.url).searchParams.get("service");
  let check: { service: string; open: boolean; policy: string | null; reasons: { text: string; url: string | null; holding: boolean }[] } | { service: string; error: string } | null = null;
  if (asked !== null) {
    try {
      const decision = await decideGate(admin, asked);
      check = {
        service: decision.service,
        open: decision.open,
        policy: decision.policy ? (decision.policy.service === null ? "the policy for all services" : `the policy for ${decision.policy.service}`) : null,
        reasons: decision.reasons.map((r) => ({ text: describeReason(r), url: r.incident ? `/incidents/${r.incident.reference}` : null, holding: r.holding })),
      };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      check = { service: asked, error: error.message };
    }
  }
  const { problem } = gitHubApp();
  return {
    policies: await listPolicies(admin),
    repositories: formatRepositoryServices(await repositoryServicesFor(admin)),
    check,
    github: {
      problem,
      appId: env().GITHUB_APP_ID ?? null,
      apiUrl: apiUrl(),
      webhookUrl: `${env().APP_URL}${WEBHOOK_PATH}`,
    },
    reviews: (await listDeploymentReviews(admin)).map((r) => ({ ...r, createdAt: formatTime(r.createdAt), answeredAt: r.answeredAt ? formatTime(r.answeredAt) : null })),
  };
}

const ADMIN_INTENTS = {
  "add-policy": intent({
    input: gatePolicyInput,
    target: () => "add",
    run: async (admin: User, fields) => {
      const policy = await createPolicy(admin, fields);
      return redirectWithFlash(`${PAGE}#policy-${policy.id}`, `Added the policy for ${policy.service ?? "all services"}.`);
    },
  }),
  "update-policy": intent({
    input: gatePolicyChange,
    target: (values) => `policy-${values.policyId}`,
    run: async (admin: User, { policyId, version, ...rules }) => {
      const policy = await updatePolicy(admin, policyId, version, rules);
      return redirectWithFlash(`${PAGE}#policy-${policy.id}`, `Saved the policy for ${policy.service ?? "all services"}.`);
    },
  }),
  "delete-policy": intent({
    input: gatePolicyDeletion,
    target: (values) => `policy-${values.policyId}`,
    refused: "bad-request",
    run: async (admin: User, { policyId }) => {
      const policy = await deletePolicy(admin, policyId);
      return redirectWithFlash(PAGE, `Deleted the policy for ${policy.service ?? "all services"}.`);
    },
  }),
  "save-repositories": intent({
    input: gateRepositoriesInput,
    target: () => "repositories",
    run: async (admin: User, { repositories }) => {
      await setRepositoryServices(admin, repositories);
      return redirectWithFlash(`${PAGE}#repositories`, "Saved which service each repository deploys.");
    },
  }),
};

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  try {
    return await handleIntent(request, admin, ADMIN_INTENTS);
  } catch (error) {
    // A policy another admin deleted meanwhile: the page, without it, says so.
    if (error instanceof Response && error.status === 404) return redirectWithFlash(PAGE, "That policy was deleted meanwhile.");
    throw error;
  }
}

export default function DeployGate() {
  const { policies, repositories, check, github, reviews } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const state = (target: string): FormState | undefined =>
    failure && !failure.ok && failure.target === target ? (failure as FormState) : undefined;
  const adding = state("add");
  const repos = state("repositories");
  return (
    <>
      <div className="page-header">
        <h1>Deploy gate</h1>
        <p className="muted">
          Stop the line until the 5 Whys is done: deploys of a service are held while a serious incident has no published analysis after a
          deadline, or has overdue P1 actions. CI asks <code>/api/v1/gate?service=…</code>; GitHub asks through the App below. An
          incident's facilitator or an admin can let deploys through for a while, on the incident's page.
        </p>
      </div>

      <section className="panel" aria-labelledby="check-title">
        <h2 id="check-title">Check a service</h2>
        <Form method="get" className="inline-form gate-check-form">
          <Field label="Service" name="service" error={check && "error" in check ? check.error : undefined}>
            {(p) => <input {...p} type="text" required defaultValue={check?.service ?? ""} placeholder="checkout" />}
          </Field>
          <button type="submit" className="button">
            Check
          </button>
        </Form>
        {check && !("error" in check) ? (
          <div className={`gate-check gate-check--${check.open ? "open" : "held"}`} role="status">
            <p>
              <strong>{check.open ? `Open: deploys of ${check.service} may go ahead` : `Held: deploys of ${check.service} wait`}</strong>
              {check.policy ? ` (${check.policy}).` : ": no policy applies to it."}
            </p>
            {check.reasons.length > 0 ? (
              <ul>
                {check.reasons.map((r, i) => (
                  <li key={i}>{r.url ? <Link to={r.url}>{r.text}</Link> : r.text}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
      </section>

      <section className="panel" aria-labelledby="policies-title" id="policies">
        <h2 id="policies-title">Policies</h2>
        <p className="muted small">
          A service follows its own policy if it has one, else the policy for all services. A service's policy looks at the incidents that
          list the service; the policy for all services looks at every incident at its severity, whatever it lists.
        </p>
        {policies.length === 0 ? <p>No policy yet: the gate is open for every service.</p> : null}
        <ul className="gate-policies">
          {policies.map((policy) => (
            <PolicyItem key={policy.id} policy={policy} state={state(`policy-${policy.id}`)} />
          ))}
        </ul>
      </section>

      <section className="panel" aria-labelledby="add-policy-title">
        <h2 id="add-policy-title">Add a policy</h2>
        <Form method="post" key={formKey("add", adding)} preventScrollReset>
          <FormError message={adding?.formError} />
          <Field
            label="Service"
            name="service"
            hint="As incidents list it, e.g. checkout. Leave it empty for the policy for all services."
            error={adding?.errors.service}
          >
            {(p) => <input {...p} type="text" defaultValue={adding?.values.service ?? ""} />}
          </Field>
          <PolicyRules values={adding?.values} errors={adding?.errors} />
          <SubmitButton intent="add-policy" pendingText="Adding…">
            Add policy
          </SubmitButton>
        </Form>
      </section>

      <section className="panel" aria-labelledby="repositories-title" id="repositories">
        <h2 id="repositories-title">Repositories</h2>
        <p className="muted small">
          GitHub asks about a repository's deployment: it is a deploy of the service named like the repository (acme/checkout deploys
          checkout), unless it is listed here.
        </p>
        <Form method="post" key={formKey("repositories", repos)} preventScrollReset>
          <FormError message={repos?.formError} />
          <Field
            label="Repositories that deploy a service named otherwise"
            name="repositories"
            hint={`One per line, as owner/repository = service, e.g. acme/storefront = checkout. At most ${GATE_LIMITS.repositoryMappings}.`}
            error={repos?.errors.repositories}
          >
            {(p) => <textarea {...p} rows={4} defaultValue={repos?.values.repositories ?? repositories} />}
          </Field>
          <SubmitButton intent="save-repositories">Save repositories</SubmitButton>
        </Form>
      </section>

      <section className="panel" aria-labelledby="github-title" id="github">
        <h2 id="github-title">GitHub deployment protection rule</h2>
        {github.problem ? (
          <p className="form-error" role="status">
            {github.problem} Restart the server after setting them; the README's “Deploy gate” says how to make the App.
          </p>
        ) : (
          <p role="status">Configured: GitHub App {github.appId}, answering through {github.apiUrl}.</p>
        )}
        <p>The App's webhook URL:</p>
        <p className="copy-line">
          <code>{github.webhookUrl}</code> <CopyButton text={github.webhookUrl} label="Copy URL" />
        </p>
        <h3>Recent deployment reviews</h3>
        {reviews.length === 0 ? (
          <p className="muted">GitHub has asked about no deployment yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="list list--stack">
              <thead>
                <tr>
                  <th scope="col">Asked</th>
                  <th scope="col">Repository</th>
                  <th scope="col">Environment</th>
                  <th scope="col">Service</th>
                  <th scope="col">Answer</th>
                  <th scope="col">Sent</th>
                </tr>
              </thead>
              <tbody>
                {reviews.map((r) => (
                  <tr key={r.id}>
                    <td>{r.createdAt}</td>
                    <td data-label="Repository" className="user-text">
                      {r.repository}
                    </td>
                    <td data-label="Environment" className="user-text">
                      {r.environment}
                    </td>
                    <td data-label="Service">{r.service}</td>
                    <td data-label="Answer">
                      <span title={r.comment}>{r.decision === "approved" ? "Approved" : "Rejected"}</span>
                    </td>
                    <td data-label="Sent">
                      {r.answeredAt ??
                        (r.delivery === "failed" ? (
                          <>
                            Given up{r.lastError ? `: ${r.lastError}` : ""} (<Link to="/admin/outbox">replay it from the Outbox</Link>)
                          </>
                        ) : r.lastError ? (
                          `Not yet: ${r.lastError}`
                        ) : (
                          "Not yet"
                        ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

/** The rules of a policy, for adding one or editing it. */
function PolicyRules({ values, errors }: { values?: Record<string, string>; errors?: Record<string, string[] | undefined> }) {
  return (
    <>
      <Field label="Incidents at or above" name="minSeverity" error={errors?.minSeverity}>
        {(p) => (
          <select {...p} required defaultValue={values?.minSeverity ?? "SEV2"}>
            {SEVERITIES.map((s) => (
              <option key={s} value={s} title={SEVERITY_DEFINITIONS[s]}>
                {s}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        label="Analysis published within (hours after the start)"
        name="analysisHours"
        hint={`1 to ${GATE_LIMITS.analysisHours}; empty: no deadline. 72 is three days.`}
        error={errors?.analysisHours}
      >
        {(p) => <input {...p} type="number" min={1} max={GATE_LIMITS.analysisHours} step={1} inputMode="numeric" defaultValue={values?.analysisHours ?? ""} />}
      </Field>
      <div className="field">
        <label className="checkbox">
          <input type="checkbox" name="holdOnOverdueP1" defaultChecked={values ? values.holdOnOverdueP1 === "on" : true} /> Hold while the incident
          has overdue P1 actions
        </label>
      </div>
    </>
  );
}

function PolicyItem({ policy, state }: { policy: GatePolicy; state?: FormState }) {
  const name = policy.service ?? "All services";
  const stored = policyValues(policy);
  const values = state?.values ?? stored;
  return (
    <li className="gate-policy" id={`policy-${policy.id}`}>
      <h3>{policy.service === null ? "All services" : <span className="user-text">{policy.service}</span>}</h3>
      {state?.conflict ? <ConflictNotice stored={state.conflict} mine={state.values} labels={POLICY_LABELS} /> : null}
      <Form method="post" key={formKey(`policy-${policy.id}`, state)} preventScrollReset className="gate-policy__form">
        <FormError message={state?.conflict ? undefined : state?.formError} />
        <input type="hidden" name="policyId" value={policy.id} />
        <input type="hidden" name="version" value={state?.conflict?.version ?? policy.version} />
        <PolicyRules values={values} errors={state?.errors} />
        <div className="form-actions">
          <SubmitButton intent="update-policy" match={{ policyId: String(policy.id) }} label={labelFor("Save", name)}>
            Save
          </SubmitButton>
          <SubmitButton
            intent="delete-policy"
            match={{ policyId: String(policy.id) }}
            className="button button--danger"
            pendingText="Deleting…"
            label={labelFor("Delete the policy", name)}
          >
            Delete
          </SubmitButton>
        </div>
      </Form>
    </li>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

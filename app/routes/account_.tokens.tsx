import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, type HeadersFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CopyButton, Field, FormError, SubmitButton } from "~/components/form";
import { TokenTable } from "~/components/token-table";
import { formFailure, formValues, modelFailure, orErrorPage, readForm, validateForm } from "~/lib/http.server";
import { redirectWithFlash, requireUser } from "~/lib/session.server";
import { formatTime } from "~/lib/time";
import { API_TOKEN_LIMITS, createApiToken, isLive, listOwnTokens, revokeOwnApiToken } from "~/models/api-token.server";
import { apiTokenInput } from "~/models/inputs";
import { FIELD_LIMITS } from "~/models/limits";

// A new token (an invitation link) is shown once, in the answer to the post that made it: kept in no cache.
export const headers: HeadersFunction = () => ({ "Cache-Control": "private, no-store" });

export const meta: MetaFunction = () => [{ title: "API tokens · Hindsight" }];

const LIFETIMES = [
  { days: "30", label: "30 days" },
  { days: "90", label: "90 days" },
  { days: "366", label: "A year" },
  { days: "", label: "Until I revoke it" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const now = new Date();
  const tokens = await listOwnTokens(user);
  return {
    tokens: tokens.map((t) => ({
      id: t.id,
      name: t.name,
      prefix: t.prefix,
      scope: t.scope,
      owner: null,
      made: formatTime(t.createdAt),
      expires: t.expiresAt ? formatTime(t.expiresAt) : null,
      lastUsed: t.lastUsedAt ? formatTime(t.lastUsedAt) : null,
      ended: t.revokedAt ? `Revoked ${formatTime(t.revokedAt)}` : !isLive(t, now) ? "Expired" : null,
    })),
    limit: API_TOKEN_LIMITS.perPerson,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  const values = formValues(form);
  if (values.intent === "create") {
    const parsed = validateForm(apiTokenInput, form);
    if (!parsed.ok) return formFailure(400, { target: "create", errors: parsed.errors, values });
    try {
      const { token, apiToken } = await createApiToken(user, parsed.data);
      // Shown once, on this answer only: never kept in a cache.
      return data({ ok: true as const, made: { token, name: apiToken.name, scope: apiToken.scope } }, { headers: { "Cache-Control": "no-store" } });
    } catch (error) {
      return modelFailure(error, values, "create");
    }
  }
  if (values.intent === "revoke") {
    const tokenId = Number(values.tokenId);
    if (!Number.isSafeInteger(tokenId) || tokenId <= 0) throw new Response("Bad request", { status: 400 });
    const revoked = await orErrorPage(() => revokeOwnApiToken(user, tokenId));
    return redirectWithFlash("/account/tokens", `The token “${revoked.name}” is revoked: scripts using it are refused from now on.`);
  }
  throw new Response("Bad request", { status: 400 });
}

export default function Tokens() {
  const { tokens, limit } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const made = result?.ok ? result.made : undefined;
  const failure = result && !result.ok ? result : undefined;
  const values: Record<string, string> = failure?.values ?? {};
  return (
    <>
      <div className="page-header">
        <p className="muted small">
          <Link to="/account">Your profile</Link>
        </p>
        <h1>API tokens</h1>
        <p className="muted">
          A token lets a script or a CI pipeline use the <Link to="/api">Hindsight API</Link> as you: it sees what you see and, if you let it, changes what
          you may change. Keep it as secret as your password.
        </p>
      </div>

      {made ? (
        <div className="callout" role="status">
          <p>
            Your token <strong>{made.name}</strong> ({made.scope === "write" ? "read and change" : "read only"}). Copy it now: it is shown only this once, and
            Hindsight keeps only a fingerprint of it.
          </p>
          <p className="copy-line">
            <code className="one-time-link">{made.token}</code> <CopyButton text={made.token} label="Copy token" />
          </p>
          <p className="muted small">
            Use it as <code>Authorization: Bearer {made.token.slice(0, 10)}…</code>
          </p>
        </div>
      ) : null}

      <section className="panel" aria-labelledby="new-token-title">
        <h2 id="new-token-title">Make a token</h2>
        <FormError message={failure?.formError} />
        <Form method="post">
          <Field label="Name" name="name" hint="What will use it, so you know which one to revoke later." error={failure?.errors.name} limit={FIELD_LIMITS.tokenName}>
            {(p) => <input {...p} type="text" required maxLength={FIELD_LIMITS.tokenName} defaultValue={made ? "" : values.name} placeholder="deploy pipeline" />}
          </Field>
          <div className="grid-2">
            <fieldset aria-describedby={failure?.errors.scope ? "scope-error" : undefined}>
              <legend>What it may do</legend>
              <div className="choices">
                <label>
                  <input type="radio" name="scope" value="read" defaultChecked={values.scope !== "write"} /> Read only
                </label>
                <label>
                  <input type="radio" name="scope" value="write" defaultChecked={values.scope === "write"} /> Read and change
                </label>
              </div>
              {failure?.errors.scope ? (
                <p className="field__error" id="scope-error">
                  {failure.errors.scope[0]}
                </p>
              ) : null}
            </fieldset>
            <Field label="Works for" name="expiresInDays" error={failure?.errors.expiresInDays}>
              {(p) => (
                <select {...p} defaultValue={values.expiresInDays ?? "90"}>
                  {LIFETIMES.map((l) => (
                    <option key={l.days} value={l.days}>
                      {l.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <p className="muted small">You may hold {limit} working tokens.</p>
          <SubmitButton intent="create" pendingText="Making…">
            Make token
          </SubmitButton>
        </Form>
      </section>

      <section className="panel" aria-labelledby="tokens-title">
        <h2 id="tokens-title">Your tokens ({tokens.length})</h2>
        {tokens.length === 0 ? <p className="muted">You have made no token yet.</p> : <TokenTable tokens={tokens} />}
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

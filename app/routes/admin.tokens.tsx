import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { TokenTable } from "~/components/token-table";
import { formValues, orErrorPage, readForm } from "~/lib/http.server";
import { redirectWithFlash, requireAdmin } from "~/lib/session.server";
import { formatTime } from "~/lib/time";
import { listLiveTokens, revokeApiToken } from "~/models/api-token.server";

export const meta: MetaFunction = () => [{ title: "API tokens · Admin · Hindsight" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const tokens = await listLiveTokens(admin);
  return {
    tokens: tokens.map((t) => ({
      id: t.id,
      name: t.name,
      prefix: t.prefix,
      scope: t.scope,
      owner: t.ownerName,
      made: formatTime(t.createdAt),
      expires: t.expiresAt ? formatTime(t.expiresAt) : null,
      lastUsed: t.lastUsedAt ? formatTime(t.lastUsedAt) : null,
      ended: null,
    })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const values = formValues(await readForm(request));
  const tokenId = Number(values.tokenId);
  if (values.intent !== "revoke" || !Number.isSafeInteger(tokenId) || tokenId <= 0) throw new Response("Bad request", { status: 400 });
  const revoked = await orErrorPage(() => revokeApiToken(admin, tokenId));
  return redirectWithFlash("/admin/tokens", `${revoked.ownerName}’s token “${revoked.name}” is revoked.`);
}

export default function AdminTokens() {
  const { tokens } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-header">
        <h1>API tokens</h1>
        <p className="muted">
          Every token that still works, everyone’s. A token acts as its owner through the <Link to="/api">API</Link>; revoke one that leaked or that nobody
          needs. Removing a person stops all of theirs.
        </p>
      </div>
      <section className="panel" aria-labelledby="all-tokens-title">
        <h2 id="all-tokens-title">Working tokens ({tokens.length})</h2>
        {tokens.length === 0 ? <p className="muted">Nobody holds a working token.</p> : <TokenTable tokens={tokens} />}
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { completeProviderSignIn, forgetAnsweredSignIn, ProviderSignInError } from "~/lib/oidc.server";
import { startSession } from "~/lib/session.server";
import { DomainError } from "~/models/errors";
import { providerConfigured, providerName } from "~/models/sign-in-policy.server";
import { accountForProvider } from "~/models/sso.server";

export const meta: MetaFunction = () => [{ title: "Sign in · Hindsight" }, { name: "referrer", content: "no-referrer" }];

/**
 * Where the identity provider sends the browser back. A GET that signs in: the code in its
 * address is used once, with this browser's pending sign-in (docs/decisions/0027).
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  if (!providerConfigured()) throw new Response("Sign-in with an identity provider is not configured.", { status: 404 });
  const provider = await providerName();
  // Whatever happens, this sign-in is over: its pending state goes with the answer.
  const forget = await forgetAnsweredSignIn(request);
  try {
    const { claims, redirectTo, setCookie } = await completeProviderSignIn(request, context.clientAddress);
    const user = await accountForProvider(claims);
    const response = await startSession(request, user.id, { method: "provider", address: context.clientAddress }, redirectTo);
    response.headers.append("Set-Cookie", setCookie);
    return response;
  } catch (error) {
    if (error instanceof ProviderSignInError) return data({ provider, message: error.message, reason: error.reason }, { status: error.reason === "unavailable" ? 503 : 400, headers: { "Set-Cookie": forget } });
    if (error instanceof DomainError) return data({ provider, message: error.message, reason: "account" }, { status: 403, headers: { "Set-Cookie": forget } });
    throw error;
  }
}

export default function ProviderSignInRefused() {
  const { provider, message } = useLoaderData<typeof loader>();
  return (
    <div className="narrow panel">
      <h1>Sign-in with {provider} did not complete</h1>
      <p role="alert">{message}</p>
      <p className="form-actions">
        <a className="button" href="/signin/sso">
          Try again
        </a>
        <Link to="/signin">Back to sign in</Link>
      </p>
    </div>
  );
}

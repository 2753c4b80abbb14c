import { data, redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { safeRedirect } from "~/lib/http.server";
import { beginProviderSignIn, ProviderSignInError } from "~/lib/oidc.server";
import { getUser } from "~/lib/session.server";
import { providerConfigured } from "~/models/sign-in-policy.server";

export const meta: MetaFunction = () => [{ title: "Sign in · Hindsight" }];

/** Sends the browser to the identity provider; what comes back is handled by signin_.sso_.callback (not nested here: this loader would run for it too, and start another sign-in). */
export async function loader({ request }: LoaderFunctionArgs) {
  if (!providerConfigured()) throw new Response("Sign-in with an identity provider is not configured.", { status: 404 });
  if (await getUser(request)) throw redirect("/incidents");
  const redirectTo = safeRedirect(new URL(request.url).searchParams.get("redirectTo"), "/");
  try {
    return await beginProviderSignIn(request, redirectTo);
  } catch (error) {
    if (!(error instanceof ProviderSignInError)) throw error;
    return data({ message: error.message }, { status: 503 });
  }
}

export default function ProviderUnavailable() {
  const { message } = useLoaderData<typeof loader>();
  return (
    <div className="narrow panel">
      <h1>Sign-in is not available</h1>
      <p role="alert">{message}</p>
      <p>
        <Link to="/signin">Back to sign in</Link>
      </p>
    </div>
  );
}

import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { SubmitButton } from "~/components/form";
import { formValues, readForm } from "~/lib/http.server";
import { redirectWithFlash, requireUser } from "~/lib/session.server";
import { isSubscribed, subscribe, unsubscribe } from "~/models/subscription.server";

export const meta: MetaFunction = () => [{ title: "Your account · Hindsight" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return { name: user.name, email: user.email, subscribed: await isSubscribed(user) };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const { intent } = formValues(await readForm(request));
  if (intent === "subscribe") {
    await subscribe(user);
    return redirectWithFlash("/account", `You will get the digest at ${user.email}.`);
  }
  if (intent === "unsubscribe") {
    await unsubscribe(user);
    return redirectWithFlash("/account", "You will get no more digests at your address.");
  }
  throw new Response("Bad request", { status: 400 });
}

export default function Account() {
  const { name, email, subscribed } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-header">
        <h1>Your account</h1>
        <p className="muted">
          {name}, {email}
        </p>
      </div>
      <section className="panel" aria-labelledby="digest-title">
        <h2 id="digest-title">The digest by email</h2>
        <p>
          The digest lists the post-mortems published since the one before, with what we change, the actions completed and the overdue ones. It is sent weekly, and
          sometimes in between.
        </p>
        <Form method="post" className="form-actions">
          {subscribed ? (
            <>
              <p>
                You get it at <strong>{email}</strong>, with the post-mortems you may see.
              </p>
              <SubmitButton intent="unsubscribe" className="button button--quiet" pendingText="Stopping…">
                Stop the digest
              </SubmitButton>
            </>
          ) : (
            <>
              <p>You do not get it at your own address (you may still get it through a company mailing list).</p>
              <SubmitButton intent="subscribe" pendingText="Subscribing…">
                Get the digest by email
              </SubmitButton>
            </>
          )}
        </Form>
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

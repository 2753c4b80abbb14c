import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { SubmitButton } from "~/components/form";
import { readUnsubscribeToken, unsubscribeWithToken, type UnsubscribeLink } from "~/models/subscription.server";

// The one-click unsubscribe of a subscriber's digest (RFC 8058). Mail providers POST to the
// link with no cookie and no confirmation, and that POST alone unsubscribes. A GET only shows a
// button: mail scanners open links before people do, and must not unsubscribe anyone.

export const meta: MetaFunction = () => [{ title: "Stop the digest · Hindsight" }, { name: "referrer", content: "no-referrer" }, { name: "robots", content: "noindex" }];

const answer = (link: UnsubscribeLink) => data({ link }, { status: link.valid ? 200 : 400 });

export async function loader({ params }: LoaderFunctionArgs) {
  return answer(await readUnsubscribeToken(params.token ?? ""));
}

export async function action({ params }: ActionFunctionArgs) {
  return answer(await unsubscribeWithToken(params.token ?? ""));
}

export default function Unsubscribe() {
  const done = useActionData<typeof action>();
  const shown = useLoaderData<typeof loader>();
  const { link } = done ?? shown;
  return (
    <div className="narrow panel">
      <h1>The Hindsight digest</h1>
      {!link.valid ? (
        <>
          <p>This unsubscribe link is not valid: it may be cut short, or its account no longer exists.</p>
          <p>
            Copy the whole link from the email, or <Link to="/account">sign in</Link> and stop the digest on your account page.
          </p>
        </>
      ) : done ? (
        <p role="status">
          Unsubscribed: <strong>{link.email}</strong> gets no more digests.
        </p>
      ) : link.subscribed ? (
        <Form method="post">
          <p>
            Stop sending the digest to <strong>{link.email}</strong>?
          </p>
          <SubmitButton pendingText="Unsubscribing…">Unsubscribe</SubmitButton>
        </Form>
      ) : (
        <p>
          <strong>{link.email}</strong> does not get the digest.
        </p>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

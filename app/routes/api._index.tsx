import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { ApiReference } from "~/components/api-reference";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { apiReference } from "~/lib/api/reference.server";
import { apiOrigin } from "~/lib/env.server";
import { renderMarkdown } from "~/lib/markdown.server";

export const meta: MetaFunction = () => [{ title: "API reference · Hindsight" }];

/** The API's reference, rendered from its OpenAPI document: public, like the document itself. */
export function loader({ request }: LoaderFunctionArgs) {
  const reference = apiReference(apiOrigin(request));
  return { reference, introHtml: renderMarkdown(reference.description) };
}

export default function ApiReferencePage() {
  const { reference, introHtml } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-header">
        <h1>API reference</h1>
        <p className="muted">
          Hindsight’s JSON API, version 1: scripts and CI pipelines do with a personal token what a person does in the browser. Make a token on{" "}
          <a href="/account/tokens">your API tokens page</a>.
        </p>
      </div>
      <ApiReference reference={reference} introHtml={introHtml} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

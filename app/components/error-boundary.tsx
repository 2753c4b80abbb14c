import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";

const MESSAGES: Record<number, { title: string; text: string }> = {
  400: { title: "That request was not understood", text: "Go back and try again." },
  403: { title: "Not allowed", text: "You are signed in, but this is not yours to do." },
  404: { title: "Not found", text: "There is nothing here, or it is not shared with you." },
  503: { title: "Busy", text: "The database is busy with other changes, and nothing you sent was saved. Try again in a few seconds." },
};

/** The error page shown inside the layout for any route that fails. */
export function GeneralErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error)) {
    const known = MESSAGES[error.status] ?? { title: `Error ${error.status}`, text: "Something went wrong." };
    // A refusal or a request that cannot be answered says why, when it was written for people.
    const said = typeof error.data === "string" && (error.status === 403 || error.status === 400) && error.data !== "Bad request";
    const detail = said ? error.data : known.text;
    return (
      <section className="error-page" aria-labelledby="error-title">
        <h1 id="error-title">{known.title}</h1>
        <p>{detail}</p>
        <p>
          <Link to="/incidents">Back to the incidents</Link>
        </p>
      </section>
    );
  }
  console.error(error);
  return (
    <section className="error-page" aria-labelledby="error-title">
      <h1 id="error-title">Something went wrong</h1>
      <p>The error was logged. Try again, and if it keeps happening tell your Hindsight admin.</p>
      <p>
        <Link to="/incidents">Back to the incidents</Link>
      </p>
    </section>
  );
}

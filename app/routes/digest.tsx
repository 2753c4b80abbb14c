import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { SubmitButton } from "~/components/form";
import { formValues, readForm } from "~/lib/http.server";
import { currentPeriod, parsePeriod, periodProblem, previousPeriod } from "~/lib/period";
import { redirectWithFlash, requireAdmin } from "~/lib/session.server";
import { formatTime } from "~/lib/time";
import { digestEmail, sendDigest } from "~/models/digest.server";
import { outboxEntry } from "~/models/outbox.server";
import { getSettings } from "~/models/settings.server";

export const meta: MetaFunction = () => [{ title: "Digest preview · Hindsight" }];

/** The week asked for, this week when none is; a week that does not exist is a 400 saying why, for the preview and for sending alike. */
function periodFrom(value: string | null | undefined) {
  const { timeZone } = getSettings();
  if (!value) return currentPeriod(timeZone);
  const problem = periodProblem(value);
  if (problem) throw new Response(problem, { status: 400 });
  return parsePeriod(value, timeZone);
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const period = periodFrom(new URL(request.url).searchParams.get("period"));
  const email = digestEmail(period);
  const sent = outboxEntry(email.key);
  const { timeZone, digestWhenEmpty } = getSettings();
  return {
    period,
    previous: previousPeriod(timeZone, new Date(period.start)).key,
    current: currentPeriod(timeZone).key,
    email: { to: email.to, subject: email.subject, text: email.text, html: email.html, headers: email.headers ?? {}, empty: email.empty },
    skipWhenEmpty: digestWhenEmpty === "skip",
    sent: sent ? { status: sent.status, at: sent.sentAt ? formatTime(sent.sentAt) : null, error: sent.lastError } : null,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  await requireAdmin(request);
  const values = formValues(await readForm(request));
  if (values.intent !== "send") throw new Response("Bad request", { status: 400 });
  const period = periodFrom(values.period);
  const result = await sendDigest(period);
  const message = {
    queued: `The digest for ${period.label} was sent: ${result.sent} sent, ${result.failed} failed.`,
    "already-queued": `The digest for ${period.label} was already sent; it is never sent twice.`,
    "skipped-empty": "Not sent: no new post-mortems, and the settings say to skip empty weeks.",
    "no-recipients": "Not sent: set the recipients on the Settings page (or DIGEST_TO).",
  }[result.outcome];
  return redirectWithFlash(`/digest?period=${period.key}`, message);
}

export default function DigestPreview() {
  const { period, previous, current, email, skipWhenEmpty, sent } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-header">
        <h1>Digest preview</h1>
        <p className="muted">
          <Link to={`/digest?period=${previous}`}>← Week before</Link>
          {period.key !== current ? (
            <>
              {" · "}
              <Link to="/digest">This week</Link>
            </>
          ) : null}
        </p>
      </div>
      <section className="panel" aria-labelledby="envelope-title">
        <h2 id="envelope-title">The digest for {period.label}</h2>
        <dl className="facts">
          <div>
            <dt>To</dt>
            <dd>{email.to.length > 0 ? email.to.join(", ") : <Link to="/admin/settings">Nobody yet: set the recipients</Link>}</dd>
          </div>
          <div>
            <dt>Subject</dt>
            <dd>{email.subject}</dd>
          </div>
          <div>
            <dt>Sent</dt>
            <dd>
              {sent ? (sent.status === "sent" ? `Yes, ${sent.at}` : `Not yet (${sent.status}${sent.error ? `: ${sent.error}` : ""})`) : "No"}
            </dd>
          </div>
        </dl>
        {email.empty && skipWhenEmpty ? <p className="muted small">No new post-mortems this week: by the settings, this week sends nothing.</p> : null}
        {!sent ? (
          <Form method="post" className="form-actions">
            <input type="hidden" name="period" value={period.key} />
            <SubmitButton intent="send" pendingText="Sending…">
              Send it now
            </SubmitButton>
            <span className="muted small">It is sent once per week, whether now or on schedule.</span>
          </Form>
        ) : null}
      </section>
      <section className="panel" aria-labelledby="html-title">
        <h2 id="html-title">As it will look</h2>
        <iframe title="The digest email" className="email-frame" sandbox="" srcDoc={email.html} />
      </section>
      <section className="panel" aria-labelledby="text-title">
        <h2 id="text-title">Plain-text part</h2>
        <pre className="email-text">{email.text}</pre>
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

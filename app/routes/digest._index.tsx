import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { SubmitButton } from "~/components/form";
import { formValues, readForm } from "~/lib/http.server";
import { redirectWithFlash, requireAdmin } from "~/lib/session.server";
import { formatTime } from "~/lib/time";
import { listPastDigests, previewNextDigest, sendDigestNow } from "~/models/digest.server";
import { getSettings } from "~/models/settings.server";
import { MAX_ID } from "~/models/inputs";

export const meta: MetaFunction = () => [{ title: "Digest preview · Hindsight" }];

/** Subscribers named on the page; the rest are counted. */
const SUBSCRIBERS_SHOWN = 50;

/** The digest the preview showed: sending sends exactly that one, or nothing if it was sent meanwhile. */
const sendSchema = z.object({
  intent: z.literal("send"),
  seq: z.coerce.number().int().positive().max(MAX_ID).optional(),
  through: z.coerce.number().int().min(0).optional(),
  until: z.iso.datetime().optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const { span, label, audience, email, covered } = await previewNextDigest(admin);
  return {
    span,
    label,
    lists: audience.flatMap((r) => (r.kind === "list" ? [r.address] : [])),
    subscribers: audience.flatMap((r) => (r.kind === "person" ? [r.subscriber.email] : [])).slice(0, SUBSCRIBERS_SHOWN),
    subscriberCount: audience.filter((r) => r.kind === "person").length,
    covered,
    email: { subject: email.subject, text: email.text, html: email.html, empty: email.empty },
    skipWhenEmpty: (await getSettings()).digestWhenEmpty === "skip",
    past: (await listPastDigests(admin)).map((d) => ({ ...d, createdAt: formatTime(d.createdAt) })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const parsed = sendSchema.safeParse(formValues(await readForm(request)));
  if (!parsed.success) throw new Response("Bad request", { status: 400 });
  const { seq, through, until } = parsed.data;
  const expected = seq !== undefined && through !== undefined && until !== undefined ? { seq, throughPublicationId: through, endAt: new Date(until).toISOString() } : undefined;
  const result = await sendDigestNow(admin, expected);
  const message = {
    queued: `Digest #${result.seq} was sent to ${result.queued} recipient${result.queued === 1 ? "" : "s"}: ${result.sent} sent, ${result.failed} failed.`,
    "already-sent": `Digest #${result.seq} was already sent; it is never sent twice.`,
    "skipped-empty": "Not sent: no new post-mortems, and the settings say to skip an empty digest.",
    "no-recipients": "Not sent: set the list addresses on the Settings page (or DIGEST_TO), or have people subscribe.",
  }[result.outcome];
  return redirectWithFlash("/digest", message);
}

export default function DigestPreview() {
  const { span, label, lists, subscribers, subscriberCount, covered, email, skipWhenEmpty, past } = useLoaderData<typeof loader>();
  const nobody = lists.length === 0 && subscribers.length === 0;
  return (
    <>
      <div className="page-header">
        <h1>Digest preview</h1>
        <p className="muted">Each digest covers what was published since the one before, so nothing is missed or sent twice.</p>
      </div>
      <section className="panel" aria-labelledby="envelope-title">
        <h2 id="envelope-title">
          Digest #{span.seq} — {label}
        </h2>
        <dl className="facts">
          <div>
            <dt>List addresses</dt>
            <dd>{lists.length > 0 ? lists.join(", ") : <Link to="/admin/settings#digest">None: set them on the Settings page</Link>}</dd>
          </div>
          <div>
            <dt>Subscribers</dt>
            <dd>
              {subscribers.length > 0 ? subscribers.join(", ") : "None yet: each person can subscribe on their account page"}
              {subscriberCount > subscribers.length ? ` and ${subscriberCount - subscribers.length} more` : ""}
            </dd>
          </div>
          <div>
            <dt>Subject</dt>
            <dd>{email.subject}</dd>
          </div>
          <div>
            <dt>Post-mortems</dt>
            <dd>
              {covered} new since the last digest{covered > 0 ? "; each subscriber gets the ones they may see, a list address the ones everyone may see" : ""}
            </dd>
          </div>
        </dl>
        {email.empty && skipWhenEmpty ? <p className="muted small">No new post-mortems for the list addresses: by the settings, they get nothing this time.</p> : null}
        {!nobody ? (
          <Form method="post" className="form-actions">
            <input type="hidden" name="seq" value={span.seq} />
            <input type="hidden" name="through" value={span.throughPublicationId} />
            <input type="hidden" name="until" value={span.endAt} />
            <SubmitButton intent="send" pendingText="Sending…">
              Send it now
            </SubmitButton>
            <span className="muted small">Sends exactly what is shown here; what is published from now on goes in the next digest.</span>
          </Form>
        ) : null}
      </section>
      <section className="panel" aria-labelledby="html-title">
        <h2 id="html-title">As the list addresses will see it</h2>
        <iframe title="The digest email" className="email-frame" sandbox="" srcDoc={email.html} />
      </section>
      <section className="panel" aria-labelledby="text-title">
        <h2 id="text-title">Plain-text part</h2>
        <pre className="email-text">{email.text}</pre>
      </section>
      <section className="panel" aria-labelledby="past-title">
        <h2 id="past-title">Past digests</h2>
        {past.length === 0 ? (
          <p className="muted">None sent yet.</p>
        ) : (
          <ul>
            {past.map((d) => (
              <li key={d.seq}>
                <Link to={`/digest/${d.seq}`}>
                  Digest #{d.seq} — {d.label}
                </Link>{" "}
                <span className="muted small">
                  {d.covered} post-mortem{d.covered === 1 ? "" : "s"}, sent {d.createdAt}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

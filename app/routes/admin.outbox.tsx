import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, SubmitButton } from "~/components/form";
import { labelFor } from "~/lib/item-label";
import { formValues, modelFailure, readForm, validateForm } from "~/lib/http.server";
import { redirectWithFlash, requireAdmin } from "~/lib/session.server";
import { formatTime } from "~/lib/time";
import { outboxMessageRef } from "~/models/inputs";
import { listOutbox, MAX_ATTEMPTS, replayMessage, retryEmail, sendWaiting } from "~/models/outbox.server";
import { TEST_EVENT_TYPE } from "~/models/webhook";

export const meta: MetaFunction = () => [{ title: "Outbox · Hindsight" }];

const STATUS_LABELS = { pending: "Waiting", sending: "Sending", sent: "Sent", failed: "Failed" } as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  return {
    rows: (await listOutbox(admin)).map((row) => ({
      ...row,
      created: formatTime(row.createdAt),
      sent: row.sentAt ? formatTime(row.sentAt) : null,
      next: row.nextAttemptAt ? formatTime(row.nextAttemptAt) : null,
    })),
    maxAttempts: MAX_ATTEMPTS,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const values = formValues(await readForm(request));
  if (values.intent === "send") {
    const { sent, failed } = await sendWaiting(admin);
    return redirectWithFlash("/admin/outbox", `${sent} sent, ${failed} failed.`);
  }
  // The older forms named an email's id `emailId`.
  const ref = validateForm(outboxMessageRef, { messageId: values.messageId ?? values.emailId ?? "" });
  if (!ref.ok || (values.intent !== "retry" && values.intent !== "replay")) throw new Response("Bad request", { status: 400 });
  try {
    if (values.intent === "replay") {
      const channel = await replayMessage(admin, ref.data.messageId);
      return redirectWithFlash("/admin/outbox", channel === "webhook" ? "Queued to be sent again, with the same webhook-id." : "Queued to be answered again.");
    }
    const { sent, failed } = await retryEmail(admin, ref.data.messageId);
    return redirectWithFlash("/admin/outbox", `${sent} sent, ${failed} failed.`);
  } catch (error) {
    return modelFailure(error, values, `${values.intent}-${ref.data.messageId}`);
  }
}

export default function Outbox() {
  const { rows, maxAttempts } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const unsent = rows.filter((r) => r.status !== "sent").length;
  return (
    <>
      <div className="page-header">
        <h1>Outbox</h1>
        <Form method="post">
          <SubmitButton intent="send" pendingText="Sending…" className="button button--quiet">
            Send what is waiting now
          </SubmitButton>
        </Form>
      </div>
      <p className="muted small">
        Every email, <Link to="/admin/webhooks">webhook</Link> delivery and answer to GitHub's <Link to="/admin/deploy-gate">deployment reviews</Link> is
        written here before it is sent. A failed email is tried again on the next run, up to {maxAttempts} times; after that it waits here for you. A
        failed webhook delivery or GitHub answer is tried again for about a day, then given up; any can be replayed (a webhook with the same
        webhook-id). {unsent > 0 ? `${unsent} not sent yet.` : "Everything has been sent."}
      </p>
      <FormError message={failure && !failure.ok ? failure.formError : undefined} />
      {rows.length === 0 ? (
        <div className="panel empty">
          <p>Nothing has been sent yet.</p>
        </div>
      ) : (
        <div className="table-wrap">
          <table className="list list--stack">
            <caption className="visually-hidden">Emails, webhook deliveries and answers to GitHub, unsent first</caption>
            <thead>
              <tr>
                <th scope="col">Message</th>
                <th scope="col">To</th>
                <th scope="col">Status</th>
                <th scope="col">Written</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) =>
                row.channel !== "email" ? (
                  <tr key={row.id} className="outbox-webhook">
                    <td>
                      {row.subject}
                      <div className="muted small">
                        {row.channel === "github" ? (
                          "GitHub deployment review"
                        ) : (
                          <>
                            Webhook · {row.kind === TEST_EVENT_TYPE ? "test event" : row.kind} · <code>{row.key}</code>
                          </>
                        )}
                      </div>
                    </td>
                    <td data-label="To">{row.endpoint ?? row.recipients}</td>
                    <td data-label="Status">
                      <span className={`status status--mail-${row.status}`}>
                        {row.status === "pending" && row.attempts > 0 ? "Retrying" : STATUS_LABELS[row.status]}
                      </span>
                      <div className="muted small">
                        {row.attempts} {row.attempts === 1 ? "attempt" : "attempts"}
                        {row.lastStatus ? `, last answered ${row.lastStatus}` : ""}
                        {row.sent ? `, delivered ${row.sent}` : ""}
                        {row.status === "pending" && row.next ? `, next attempt ${row.next}` : ""}
                      </div>
                      {row.lastError ? <div className="field__error small">{row.lastError}</div> : null}
                      {row.status !== "sending" ? (
                        <Form method="post">
                          <input type="hidden" name="messageId" value={row.id} />
                          <SubmitButton intent="replay" match={{ messageId: String(row.id) }} pendingText="Queuing…" className="button button--quiet button--small" label={labelFor("Replay", row.subject)}>
                            Replay
                          </SubmitButton>
                        </Form>
                      ) : null}
                    </td>
                    <td data-label="Written" className="nowrap">
                      {row.created}
                    </td>
                  </tr>
                ) : (
                  <tr key={row.id}>
                    <td>
                      {row.subject}
                      <div className="muted small">{row.kind}</div>
                    </td>
                    <td data-label="To">{row.recipients}</td>
                    <td data-label="Status">
                      <span className={`status status--mail-${row.status}`}>{STATUS_LABELS[row.status]}</span>
                      <div className="muted small">
                        {row.sent ? `at ${row.sent}` : `${row.attempts} ${row.attempts === 1 ? "attempt" : "attempts"}`}
                      </div>
                      {row.lastError ? <div className="field__error small">{row.lastError}</div> : null}
                      {row.status === "failed" && row.attempts >= maxAttempts ? (
                        <Form method="post">
                          <input type="hidden" name="messageId" value={row.id} />
                          <SubmitButton intent="retry" match={{ messageId: String(row.id) }} className="button button--quiet button--small" label={labelFor("Try again", row.subject)}>
                            Try again
                          </SubmitButton>
                        </Form>
                      ) : null}
                    </td>
                    <td data-label="Written" className="nowrap">
                      {row.created}
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

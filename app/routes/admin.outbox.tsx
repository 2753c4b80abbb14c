import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { SubmitButton } from "~/components/form";
import { labelFor } from "~/lib/item-label";
import { formValues, readForm } from "~/lib/http.server";
import { redirectWithFlash, requireAdmin } from "~/lib/session.server";
import { formatTime } from "~/lib/time";
import { deliverPending, listOutbox, MAX_ATTEMPTS, retryEmail } from "~/models/outbox.server";

export const meta: MetaFunction = () => [{ title: "Outbox · Hindsight" }];

const STATUS_LABELS = { pending: "Waiting", sending: "Sending", sent: "Sent", failed: "Failed" } as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  return {
    rows: (await listOutbox(admin)).map((row) => ({ ...row, created: formatTime(row.createdAt), sent: row.sentAt ? formatTime(row.sentAt) : null })),
    maxAttempts: MAX_ATTEMPTS,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const values = formValues(await readForm(request));
  const retry = z.coerce.number().int().positive().safeParse(values.emailId);
  if (values.intent === "retry" && retry.success) await retryEmail(admin, retry.data);
  else if (values.intent !== "send") throw new Response("Bad request", { status: 400 });
  const { sent, failed } = await deliverPending();
  return redirectWithFlash("/admin/outbox", `${sent} sent, ${failed} failed.`);
}

export default function Outbox() {
  const { rows, maxAttempts } = useLoaderData<typeof loader>();
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
        Every email is written here before it is sent. A failed one is tried again on the next run, up to {maxAttempts}{" "}
        times; after that it waits here for you. {unsent > 0 ? `${unsent} not sent yet.` : "Everything has been sent."}
      </p>
      {rows.length === 0 ? (
        <div className="panel empty">
          <p>No emails yet.</p>
        </div>
      ) : (
        <div className="table-wrap">
          <table className="list list--stack">
            <caption className="visually-hidden">Emails, unsent first</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">To</th>
                <th scope="col">Status</th>
                <th scope="col">Written</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
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
                        <input type="hidden" name="emailId" value={row.id} />
                        <SubmitButton intent="retry" match={{ emailId: String(row.id) }} className="button button--quiet button--small" label={labelFor("Try again", row.subject)}>
                          Try again
                        </SubmitButton>
                      </Form>
                    ) : null}
                  </td>
                  <td data-label="Written" className="nowrap">{row.created}</td>
                </tr>
              ))}
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

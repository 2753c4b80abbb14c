import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { requireAdmin } from "~/lib/session.server";
import { formatTime } from "~/lib/time";
import { getSentDigest } from "~/models/digest.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? `Digest #${data.seq}` : "Digest"} · Hindsight` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const seq = /^[1-9]\d{0,8}$/.test(params.seq ?? "") ? Number(params.seq) : null;
  const digest = seq === null ? undefined : await getSentDigest(admin, seq);
  if (!digest) throw new Response("Not found", { status: 404 });
  return {
    seq: digest.seq,
    label: digest.label,
    trigger: digest.trigger,
    createdAt: formatTime(digest.createdAt),
    items: digest.items.map((i) => ({ ...i, publishedAt: formatTime(i.publishedAt) })),
    deliveries: digest.deliveries.map((d) => ({ ...d, sentAt: formatTime(d.sentAt) })),
    listEmail: digest.listEmail,
  };
}

const TRIGGERS: Record<string, string> = { manual: "by an admin", schedule: "on schedule", command: "by npm run digest", migrated: "as a weekly digest, before digests were numbered" };

export default function PastDigest() {
  const d = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-header">
        <h1>
          Digest #{d.seq} — {d.label}
        </h1>
        <p className="muted">
          Sent {d.createdAt}, {TRIGGERS[d.trigger] ?? d.trigger}. <Link to="/digest">Back to the next digest</Link>
        </p>
      </div>
      <section className="panel" aria-labelledby="items-title">
        <h2 id="items-title">The post-mortems it covered</h2>
        {d.items.length === 0 ? (
          <p className="muted">None: nothing was published in its span.</p>
        ) : (
          <ul>
            {d.items.map((i) => (
              <li key={i.reference}>
                <Link to={`/learnings/${i.reference}`}>{i.reference}</Link> {i.title}{" "}
                <span className="muted small">
                  published {i.publishedAt}
                  {i.visibility === "restricted" ? "; restricted: only its people and admins got it" : ""}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="panel" aria-labelledby="deliveries-title">
        <h2 id="deliveries-title">Who got it</h2>
        {d.deliveries.length === 0 ? (
          <p className="muted">Its emails were sent before digests were numbered: see the Outbox.</p>
        ) : (
          <ul>
            {d.deliveries.map((x) => (
              <li key={x.recipients}>
                {x.recipients}: {x.status === "sent" ? `sent ${x.sentAt}` : `${x.status}${x.lastError ? ` (${x.lastError})` : ""}`}
              </li>
            ))}
          </ul>
        )}
      </section>
      {d.listEmail ? (
        <section className="panel" aria-labelledby="email-title">
          <h2 id="email-title">As the list addresses got it</h2>
          <p>{d.listEmail.subject}</p>
          <iframe title="The digest email as sent" className="email-frame" sandbox="" srcDoc={d.listEmail.html} />
        </section>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

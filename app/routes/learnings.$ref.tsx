import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { SeverityBadge } from "~/components/badges";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { WhyAnswer } from "~/components/why-answer";
import { orErrorPage } from "~/lib/http.server";
import { requireUser } from "~/lib/session.server";
import { formatDate, formatSpan, formatTime } from "~/lib/time";
import { ACTION_STATUS_LABELS, progressLabel } from "~/models/action";
import { actionProgress } from "~/models/action.server";
import { categoryLabels } from "~/models/category.server";
import { parseReference } from "~/models/incident";
import { changesSincePublication, getLearning, type SnapshotWhy } from "~/models/publication.server";
import { LIMITS } from "~/models/limits";
import { nestedTo } from "~/models/why-tree";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.title} · Learnings · Hindsight` : "Learnings · Hindsight" }];

/** Shown only from what the database holds for the person signed in: served from the page cache while unchanged (app/lib/page-cache.server.ts). */
export const handle = { pageCache: true };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const id = parseReference(params.ref);
  if (!id) throw new Response("Not found", { status: 404 });
  const { publication } = await orErrorPage(() => getLearning(user, id));
  const s = publication.snapshot;
  const labels = await categoryLabels();
  const changes = await changesSincePublication(id);
  return {
    reference: s.reference,
    title: s.title,
    severity: s.severity,
    services: s.services,
    facilitator: s.facilitator,
    published: `${formatTime(publication.publishedAt)} by ${publication.publishedByName}`,
    revision: publication.revision,
    started: formatTime(s.startedAt),
    timeToDetect: formatSpan(s.startedAt, s.detectedAt),
    timeToResolve: formatSpan(s.startedAt, s.resolvedAt),
    impactHtml: s.impactHtml,
    summaryHtml: s.summaryHtml,
    whys: nestedTo(labelled(s.whys, labels), LIMITS.depth),
    categories: [...new Set(s.categories.map((c) => labels[c] ?? c))],
    actions: s.actions.map((a) => ({ ...a, status: ACTION_STATUS_LABELS[a.status], due: formatDate(a.dueDate) })),
    progressNow: progressLabel((await actionProgress([id])).get(id) ?? { total: 0, done: 0, wontDo: 0, overdue: 0 }),
    changedSince: changes.count > 0 ? formatTime(changes.lastAt) : null,
  };
}

/** The snapshot's whys with each category slug replaced by its name today. */
function labelled(whys: SnapshotWhy[], labels: Record<string, string>): SnapshotWhy[] {
  return whys.map((w) => ({ ...w, category: w.category ? (labels[w.category] ?? w.category) : "", children: labelled(w.children, labels) }));
}

function WhyReading({ whys }: { whys: SnapshotWhy[] }) {
  return (
    <ol className="why-tree">
      {whys.map((why, i) => (
        <li key={i} className="why">
          <div className="why__card">
            <div className="why__chain">
              <span className="why__level">Level {why.level}</span>
              <h3 className="why__question">{why.question}</h3>
              <WhyAnswer answer={why.answer} />
            </div>
            <div className="why__remedy">
              <span className="why__remedy-label">Remediation</span>
              {why.remediationHtml ? (
                <div className="prose" dangerouslySetInnerHTML={{ __html: why.remediationHtml }} />
              ) : (
                <p>
                  <em>None needed:</em> {why.noRemediationReason}
                </p>
              )}
            </div>
            {why.category ? <div className="why__meta">Cause: {why.category}</div> : null}
          </div>
          {why.children.length > 0 ? <WhyReading whys={why.children} /> : null}
        </li>
      ))}
    </ol>
  );
}

export default function Learning() {
  const l = useLoaderData<typeof loader>();
  return (
    <article className="reader" aria-labelledby="reader-title">
      <p className="small no-print">
        <Link to="/learnings">← All learnings</Link>
      </p>
      <h1 id="reader-title" className="incident-title">
        {l.title}
      </h1>
      <div className="incident-meta">
        <span className="ref">{l.reference}</span>
        <SeverityBadge severity={l.severity} />
        <span>
          Published {l.published}
          {l.revision > 1 ? ` (revision ${l.revision})` : ""}
        </span>
        <span>Facilitated by {l.facilitator}</span>
      </div>
      {l.changedSince ? (
        <p className="updated-note section-gap" role="note">
          Updated since publication (last change {l.changedSince}). This page shows what was published;{" "}
          <Link to={`/incidents/${l.reference}/history`}>see what changed</Link>.
        </p>
      ) : null}

      <section className="panel section-gap" aria-labelledby="happened">
        <h2 id="happened">What happened</h2>
        <div className="prose lede" dangerouslySetInnerHTML={{ __html: l.summaryHtml }} />
        <h2>Impact</h2>
        <div className="prose" dangerouslySetInnerHTML={{ __html: l.impactHtml }} />
        <p className="muted small">
          Started {l.started}
          {l.timeToDetect ? ` · detected after ${l.timeToDetect}` : ""}
          {l.timeToResolve ? ` · resolved after ${l.timeToResolve}` : ""}
          {l.services.length > 0 ? ` · services: ${l.services.join(", ")}` : ""}
        </p>
      </section>

      <section className="panel" aria-labelledby="whys-title">
        <h2 id="whys-title">Why it happened, and what we change at each level</h2>
        <WhyReading whys={l.whys} />
        {l.categories.length > 0 ? <p className="muted small">Causes: {l.categories.join(", ")}</p> : null}
      </section>

      <section className="panel" aria-labelledby="actions-title">
        <h2 id="actions-title">Follow-up actions</h2>
        <p>Now: {l.progressNow}.</p>
        {l.actions.length > 0 ? (
          <ul>
            {l.actions.map((a, i) => (
              <li key={i}>
                {a.title} — {a.ownerName}, due {a.due} <span className="muted small">({a.status} when published)</span>
              </li>
            ))}
          </ul>
        ) : null}
        <p className="small no-print">
          <Link to={`/incidents/${l.reference}`}>The full incident, with its timeline</Link> ·{" "}
          <a href={`/incidents/${l.reference}.md`}>Download as Markdown</a>
        </p>
      </section>
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

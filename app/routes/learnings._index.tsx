import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { LearningCard, type LearningCardData } from "~/components/learning";
import { countText, CursorPagination, plainOptions, SelectFilter } from "~/components/list-controls";
import { env } from "~/lib/env.server";
import { formValues, readForm } from "~/lib/http.server";
import { requireUser } from "~/lib/session.server";
import { formatTime } from "~/lib/time";
import { progressLabel } from "~/models/action";
import { actionProgress } from "~/models/action.server";
import { categoryLabels, listCategories } from "~/models/category.server";
import { SEVERITIES } from "~/models/incident";
import { glanceWhys } from "~/models/learning.server";
import { createFeedToken, feedTokenFor, listLearnings, listLearningServices, PERIODS } from "~/models/publication.server";
import { flatten } from "~/models/why-tree";
import { MAX_ID } from "~/models/inputs";

export const meta: MetaFunction = () => [{ title: "Learnings · Hindsight" }];

/** Shown only from what the database holds for the person signed in: served from the page cache while unchanged (app/lib/page-cache.server.ts). */
export const handle = { pageCache: true };

const PERIOD_LABELS: Record<keyof typeof PERIODS, string> = { "30d": "Last 30 days", "90d": "Last 90 days", "365d": "Last year" };

const filtersSchema = z.object({
  service: z.string().trim().max(60).optional().catch(undefined),
  severity: z.enum(SEVERITIES).optional().catch(undefined),
  category: z.string().trim().max(60).optional().catch(undefined),
  period: z.enum(Object.keys(PERIODS) as [keyof typeof PERIODS]).optional().catch(undefined),
  after: z.coerce.number().int().positive().max(MAX_ID).optional().catch(undefined),
  before: z.coerce.number().int().positive().max(MAX_ID).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const filters = filtersSchema.parse(Object.fromEntries([...new URL(request.url).searchParams].filter(([, v]) => v !== "")));
  const { items, total, capped, newer, older } = await listLearnings(filters);
  const progress = await actionProgress(items.map((i) => i.incidentId));
  const labels = await categoryLabels();
  const cards: LearningCardData[] = items.map(({ reference, title, severity, firstPublishedAt, revision, incidentId, content }) => ({
    reference,
    title,
    severity,
    published: formatTime(firstPublishedAt),
    updated: revision > 1,
    facilitator: content.facilitator,
    services: content.services,
    categories: [...new Set(content.categories.map((c) => labels[c] ?? c))],
    summaryHtml: content.summaryHtml,
    whys: glanceWhys(content.whys),
    moreWhys: Math.max(0, (content.whyCount ?? 0) - flatten(content.whys).length),
    remediations: content.remediations.map(({ level, html }) => ({ level, html })),
    moreRemediations: Math.max(0, (content.remediationCount ?? 0) - content.remediations.length),
    progress: progressLabel(progress.get(incidentId) ?? { total: 0, done: 0, wontDo: 0, overdue: 0 }),
  }));
  return {
    cards,
    total,
    capped,
    newer,
    older,
    filters,
    services: await listLearningServices(),
    categories: (await listCategories()).map((c) => ({ value: c.slug, label: c.label })),
    feedUrl: feedUrl(await feedTokenFor(user.id)),
  };
}

/** The private feed link; none while the account has no token (accounts are made with one). */
function feedUrl(token: string | undefined): string | null {
  return token ? `${env().APP_URL}/learnings.atom?token=${token}` : null;
}

/** "Create my private feed link", for an account that has none: a page that is read writes nothing. */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const { intent } = formValues(await readForm(request));
  if (intent !== "create-feed-link") throw new Response("Unknown action", { status: 400 });
  await createFeedToken(user.id);
  return redirect("/learnings");
}

export default function Learnings() {
  const { cards, total, capped, newer, older, filters, services, categories, feedUrl } = useLoaderData<typeof loader>();
  const filtered = Boolean(filters.service || filters.severity || filters.category || filters.period);
  return (
    <>
      <div className="page-header">
        <h1>Learnings</h1>
        <p className="muted">What the company learned from its incidents, newest first.</p>
      </div>
      <Form method="get" className="filters" aria-label="Filter learnings">
        <SelectFilter label="Service" name="service" anyLabel="Any service" options={plainOptions(services)} defaultValue={filters.service} />
        <SelectFilter label="Severity" name="severity" anyLabel="Any severity" options={plainOptions(SEVERITIES)} defaultValue={filters.severity} />
        <SelectFilter
          label="Cause"
          name="category"
          anyLabel="Any cause"
          options={categories}
          defaultValue={filters.category}
        />
        <SelectFilter
          label="Published"
          name="period"
          anyLabel="Any time"
          options={Object.entries(PERIOD_LABELS).map(([value, label]) => ({ value, label }))}
          defaultValue={filters.period}
        />
        <button type="submit" className="button button--quiet">
          Filter
        </button>
        {filtered ? <Link to="/learnings">Clear filters</Link> : null}
      </Form>
      {cards.length === 0 ? (
        <div className="panel empty">
          <p>{filtered ? "No published analyses match." : "No analyses have been published yet."}</p>
        </div>
      ) : (
        <>
          <p className="muted small">
            {countText({ total, capped }, "published analysis", "published analyses")}
          </p>
          {cards.map((card) => (
            <LearningCard key={card.reference} learning={card} />
          ))}
        </>
      )}
      <CursorPagination newer={newer} older={older} />
      {feedUrl ? (
        <p className="muted small section-gap">
          Follow in a feed reader: <a href={feedUrl}>Atom feed</a> (the link holds your private token; do not share it).
        </p>
      ) : (
        <Form method="post" className="muted small section-gap">
          Follow in a feed reader:{" "}
          <button type="submit" name="intent" value="create-feed-link" className="button button--quiet">
            Create my private feed link
          </button>
        </Form>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

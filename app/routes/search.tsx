import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field } from "~/components/form";
import { countText, Pagination, plainOptions, SelectFilter } from "~/components/list-controls";
import { SearchHitItem } from "~/components/search-hit";
import { requireUser } from "~/lib/session.server";
import { formatDate, isStorableDate } from "~/lib/time";
import { SEVERITIES, STATUSES, STATUS_LABELS } from "~/models/incident";
import { MAX_QUERY_LENGTH } from "~/models/search";
import { listServiceNames } from "~/models/incident.server";
import { searchFor } from "~/models/search.server";

const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((d) => {
    const day = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === d && isStorableDate(d);
  });

// A search link can come from anywhere (bookmarks, old links, hand-typed URLs): a value that
// makes no sense is dropped, never an error.
const searchSchema = z.object({
  q: z
    .string()
    .catch("")
    .transform((q) => q.trim().slice(0, MAX_QUERY_LENGTH)),
  severity: z.enum(SEVERITIES).optional().catch(undefined),
  status: z.enum(STATUSES).optional().catch(undefined),
  service: z.string().trim().max(60).optional().catch(undefined),
  from: calendarDate.optional().catch(undefined),
  to: calendarDate.optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).optional().catch(undefined),
});

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.q ? `“${data.q}” · Search · Hindsight` : "Search · Hindsight" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const raw = Object.fromEntries([...new URL(request.url).searchParams].filter(([, v]) => v.trim() !== ""));
  const { q, page, ...parsed } = searchSchema.parse({ q: "", ...raw });
  const services = await listServiceNames(user);
  // Only services the form offers, so the form always shows what was applied.
  const filters = { ...parsed, service: parsed.service && services.includes(parsed.service) ? parsed.service : undefined };
  // A period that ends before it starts is reported and left out, rather than finding nothing.
  const periodError = filters.from && filters.to && filters.to < filters.from ? "The end date is before the start date." : null;
  const applied = periodError ? { ...filters, from: undefined, to: undefined } : filters;
  const result = await searchFor(user, { q, page, ...applied });
  return {
    q,
    filters,
    periodError,
    filtered: Object.values(applied).some(Boolean),
    services,
    ...result,
    items: result.items.map((hit) => ({ hit, date: formatDate(hit.incident.startedAt.slice(0, 10)) })),
  };
}

export default function Search() {
  const { q, filters, periodError, filtered, services, searched, items, total, more, page, pageCount } = useLoaderData<typeof loader>();
  // Another search from the header box lands on this same page: new defaults for the fields.
  const { search } = useLocation();
  return (
    <>
      <div className="page-header">
        <h1>Search</h1>
      </div>

      <Form method="get" role="search" aria-label="Search incidents" className="search-form" key={search}>
        <div className="search-form__query">
          <Field label="Search for" name="q" hint="Words from titles, summaries, whys, remediations, timeline entries and actions. Use quotes for an exact phrase.">
            {(p) => <input {...p} type="search" defaultValue={q} maxLength={MAX_QUERY_LENGTH} autoComplete="off" />}
          </Field>
          <button type="submit" className="button">
            Search
          </button>
        </div>
        <div className="filters">
          <SelectFilter label="Severity" name="severity" anyLabel="Any severity" options={plainOptions(SEVERITIES)} defaultValue={filters.severity} />
          <SelectFilter label="Service" name="service" anyLabel="Any service" options={plainOptions(services)} defaultValue={filters.service} />
          <SelectFilter
            label="Status"
            name="status"
            anyLabel="Any status"
            options={STATUSES.map((v) => ({ value: v, label: STATUS_LABELS[v] }))}
            defaultValue={filters.status}
          />
          <Field label="Started from" name="from">
            {(p) => <input {...p} type="date" defaultValue={filters.from ?? ""} />}
          </Field>
          <Field label="Started until" name="to" error={periodError ?? undefined}>
            {(p) => <input {...p} type="date" defaultValue={filters.to ?? ""} />}
          </Field>
          {filtered || periodError ? <Link to={q ? `/search?${new URLSearchParams({ q })}` : "/search"}>Clear filters</Link> : null}
        </div>
      </Form>

      {!searched ? (
        <div className="panel empty">
          {q ? (
            <p>
              There is nothing to search for in “{q}”. Common words such as “the” or “was” are left out: type a more telling word or two, such
              as a service, an error or a cause.
            </p>
          ) : (
            <p>Type a word or two above to search every incident you can see: its summary, whys and remediations, timeline and actions.</p>
          )}
        </div>
      ) : items.length === 0 ? (
        <div className="panel empty" role="status">
          <p>
            No results for “{q}”{filtered ? " with these filters" : ""}.
          </p>
          {filtered ? (
            <p>
              <Link to={`/search?${new URLSearchParams({ q })}`}>Search everything for “{q}”</Link>
            </p>
          ) : (
            <p className="muted">Try fewer or shorter words, or another word for the same thing.</p>
          )}
        </div>
      ) : (
        <section aria-labelledby="search-results-heading">
          <h2 id="search-results-heading" className="search-results__count">
            {countText({ total, capped: more }, "result", "results")} for “{q}”
          </h2>
          {more ? <p className="muted small">Showing the best {total.toLocaleString("en")}. Add a word or a filter to narrow them down.</p> : null}
          <ol className="search-results">
            {items.map(({ hit, date }) => (
              <SearchHitItem key={hit.key} hit={hit} date={date} />
            ))}
          </ol>
        </section>
      )}

      <Pagination page={page} pageCount={pageCount} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

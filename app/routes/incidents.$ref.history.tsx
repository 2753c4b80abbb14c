import { type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CursorPagination } from "~/components/list-controls";
import { requireIncidentRoute } from "~/lib/guards.server";
import { formatTime } from "~/lib/time";
import { pageOfEvents } from "~/models/history.server";
import { FIELD_LABELS, STATUS_LABELS, type Status } from "~/models/incident";

function show(field: string, value: unknown): string {
  if (field === "status" && typeof value === "string") return STATUS_LABELS[value as Status] ?? value;
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.length > 0 ? value.join(", ") : "—";
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return formatTime(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  const text = String(value);
  return text.length > 300 ? `${text.slice(0, 297)}…` : text;
}

const pageSchema = z.object({
  after: z.coerce.number().int().positive().optional().catch(undefined),
  before: z.coerce.number().int().positive().optional().catch(undefined),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, incident } = await requireIncidentRoute(request, params.ref);
  const { events, newer, older } = await pageOfEvents(user, incident.id, pageSchema.parse(Object.fromEntries(new URL(request.url).searchParams)));
  return {
    newer,
    older,
    events: events.map((e) => ({
      id: e.id,
      summary: e.summary,
      actorName: e.actorName,
      at: formatTime(e.createdAt),
      afterPublication: e.afterPublication,
      changes: Object.entries(e.changes).map(([field, [before, after]]) => ({
        field: FIELD_LABELS[field] ?? field,
        before: show(field, before),
        after: show(field, after),
      })),
    })),
  };
}

export default function History() {
  const { events, newer, older } = useLoaderData<typeof loader>();
  return (
    <section className="panel" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <p className="muted small">Every change to this incident: who made it, and when. Newest first.</p>
      <ol className="history">
        {events.map((event) => (
          <li key={event.id}>
            <div>
              <strong>{event.actorName}</strong> · {event.summary}
              {event.afterPublication ? <span className="after-publication">after publication</span> : null}
            </div>
            <div className="muted small">{event.at}</div>
            {event.changes.length > 0 ? (
              <ul className="changes">
                {event.changes.map((c) => (
                  <li key={c.field}>
                    {c.field}: {c.before === "—" ? c.after : `${c.before} → ${c.after}`}
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
      <CursorPagination newer={newer} older={older} />
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

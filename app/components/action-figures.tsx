import { progressLabel, type ActionFigures as Figures } from "~/models/action";

export function formatRate(rate: number | null): string {
  return rate === null ? "—" : `${Math.round(rate * 100)}%`;
}

export function formatDays(days: number | null): string {
  return days === null ? "—" : `${days < 10 ? days.toFixed(1) : Math.round(days)} days`;
}

/** How far along the follow-up actions are, in a line of figures. */
export function ActionFigures({ figures }: { figures: Figures }) {
  if (figures.total === 0) return <p className="muted">No follow-up actions yet. Add them from the remediations above.</p>;
  return (
    <dl className="facts figures">
      <div>
        <dt>Progress</dt>
        <dd>{progressLabel({ total: figures.total, finished: figures.done + figures.wontDo, overdue: figures.overdue })}</dd>
      </div>
      <div>
        <dt>Completion rate</dt>
        <dd>{formatRate(figures.completionRate)}</dd>
      </div>
      <div>
        <dt>Median time to done</dt>
        <dd>{formatDays(figures.medianDaysToDone)}</dd>
      </div>
      <div>
        <dt>Overdue</dt>
        <dd className={figures.overdue > 0 ? "overdue-count" : undefined}>{figures.overdue}</dd>
      </div>
    </dl>
  );
}

import { progressLabel, type ActionFigures as Figures } from "~/models/action";

export function formatRate(rate: number | null): string {
  return rate === null ? "—" : `${Math.round(rate * 100)}%`;
}

/** "29% (2 of 7)": the share of all the actions that are done. */
export function formatDoneShare(f: { done: number; total: number; doneShare: number | null }): string {
  return f.doneShare === null ? "—" : `${formatRate(f.doneShare)} (${f.done} of ${f.total})`;
}

/** "50% of 2 finished": of the finished actions, the share done rather than dropped as won't do. */
export function formatDoneRatherThanDropped(f: { done: number; wontDo: number; doneRatherThanDropped: number | null }): string {
  return f.doneRatherThanDropped === null ? "— (none finished)" : `${formatRate(f.doneRatherThanDropped)} of ${f.done + f.wontDo} finished`;
}

/** What the figures mean, in the words the pages use. */
export const FIGURES_EXPLAINED =
  "Share done: the share of all the actions that are done. Done rather than dropped: of the finished actions, the share that were done rather than marked won't do (open actions do not count). Time to done: from an action's creation to its completion. Overdue: not finished and past the due date.";

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
        <dd>{progressLabel(figures)}</dd>
      </div>
      <div>
        <dt>Done rather than dropped</dt>
        <dd>{formatDoneRatherThanDropped(figures)}</dd>
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

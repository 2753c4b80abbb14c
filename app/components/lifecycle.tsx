import { Form } from "@remix-run/react";
import { STATUS_LABELS, TRANSITIONS, TRANSITION_LABELS, type Status } from "~/models/incident";
import type { PublishProblem } from "~/models/why-tree";
import { SubmitButton } from "./form";

const STEPS: Status[] = ["draft", "analysis", "review", "published"];

/** Where the incident is in its lifecycle, what stands before publishing, and the moves allowed. */
export function Lifecycle({
  status,
  canMove,
  problems,
  attempted,
  changesSincePublication,
}: {
  status: Status;
  canMove: boolean;
  problems: PublishProblem[];
  /** True when these problems came back from an attempt to publish. */
  attempted: boolean;
  /** Changes made since the last publication, which republishing would publish. */
  changesSincePublication: number;
}) {
  const moves = TRANSITIONS[status];
  const showProblems = problems.length > 0 && (status === "review" || attempted);
  const canRepublish = canMove && (status === "published" || status === "closed") && changesSincePublication > 0;
  // Once published there is little to do here; the status badge and the facts say the rest.
  if (moves.length === 0 && !showProblems && !canRepublish) return null;
  return (
    <section className="panel no-print" aria-labelledby="lifecycle-title">
      <h2 id="lifecycle-title">Lifecycle</h2>
      <ol className="lifecycle">
        {STEPS.map((step) => (
          <li key={step} aria-current={step === status ? "step" : undefined}>
            {STATUS_LABELS[step]}
          </li>
        ))}
      </ol>
      {showProblems ? (
        <div className="problems" role={attempted ? "alert" : undefined} tabIndex={-1} id="publish-problems">
          <h3>Before this can be published</h3>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>{p.whyId ? <a href={`#why-${p.whyId}`}>{p.message}</a> : p.message}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {canMove && moves.length > 0 ? (
        <Form method="post" className="form-actions">
          <input type="hidden" name="intent" value="move" />
          {moves.map((to, i) => (
            <SubmitButton
              key={to}
              intent="move"
              className={i === 0 ? "button" : "button button--quiet"}
              pendingText="Moving…"
              name="to"
              value={to}
            >
              {TRANSITION_LABELS[`${status}→${to}`] ?? STATUS_LABELS[to]}
            </SubmitButton>
          ))}
        </Form>
      ) : null}
      {canRepublish ? (
        <Form method="post" className="form-actions">
          <p className="small">
            {changesSincePublication} {changesSincePublication === 1 ? "change" : "changes"} since the last publication. Republish to
            update the learnings feed and the next digest.
          </p>
          <SubmitButton intent="republish" pendingText="Republishing…">
            Republish
          </SubmitButton>
        </Form>
      ) : null}
      {!canMove && moves.length > 0 ? (
        <p className="muted small">Only the facilitator or an admin moves the incident along.</p>
      ) : null}
    </section>
  );
}

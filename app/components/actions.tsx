import { Form, Link } from "@remix-run/react";
import {
  ACTION_STATUS_LABELS,
  ACTION_TRANSITIONS,
  ACTION_TRANSITION_LABELS,
  type ActionStatus,
  type Priority,
} from "~/models/action";
import type { Severity } from "~/models/incident";
import { FIELD_LIMITS } from "~/models/limits";
import { labelFor } from "~/lib/item-label";
import { SeverityBadge } from "./badges";
import { Field, SubmitButton } from "./form";
import type { FormState } from "./form-state";
import type { PersonOption } from "./incident-form";
import { ActionPlanForm, type ActionPlanView } from "./quick-forms";

/** An action as lists and the incident page show it. */
export type ActionView = {
  id: number;
  title: string;
  ownerName: string;
  due: string;
  status: ActionStatus;
  priority: Priority;
  overdue: boolean;
  /** Whether the person looking may change it (owner, facilitator, admin). */
  canChange: boolean;
  /** On the incident page, for those who may change it: its owner, due date and priority to change there. */
  plan?: ActionPlanView;
};

export function ActionStatusBadge({ status, overdue }: { status: ActionStatus; overdue: boolean }) {
  return (
    <>
      <span className={`status status--action-${status}`}>{ACTION_STATUS_LABELS[status]}</span>
      {overdue ? <span className="badge badge--overdue">Overdue</span> : null}
    </>
  );
}

/** The status moves allowed from here: one small form for the moves, one for won't do with its reason. */
export function ActionStatusControls({ id, title, status, redirectTo }: { id: number; title: string; status: ActionStatus; redirectTo: string }) {
  const moves = ACTION_TRANSITIONS[status].filter((to) => to !== "wont_do");
  return (
    <div className="action-controls">
      <Form method="post" action={`/actions/${id}`} preventScrollReset>
        <input type="hidden" name="intent" value="status" />
        <input type="hidden" name="redirectTo" value={redirectTo} />
        {moves.map((to) => (
          <SubmitButton key={to} name="to" value={to} intent="status" className="button button--quiet button--small" pendingText="Saving…" label={labelFor(ACTION_TRANSITION_LABELS[`${status}→${to}`], title)}>
            {ACTION_TRANSITION_LABELS[`${status}→${to}`]}
          </SubmitButton>
        ))}
      </Form>
      {ACTION_TRANSITIONS[status].includes("wont_do") ? (
        <details className="disclosure">
          <summary aria-label={labelFor("Won't do", title)}>Won't do</summary>
          <Form method="post" action={`/actions/${id}`} preventScrollReset>
            <input type="hidden" name="to" value="wont_do" />
            <input type="hidden" name="redirectTo" value={redirectTo} />
            <Field label="Why it will not be done" name="wontDoReason" limit={FIELD_LIMITS.reason}>
              {(p) => <input {...p} type="text" required />}
            </Field>
            <SubmitButton intent="status" match={{ to: "wont_do" }} className="button button--quiet button--small" label={labelFor("Record won't do", title)}>
              Record won't do
            </SubmitButton>
          </Form>
        </details>
      ) : null}
    </div>
  );
}

/**
 * The actions carrying out one why's remediation, on the incident page. Given the people who may
 * own them, each action the person may change can be replanned there (owner, due date, priority).
 */
export function WhyActions({ actions, redirectTo, owners, state }: { actions: ActionView[]; redirectTo: string; owners?: PersonOption[]; state?: FormState }) {
  if (actions.length === 0) return null;
  return (
    <ul className="why-actions" aria-label="Follow-up actions">
      {actions.map((action) => (
        <li key={action.id} id={`action-${action.id}`}>
          <div>
            <Link to={`/actions/${action.id}`}>{action.title}</Link>
          </div>
          <div className="why-actions__meta">
            <ActionStatusBadge status={action.status} overdue={action.overdue} /> {action.ownerName} · due {action.due} · {action.priority}
          </div>
          {action.canChange ? <ActionStatusControls id={action.id} title={action.title} status={action.status} redirectTo={redirectTo} /> : null}
          {action.canChange && action.plan && owners ? (
            <ActionPlanForm
              id={action.id}
              title={action.title}
              plan={action.plan}
              owners={owners}
              state={state?.target === `action-${action.id}` ? state : undefined}
            />
          ) : null}
        </li>
      ))}
    </ul>
  );
}

export type ActionRow = ActionView & {
  incidentReference: string;
  incidentTitle: string;
  severity: Severity;
  ownerTeam: string;
  whyQuestion: string | null;
};

/** A list of actions with the incident and the why each one remediates. */
export function ActionTable({ rows, redirectTo, caption }: { rows: ActionRow[]; redirectTo: string; caption: string }) {
  return (
    <div className="table-wrap">
      <table className="list list--stack">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Action</th>
            <th scope="col">Incident</th>
            <th scope="col">Owner</th>
            <th scope="col">Due</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} className={row.overdue ? "row--overdue" : undefined}>
              <td>
                <Link to={`/actions/${row.id}`}>{row.title}</Link> <span className="muted small">{row.priority}</span>
                {row.whyQuestion ? <div className="muted small">Remediates: {row.whyQuestion}</div> : null}
              </td>
              <td data-label="Incident">
                <span className="ref">{row.incidentReference}</span> <Link to={`/incidents/${row.incidentReference}`}>{row.incidentTitle}</Link>{" "}
                <SeverityBadge severity={row.severity} />
              </td>
              <td data-label="Owner">
                {row.ownerName}
                {row.ownerTeam ? <div className="muted small">{row.ownerTeam}</div> : null}
              </td>
              <td data-label="Due" className="nowrap">{row.due}</td>
              <td data-label="Status">
                <ActionStatusBadge status={row.status} overdue={row.overdue} />
                {row.canChange ? <ActionStatusControls id={row.id} title={row.title} status={row.status} redirectTo={redirectTo} /> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

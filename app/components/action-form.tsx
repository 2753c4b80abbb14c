import { useState } from "react";
import { pastDueNotice, PRIORITIES, PRIORITY_LABELS } from "~/models/action";
import { Field } from "./form";
import { PersonField, type PersonOption } from "./incident-form";
import { FIELD_LIMITS } from "~/models/limits";

type Values = Record<string, string | undefined>;
type Errors = Record<string, string[] | undefined>;

/** Title, description, owner, due date, priority and tracker link of a follow-up action. */
export function ActionFields({
  values,
  errors,
  people,
  dueHint,
  pastDue,
}: {
  values: Values;
  errors: Errors;
  people: PersonOption[];
  dueHint: string;
  /**
   * For a new action: today's date, to warn as a past due date is picked, and whether the
   * server asked to confirm one (then a box to tick says it is meant).
   */
  pastDue?: { today: string; confirm: boolean };
}) {
  const [picked, setPicked] = useState<string | null>(null);
  const warning = pastDue && picked !== null && !pastDue.confirm ? pastDueNotice(picked, pastDue.today) : undefined;
  return (
    <>
      <Field label="Title" name="title" error={errors.title} limit={FIELD_LIMITS.actionTitle} hint="What will be done, e.g. “Add a unit test that fails on the loop”.">
        {(p) => <input {...p} type="text" required defaultValue={values.title} />}
      </Field>
      <Field label="Description" name="descriptionMd" error={errors.descriptionMd} hint="Markdown." limit={FIELD_LIMITS.actionDescription}>
        {(p) => <textarea {...p} rows={3} defaultValue={values.descriptionMd} />}
      </Field>
      <div className="grid-3">
        <PersonField label="Owner" name="ownerId" people={people} defaultValue={values.ownerId} error={errors.ownerId} />
        <Field label="Priority" name="priority" error={errors.priority}>
          {(p) => (
            <select {...p} defaultValue={values.priority ?? "P2"}>
              {PRIORITIES.map((priority) => (
                <option key={priority} value={priority}>
                  {PRIORITY_LABELS[priority]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Due date" name="dueDate" error={errors.dueDate} hint={dueHint}>
          {(p) => <input {...p} type="date" defaultValue={values.dueDate} onChange={pastDue ? (e) => setPicked(e.currentTarget.value) : undefined} />}
        </Field>
      </div>
      {warning ? (
        <p className="field__warning" role="status">
          {warning}
        </p>
      ) : null}
      {pastDue?.confirm ? <PastDueConfirm /> : null}
      <Field label="Tracker link" name="trackerUrl" error={errors.trackerUrl} limit={FIELD_LIMITS.trackerUrl} hint="Optional: the ticket in Jira, Linear, GitHub…">
        {(p) => <input {...p} type="url" placeholder="https://" defaultValue={values.trackerUrl} />}
      </Field>
    </>
  );
}

/** Asked on saving an action whose due date has passed: the date is kept only when this is ticked. */
export function PastDueConfirm() {
  return (
    <div className="field">
      <label className="checkbox">
        <input type="checkbox" name="pastDue" value="confirmed" /> Keep this date, even though it has passed
      </label>
    </div>
  );
}

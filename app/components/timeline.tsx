import { Form } from "@remix-run/react";
import { labelFor } from "~/lib/item-label";
import { labelsFor } from "~/models/incident";
import { Field, SubmitButton } from "./form";
import { formKey, type FormState } from "./form-state";
import { RecordForm } from "./record-form";
import { FIELD_LIMITS } from "~/models/limits";

/** An entry as anyone who may see the incident reads it. */
export type TimelineItem = {
  id: number;
  at: string;
  atLabel: string;
  bodyHtml: string;
};

/** What the entry forms need: given only to those who may contribute, so readers get no forms. */
export type TimelineEditing = {
  /** Each entry's Markdown source, version and time as the time field takes it, by entry. */
  sources: Record<number, { bodyMd: string; version: number; atInput: string }>;
  /** The time a new entry starts with. */
  defaultAt: string;
};

const ENTRY_LABELS = labelsFor(["at", "bodyMd"]);

/** Timestamped entries in time order, each editable in place. */
export function Timeline({
  entries,
  editing,
  state,
}: {
  entries: TimelineItem[];
  editing?: TimelineEditing;
  state?: FormState;
}) {
  const stateFor = (target: string) => (state?.target === target ? state : undefined);
  return (
    <>
      {entries.length === 0 ? <p className="muted">No timeline entries yet.</p> : null}
      <ol className="timeline">
        {entries.map((entry) => {
          const entryState = stateFor(`entry-${entry.id}`);
          const source = editing?.sources[entry.id];
          return (
            <li key={entry.id} id={`entry-${entry.id}`}>
              <time dateTime={entry.at}>{entry.atLabel}</time>
              <div className="prose" dangerouslySetInnerHTML={{ __html: entry.bodyHtml }} />
              {source ? (
                <div className="timeline__tools">
                  <details className="disclosure" open={entryState ? true : undefined} key={formKey(`edit-${entry.id}-${source.version}`, entryState)}>
                    <summary aria-label={labelFor("Edit", `entry at ${entry.atLabel}`)}>Edit</summary>
                    <EntryForm
                      intent="update-entry"
                      hidden={{ entryId: String(entry.id), version: entryState?.conflict?.version ?? String(source.version) }}
                      values={{ at: source.atInput, bodyMd: source.bodyMd }}
                      state={entryState}
                      submit="Save entry"
                    />
                  </details>
                  <details className="disclosure">
                    <summary aria-label={labelFor("Remove", `entry at ${entry.atLabel}`)}>Remove</summary>
                    <Form method="post" preventScrollReset>
                      <input type="hidden" name="entryId" value={entry.id} />
                      <p>Remove this entry from the timeline?</p>
                      <SubmitButton intent="delete-entry" match={{ entryId: String(entry.id) }} className="button button--danger button--small" pendingText="Removing…" label={labelFor("Remove entry", entry.atLabel)}>
                        Remove entry
                      </SubmitButton>
                    </Form>
                  </details>
                </div>
              ) : null}
            </li>
          );
        })}
      </ol>
      {editing ? (
        <details className="disclosure" open={stateFor("new-entry") ? true : undefined} key={formKey(`new-${entries.length}`, stateFor("new-entry"))}>
          <summary>Add a timeline entry</summary>
          <EntryForm intent="add-entry" hidden={{}} values={{ at: editing.defaultAt, bodyMd: "" }} state={stateFor("new-entry")} submit="Add entry" />
        </details>
      ) : null}
    </>
  );
}

function EntryForm({
  intent,
  hidden,
  values,
  state,
  submit,
}: {
  intent: string;
  hidden: Record<string, string>;
  values: Record<string, string>;
  state?: FormState;
  submit: string;
}) {
  return (
    <RecordForm intent={intent} hidden={hidden} values={values} state={state} labels={ENTRY_LABELS} submit={submit}>
      {(shown, errors) => (
        <>
          <Field label="Time (UTC)" name="at" error={errors.at}>
            {(p) => <input {...p} type="datetime-local" required defaultValue={shown.at} />}
          </Field>
          <Field label="What happened" name="bodyMd" error={errors.bodyMd} hint="Markdown." limit={FIELD_LIMITS.timelineEntry}>
            {(p) => <textarea {...p} rows={2} required defaultValue={shown.bodyMd} />}
          </Field>
        </>
      )}
    </RecordForm>
  );
}

import { SEVERITIES, SEVERITY_DEFINITIONS, VISIBILITIES, VISIBILITY_LABELS } from "~/models/incident";
import { Field } from "./form";
import { FIELD_LIMITS } from "~/models/limits";

export type PersonOption = { id: number; name: string; team: string };

type Values = Record<string, string | undefined>;
type Errors = Record<string, string[] | undefined>;

/** The incident's own fields, shared by the report and edit forms. */
export function IncidentFields({ values, errors, canSetVisibility = true }: { values: Values; errors: Errors; canSetVisibility?: boolean }) {
  return (
    <>
      <Field label="Title" name="title" error={errors.title} limit={FIELD_LIMITS.incidentTitle} hint="What happened, in a few words: “Website down: front-end servers at 100% CPU”.">
        {(p) => <input {...p} type="text" required defaultValue={values.title} />}
      </Field>

      <fieldset aria-describedby={errors.severity ? "severity-error" : undefined}>
        <legend>Severity</legend>
        <div className="choices">
          {SEVERITIES.map((severity) => (
            <label key={severity}>
              <input type="radio" name="severity" value={severity} required defaultChecked={values.severity === severity} />
              <span>
                <strong>{severity}</strong> <span className="muted">{SEVERITY_DEFINITIONS[severity]}</span>
              </span>
            </label>
          ))}
        </div>
        {errors.severity ? (
          <p className="field__error" id="severity-error">
            {errors.severity[0]}
          </p>
        ) : null}
      </fieldset>

      <div className="grid-3">
        <Field label="Started (UTC)" name="startedAt" error={errors.startedAt}>
          {(p) => <input {...p} type="datetime-local" required defaultValue={values.startedAt} />}
        </Field>
        <Field label="Detected (UTC)" name="detectedAt" error={errors.detectedAt} hint="Leave empty if not known yet.">
          {(p) => <input {...p} type="datetime-local" defaultValue={values.detectedAt} />}
        </Field>
        <Field label="Resolved (UTC)" name="resolvedAt" error={errors.resolvedAt} hint="Leave empty while it is ongoing.">
          {(p) => <input {...p} type="datetime-local" defaultValue={values.resolvedAt} />}
        </Field>
      </div>

      <Field label="Services and tags" name="services" error={errors.services} hint="Comma-separated, e.g. web, api, mysql1.">
        {(p) => <input {...p} type="text" defaultValue={values.services} />}
      </Field>

      <Field label="Impact" name="impactMd" error={errors.impactMd} limit={FIELD_LIMITS.impact} hint="Who was affected and how, for how long. Markdown.">
        {(p) => <textarea {...p} rows={3} defaultValue={values.impactMd} />}
      </Field>

      <Field label="Summary" name="summaryMd" error={errors.summaryMd} limit={FIELD_LIMITS.summary} hint="What happened and what was learned, for readers who were not there. Markdown.">
        {(p) => <textarea {...p} rows={5} defaultValue={values.summaryMd} />}
      </Field>

      {canSetVisibility ? (
        <fieldset>
          <legend>Who can see it</legend>
          <div className="choices">
            {VISIBILITIES.map((visibility) => (
              <label key={visibility}>
                <input type="radio" name="visibility" value={visibility} defaultChecked={(values.visibility ?? "org") === visibility} />
                <span>{VISIBILITY_LABELS[visibility]}</span>
              </label>
            ))}
          </div>
          {errors.visibility ? <p className="field__error">{errors.visibility[0]}</p> : null}
        </fieldset>
      ) : (
        <input type="hidden" name="visibility" value={values.visibility} />
      )}
    </>
  );
}

/** The one facilitator ("5 Whys master"), chosen among everyone with an account. */
export function FacilitatorField(props: { people: PersonOption[]; defaultValue: string | number | undefined; error?: string[]; hint: string }) {
  return <PersonField label="Facilitator (5 Whys master)" name="facilitatorId" {...props} />;
}

/** A choice of one person with an account, listed as "Name (Team)". */
export function PersonField({
  label,
  name,
  people,
  defaultValue,
  error,
  hint,
}: {
  label: string;
  name: string;
  people: PersonOption[];
  defaultValue: string | number | undefined;
  error?: string[];
  hint?: string;
}) {
  return (
    <Field label={label} name={name} error={error} hint={hint}>
      {(p) => (
        <select {...p} defaultValue={defaultValue}>
          {people.map((person) => (
            <option key={person.id} value={person.id}>
              {person.name}
              {person.team ? ` (${person.team})` : ""}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

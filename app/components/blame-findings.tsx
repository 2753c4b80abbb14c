import { Form } from "@remix-run/react";
import { findingKey, KIND_LABELS, type Finding, type WhyField } from "~/models/blame";
import { Field, FormError, HiddenInputs, SubmitButton } from "./form";
import { labelFor } from "~/lib/item-label";
import { shorten } from "~/lib/shorten";
import { FIELD_LIMITS } from "~/models/limits";

/**
 * The blame-language findings for one field as people type: why each matters, a blameless
 * alternative, and (with JavaScript) a button that puts the suggested wording in the field.
 */
export function BlameFindings({
  findings,
  id,
  label,
  onApply,
}: {
  findings: Finding[];
  id: string;
  /** Names the list for screen readers, e.g. "Blameless wording in the answer". */
  label: string;
  onApply?: (finding: Finding) => void;
}) {
  // Always in the page, empty when there is nothing to say, so screen readers announce what appears.
  return (
    <ul className="blame" id={id} aria-label={label} aria-live="polite">
      {findings.map((f) => (
        <li key={`${f.start}-${f.kind}`}>
          <FindingText finding={f} />
          {onApply && f.rewrite ? (
            <button type="button" className="button button--small button--quiet blame__apply" onClick={() => onApply(f)} aria-label={labelFor("Use this wording", `instead of “${f.match}”`)}>
              Use this wording
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

function FindingText({ finding: f }: { finding: Finding }) {
  return (
    <>
      <strong>{KIND_LABELS[f.kind]}:</strong> “{f.match}”. {f.explanation} <em>Try:</em> {f.suggestion}
      {f.rewrite ? (
        <>
          {" "}
          <span className="blame__rewrite">Suggested wording: “{f.rewrite.sentence ?? (f.rewrite.text || "(remove it)")}”</span>
        </>
      ) : null}
    </>
  );
}

export type SavedFinding = Finding & {
  field: WhyField;
  /** Set when the facilitator chose to keep this wording. */
  acknowledged?: { reason: string; byName: string };
};

const FIELD_NAMES: Record<WhyField, string> = { question: "Question", answer: "Answer", remediation: "Remediation" };

/**
 * Findings on a saved why, each reworded with one click (as an edit of the why) or, by the
 * facilitator, kept with a reason. Plain forms: this works without JavaScript.
 */
export function SavedFindings({
  whyId,
  level,
  question,
  version,
  findings,
  canEdit,
  canAcknowledge,
  failure,
}: {
  whyId: number;
  /** The why's level and question, which the controls of each finding name along with its field and words. */
  level: number;
  question: string;
  version: number;
  findings: SavedFinding[];
  canEdit: boolean;
  canAcknowledge: boolean;
  /** A refused rewording or acknowledgement on this why: the message and what was typed. */
  failure?: { intent?: string; field?: string; match?: string; message: string; reason?: string };
}) {
  if (findings.length === 0 && !failure) return null;
  const open = findings.filter((f) => !f.acknowledged);
  // A reason refused for a finding still shown goes next to its field; anything else (the wording
  // has gone, someone else saved first) is said at the top.
  const failedKey = failure?.intent === "acknowledge-finding" && failure.field ? findingKey(failure.field as WhyField, failure.match ?? "") : undefined;
  const atFinding = (f: SavedFinding) => (failedKey === findingKey(f.field, f.match) ? failure : undefined);
  const general = failure && !findings.some(atFinding) ? failure.message : undefined;
  // Two whys at one level can share a flagged word ("careless"): the question tells them apart.
  const findingItem = (f: SavedFinding) => `“${shorten(f.match, 30)}” in the ${FIELD_NAMES[f.field].toLowerCase()} at level ${level}, “${shorten(question, 24)}”`;
  return (
    <div className="blame blame--saved">
      <p className="blame__heading">
        <strong>Blameless wording</strong>{" "}
        {findings.length === 0
          ? "· nothing to reword now"
          : open.length > 0
            ? `· ${open.length} to reword or acknowledge before publishing`
            : "· every finding is acknowledged"}
      </p>
      <FormError message={general} />
      <ul>
        {findings.map((f) => {
          const key = { whyId: String(whyId), field: f.field, match: f.match };
          const failed = atFinding(f);
          return (
            <li key={`${f.field}-${f.start}`} className={f.acknowledged ? "blame__item blame__item--kept" : "blame__item"}>
              <span className="blame__field">{FIELD_NAMES[f.field]}</span> <FindingText finding={f} />
              {f.acknowledged ? (
                <div className="blame__kept">
                  Kept by {f.acknowledged.byName}: {f.acknowledged.reason}
                  {canAcknowledge ? (
                    <Form method="post" preventScrollReset className="inline-form">
                      <HiddenInputs values={key} />
                      <SubmitButton intent="withdraw-acknowledgement" match={key} className="button button--small button--quiet" pendingText="Withdrawing…" label={labelFor("Withdraw", findingItem(f))}>
                        Withdraw
                      </SubmitButton>
                    </Form>
                  ) : null}
                </div>
              ) : (
                <div className="blame__tools no-print">
                  {canEdit && f.rewrite ? (
                    <Form method="post" preventScrollReset className="inline-form">
                      <HiddenInputs values={{ ...key, version: String(version) }} />
                      <SubmitButton intent="apply-suggestion" match={key} className="button button--small" pendingText="Rewording…" label={labelFor("Use the suggested wording", findingItem(f))}>
                        Use the suggested wording
                      </SubmitButton>
                    </Form>
                  ) : null}
                  {canAcknowledge ? (
                    <details className="disclosure" open={failed ? true : undefined}>
                      <summary aria-label={labelFor("Keep this wording…", findingItem(f))}>Keep this wording…</summary>
                      <Form method="post" preventScrollReset>
                        <HiddenInputs values={key} />
                        <Field
                          label="Why keep it?"
                          name="reason"
                          error={failed?.message}
                          limit={FIELD_LIMITS.reason}
                          hint="e.g. a quotation, or the person's own account of their part."
                        >
                          {(p) => <input {...p} type="text" required defaultValue={failed?.reason ?? ""} />}
                        </Field>
                        <SubmitButton intent="acknowledge-finding" match={key} className="button button--small button--quiet" pendingText="Saving…" label={labelFor("Acknowledge", findingItem(f))}>
                          Acknowledge
                        </SubmitButton>
                      </Form>
                    </details>
                  ) : null}
                </div>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

import { Form, Link } from "@remix-run/react";
import type { Severity } from "~/models/incident";
import { SeverityBadge } from "./badges";
import { SubmitButton } from "./form";

export type SeenBeforeView = {
  whyId: number;
  incidentId: number;
  reference: string;
  title: string;
  severity: Severity;
  date: string;
  question: string;
  answer: string;
  /** The phrases and words both whys share that made them match, in this why's words. */
  matchedOn: string[];
  earlier: boolean;
  related: boolean;
  /** "2 of 3 actions done", or "No follow-up actions". */
  progress: string;
  /** When the earlier fix was done yet the cause came back: what was done, and when. */
  fixMayNotHaveWorked: { titles: string[]; doneOn: string } | null;
};

/** Whys of other incidents with a similar answer: the cause may be recurring. */
export function SeenBefore({ whyId, items, canLink }: { whyId: number; items: SeenBeforeView[]; canLink: boolean }) {
  if (items.length === 0) return null;
  const warnings = items.filter((i) => i.fixMayNotHaveWorked);
  const headingId = `seen-before-${whyId}`;
  return (
    <section className="seen-before" aria-labelledby={headingId}>
      {warnings.map((w) => (
        <p key={w.whyId} className="seen-before__warning" role="note">
          <strong>The fix may not have worked.</strong> The same cause was found in{" "}
          <Link to={`/incidents/${w.reference}#why-${w.whyId}`}>{w.reference}</Link>, and its{" "}
          {w.fixMayNotHaveWorked!.titles.length === 1 ? "action" : "actions"}{" "}
          {w.fixMayNotHaveWorked!.titles.map((t) => `“${t}”`).join(", ")}{" "}
          {w.fixMayNotHaveWorked!.titles.length === 1 ? "was" : "were"} marked done on {w.fixMayNotHaveWorked!.doneOn}.
        </p>
      ))}
      <details className="disclosure" open={warnings.length > 0 ? true : undefined}>
        <summary id={headingId}>
          Seen before: {items.length} similar {items.length === 1 ? "why" : "whys"} in other incidents
        </summary>
        <ul className="seen-before__list">
          {items.map((item) => (
            <li key={item.whyId}>
              <div className="seen-before__head">
                <Link to={`/incidents/${item.reference}#why-${item.whyId}`}>
                  {item.reference}: {item.title}
                </Link>{" "}
                <SeverityBadge severity={item.severity} /> <span className="muted small">{item.date}{item.earlier ? "" : " (later)"}</span>
              </div>
              <p className="small">
                <span className="muted">{item.question}</span> {item.answer}
              </p>
              {item.matchedOn.length > 0 ? (
                <p className="small seen-before__why">
                  <span className="muted">Matched on:</span> {item.matchedOn.join(", ")}
                </p>
              ) : null}
              <div className="seen-before__foot small">
                <span>{item.progress}</span>
                {item.related ? (
                  <span className="muted">✓ Related</span>
                ) : canLink ? (
                  <Form method="post" preventScrollReset className="inline-form">
                    <input type="hidden" name="relatedId" value={item.incidentId} />
                    <input type="hidden" name="whyId" value={whyId} />
                    <SubmitButton
                      intent="link-incident"
                      match={{ relatedId: String(item.incidentId), whyId: String(whyId) }}
                      className="button button--small button--quiet"
                      pendingText="Linking…"
                    >
                      Mark {item.reference} as related
                    </SubmitButton>
                  </Form>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}

import { Link } from "@remix-run/react";
import type { Severity } from "~/models/incident";
import { SeverityBadge } from "./badges";

export type GlanceWhy = { level: number; text: string; children: GlanceWhy[] };

// The learnings card and the Atom feed render these same components: a feed reader shows them
// without the stylesheet, so what they say must not depend on it.

/**
 * The chain of whys in one glance: each answer under the one it explains, numbered by its level
 * (the list's own numbers, so nothing shows or reads a level twice; branches share a number).
 */
export function ChainGlance({ whys }: { whys: GlanceWhy[] }) {
  if (whys.length === 0) return null;
  return (
    <ol className="glance">
      {whys.map((why, i) => (
        <li key={i} value={why.level}>
          {why.text}
          {why.children.length > 0 ? <ChainGlance whys={why.children} /> : null}
        </li>
      ))}
    </ol>
  );
}

export type Remediation = { level: number; html: string };

/** Each level's remediation, in reading order. */
export function Remediations({ remediations }: { remediations: Remediation[] }) {
  if (remediations.length === 0) return null;
  return (
    <ul className="remediations">
      {remediations.map((r, i) => (
        <li key={i}>
          <strong className="glance__level">Level {r.level}</strong>
          <div className="prose" dangerouslySetInnerHTML={{ __html: r.html }} />
        </li>
      ))}
    </ul>
  );
}

export type LearningCardData = {
  reference: string;
  title: string;
  severity: Severity;
  published: string;
  updated: boolean;
  facilitator: string;
  services: string[];
  categories: string[];
  summaryHtml: string;
  whys: GlanceWhy[];
  /** Whys and remediations of the analysis the card leaves out (it shows a glance). */
  moreWhys: number;
  remediations: Remediation[];
  moreRemediations: number;
  progress: string;
};

function More({ count, one, many, to }: { count: number; one: string; many: string; to: string }) {
  if (count === 0) return null;
  return (
    <p className="small muted">
      And {count} more {count === 1 ? one : many}: <Link to={to}>read the whole analysis</Link>.
    </p>
  );
}

/** A published analysis in the feed: what happened, the whys, the fixes, how far the fixes are. */
export function LearningCard({ learning }: { learning: LearningCardData }) {
  return (
    <article className="panel learning" aria-labelledby={`learning-${learning.reference}`}>
      <header className="learning__head">
        <h2 id={`learning-${learning.reference}`}>
          <Link to={`/learnings/${learning.reference}`}>{learning.title}</Link>
        </h2>
        <div className="incident-meta">
          <span className="ref">{learning.reference}</span>
          <SeverityBadge severity={learning.severity} />
          <span>
            Published {learning.published}
            {learning.updated ? " (updated)" : ""} · facilitated by {learning.facilitator}
          </span>
        </div>
      </header>
      <div className="learning__body">
        <section aria-label="What happened">
          <h3>What happened</h3>
          <div className="prose" dangerouslySetInnerHTML={{ __html: learning.summaryHtml }} />
        </section>
        <section aria-label="Why">
          <h3>Why</h3>
          <ChainGlance whys={learning.whys} />
          <More count={learning.moreWhys} one="why" many="whys" to={`/learnings/${learning.reference}`} />
        </section>
      </div>
      <section aria-label="What we change" className="learning__fixes">
        <h3>What we change</h3>
        <Remediations remediations={learning.remediations} />
        <More count={learning.moreRemediations} one="remediation" many="remediations" to={`/learnings/${learning.reference}`} />
      </section>
      <footer className="learning__foot">
        {learning.services.length > 0 ? <span>Services: {learning.services.join(", ")}</span> : null}
        {learning.categories.length > 0 ? <span>Causes: {learning.categories.join(", ")}</span> : null}
        <span>Actions: {learning.progress}</span>
      </footer>
    </article>
  );
}

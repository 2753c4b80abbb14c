import { Link } from "@remix-run/react";
import type { Severity } from "~/models/incident";
import { SeverityBadge } from "./badges";

export type GlanceWhy = {
  level: number;
  question: string;
  answer: string;
  remediationHtml: string;
  noRemediationReason: string;
  category: string;
  children: GlanceWhy[];
};

/** The chain of whys in one glance: each answer under the one it explains. */
export function ChainGlance({ whys }: { whys: GlanceWhy[] }) {
  if (whys.length === 0) return null;
  return (
    <ol className="glance">
      {whys.map((why, i) => (
        <li key={i}>
          <span className="glance__level">{why.level}</span> {why.answer || why.question}
          {why.children.length > 0 ? <ChainGlance whys={why.children} /> : null}
        </li>
      ))}
    </ol>
  );
}

/** Each level's remediation, in reading order. */
export function Remediations({ whys }: { whys: GlanceWhy[] }) {
  const flat = (list: GlanceWhy[]): GlanceWhy[] => list.flatMap((w) => [w, ...flat(w.children)]);
  const items = flat(whys).filter((w) => w.remediationHtml);
  if (items.length === 0) return null;
  return (
    <ul className="remediations">
      {items.map((why, i) => (
        <li key={i}>
          <span className="glance__level">Level {why.level}</span>
          <div className="prose" dangerouslySetInnerHTML={{ __html: why.remediationHtml }} />
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
  progress: string;
};

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
        </section>
      </div>
      <section aria-label="What we change" className="learning__fixes">
        <h3>What we change</h3>
        <Remediations whys={learning.whys} />
      </section>
      <footer className="learning__foot">
        {learning.services.length > 0 ? <span>Services: {learning.services.join(", ")}</span> : null}
        {learning.categories.length > 0 ? <span>Causes: {learning.categories.join(", ")}</span> : null}
        <span>Actions: {learning.progress}</span>
      </footer>
    </article>
  );
}

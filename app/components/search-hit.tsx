import { Link } from "@remix-run/react";
import { Fragment } from "react";
import { RestrictedBadge, SeverityBadge, StatusBadge } from "./badges";
import { HIT_LABELS, type SearchHit, type Segment } from "~/models/search";

/** Text with the words that matched marked. */
export function Highlighted({ segments }: { segments: Segment[] }) {
  return (
    <>
      {segments.map((s, i) => (s.hit ? <mark key={i}>{s.text}</mark> : <Fragment key={i}>{s.text}</Fragment>))}
    </>
  );
}

/** One search result: what it is, where it lives, and the words around the match. */
export function SearchHitItem({ hit, date }: { hit: SearchHit; date: string }) {
  const { incident } = hit;
  // Timeline entries have no title of their own: the incident's stands in.
  const ownHeading = hit.heading.length > 0 && hit.kind !== "incident";
  const heading = hit.heading.length > 0 ? hit.heading : [{ text: incident.title, hit: false }];
  return (
    <li className="search-hit">
      <p className="search-hit__meta">
        <span className={`search-kind search-kind--${hit.kind}`}>{HIT_LABELS[hit.kind]}</span>
        <span className="ref">{incident.reference}</span>
        {ownHeading ? <span className="search-hit__incident">{incident.title}</span> : null}
        <SeverityBadge severity={incident.severity} />
        <StatusBadge status={incident.status} />
        {incident.restricted ? <RestrictedBadge /> : null}
        <span className="muted">{date}</span>
      </p>
      <h3 className="search-hit__title">
        <Link to={hit.href}>
          <Highlighted segments={heading} />
        </Link>
      </h3>
      {hit.snippet.length > 0 ? (
        <p className="search-hit__snippet">
          <span className="search-hit__field">{hit.field}:</span> <Highlighted segments={hit.snippet} />
        </p>
      ) : null}
    </li>
  );
}

import { KIND_LABELS, type Finding } from "~/models/blame";

/** The blame-language findings for one field, with why each matters and a blameless rewrite. */
export function BlameFindings({ findings, id }: { findings: Finding[]; id?: string }) {
  if (findings.length === 0) return null;
  return (
    <ul className="blame" id={id} aria-label="Blameless wording">
      {findings.map((f) => (
        <li key={`${f.start}-${f.kind}`}>
          <strong>{KIND_LABELS[f.kind]}:</strong> “{f.match}”. {f.explanation} <em>Try:</em> {f.suggestion}
        </li>
      ))}
    </ul>
  );
}

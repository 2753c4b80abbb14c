import { SEVERITY_DEFINITIONS, STATUS_LABELS, type Severity, type Status } from "~/models/incident";

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span className={`badge badge--${severity.toLowerCase()}`} title={SEVERITY_DEFINITIONS[severity]}>
      {severity}
    </span>
  );
}

export function StatusBadge({ status }: { status: Status }) {
  return <span className={`status status--${status}`}>{STATUS_LABELS[status]}</span>;
}

export function RestrictedBadge() {
  return (
    <span className="badge badge--restricted" title="Only the facilitator, participants and admins can see this incident">
      Restricted
    </span>
  );
}

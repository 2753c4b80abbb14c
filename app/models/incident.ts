// Rules and vocabulary of an incident that the browser needs as much as the server.

export const SEVERITIES = ["SEV1", "SEV2", "SEV3", "SEV4"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SEVERITY_DEFINITIONS: Record<Severity, string> = {
  SEV1: "Critical: the product is down or data is at risk for many customers.",
  SEV2: "Major: a core feature is broken or badly degraded for many customers.",
  SEV3: "Minor: a feature is degraded for some customers, or a workaround exists.",
  SEV4: "Low: little or no customer impact; a near miss worth learning from.",
};

export const STATUSES = ["draft", "analysis", "review", "published", "closed"] as const;
export type Status = (typeof STATUSES)[number];

export const STATUS_LABELS: Record<Status, string> = {
  draft: "Draft",
  analysis: "Analysis",
  review: "Review",
  published: "Published",
  closed: "Closed",
};

/** Where each state may move, in the order the buttons are offered. */
export const TRANSITIONS: Record<Status, readonly Status[]> = {
  draft: ["analysis"],
  analysis: ["review", "draft"],
  review: ["published", "analysis"],
  published: [],
  closed: [],
};

export const TRANSITION_LABELS: Record<string, string> = {
  "draft→analysis": "Start the analysis",
  "analysis→review": "Send for review",
  "analysis→draft": "Back to draft",
  "review→published": "Publish",
  "review→analysis": "Back to analysis",
};

export const VISIBILITIES = ["org", "restricted"] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const VISIBILITY_LABELS: Record<Visibility, string> = {
  org: "Everyone in the organisation",
  restricted: "Restricted: only the facilitator, participants and admins",
};

export function reference(id: number): string {
  return `INC-${id}`;
}

/** "INC-7" (any case) → 7; anything else → undefined. */
export function parseReference(ref: string | undefined): number | undefined {
  const match = /^inc-(\d{1,9})$/i.exec(ref ?? "");
  return match ? Number(match[1]) : undefined;
}

/** Service and tag names are kept as short lowercase slugs, each once. */
export function parseServices(text: string): string[] {
  const names = text
    .split(/[,\n]/)
    .map((s) => s.trim().toLowerCase().replace(/\s+/g, "-"))
    .filter(Boolean);
  return [...new Set(names)];
}

export type IncidentTimes = { startedAt: string; detectedAt: string | null; resolvedAt: string | null };

/** Problems with the order of an incident's timestamps, by field. */
export function timeProblems(t: IncidentTimes): Partial<Record<keyof IncidentTimes, string>> {
  const problems: Partial<Record<keyof IncidentTimes, string>> = {};
  if (t.detectedAt && t.detectedAt < t.startedAt) {
    problems.detectedAt = "Detected must be at or after the start.";
  }
  if (t.resolvedAt && t.resolvedAt < t.startedAt) {
    problems.resolvedAt = "Resolved must be at or after the start.";
  } else if (t.resolvedAt && t.detectedAt && t.resolvedAt < t.detectedAt) {
    problems.resolvedAt = "Resolved must be at or after detection.";
  }
  return problems;
}

/** How the fields of an incident, a why and a timeline entry are named to people. */
export const FIELD_LABELS: Record<string, string> = {
  title: "Title",
  severity: "Severity",
  startedAt: "Started",
  detectedAt: "Detected",
  resolvedAt: "Resolved",
  services: "Services",
  impactMd: "Impact",
  summaryMd: "Summary",
  visibility: "Visibility",
  status: "Status",
  facilitator: "Facilitator",
  participants: "Participants",
  question: "Question",
  answer: "Answer",
  remediation: "Remediation",
  remediationMd: "Remediation",
  noRemediationReason: "No remediation needed because",
  noActionReason: "No follow-up action needed because",
  category: "Cause category",
  rootReached: "Root cause reached",
  descriptionMd: "Description",
  ownerId: "Owner",
  dueDate: "Due date",
  priority: "Priority",
  trackerUrl: "Tracker link",
  reason: "Reason",
  at: "Time (UTC)",
  bodyMd: "Entry",
  body: "Entry",
};

/** The labels of just these fields, e.g. for showing two versions of one form side by side. */
export function labelsFor(fields: readonly string[]): Record<string, string> {
  return Object.fromEntries(fields.map((f) => [f, FIELD_LABELS[f] ?? f]));
}

/** The most characters of the title a file name keeps: enough to recognise it in a folder. */
const FILE_TITLE_LENGTH = 60;

/**
 * The name an incident's export is saved under, "INC-12-checkout-down": the reference, then the
 * title's letters and digits in any script, lower-cased, with one hyphen between words.
 */
export function exportFileStem(ref: string, title: string): string {
  const words = title.normalize("NFKC").toLowerCase().match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
  const slug = Array.from(words.join("-")).slice(0, FILE_TITLE_LENGTH).join("").replace(/-+$/, "");
  return slug ? `${ref}-${slug}` : ref;
}

// The deploy gate's rules, pure: which policy applies to a service, when an incident breaks it,
// which exception lets it through, and what each caller may read of the answer. The reads are in
// gate.server.ts; the HTTP edges (the API's /api/v1/gate, GitHub's deployment protection rule)
// and the pages only present what decide() returns. docs/decisions/0030-deploy-gate.md

import { canView, type Audience, type IncidentPeople } from "./authorization";
import { parseServices, reference, SEVERITIES, type Severity, type Status } from "./incident";
import { FIELD_LIMITS } from "./limits";

/** How much of the gate an admin or a facilitator can make; README, "Limits". */
export const GATE_LIMITS = {
  /** Policies in all: one per service that needs its own, and the one for all services. */
  policies: 200,
  /** The longest deadline for publishing an analysis, in hours (30 days). */
  analysisHours: 720,
  /** The longest exception, in hours: a deploy window, not a way to switch the gate off. */
  exceptionHours: 72,
  /** Exceptions granted for one incident over its life (each is kept for its history). */
  exceptionsPerIncident: 50,
  /** Repositories mapped to a service of another name. */
  repositoryMappings: 200,
} as const;

/** The durations an exception is granted for, in hours. */
export const EXCEPTION_DURATIONS = [1, 4, 12, 24, 72] as const satisfies readonly number[];

export const EXCEPTION_DURATION_LABELS: Record<(typeof EXCEPTION_DURATIONS)[number], string> = {
  1: "1 hour",
  4: "4 hours",
  12: "12 hours",
  24: "1 day",
  72: "3 days",
};

/** What a caller who may not see a restricted incident reads in its place. */
export const RESTRICTED_INCIDENT = "a restricted incident";

/** Statuses whose analysis counts as published: a closed incident went through publication. */
const ANALYSIS_DONE: readonly Status[] = ["published", "closed"];

export type GatePolicy = {
  id: number;
  /** The service it is for; null: every service without a policy of its own. */
  service: string | null;
  minSeverity: Severity;
  /** Hours after the start by which the analysis must be published; null: no deadline. */
  analysisHours: number | null;
  holdOnOverdueP1: boolean;
  version: number;
};

/** An exception as stored, with the name of who granted it. */
export type GateExceptionRow = {
  id: number;
  reason: string;
  grantedByName: string;
  createdAt: string;
  expiresAt: string;
  endedAt: string | null;
};

/** What the gate reads of an incident. */
export type GateIncident = IncidentPeople & {
  id: number;
  title: string;
  severity: Severity;
  status: Status;
  startedAt: string;
  services: readonly string[];
  /** Its unfinished P1 actions whose due date is before today: how many, and since when the first is overdue. */
  overdueP1: { count: number; since: string | null };
  exceptions: readonly GateExceptionRow[];
};

/** Why an incident breaks a policy, and since when. */
export type Breach =
  | { why: "analysis-overdue"; /** The policy's deadline. */ hours: number; since: string }
  | { why: "overdue-p1-actions"; count: number; since: string };

export type GateReason = {
  policy: { id: number; service: string | null; minSeverity: Severity };
  /** Null for a caller who may not see the incident (a restricted one): then `label` says "a restricted incident". */
  incident: { reference: string; title: string; url: string } | null;
  /** "INC-7: Checkout down", or "a restricted incident". */
  label: string;
  severity: Severity;
  why: Breach["why"];
  /** analysis-overdue: the hours the policy allows before the analysis is published. */
  hours?: number;
  /** overdue-p1-actions: how many P1 actions are overdue. */
  count?: number;
  /** When it began to hold (ISO). */
  since: string;
  /** False while an exception lets deploys through despite it. */
  holding: boolean;
  /** The exception in force; who granted it and why only for a caller who may see the incident. */
  exception: { grantedBy: string | null; until: string; reason: string | null } | null;
};

export type GateDecision = {
  service: string;
  open: boolean;
  checkedAt: string;
  /** The policy that applies to the service; null when none does (the gate is open). */
  policy: Omit<GatePolicy, "version"> | null;
  reasons: GateReason[];
};

/** A policy's rules as its form holds them (to edit it, and to show the stored rules after a conflict). */
export function policyValues(policy: GatePolicy): Record<string, string> {
  return {
    minSeverity: policy.minSeverity,
    analysisHours: policy.analysisHours === null ? "" : String(policy.analysisHours),
    holdOnOverdueP1: policy.holdOnOverdueP1 ? "on" : "",
    version: String(policy.version),
  };
}

/** Whether `severity` is at or above `min` (SEV1 is the most severe). */
export function atOrAbove(severity: Severity, min: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(min);
}

/** The severities at or above `min`, most severe first. */
export function severitiesFrom(min: Severity): Severity[] {
  return SEVERITIES.filter((s) => atOrAbove(s, min));
}

/** The policy for a service: its own if it has one, else the one for all services, else none. */
export function policyFor<P extends Pick<GatePolicy, "service">>(policies: readonly P[], service: string): P | null {
  return policies.find((p) => p.service === service) ?? policies.find((p) => p.service === null) ?? null;
}

/**
 * Whether the policy looks at the incident at all. A service's own policy: incidents at or above
 * its severity that list the service. The policy for all services: every incident at or above
 * its severity, whatever it lists, as when a whole pipeline stopped until the 5 Whys was done
 * (the ADR says why).
 */
export function covers(policy: Pick<GatePolicy, "service" | "minSeverity">, incident: Pick<GateIncident, "severity" | "services">): boolean {
  if (!atOrAbove(incident.severity, policy.minSeverity)) return false;
  return policy.service === null || incident.services.includes(policy.service);
}

/** How the incident breaks the policy at `now`, each with since when; none when it does not. */
export function breaches(policy: GatePolicy, incident: GateIncident, now: Date): Breach[] {
  if (!covers(policy, incident)) return [];
  const found: Breach[] = [];
  if (policy.analysisHours !== null && !ANALYSIS_DONE.includes(incident.status)) {
    const due = new Date(incident.startedAt).getTime() + policy.analysisHours * 3_600_000;
    if (now.getTime() >= due) found.push({ why: "analysis-overdue", hours: policy.analysisHours, since: new Date(due).toISOString() });
  }
  if (policy.holdOnOverdueP1 && incident.overdueP1.count > 0 && incident.overdueP1.since) {
    found.push({ why: "overdue-p1-actions", count: incident.overdueP1.count, since: incident.overdueP1.since });
  }
  return found;
}

/** The exception letting the incident through at `now`: granted, not expired, not ended; the longest if several. */
export function exceptionInForce<E extends Pick<GateExceptionRow, "createdAt" | "expiresAt" | "endedAt">>(exceptions: readonly E[], now: Date): E | null {
  const at = now.toISOString();
  let found: E | null = null;
  for (const e of exceptions) {
    const inForce = e.createdAt <= at && at < e.expiresAt && (e.endedAt === null || at < e.endedAt);
    if (inForce && (!found || e.expiresAt > found.expiresAt)) found = e;
  }
  return found;
}

/**
 * The gate's answer for a deploy of `service` at `now`, as `viewer` may read it. A restricted
 * incident holds deploys whoever asks; a caller who may not see it reads "a restricted incident",
 * and nothing of its exception but until when.
 */
export function decide(input: {
  viewer: Audience;
  service: string;
  policy: GatePolicy | null;
  incidents: readonly GateIncident[];
  now: Date;
  /** Where incidents are linked from: APP_URL. */
  appUrl: string;
}): GateDecision {
  const { viewer, service, policy, now, appUrl } = input;
  const reasons: GateReason[] = [];
  if (policy) {
    for (const incident of input.incidents) {
      const found = breaches(policy, incident, now);
      if (found.length === 0) continue;
      const visible = canView(viewer, incident);
      const exception = exceptionInForce(incident.exceptions, now);
      const ref = reference(incident.id);
      for (const breach of found) {
        reasons.push({
          policy: { id: policy.id, service: policy.service, minSeverity: policy.minSeverity },
          incident: visible ? { reference: ref, title: incident.title, url: `${appUrl}/incidents/${ref}` } : null,
          label: visible ? `${ref}: ${incident.title}` : RESTRICTED_INCIDENT,
          severity: incident.severity,
          ...breach,
          holding: exception === null,
          exception: exception
            ? { grantedBy: visible ? exception.grantedByName : null, until: exception.expiresAt, reason: visible ? exception.reason : null }
            : null,
        });
      }
    }
  }
  // What holds first, the longest-holding first.
  reasons.sort((a, b) => Number(b.holding) - Number(a.holding) || a.since.localeCompare(b.since) || a.label.localeCompare(b.label));
  return {
    service,
    open: reasons.every((r) => !r.holding),
    checkedAt: now.toISOString(),
    policy: policy ? { id: policy.id, service: policy.service, minSeverity: policy.minSeverity, analysisHours: policy.analysisHours, holdOnOverdueP1: policy.holdOnOverdueP1 } : null,
    reasons,
  };
}

/** How an incident breaks a policy, in words: "its analysis was not published within 2 days of the start". */
export function breachText(breach: Pick<GateReason, "why" | "hours" | "count">): string {
  return breach.why === "analysis-overdue"
    ? `its analysis was not published within ${hoursLabel(breach.hours ?? 0)} of the start`
    : `${breach.count === 1 ? "1 P1 action is" : `${breach.count} P1 actions are`} overdue`;
}

/** A reason in one sentence, for a person or a pipeline's log. */
export function describeReason(reason: GateReason): string {
  const what = breachText(reason);
  const name = reason.incident ? `${reason.incident.reference} (${reason.incident.title})` : RESTRICTED_INCIDENT;
  if (reason.holding) return `${name}, ${reason.severity}: ${what}, since ${shortTime(reason.since)}.`;
  const exception = reason.exception!;
  const by = exception.grantedBy ? ` granted by ${exception.grantedBy}` : "";
  return `${name}, ${reason.severity}: ${what}; let through until ${shortTime(exception.until)} by an exception${by}.`;
}

/** The gate's answer as a comment (GitHub shows it on the deployment): at most `max` characters. */
export function decisionComment(decision: GateDecision, max = 1000): string {
  const scope = decision.policy ? (decision.policy.service === null ? "the policy for all services" : `the policy for ${decision.service}`) : null;
  const head = decision.open
    ? scope
      ? `Hindsight's deploy gate is open for ${decision.service} (${scope}).`
      : `Hindsight's deploy gate is open for ${decision.service}: no policy applies to it.`
    : `Hindsight's deploy gate holds deploys of ${decision.service} (${scope}):`;
  const lines = [head];
  let length = head.length;
  for (const [i, reason] of decision.reasons.entries()) {
    const line = `- ${describeReason(reason)}${reason.incident ? ` ${reason.incident.url}` : ""}`;
    const rest = decision.reasons.length - i;
    if (length + line.length + 1 > max - 40) {
      lines.push(`- and ${rest} more.`);
      break;
    }
    lines.push(line);
    length += line.length + 1;
  }
  return lines.join("\n");
}

function hoursLabel(hours: number): string {
  return hours % 24 === 0 && hours >= 48 ? `${hours / 24} days` : hours === 1 ? "1 hour" : `${hours} hours`;
}

/** "2026-11-14T10:00:00.000Z" → "2026-11-14 10:00 UTC": plain and unambiguous in any log. */
function shortTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A policy an incident breaks, and how. */
export type IncidentHold = {
  policy: GatePolicy;
  breaches: Breach[];
};

/**
 * What an incident does to the gate at `now`, policy by policy: each policy it breaks and how.
 * The services it holds are those of each policy (a service's own, or every service without
 * one, for the policy for all services). Whether an exception lets it through is the caller's
 * to say (exceptionInForce).
 */
export function holdsOf(policies: readonly GatePolicy[], incident: GateIncident, now: Date): IncidentHold[] {
  const holds: IncidentHold[] = [];
  for (const policy of policies) {
    const found = breaches(policy, incident, now);
    if (found.length > 0) holds.push({ policy, breaches: found });
  }
  // The policy for all services last: "and every other service".
  return holds.sort((a, b) => Number(a.policy.service === null) - Number(b.policy.service === null) || (a.policy.service ?? "").localeCompare(b.policy.service ?? ""));
}

/** The services an incident's holds stop: "checkout and payments, and every service without a policy of its own". */
export function heldServices(holds: readonly IncidentHold[]): string {
  const named = holds.flatMap((h) => (h.policy.service === null ? [] : [h.policy.service]));
  const everyOther = holds.some((h) => h.policy.service === null);
  const list = named.length <= 1 ? named.join("") : `${named.slice(0, -1).join(", ")} and ${named[named.length - 1]}`;
  if (!everyOther) return list;
  return list ? `${list}, and of every service without a policy of its own` : "every service without a policy of its own";
}

/** One line per policy an incident breaks: "checkout (SEV2 and above): its analysis was not published within 2 days of the start." */
export function holdLine(hold: IncidentHold): string {
  const scope = hold.policy.service === null ? "Every service without a policy of its own" : hold.policy.service;
  const severities = hold.policy.minSeverity === "SEV1" ? "SEV1 incidents" : `${hold.policy.minSeverity} and above`;
  return `${scope} (${severities}): ${hold.breaches.map((b) => breachText(b)).join("; ")}.`;
}

/** What opens the gate again, for the incident page: "once its analysis is published and its overdue P1 actions are done". */
export function remedyText(holds: readonly IncidentHold[]): string {
  const kinds = new Set(holds.flatMap((h) => h.breaches.map((b) => b.why)));
  const parts = [
    kinds.has("analysis-overdue") ? "its analysis is published" : null,
    kinds.has("overdue-p1-actions") ? "its overdue P1 actions are done" : null,
  ].filter(Boolean);
  return `The gate opens by itself once ${parts.join(" and ")}.`;
}

/** When an incident's holds began: the earliest of their breaches. */
export function holdingSince(holds: readonly IncidentHold[]): string | null {
  const all = holds.flatMap((h) => h.breaches.map((b) => b.since)).sort();
  return all[0] ?? null;
}

/**
 * Which service a repository deploys: the one an admin mapped it to, else its name as a service
 * name ("acme/Checkout" deploys "checkout").
 */
export function serviceOfRepository(repository: { fullName: string; name: string }, mapping: Readonly<Record<string, string>>): string {
  return mapping[repository.fullName.toLowerCase()] ?? parseServices(repository.name)[0] ?? repository.name;
}

/**
 * Repositories mapped to services, typed one per line as "owner/repository = service" (or with
 * a colon); blank lines are skipped. The mapping, or the first line that cannot be read.
 */
export function parseRepositoryServices(text: string): { mapping: Record<string, string> } | { error: string } {
  const mapping: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "") continue;
    const match = /^([\w.-]+\/[\w.-]+)\s*[=:]\s*(.+)$/.exec(line);
    const service = match ? parseServices(match[2]) : [];
    if (!match || service.length !== 1) return { error: `Line ${i + 1}: write it as owner/repository = service, e.g. acme/storefront = checkout.` };
    if (service[0].length > FIELD_LIMITS.service) return { error: `Line ${i + 1}: keep the service name under ${FIELD_LIMITS.service} characters.` };
    const repository = match[1].toLowerCase();
    if (Object.hasOwn(mapping, repository)) return { error: `Line ${i + 1}: ${match[1]} is mapped twice.` };
    mapping[repository] = service[0];
  }
  if (Object.keys(mapping).length > GATE_LIMITS.repositoryMappings) return { error: `Map at most ${GATE_LIMITS.repositoryMappings} repositories; the others deploy the service of their own name.` };
  return { mapping };
}

/** The mapping as the admin page's text field shows it. */
export function formatRepositoryServices(mapping: Readonly<Record<string, string>>): string {
  return Object.entries(mapping)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([repository, service]) => `${repository} = ${service}`)
    .join("\n");
}

import { toCsv } from "~/lib/csv.server";
import { env } from "~/lib/env.server";
import { formatDate, formatSpan, formatTime } from "~/lib/time";
import { ACTION_STATUS_LABELS } from "./action";
import { listActions, listIncidentActions, type Action, type ActionFilters } from "./action.server";
import type { Viewer } from "./authorization";
import { categoryLabels } from "./category.server";
import { LimitReached } from "./errors";
import { exportFileStem, STATUS_LABELS } from "./incident";
import { getIncident, type Incident } from "./incident.server";
import { listTimeline, type TimelineEntry } from "./timeline.server";
import { LIMITS } from "./limits";
import { listWhys } from "./why.server";
import { buildTree, nestedTo, type WhyNode, type WhyRow } from "./why-tree";

// The downloads: the filtered actions as CSV for spreadsheets, an incident as Markdown for wikis.
// The pages' links and the API answer the same text, as the person may see it.

/** A file to download: its text and the name to save it under. */
export type ExportFile = { text: string; fileName: string };

/** The most rows one actions download holds: a spreadsheet's worth, and a response of a few megabytes. */
export const EXPORT_ROWS = 10_000;

const CSV_COLUMNS = ["id", "title", "status", "overdue", "priority", "due", "owner", "team", "incident", "incident_title", "severity", "remediates", "completed_at", "wont_do_reason", "tracker_url", "link"] as const;

/** The actions the viewer may see that match the All actions filters, as CSV; refused past EXPORT_ROWS. */
export async function actionsCsv(viewer: Viewer, filters: ActionFilters): Promise<ExportFile> {
  // One row more than may be exported tells whether there are more.
  const { items, today } = await listActions(viewer, filters, { limit: EXPORT_ROWS + 1 });
  if (items.length > EXPORT_ROWS) {
    throw new LimitReached(`More than ${EXPORT_ROWS.toLocaleString("en")} actions match. Narrow the filters (status, team, incident, severity) and download again.`);
  }
  const rows = items.map((a) => ({
    id: a.id,
    title: a.title,
    status: ACTION_STATUS_LABELS[a.status],
    overdue: a.overdue ? "yes" : "no",
    priority: a.priority,
    due: a.dueDate,
    owner: a.ownerName,
    team: a.ownerTeam,
    incident: a.incidentReference,
    incident_title: a.incidentTitle,
    severity: a.severity,
    remediates: a.whyQuestion ?? "",
    completed_at: a.completedAt ?? "",
    wont_do_reason: a.wontDoReason,
    tracker_url: a.trackerUrl,
    link: `${env().APP_URL}/actions/${a.id}`,
  }));
  return { text: toCsv(rows, [...CSV_COLUMNS]), fileName: `hindsight-actions-${today}.csv` };
}

/** The incident as a Markdown file, for whoever may see it (anyone else: not found). */
export async function incidentExport(viewer: Viewer, incidentId: number): Promise<ExportFile> {
  const incident = await getIncident(viewer, incidentId);
  const text = await incidentMarkdown(incident, await listWhys(incident.id), await listIncidentActions(incident.id), await listTimeline(incident.id));
  return { text, fileName: `${exportFileStem(incident.reference, incident.title)}.md` };
}

/** Text of one line of a Markdown list item: no line breaks, so nesting survives. */
function inline(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

/** The whole incident as a Markdown document: for wikis, tickets and archives. */
export async function incidentMarkdown(incident: Incident, whys: WhyRow[], actions: Action[], timeline: TimelineEntry[]): Promise<string> {
  const labels = await categoryLabels();
  const byWhy = new Map<number, Action[]>();
  for (const a of actions) if (a.whyId) byWhy.set(a.whyId, [...(byWhy.get(a.whyId) ?? []), a]);
  const actionLine = (a: Action) =>
    `${a.title} (${a.ownerName}, due ${formatDate(a.dueDate)}, ${ACTION_STATUS_LABELS[a.status].toLowerCase()}${a.wontDoReason ? `: ${inline(a.wontDoReason)}` : ""})`;
  // Each why's lines are written once, indented for its depth (three spaces a level, within the
  // depth a page nests), so a deep tree costs no more than a wide one.
  const whyLines = (nodes: WhyNode[]): string[] => {
    const lines: string[] = [];
    const walk = (siblings: WhyNode[], depth: number) =>
      siblings.forEach((n, i) => {
        const pad = "   ".repeat(depth);
        lines.push(
          `${pad}${i + 1}. **${inline(n.question)}** ${inline(n.answer) || "_No answer yet_"}`,
          `${pad}   - Remediation (level ${n.level}): ${n.remediationMd ? inline(n.remediationMd) : n.noRemediationReason ? `none needed: ${inline(n.noRemediationReason)}` : "_none yet_"}`,
          ...(n.category ? [`${pad}   - Cause: ${labels[n.category] ?? n.category}`] : []),
          ...(byWhy.get(n.id) ?? []).map((a) => `${pad}   - Action: ${actionLine(a)}`),
        );
        if (n.children.length > 0) {
          lines.push("");
          walk(n.children, depth + 1);
          lines.push("");
        }
      });
    walk(nestedTo(nodes, LIMITS.depth), 0);
    return lines;
  };
  const unlinked = actions.filter((a) => !a.whyId);
  const sections = [
    `# ${incident.reference}: ${incident.title}`,
    "",
    `- Severity: ${incident.severity}`,
    `- Status: ${STATUS_LABELS[incident.status]}${incident.publishedAt ? ` (published ${formatTime(incident.publishedAt)}${incident.publishedByName ? ` by ${incident.publishedByName}` : ""})` : ""}`,
    `- Started: ${formatTime(incident.startedAt)}`,
    ...(incident.detectedAt ? [`- Detected: ${formatTime(incident.detectedAt)} (after ${formatSpan(incident.startedAt, incident.detectedAt)})`] : []),
    ...(incident.resolvedAt ? [`- Resolved: ${formatTime(incident.resolvedAt)} (after ${formatSpan(incident.startedAt, incident.resolvedAt)})`] : []),
    ...(incident.services.length > 0 ? [`- Services: ${incident.services.join(", ")}`] : []),
    `- Facilitator: ${incident.facilitator.name}`,
    ...(incident.participants.length > 0 ? [`- Participants: ${incident.participants.map((p) => p.name).join(", ")}`] : []),
    "",
    "## Impact",
    "",
    incident.impactMd || "_Not described._",
    "",
    "## Summary",
    "",
    incident.summaryMd || "_Not written._",
    "",
    "## The 5 Whys",
    "",
    ...(whys.length > 0 ? whyLines(buildTree(whys)) : ["_No whys yet._"]),
    "",
    ...(unlinked.length > 0 ? ["## Other follow-up actions", "", ...unlinked.map((a) => `- ${actionLine(a)}`), ""] : []),
    "## Timeline",
    "",
    ...(timeline.length > 0 ? timeline.map((e) => `- ${formatTime(e.at)}: ${inline(e.bodyMd)}`) : ["_No entries._"]),
    "",
  ];
  return sections.join("\n").replace(/\n{3,}/g, "\n\n");
}

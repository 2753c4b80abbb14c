import { formatDate, formatSpan, formatTime } from "~/lib/time";
import { ACTION_STATUS_LABELS } from "./action";
import type { Action } from "./action.server";
import { categoryLabels } from "./category.server";
import { STATUS_LABELS } from "./incident";
import type { Incident } from "./incident.server";
import type { TimelineEntry } from "./timeline.server";
import { LIMITS } from "./limits";
import { buildTree, nestedTo, type WhyNode, type WhyRow } from "./why-tree";

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

import { KIND_LABELS, type OpenFinding, type WhyField } from "./blame";
import type { Severity } from "./incident";
import { FIELD_LIMITS } from "./limits";
import { shorten } from "~/lib/shorten";

// The why tree: building it from rows, guidance per level, and the checks before publishing.

export type WhyRow = {
  id: number;
  parentId: number | null;
  position: number;
  question: string;
  answer: string;
  remediationMd: string;
  remediationHtml: string;
  noRemediationReason: string;
  noActionReason: string;
  category: string;
  rootReached: boolean;
  version: number;
};

/**
 * A why as anyone who may see the incident reads it: the rendered remediation, not its Markdown
 * source, and no version to save against. The incident page gives readers only this; the sources
 * (WhySource) go only to those who may edit.
 */
export type WhyRead = Omit<WhyRow, "remediationMd" | "version">;
/** What editing a why needs beyond what is read: the remediation's source and the version. */
export type WhySource = Pick<WhyRow, "remediationMd" | "version">;

/** A why in the tree, with its level, the whys below it and how many there are under it. */
export type TreeNode<T extends WhyRead = WhyRow> = T & { level: number; children: TreeNode<T>[]; descendantCount: number };
export type WhyNode = TreeNode<WhyRow>;

export const SUGGESTED_DEPTH = 5;

/**
 * Nests rows under their parents, siblings by position; level 1 is the first why. Built without
 * recursion, so no depth of tree can exhaust the stack.
 */
export function buildTree<T extends WhyRead>(rows: readonly T[]): TreeNode<T>[] {
  const byParent = new Map<number | null, T[]>();
  for (const row of rows) {
    const siblings = byParent.get(row.parentId) ?? [];
    siblings.push(row);
    byParent.set(row.parentId, siblings);
  }
  const ordered = (parentId: number | null) => (byParent.get(parentId) ?? []).sort((a, b) => a.position - b.position || a.id - b.id);
  const roots: TreeNode<T>[] = ordered(null).map((row) => ({ ...row, level: 1, children: [], descendantCount: 0 }));
  // Parents before children, then the counts from the deepest up.
  const visited: TreeNode<T>[] = [];
  const stack = [...roots];
  while (stack.length > 0) {
    const node = stack.pop()!;
    visited.push(node);
    node.children = ordered(node.id).map((row) => ({ ...row, level: node.level + 1, children: [], descendantCount: 0 }));
    stack.push(...node.children);
  }
  for (let i = visited.length - 1; i >= 0; i--) {
    const node = visited[i];
    node.descendantCount = node.children.reduce((n, c) => n + 1 + c.descendantCount, 0);
  }
  return roots;
}

/** Every node of the tree in reading order (depth first, siblings in order). */
export function flatten<T extends { children: T[] }>(nodes: readonly T[]): T[] {
  const result: T[] = [];
  const stack = [...nodes].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    result.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  }
  return result;
}

export function maxDepth(nodes: readonly WhyNode[]): number {
  return flatten(nodes).reduce((d, n) => Math.max(d, n.level), 0);
}

/**
 * The tree as pages show it: nested down to `depth` levels; whatever lies deeper (a tree from
 * before the depth limit) is listed flat, in reading order, under the last nested level, so that
 * no page nests deeper than it can render.
 */
export function nestedTo<T extends { children: T[] }>(nodes: readonly T[], depth: number): T[] {
  return nodes.map((node) => {
    if (depth > 1) return { ...node, children: nestedTo(node.children, depth - 1) };
    const below: T[] = [];
    const stack = [...node.children].reverse();
    while (stack.length > 0) {
      const next = stack.pop()!;
      below.push({ ...next, children: [] });
      for (let i = next.children.length - 1; i >= 0; i--) stack.push(next.children[i]);
    }
    return { ...node, children: below };
  });
}

/** The level of every why, by id, from the rows alone. */
export function levelsOf(rows: readonly Pick<WhyRow, "id" | "parentId">[]): Map<number, number> {
  return new Map(flatten(buildTree(rows as WhyRow[])).map((n) => [n.id, n.level]));
}

const LEVEL_GUIDANCE = [
  "Contain and restore: what brings service back now.",
  "Fix the immediate cause: the defect, setting or capacity that failed.",
  "Fix what let it happen: the check, tool or default that should have caught it.",
  "Improve the practice: how the team builds, tests, reviews or deploys.",
  "Change the system: how the organisation learns, hires, trains or plans, so this class of problem cannot recur.",
];

const SEVERITY_BUDGET: Record<Severity, string> = {
  SEV1: "SEV1 justifies serious investment; deep levels can warrant a project.",
  SEV2: "SEV2 merits solid fixes; deep levels can warrant days of work.",
  SEV3: "SEV3: keep fixes modest, hours to a day or two per level.",
  SEV4: "SEV4: keep it small; a quick fix per level is enough.",
};

/** Proportional investment: deeper levels reach further, severity sets the size. */
export function remediationGuidance(severity: Severity, level: number): string {
  const reach = LEVEL_GUIDANCE[Math.min(level, LEVEL_GUIDANCE.length) - 1];
  return `${reach} ${SEVERITY_BUDGET[severity]}`;
}

/** A branch that stops early without being marked as the root cause gets a gentle nudge. */
export function shallowBranchHint(node: TreeNode<WhyRead>): string | undefined {
  if (node.children.length > 0 || node.rootReached || node.level >= SUGGESTED_DEPTH) return undefined;
  return `This branch stops at level ${node.level}. Ask why again, or mark the root cause as reached.`;
}

/**
 * The question the quick row offers for the next level, from the answer above it: "Why " and the
 * answer as written ("The lock had no timeout" → "Why the lock had no timeout?"). It is only a
 * start, shown in the field to be reworded; no grammar is attempted beyond the first letter.
 */
export function nextQuestion(answer: string, limit: number = FIELD_LIMITS.question): string {
  const text = answer
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^because\b[,:]?\s*/i, "")
    .replace(/[.?!…]+$/, "");
  if (text === "") return "";
  // "The lock…" reads "the lock…"; "CPU…" and "I/O…" keep their capitals.
  const first = /^\p{Lu}\p{Ll}/u.test(text) ? text[0].toLowerCase() + text.slice(1) : text;
  const question = `Why ${first}?`;
  return question.length > limit ? `${question.slice(0, limit - 2)}…?` : question;
}

export type PublishProblem = { field: string; message: string; whyId?: number };

type PublishInput = {
  summaryMd: string;
  resolvedAt: string | null;
  whys: readonly WhyRow[];
  /** How many follow-up actions carry out each why's remediation. */
  actionsByWhy: Readonly<Record<number, number>>;
  /** Blame-language findings nobody has reworded or acknowledged, by why. */
  blame?: ReadonlyMap<number, readonly OpenFinding[]>;
  /** Fields with more flagged wording than is kept, by why: they need rewording first. */
  overflowingBlame?: ReadonlyMap<number, readonly WhyField[]>;
};

function describe(node: WhyNode): string {
  const question = shorten(node.question, 60);
  return `Level ${node.level} (“${question}”)`;
}

/** What stands between an analysis and publishing it; empty when it may be published. */
export function publishProblems(input: PublishInput): PublishProblem[] {
  const problems: PublishProblem[] = [];
  if (!input.summaryMd.trim()) {
    problems.push({ field: "summary", message: "Write a summary for readers who were not there." });
  }
  if (!input.resolvedAt) {
    problems.push({ field: "resolvedAt", message: "Record when the incident was resolved." });
  }
  const nodes = flatten(buildTree(input.whys));
  if (nodes.length === 0) {
    problems.push({ field: "whys", message: "Ask at least the first why." });
  }
  for (const node of nodes) {
    if (!node.answer.trim()) {
      problems.push({ field: "answer", whyId: node.id, message: `${describe(node)} has no answer.` });
    }
    if (!node.remediationMd.trim() && !node.noRemediationReason.trim()) {
      problems.push({
        field: "remediation",
        whyId: node.id,
        message: `${describe(node)} needs a remediation, or a reason why none is needed.`,
      });
    } else if (node.remediationMd.trim() && !input.actionsByWhy[node.id] && !node.noActionReason.trim()) {
      problems.push({
        field: "actions",
        whyId: node.id,
        message: `${describe(node)}: the remediation needs a follow-up action, or a reason why no action is needed.`,
      });
    }
    for (const field of input.overflowingBlame?.get(node.id) ?? []) {
      problems.push({
        field: "blame",
        whyId: node.id,
        message: `${describe(node)}: the ${field} has more wording flagged as blame than can be listed. Reword what is shown and save; the rest is listed then.`,
      });
    }
    for (const finding of input.blame?.get(node.id) ?? []) {
      problems.push({
        field: "blame",
        whyId: node.id,
        message: `${describe(node)}: ${KIND_LABELS[finding.kind].toLowerCase()} in the ${finding.field}, “${finding.match}”. Reword it, or acknowledge it with a reason.`,
      });
    }
  }
  return problems;
}

/**
 * Whether an answer was written as a full "Because …" sentence. Pages show an answer after a
 * "Because" label; one that already starts with the word is shown as written, without it, so a
 * reader never sees "Because because". The text itself is kept as typed, for the wording check
 * and the exports alike.
 */
export function saysBecause(answer: string): boolean {
  return /^\s*because\b/i.test(answer);
}

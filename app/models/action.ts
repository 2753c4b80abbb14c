import { median } from "d3-array";
import { addDays, formatDate } from "~/lib/time";
import type { Severity } from "./incident";

// Follow-up actions: the vocabulary and the date rules, shared by the browser and the server.

export const ACTION_STATUSES = ["open", "in_progress", "done", "wont_do"] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const ACTION_STATUS_LABELS: Record<ActionStatus, string> = {
  open: "Open",
  in_progress: "In progress",
  done: "Done",
  wont_do: "Won't do",
};

export const PRIORITIES = ["P1", "P2", "P3"] as const;
export type Priority = (typeof PRIORITIES)[number];

export const PRIORITY_LABELS: Record<Priority, string> = {
  P1: "P1: prevents a repeat of a severe incident",
  P2: "P2: reduces the chance or the impact of a repeat",
  P3: "P3: an improvement worth doing",
};

/** The moves an action's status may make. Reopening goes back to open. */
export const ACTION_TRANSITIONS: Record<ActionStatus, readonly ActionStatus[]> = {
  open: ["in_progress", "done", "wont_do"],
  in_progress: ["done", "wont_do", "open"],
  done: ["open"],
  wont_do: ["open"],
};

export const ACTION_TRANSITION_LABELS: Record<string, string> = {
  "open→in_progress": "Start",
  "open→done": "Mark done",
  "open→wont_do": "Won't do",
  "in_progress→done": "Mark done",
  "in_progress→wont_do": "Won't do",
  "in_progress→open": "Back to open",
  "done→open": "Reopen",
  "wont_do→open": "Reopen",
};

export function isFinished(status: ActionStatus): boolean {
  return status === "done" || status === "wont_do";
}

/** Days from the incident to an action's due date, by severity and priority. */
export type DuePolicy = Record<Severity, Record<Priority, number>>;

/** Like Atlassian's priority-action SLOs: the most important fixes in 2 weeks, others in 4 or 8. */
export const DEFAULT_DUE_POLICY: DuePolicy = {
  SEV1: { P1: 14, P2: 28, P3: 56 },
  SEV2: { P1: 28, P2: 28, P3: 56 },
  SEV3: { P1: 28, P2: 56, P3: 56 },
  SEV4: { P1: 56, P2: 56, P3: 56 },
};

export function defaultDueDate(policy: DuePolicy, severity: Severity, priority: Priority, today: string): string {
  return addDays(today, policy[severity][priority]);
}

/** The share of all the actions that are done, 0–1; null when there are none. What a reader means by "how far along". */
export function doneShare(done: number, total: number): number | null {
  return total > 0 ? done / total : null;
}

/**
 * Of the finished actions, the share that were done rather than dropped as won't do, 0–1; null
 * while none is finished. Open actions do not count, so it says nothing about how far along the
 * work is: it is shown under its own name ("done rather than dropped"), never as a completion rate.
 */
export function doneRatherThanDropped(done: number, wontDo: number): number | null {
  return done + wontDo > 0 ? done / (done + wontDo) : null;
}

/** How far a set of follow-up actions is: what the actions summary, an incident and Insights show. */
export type ActionFigures = {
  total: number;
  done: number;
  wontDo: number;
  open: number;
  overdue: number;
  /** See doneShare. */
  doneShare: number | null;
  /** See doneRatherThanDropped. */
  doneRatherThanDropped: number | null;
  /** Median days from creation to done; null while nothing is done. */
  medianDaysToDone: number | null;
};

/** Actions of one status, counted: how many, how many overdue, and each done one's milliseconds from creation to done. */
export type StatusTally = { status: ActionStatus; n: number; overdue: number; msToDone: number[] };

/** The figures of actions counted by status (by SQL, or one tally per action). */
export function figuresFrom(tallies: readonly StatusTally[]): ActionFigures {
  const sum = (list: readonly StatusTally[], of: (t: StatusTally) => number) => list.reduce((n, t) => n + of(t), 0);
  const total = sum(tallies, (t) => t.n);
  const done = sum(tallies.filter((t) => t.status === "done"), (t) => t.n);
  const wontDo = sum(tallies.filter((t) => t.status === "wont_do"), (t) => t.n);
  const days = tallies.flatMap((t) => (t.status === "done" ? t.msToDone : [])).map((ms) => ms / 86_400_000);
  return {
    total,
    done,
    wontDo,
    open: total - done - wontDo,
    overdue: sum(tallies, (t) => t.overdue),
    doneShare: doneShare(done, total),
    doneRatherThanDropped: doneRatherThanDropped(done, wontDo),
    medianDaysToDone: median(days) ?? null,
  };
}

/** Overdue: not finished, and the due date is before today. Due today is not overdue yet. */
export function isOverdue(action: { status: ActionStatus; dueDate: string }, today: string): boolean {
  return !isFinished(action.status) && action.dueDate < today;
}

/**
 * A new action given a due date that has already passed would be overdue the moment it is added,
 * most often through a slip of the date picker: the person is told and confirms it (an action
 * recorded after the fact may really be due in the past). Editing an existing action never asks.
 */
export function pastDueNotice(dueDate: string, today: string): string | undefined {
  if (dueDate === "" || dueDate >= today) return undefined;
  return `This date has already passed (today is ${formatDate(today)}): the action will be overdue as soon as it is added. Choose a later date, or confirm it below.`;
}

/** How far along actions are, as a reader counts: "2 of 7 done, 1 won't do, 4 open, 1 overdue" (counts of none left out). */
export function progressLabel(p: { total: number; done: number; wontDo: number; overdue: number }): string {
  if (p.total === 0) return "No actions";
  const open = p.total - p.done - p.wontDo;
  const parts = [`${p.done} of ${p.total} done`];
  if (p.wontDo > 0) parts.push(`${p.wontDo} won't do`);
  if (open > 0) parts.push(`${open} open`);
  if (p.overdue > 0) parts.push(`${p.overdue} overdue`);
  return parts.join(", ");
}

/** A team as pages and emails name it: people without one are grouped as "No team". */
export const teamName = (team: string) => team || "No team";

/** The row of completion figures for everyone, first among the teams'. */
export const ALL_TEAMS = "All teams";

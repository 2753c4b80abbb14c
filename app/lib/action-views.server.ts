import type { ActionRow, ActionView } from "~/components/actions";
import { isOverdue } from "~/models/action";
import type { Action, ActionListItem } from "~/models/action.server";
import type { Incident } from "~/models/incident.server";
import { canChangeAction } from "~/models/authorization";
import type { User } from "~/models/user.server";
import { formatDate } from "./time";

/** An action list row as the pages show it: display strings, and whether this user may change it. */
export function actionRow(user: User, item: ActionListItem): ActionRow {
  return {
    id: item.id,
    title: item.title,
    ownerName: item.ownerName,
    ownerTeam: item.ownerTeam,
    due: formatDate(item.dueDate),
    status: item.status,
    priority: item.priority,
    overdue: item.overdue,
    canChange: canChangeAction(user, item, item),
    incidentReference: item.incidentReference,
    incidentTitle: item.incidentTitle,
    severity: item.severity,
    whyQuestion: item.whyQuestion,
  };
}

/** An incident's action as its pages show it (the incident page, the live session). */
export function actionView(user: User, incident: Pick<Incident, "facilitatorId">, action: Action, todayDate: string): ActionView {
  return {
    id: action.id,
    title: action.title,
    ownerName: action.ownerName,
    due: formatDate(action.dueDate),
    status: action.status,
    priority: action.priority,
    overdue: isOverdue(action, todayDate),
    canChange: canChangeAction(user, incident, action),
  };
}

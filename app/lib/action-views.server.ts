import type { ActionRow } from "~/components/actions";
import type { ActionListItem } from "~/models/action.server";
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

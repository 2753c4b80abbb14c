import type { Visibility } from "./incident";

// Who may do what with an incident. Pure, so the page can hide what the server would refuse;
// the server checks the same rules in every loader and action.

export type Viewer = { id: number; role: "admin" | "member" };
export type IncidentPeople = {
  visibility: Visibility;
  facilitatorId: number;
  participantIds: readonly number[];
};

export function isInvolved(user: Viewer, incident: IncidentPeople): boolean {
  return incident.facilitatorId === user.id || incident.participantIds.includes(user.id);
}

/** Restricted incidents exist only for the people involved and admins. */
export function canView(user: Viewer, incident: IncidentPeople): boolean {
  return user.role === "admin" || incident.visibility === "org" || isInvolved(user, incident);
}

/** Build the analysis: whys, timeline, incident fields. */
export function canContribute(user: Viewer, incident: IncidentPeople): boolean {
  return user.role === "admin" || isInvolved(user, incident);
}

/** Lead it: move it through the lifecycle, choose the people, change its visibility. */
export function canManage(user: Viewer, incident: IncidentPeople): boolean {
  return user.role === "admin" || incident.facilitatorId === user.id;
}

/**
 * Let more people see it: the one rule wherever people join an incident (choosing the people,
 * giving someone an action, which makes them take part). Everyone sees an org-wide incident, so
 * adding someone to it widens nothing; who sees a restricted one is the facilitator's or an
 * admin's choice, never a participant's.
 */
export function canWidenAudience(user: Viewer, incident: IncidentPeople): boolean {
  return incident.visibility === "org" || canManage(user, incident);
}

export type Permissions = { contribute: boolean; manage: boolean };

export function permissionsFor(user: Viewer, incident: IncidentPeople): Permissions {
  return { contribute: canContribute(user, incident), manage: canManage(user, incident) };
}

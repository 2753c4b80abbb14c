import type { Visibility } from "./incident";

// Who may do what: every rule of the app about people and incidents, in one place. Pure, so the
// browser can hide what the server would refuse; the server checks the same rules in every loader
// and action, and authorization.server.ts writes the SQL form of the same descriptions for the
// queries that filter incidents by who may see them (ADR 0016).
//
// A rule is a description: the list of facts any one of which grants it. The functions below
// evaluate a description over plain facts; viewableBy() in authorization.server.ts turns the
// same description into SQL. A new rule, or a change to one, is a change to RULES; both forms
// follow, and tests/unit/authorization.test.ts checks that they agree.

export type Role = "admin" | "member";

/** Who is asking: a signed-in person, as every model receives them. */
export type Viewer = { id: number; role: Role };

/** What the rules read of an incident. */
export type IncidentPeople = {
  visibility: Visibility;
  facilitatorId: number;
  participantIds: readonly number[];
};

/** What the rules read of a follow-up action. */
export type ActionOwner = { ownerId: number };

/**
 * The facts a rule is made of. Each is about the person alone (`admin`), the incident alone
 * (`orgWide`), or the person's part in the incident or the action.
 */
export const FACTS = {
  /** The person is an administrator. */
  admin: "person",
  /** The incident is visible to the whole organisation. */
  orgWide: "incident",
  /** The person facilitates the incident. */
  facilitator: "relation",
  /** The person takes part in the incident. */
  participant: "relation",
  /** The person owns the action. */
  actionOwner: "relation",
} as const;

export type Fact = keyof typeof FACTS;

const manage = ["admin", "facilitator"] as const satisfies readonly Fact[];

/** Every rule, as the facts any one of which grants it. */
export const RULES = {
  /** See it at all. A restricted incident exists only for its people and admins. */
  view: ["admin", "orgWide", "facilitator", "participant"],
  /** Build the analysis: whys, timeline, incident fields. */
  contribute: ["admin", "facilitator", "participant"],
  /** Lead it: move it through the lifecycle, choose the people, change its visibility. */
  manage,
  /**
   * Let more people see it (ADR 0002): everyone sees an org-wide incident, so adding someone to it
   * widens nothing; who sees a restricted one is its lead's choice, never a participant's.
   */
  widenAudience: ["orgWide", ...manage],
  /** Change a follow-up action: its owner, the incident's facilitator, admins. */
  changeAction: ["admin", "facilitator", "actionOwner"],
} as const satisfies Record<string, readonly Fact[]>;

export type Rule = keyof typeof RULES;

/** The plain facts a rule is evaluated over; each rule's function asks only for what it reads. */
export type Subject = Partial<IncidentPeople & ActionOwner>;

/**
 * Nobody in particular: not an admin, facilitating nothing, taking part in nothing. What they may
 * see, everyone may: the learnings feed, the Atom feed and a digest sent to a list address.
 */
export const EVERYONE = Symbol("everyone");
export type Audience = Viewer | typeof EVERYONE;

const HOLDS: { [F in Fact]: (person: Audience, subject: Subject) => boolean } = {
  admin: (person) => person !== EVERYONE && person.role === "admin",
  orgWide: (_, subject) => subject.visibility === "org",
  facilitator: (person, subject) => person !== EVERYONE && subject.facilitatorId === person.id,
  participant: (person, subject) => person !== EVERYONE && (subject.participantIds?.includes(person.id) ?? false),
  actionOwner: (person, subject) => person !== EVERYONE && subject.ownerId === person.id,
};

/** Whether one fact holds for the person, over these facts. */
export function holds(fact: Fact, person: Audience, subject: Subject): boolean {
  return HOLDS[fact](person, subject);
}

/** Whether the rule grants the person what it describes, over these facts. */
export function allows(rule: Rule, person: Audience, subject: Subject): boolean {
  return RULES[rule].some((fact) => HOLDS[fact](person, subject));
}

export function isAdmin(person: Viewer): boolean {
  return HOLDS.admin(person, {});
}

/** Whether the person facilitates or takes part in the incident, whatever their role. */
export function isInvolved(person: Pick<Viewer, "id">, incident: Pick<IncidentPeople, "facilitatorId" | "participantIds">): boolean {
  const anyone: Viewer = { id: person.id, role: "member" };
  return HOLDS.facilitator(anyone, incident) || HOLDS.participant(anyone, incident);
}

/** Restricted incidents exist only for the people involved and admins. */
export function canView(person: Audience, incident: IncidentPeople): boolean {
  return allows("view", person, incident);
}

/** Whether everyone may see it: an org-wide incident. */
export function viewableByEveryone(incident: Pick<IncidentPeople, "visibility">): boolean {
  return allows("view", EVERYONE, incident);
}

/** Build the analysis: whys, timeline, incident fields. */
export function canContribute(person: Viewer, incident: IncidentPeople): boolean {
  return allows("contribute", person, incident);
}

/** Lead it (its facilitator or an admin): the lifecycle, the people, the visibility. */
export function canManage(person: Viewer, incident: Pick<IncidentPeople, "facilitatorId">): boolean {
  return allows("manage", person, incident);
}

/**
 * Let more people see it: the one rule wherever people join an incident (choosing the people,
 * giving someone an action, which makes them take part).
 */
export function canWidenAudience(person: Viewer, incident: IncidentPeople): boolean {
  return allows("widenAudience", person, incident);
}

/** Owners, the incident's facilitator and admins may change an action. */
export function canChangeAction(person: Viewer, incident: Pick<IncidentPeople, "facilitatorId">, action: ActionOwner): boolean {
  return allows("changeAction", person, { facilitatorId: incident.facilitatorId, ownerId: action.ownerId });
}

export type Permissions = { contribute: boolean; manage: boolean };

export function permissionsFor(person: Viewer, incident: IncidentPeople): Permissions {
  return { contribute: canContribute(person, incident), manage: canManage(person, incident) };
}

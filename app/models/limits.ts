// How much of each thing one incident may hold. Everything a person can make more of has a
// limit, so no one member can make a page, an export or an email too large to serve. Only
// growth is refused: data already above a limit (from before it existed) still renders.
// The figures and why they are enough are in the README ("Limits").

export const LIMITS = {
  /** Whys in one incident, over all its branches. */
  whysPerIncident: 300,
  /** Levels of one branch: the fifth why is the classic depth; three times that is plenty. */
  depth: 15,
  timelineEntriesPerIncident: 500,
  actionsPerIncident: 300,
  /** The facilitator and the participants together. */
  peoplePerIncident: 100,
  /** Incidents marked as related to one incident. */
  relatedPerIncident: 50,
  /** Publications of one analysis, the first and every republication: each keeps a full snapshot. */
  publicationsPerIncident: 50,
} as const;

export type LimitName = keyof typeof LIMITS;

/**
 * The longest text each field holds, in characters: the server refuses more with a message next
 * to the field, and the form says so as it is filled. Sized for what a post-mortem needs: an
 * answer is a paragraph or two, a remediation a short plan, a timeline entry a few sentences.
 */
export const FIELD_LIMITS = {
  incidentTitle: 200,
  service: 60,
  servicesPerIncident: 20,
  impact: 20_000,
  summary: 50_000,
  question: 500,
  answer: 4_000,
  remediation: 4_000,
  reason: 500,
  category: 60,
  timelineEntry: 2_000,
  actionTitle: 200,
  actionDescription: 10_000,
  trackerUrl: 2_000,
  personName: 100,
  team: 60,
  password: 200,
  incidentReference: 20,
  tokenName: 80,
} as const;

/**
 * The length of a field's text as the server counts it: a browser sends each line break in a
 * textarea as two characters (CR LF), so a count of `value.length` alone would say less.
 */
export function submittedLength(value: string): number {
  return value.length + (value.match(/(?<!\r)\n/g)?.length ?? 0);
}

/** The message for text longer than its field holds. */
export function tooLongMessage(max: number): string {
  return `At most ${max.toLocaleString("en")} characters; shorten it and save again.`;
}

/** The message that refuses one more of something at its limit. */
export function limitMessage(name: LimitName): string {
  switch (name) {
    case "whysPerIncident":
      return `An incident holds at most ${LIMITS.whysPerIncident} whys. Merge related answers, or analyse a separate part of the problem as its own incident.`;
    case "depth":
      return `A branch goes at most ${LIMITS.depth} levels deep. Mark the root cause as reached, or start a new branch from a higher level.`;
    case "timelineEntriesPerIncident":
      return `An incident's timeline holds at most ${LIMITS.timelineEntriesPerIncident} entries. Combine entries that describe the same moment.`;
    case "actionsPerIncident":
      return `An incident holds at most ${LIMITS.actionsPerIncident} follow-up actions. Group small tasks into one action, or track them in your issue tracker.`;
    case "peoplePerIncident":
      return `An incident has at most ${LIMITS.peoplePerIncident} people (the facilitator and participants). Everyone else can read an org-wide incident without taking part.`;
    case "relatedPerIncident":
      return `An incident can be related to at most ${LIMITS.relatedPerIncident} others.`;
    case "publicationsPerIncident":
      return `An analysis is published at most ${LIMITS.publicationsPerIncident} times, each a full copy kept for the feed and its history. Report what changes from here on as a new incident that links to this one.`;
  }
}

// The emails that tell a person of what concerns them, as the profile offers them: each kind can
// be turned off there, and each email says which kind it is.

export const NOTIFICATION_KINDS = ["roles", "assigned", "lifecycle", "reassigned"] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Which kinds a person takes (the users.notify_* columns). */
export type NotificationChoices = Record<NotificationKind, boolean>;

/** When each kind is sent: the profile's choices, and the end of each email. */
export const NOTIFICATION_LABELS: Record<NotificationKind, string> = {
  roles: "You are made an incident's facilitator or one of its participants",
  assigned: "A follow-up action is given to you",
  lifecycle: "An incident you take part in is sent for review or published",
  reassigned: "A follow-up action of yours is given to someone else",
};

/**
 * Emails about what concerns a person that one address is sent in an hour; past it, the next
 * ones are not written (everything they would say is on the incident's page and its history).
 * A real week of incidents sends a handful; this stops one colleague flooding another's inbox by
 * naming them facilitator of a hundred incidents through the API.
 */
export const NOTIFICATIONS_PER_HOUR = 20;

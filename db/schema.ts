import { sql, type SQLWrapper } from "drizzle-orm";
import {
  type AnySQLiteColumn,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

// Timestamps are ISO-8601 strings in UTC ("2026-10-06T14:02:00.000Z"): they sort as text
// and read the same in the database shell as on the page.
const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

export const users = sqliteTable(
  "users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    email: text("email").notNull().unique(),
    name: text("name").notNull(),
    team: text("team").notNull().default(""),
    role: text("role", { enum: ["admin", "member"] }).notNull().default("member"),
    passwordHash: text("password_hash"),
    /** Secret for reading the Atom feed without a session (feed readers); made on first use. */
    feedToken: text("feed_token").unique(),
    /** Whether the daily reminder of their own overdue and due-soon actions is emailed to them. */
    reminderEmails: integer("reminder_emails", { mode: "boolean" }).notNull().default(true),
    // Emails about what concerns them, each kind of which they can turn off in their profile.
    /** Made an incident's facilitator or a participant. */
    notifyRoles: integer("notify_roles", { mode: "boolean" }).notNull().default(true),
    /** An action assigned to them. */
    notifyAssigned: integer("notify_assigned", { mode: "boolean" }).notNull().default(true),
    /** An incident they are in sent for review or published. */
    notifyLifecycle: integer("notify_lifecycle", { mode: "boolean" }).notNull().default(true),
    /** An action they owned given to someone else. */
    notifyReassigned: integer("notify_reassigned", { mode: "boolean" }).notNull().default(true),
    createdAt: text("created_at").notNull().default(now),
    removedAt: text("removed_at"),
  },
  // Action lists sorted by owner walk the people in name order.
  (t) => [index("users_name_idx").on(t.name)],
);

export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: text("created_at").notNull().default(now),
    expiresAt: text("expires_at").notNull(),
    /** How the person signed in, and from which browser and address: what their session list shows. */
    method: text("method", { enum: ["password", "provider", "link"] }).notNull().default("password"),
    userAgent: text("user_agent").notNull().default(""),
    address: text("address").notNull().default(""),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/**
 * A person's account at the company's identity provider, linked to their Hindsight account: the
 * provider's subject identifier is what recognises them at the next sign-in, not the email.
 */
export const identities = sqliteTable(
  "identities",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    issuer: text("issuer").notNull(),
    subject: text("subject").notNull(),
    createdAt: text("created_at").notNull().default(now),
    lastSignInAt: text("last_sign_in_at").notNull().default(now),
  },
  (t) => [uniqueIndex("identities_subject_idx").on(t.issuer, t.subject), index("identities_user_idx").on(t.userId)],
);

export const passwordTokens = sqliteTable(
  "password_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique(),
    /** An invitation (days to use it) or a reset the person asked for (an hour). */
    purpose: text("purpose", { enum: ["invitation", "reset"] }).notNull().default("invitation"),
    createdAt: text("created_at").notNull().default(now),
    expiresAt: text("expires_at").notNull(),
    usedAt: text("used_at"),
  },
  (t) => [index("password_tokens_user_idx").on(t.userId)],
);

/**
 * A personal API token: a script acting as its owner. Only the token's hash is kept; `prefix`
 * (its first characters) tells one token from another in lists.
 */
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    prefix: text("prefix").notNull(),
    /** read: reads only; write: reads and changes, as its owner may. */
    scope: text("scope", { enum: ["read", "write"] }).notNull(),
    createdAt: text("created_at").notNull().default(now),
    expiresAt: text("expires_at"),
    lastUsedAt: text("last_used_at"),
    revokedAt: text("revoked_at"),
    revokedById: integer("revoked_by_id").references(() => users.id),
  },
  (t) => [index("api_tokens_user_idx").on(t.userId)],
);

/** Failed sign-ins per key ("account:<email>" or "address:<ip>"), for throttling. */
export const signInFailures = sqliteTable("sign_in_failures", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull(),
  lastFailureAt: text("last_failure_at").notNull(),
});

/**
 * Attempts counted against a rate limit (app/lib/rate.server.ts), per key and fixed window: every
 * process on the database counts in the same rows, so several processes together allow what one
 * does. A key is the limit's name and an id, or a hash (a client address): never personal data
 * in clear. Rows of windows long past are deleted as the counting goes on.
 */
export const rateCounts = sqliteTable(
  "rate_counts",
  {
    key: text("key").notNull(),
    /** Where the window starts, in milliseconds since 1970: a multiple of the limit's window. */
    windowStart: integer("window_start").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] }), index("rate_counts_window_idx").on(t.windowStart)],
);

export const incidents = sqliteTable(
  "incidents",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    title: text("title").notNull(),
    severity: text("severity", { enum: ["SEV1", "SEV2", "SEV3", "SEV4"] }).notNull(),
    status: text("status", {
      enum: ["draft", "analysis", "review", "published", "closed"],
    })
      .notNull()
      .default("draft"),
    visibility: text("visibility", { enum: ["org", "restricted"] })
      .notNull()
      .default("org"),
    startedAt: text("started_at").notNull(),
    detectedAt: text("detected_at"),
    resolvedAt: text("resolved_at"),
    impactMd: text("impact_md").notNull().default(""),
    impactHtml: text("impact_html").notNull().default(""),
    summaryMd: text("summary_md").notNull().default(""),
    summaryHtml: text("summary_html").notNull().default(""),
    facilitatorId: integer("facilitator_id")
      .notNull()
      .references(() => users.id),
    reportedById: integer("reported_by_id")
      .notNull()
      .references(() => users.id),
    publishedAt: text("published_at"),
    publishedById: integer("published_by_id").references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
    updatedAt: text("updated_at").notNull().default(now),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("incidents_status_idx").on(t.status, t.startedAt),
    index("incidents_severity_idx").on(t.severity, t.startedAt),
    index("incidents_started_idx").on(t.startedAt),
    index("incidents_facilitator_idx").on(t.facilitatorId),
    // Covers who may see an incident and the list filters: lists count matches from it alone.
    index("incidents_visibility_idx").on(t.visibility, t.facilitatorId, t.status, t.severity),
  ],
);

export const incidentServices = sqliteTable(
  "incident_services",
  {
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    service: text("service").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.incidentId, t.service] }),
    index("incident_services_service_idx").on(t.service, t.incidentId),
  ],
);

export const participants = sqliteTable(
  "participants",
  {
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
  },
  (t) => [
    primaryKey({ columns: [t.incidentId, t.userId] }),
    index("participants_user_idx").on(t.userId, t.incidentId),
  ],
);

export const whys = sqliteTable(
  "whys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    parentId: integer("parent_id").references((): AnySQLiteColumn => whys.id, {
      onDelete: "cascade",
    }),
    position: integer("position").notNull(),
    question: text("question").notNull(),
    answer: text("answer").notNull().default(""),
    remediationMd: text("remediation_md").notNull().default(""),
    remediationHtml: text("remediation_html").notNull().default(""),
    noRemediationReason: text("no_remediation_reason").notNull().default(""),
    category: text("category").notNull().default(""),
    rootReached: integer("root_reached", { mode: "boolean" }).notNull().default(false),
    /** Why this level's remediation needs no follow-up action (instead of at least one action). */
    noActionReason: text("no_action_reason").notNull().default(""),
    /** When the whys of other incidents similar to this one were last looked for (see why_similarities). */
    similarCheckedAt: text("similar_checked_at"),
    /**
     * The blameless-wording findings of question, answer and remediation (JSON), checked when the
     * why is saved so that pages only read them. Null: not checked yet (a why saved before this
     * column existed; checked at start-up, see checkUncheckedWhys).
     */
    blameFindings: text("blame_findings"),
    createdById: integer("created_by_id")
      .notNull()
      .references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
    updatedAt: text("updated_at").notNull().default(now),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("whys_incident_idx").on(t.incidentId, t.parentId, t.position),
    index("whys_parent_idx").on(t.parentId),
    index("whys_category_idx").on(t.category),
    // Insights read the categories of a set of incidents' whys from the index alone.
    index("whys_incident_category_idx").on(t.incidentId, t.category),
  ],
);

export const timelineEntries = sqliteTable(
  "timeline_entries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    at: text("at").notNull(),
    bodyMd: text("body_md").notNull(),
    bodyHtml: text("body_html").notNull(),
    createdById: integer("created_by_id")
      .notNull()
      .references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
    version: integer("version").notNull().default(1),
  },
  (t) => [index("timeline_incident_idx").on(t.incidentId, t.at)],
);

export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    actorId: integer("actor_id")
      .notNull()
      .references(() => users.id),
    kind: text("kind").notNull(),
    summary: text("summary").notNull(),
    /** JSON: the fields that changed, as { field: [before, after] }. */
    changes: text("changes").notNull().default("{}"),
    /**
     * Another incident the event is about (marked as related): the summary names it as
     * "{related}", filled in for each reader with its reference only if they may see it.
     */
    relatedIncidentId: integer("related_incident_id").references(() => incidents.id, { onDelete: "set null" }),
    afterPublication: integer("after_publication", { mode: "boolean" })
      .notNull()
      .default(false),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [index("audit_incident_idx").on(t.incidentId, t.id)],
);

/**
 * 1 for a finished action (done or won't do), else 0: action lists show unfinished work first.
 * Indexed as an expression, so queries must use exactly this SQL for SQLite to use the index.
 * Written without a comma: drizzle-kit splits index expressions at commas when it writes SQL.
 * It takes any column, SQLite's or PostgreSQL's: db/schema.pg.ts indexes the same expression.
 */
export const actionFinished = (status: SQLWrapper) => sql`(${status} = 'done' or ${status} = 'wont_do')`;

/** Open, in progress, done, won't do: the order of the status sort; indexed like actionFinished. */
export const actionStatusOrder = (status: SQLWrapper) =>
  sql`(case ${status} when 'open' then 0 when 'in_progress' then 1 when 'done' then 2 else 3 end)`;

export const actions = sqliteTable(
  "actions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    /** The why whose remediation this action carries out; kept (unlinked) if that why is deleted. */
    whyId: integer("why_id").references(() => whys.id, { onDelete: "set null" }),
    title: text("title").notNull(),
    descriptionMd: text("description_md").notNull().default(""),
    descriptionHtml: text("description_html").notNull().default(""),
    ownerId: integer("owner_id")
      .notNull()
      .references(() => users.id),
    /** A calendar date, "2026-12-07". */
    dueDate: text("due_date").notNull(),
    priority: text("priority", { enum: ["P1", "P2", "P3"] }).notNull(),
    status: text("status", { enum: ["open", "in_progress", "done", "wont_do"] })
      .notNull()
      .default("open"),
    wontDoReason: text("wont_do_reason").notNull().default(""),
    trackerUrl: text("tracker_url").notNull().default(""),
    completedAt: text("completed_at"),
    completedById: integer("completed_by_id").references(() => users.id),
    createdById: integer("created_by_id")
      .notNull()
      .references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
    updatedAt: text("updated_at").notNull().default(now),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("actions_incident_idx").on(t.incidentId, t.whyId),
    // One person's unfinished work by due date; with the incident, so that counting it (overdue
    // per owner) checks who may see each action from the index alone.
    index("actions_owner_idx").on(t.ownerId, actionFinished(t.status), t.dueDate, t.incidentId),
    index("actions_status_due_idx").on(t.status, t.dueDate),
    index("actions_why_idx").on(t.whyId),
    // One index per list sort; the due-date one also serves the overdue filter and its count.
    index("actions_due_idx").on(actionFinished(t.status), t.dueDate, t.ownerId, t.incidentId),
    index("actions_priority_idx").on(t.priority, t.dueDate),
    index("actions_status_order_idx").on(actionStatusOrder(t.status), t.dueDate),
    index("actions_completed_idx").on(t.completedAt),
  ],
);

/** Admin settings, one JSON value per key. */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: text("updated_at").notNull().default(now),
});

/**
 * Who runs a piece of scheduled work (the reminders and digest schedule) when several processes
 * could: the holder whose lease has not expired. A process renews its lease while it runs; one
 * that dies lets it expire, and another takes it over.
 */
export const leases = sqliteTable("leases", {
  name: text("name").primaryKey(),
  /** The process holding it: host, process id and a random part, unique per start. */
  holder: text("holder").notNull(),
  expiresAt: text("expires_at").notNull(),
});

/**
 * Where events are sent: a URL that receives signed Standard Webhooks, or a Slack incoming
 * webhook that receives Block Kit messages.
 */
export const webhookEndpoints = sqliteTable("webhook_endpoints", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  url: text("url").notNull(),
  description: text("description").notNull().default(""),
  format: text("format", { enum: ["standard", "slack"] }).notNull().default("standard"),
  /** JSON array of the event types sent to it. */
  eventTypes: text("event_types").notNull().default("[]"),
  /** The signing secret ("whsec_…"); the previous one stays valid until previousSecretUntil. */
  secret: text("secret").notNull(),
  previousSecret: text("previous_secret"),
  previousSecretUntil: text("previous_secret_until"),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  /** Why it was turned off (a 410 from the receiver, an admin), when it was. */
  disabledReason: text("disabled_reason"),
  createdById: integer("created_by_id")
    .notNull()
    .references(() => users.id),
  createdAt: text("created_at").notNull().default(now),
  updatedAt: text("updated_at").notNull().default(now),
  version: integer("version").notNull().default(1),
});

/**
 * Every outgoing message, written here in the transaction of the change it tells of and sent
 * after: emails, webhook deliveries. The key makes a message unique (one reminder per owner per
 * day, one digest per period, one webhook per event and endpoint), so a repeated run or a
 * restart never sends it twice.
 */
export const outbox = sqliteTable(
  "outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    key: text("key").notNull().unique(),
    /** How it goes out: by email, posted to a webhook endpoint, or as an answer to GitHub. */
    channel: text("channel", { enum: ["email", "webhook", "github"] }).notNull().default("email"),
    kind: text("kind").notNull(),
    /** The webhook endpoint it is posted to. */
    endpointId: integer("endpoint_id").references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    recipients: text("recipients").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html").notNull(),
    /** JSON object of extra headers. */
    headers: text("headers").notNull().default("{}"),
    status: text("status", { enum: ["pending", "sending", "sent", "failed"] })
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** When a sender claimed it; a claim older than a few minutes was interrupted and is retried. */
    claimedAt: text("claimed_at"),
    lastError: text("last_error"),
    /** Not tried again before this time (backoff, a receiver's Retry-After); null: at once. */
    nextAttemptAt: text("next_attempt_at"),
    /** The HTTP status of the last webhook attempt. */
    lastStatus: integer("last_status"),
    createdAt: text("created_at").notNull().default(now),
    sentAt: text("sent_at"),
  },
  (t) => [
    index("outbox_status_idx").on(t.status, t.id),
    index("outbox_endpoint_idx").on(t.endpointId, t.id),
    // How many emails one address was sent lately (notifications are capped per hour).
    index("outbox_recipients_idx").on(t.recipients, t.createdAt),
  ],
);

/** What was published, as it was: one row per (re)publication of an incident. */
export const publications = sqliteTable(
  "publications",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    /** 1 for the first publication, 2 for the first republication, … */
    revision: integer("revision").notNull(),
    publishedAt: text("published_at").notNull(),
    publishedById: integer("published_by_id")
      .notNull()
      .references(() => users.id),
    /** JSON snapshot: title, severity, services, impact, summary, the why tree, actions, facilitator. */
    snapshot: text("snapshot").notNull(),
  },
  (t) => [
    uniqueIndex("publications_incident_revision_idx").on(t.incidentId, t.revision),
    index("publications_published_idx").on(t.publishedAt),
  ],
);

/**
 * What the learnings feed, the Atom feed and the digest show of each publication, with the keys
 * they filter and sort on, drawn from its snapshot when it is published (see
 * app/models/learning.server.ts): lists read these through indexes, never the snapshots.
 */
export const learnings = sqliteTable(
  "learnings",
  {
    publicationId: integer("publication_id")
      .primaryKey()
      .references(() => publications.id, { onDelete: "cascade" }),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    revision: integer("revision").notNull(),
    /** The incident's latest revision: the one the feed shows. */
    latest: integer("latest", { mode: "boolean" }).notNull(),
    /** The incident's visibility now, kept in step by a trigger (0009_learnings.sql). */
    visibility: text("visibility", { enum: ["org", "restricted"] }).notNull(),
    /** When the incident was first published: the order of the feed. */
    firstPublishedAt: text("first_published_at").notNull(),
    /** When this revision was published. */
    publishedAt: text("published_at").notNull(),
    title: text("title").notNull(),
    severity: text("severity", { enum: ["SEV1", "SEV2", "SEV3", "SEV4"] }).notNull(),
    /** JSON: LearningContent. */
    content: text("content").notNull(),
  },
  (t) => [
    index("learnings_feed_idx").on(t.latest, t.visibility, t.firstPublishedAt, t.incidentId),
    index("learnings_severity_idx").on(t.latest, t.visibility, t.severity, t.firstPublishedAt, t.incidentId),
    index("learnings_incident_idx").on(t.incidentId),
  ],
);

// The feed's filters: one row per incident and service (or cause category) of its latest
// publication, with the feed's order and the incident's visibility, so that the feed filtered by
// a service or a cause is a walk of one index that stops when the page is full. Replaced when the
// incident is republished; visibility kept in step by the same trigger as learnings.

export const learningServices = sqliteTable(
  "learning_services",
  {
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    service: text("service").notNull(),
    publicationId: integer("publication_id")
      .notNull()
      .references(() => learnings.publicationId, { onDelete: "cascade" }),
    visibility: text("visibility", { enum: ["org", "restricted"] }).notNull(),
    firstPublishedAt: text("first_published_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.incidentId, t.service] }),
    index("learning_services_feed_idx").on(t.service, t.visibility, t.firstPublishedAt, t.incidentId, t.publicationId),
  ],
);

/** Categories by their slug today: merging one moves its rows to the category it went into. */
export const learningCategories = sqliteTable(
  "learning_categories",
  {
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    category: text("category").notNull(),
    publicationId: integer("publication_id")
      .notNull()
      .references(() => learnings.publicationId, { onDelete: "cascade" }),
    visibility: text("visibility", { enum: ["org", "restricted"] }).notNull(),
    firstPublishedAt: text("first_published_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.incidentId, t.category] }),
    index("learning_categories_feed_idx").on(t.category, t.visibility, t.firstPublishedAt, t.incidentId, t.publicationId),
  ],
);

/** The cause categories whys are filed under; admins add, rename and merge them. */
export const causeCategories = sqliteTable("cause_categories", {
  slug: text("slug").primaryKey(),
  label: text("label").notNull().unique(),
  position: integer("position").notNull(),
  /** Set when merged into another category: old snapshots still name this slug. */
  mergedInto: text("merged_into"),
  createdAt: text("created_at").notNull().default(now),
});

/**
 * A blame-language finding the facilitator chose to keep, with the reason. Keyed by the wording
 * itself: reword it and the acknowledgement no longer applies, because the finding is gone.
 */
export const blameAcknowledgements = sqliteTable(
  "blame_acknowledgements",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    whyId: integer("why_id")
      .notNull()
      .references(() => whys.id, { onDelete: "cascade" }),
    field: text("field", { enum: ["question", "answer", "remediation"] }).notNull(),
    /** The flagged wording, lower-cased. */
    match: text("match").notNull(),
    reason: text("reason").notNull(),
    acknowledgedById: integer("acknowledged_by_id")
      .notNull()
      .references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [uniqueIndex("blame_ack_why_field_match_idx").on(t.whyId, t.field, t.match)],
);

/** Incidents marked as related; stored in both directions so either side lists the other. */
export const incidentLinks = sqliteTable(
  "incident_links",
  {
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    relatedId: integer("related_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    createdById: integer("created_by_id")
      .notNull()
      .references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.relatedId] }), index("incident_links_related_idx").on(t.relatedId)],
);

/**
 * Whys of different incidents with similar answers and remediations, found by full-text ranking
 * when either is saved, and stored both ways so a page reads them without searching.
 */
export const whySimilarities = sqliteTable(
  "why_similarities",
  {
    whyId: integer("why_id")
      .notNull()
      .references(() => whys.id, { onDelete: "cascade" }),
    similarWhyId: integer("similar_why_id")
      .notNull()
      .references(() => whys.id, { onDelete: "cascade" }),
    /** BM25 rank of the match (lower is better). */
    rank: real("rank").notNull(),
    /** How close the two are in cause, 0 to 1 (relevance() in app/models/relevance.ts). */
    overlap: real("overlap").notNull(),
    /** What the match matched on, as the why of `whyId` writes it: a JSON array of phrases and words. */
    matchedOn: text("matched_on").notNull().default("[]"),
  },
  (t) => [primaryKey({ columns: [t.whyId, t.similarWhyId] }), index("why_similarities_similar_idx").on(t.similarWhyId)],
);

/**
 * The digests sent, numbered from 1. Each covers the first publications after the previous
 * digest's, up to its own `throughPublicationId` (publication ids only grow, and one writer at a
 * time assigns them), and the actions completed between the previous digest's `endAt` and its
 * own: nothing published is missed or sent twice, whenever a digest is sent.
 */
export const digests = sqliteTable("digests", {
  seq: integer("seq").primaryKey(),
  /** The last publication the previous digest covered; 0 before the first. */
  afterPublicationId: integer("after_publication_id").notNull(),
  /** The last publication this digest covers. */
  throughPublicationId: integer("through_publication_id").notNull(),
  /** The previous digest's end; null for the first digest. */
  startAt: text("start_at"),
  endAt: text("end_at").notNull(),
  /** What sent it: an admin's button, the weekly schedule, `npm run digest`, or the migration from weekly digests. */
  trigger: text("trigger", { enum: ["manual", "schedule", "command", "migrated"] }).notNull(),
  createdAt: text("created_at").notNull().default(now),
});

/** Which digest each first publication went out in: at most one, by the primary key. */
export const digestItems = sqliteTable(
  "digest_items",
  {
    publicationId: integer("publication_id")
      .primaryKey()
      .references(() => publications.id, { onDelete: "cascade" }),
    digestSeq: integer("digest_seq")
      .notNull()
      .references(() => digests.seq),
  },
  (t) => [index("digest_items_digest_idx").on(t.digestSeq, t.publicationId)],
);

/** People who get the digest at their own address, each with a one-click unsubscribe. */
export const digestSubscriptions = sqliteTable("digest_subscriptions", {
  userId: integer("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  createdAt: text("created_at").notNull().default(now),
});

/**
 * What those watching an incident are streamed, in order: its `number` is the event's id on the
 * stream (Last-Event-ID). "change" events follow the history (one per audit event, written in the
 * same transaction); "session" events follow a live session's state. `data` is what anyone who may
 * see the incident may read: never a draft's text before it is revealed, never who wrote an
 * anonymous one.
 */
export const liveEvents = sqliteTable(
  "live_events",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    /**
     * The event's number among the incident's own (1, 2, 3…): the id its watchers see. Numbers of
     * one sequence for all incidents would tell an outsider how busy the others are.
     */
    number: integer("number").notNull(),
    stream: text("stream", { enum: ["change", "session"] }).notNull(),
    kind: text("kind").notNull(),
    /** JSON, public to everyone who may see the incident. */
    data: text("data").notNull().default("{}"),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [uniqueIndex("live_events_incident_number_idx").on(t.incidentId, t.number)],
);

/**
 * A facilitated meeting on one incident: at most one open at a time. The facilitator of the
 * session drives it (phases, rounds, timer); it starts as the incident's facilitator and can be
 * handed to someone else without changing who leads the incident.
 */
export const liveSessions = sqliteTable(
  "live_sessions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    startedById: integer("started_by_id")
      .notNull()
      .references(() => users.id),
    facilitatorId: integer("facilitator_id")
      .notNull()
      .references(() => users.id),
    phase: text("phase", { enum: ["timeline", "whys", "remediations", "actions", "wrapup"] })
      .notNull()
      .default("timeline"),
    /** Counts every phase change and round: readiness is for the step the meeting is at. */
    step: integer("step").notNull().default(1),
    /** Candidates are stored without their author (on by default). */
    anonymous: integer("anonymous", { mode: "boolean" }).notNull().default(true),
    /** The countdown every screen shows; null when none runs. */
    timerEndsAt: text("timer_ends_at"),
    timerSeconds: integer("timer_seconds"),
    startedAt: text("started_at").notNull().default(now),
    lastActivityAt: text("last_activity_at").notNull().default(now),
    endedAt: text("ended_at"),
    endedReason: text("ended_reason", { enum: ["ended", "idle"] }),
  },
  (t) => [
    uniqueIndex("live_sessions_open_idx")
      .on(t.incidentId)
      .where(sql`ended_at is null`),
    index("live_sessions_incident_idx").on(t.incidentId, t.id),
  ],
);

/** Who joined a session, whether they are ready for its current step, and until when they are here. */
export const liveMembers = sqliteTable(
  "live_members",
  {
    sessionId: integer("session_id")
      .notNull()
      .references(() => liveSessions.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The session step they said they are ready for; ready when it is the current one. */
    readyStep: integer("ready_step"),
    /** Here until then: kept ahead while a live page is open, with a grace period after it closes. */
    presentUntil: text("present_until").notNull().default(now),
    joinedAt: text("joined_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.userId] })],
);

/**
 * A round of a session: the facilitator's question at one why (or at the top), answered by
 * private candidates until revealed ("why"); or the remediations proposed for one why ("remediation").
 */
export const liveRounds = sqliteTable(
  "live_rounds",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    sessionId: integer("session_id")
      .notNull()
      .references(() => liveSessions.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["why", "remediation"] }).notNull(),
    /** "why": the why asked under (null: the first level). "remediation": the why it is for. */
    whyId: integer("why_id").references(() => whys.id, { onDelete: "set null" }),
    question: text("question").notNull(),
    state: text("state", { enum: ["drafting", "revealed", "closed"] })
      .notNull()
      .default("drafting"),
    openedAt: text("opened_at").notNull().default(now),
    revealedAt: text("revealed_at"),
    closedAt: text("closed_at"),
  },
  (t) => [index("live_rounds_session_idx").on(t.sessionId, t.id)],
);

/**
 * A candidate answer (or remediation) in a round. Until the round is revealed only its author's
 * client can read it, by the capability token it holds (only its hash is stored). In an anonymous
 * session `authorId` is never written.
 */
export const liveCandidates = sqliteTable(
  "live_candidates",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    roundId: integer("round_id")
      .notNull()
      .references(() => liveRounds.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    authorId: integer("author_id").references(() => users.id, { onDelete: "set null" }),
    body: text("body").notNull(),
    /** What candidates that say the same thing share (normalised words): grouped on reveal. */
    groupKey: text("group_key").notNull(),
    /** The whys it became when accepted (JSON array of ids). */
    acceptedAs: text("accepted_as"),
    createdAt: text("created_at").notNull().default(now),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [uniqueIndex("live_candidates_token_idx").on(t.tokenHash), index("live_candidates_round_idx").on(t.roundId, t.id)],
);

/**
 * How many candidates each person has written in a round still drafting: a cap per person that
 * never links a person to a candidate. Deleted when the round is revealed or closed.
 */
export const liveDraftCounts = sqliteTable(
  "live_draft_counts",
  {
    roundId: integer("round_id")
      .notNull()
      .references(() => liveRounds.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    drafts: integer("drafts").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.userId] })],
);

/** A participant's votes in a round, one per candidate group at most, a few in all. */
export const liveVotes = sqliteTable(
  "live_votes",
  {
    roundId: integer("round_id")
      .notNull()
      .references(() => liveRounds.id, { onDelete: "cascade" }),
    groupKey: text("group_key").notNull(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.groupKey, t.userId] })],
);

/**
 * The deploy gate's rules: deploys of a service (or of every service, `service` null) are held
 * while an incident at or above `minSeverity` touching it has no published analysis
 * `analysisHours` after it started, or has overdue P1 actions.
 */
export const gatePolicies = sqliteTable("gate_policies", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  service: text("service").unique(),
  minSeverity: text("min_severity", { enum: ["SEV1", "SEV2", "SEV3", "SEV4"] }).notNull(),
  /** Hours after an incident started by which its analysis must be published; null: not a reason to hold. */
  analysisHours: integer("analysis_hours"),
  holdOnOverdueP1: integer("hold_on_overdue_p1", { mode: "boolean" }).notNull().default(true),
  createdById: integer("created_by_id")
    .notNull()
    .references(() => users.id),
  createdAt: text("created_at").notNull().default(now),
  updatedAt: text("updated_at").notNull().default(now),
  version: integer("version").notNull().default(1),
});

/** An incident let go of the gate until `expiresAt`, with the reason given (audited in its history). */
export const gateExceptions = sqliteTable(
  "gate_exceptions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    reason: text("reason").notNull(),
    grantedById: integer("granted_by_id")
      .notNull()
      .references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
    expiresAt: text("expires_at").notNull(),
    /** Ended before it expired. */
    endedAt: text("ended_at"),
    endedById: integer("ended_by_id").references(() => users.id),
  },
  (t) => [index("gate_exceptions_incident_idx").on(t.incidentId, t.expiresAt)],
);

/** A deployment GitHub asked about (a deployment_protection_rule event) and what was answered. */
export const deploymentReviews = sqliteTable("deployment_reviews", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  /** GitHub's X-GitHub-Delivery: a redelivered event is answered once. */
  deliveryId: text("delivery_id").notNull().unique(),
  installationId: integer("installation_id").notNull(),
  repository: text("repository").notNull(),
  environment: text("environment").notNull(),
  /** The service the gate was asked about. */
  service: text("service").notNull(),
  callbackUrl: text("callback_url").notNull(),
  /** What was decided; pending while the answer waits to be sent. */
  decision: text("decision", { enum: ["approved", "rejected"] }).notNull(),
  comment: text("comment").notNull(),
  createdAt: text("created_at").notNull().default(now),
  answeredAt: text("answered_at"),
});

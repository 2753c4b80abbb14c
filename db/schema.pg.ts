// The PostgreSQL twin of db/schema.ts: the same tables, columns, indexes and foreign keys, under
// the same names, with PostgreSQL's own types. db/schema.ts stays the source of truth and of the
// models' types; what each table and column means is written there, not repeated here. This file
// only says how each is stored on PostgreSQL.
//
// The models are typed by the SQLite schema and run unchanged on this one, so every column reads
// and writes the same JavaScript values on both engines: tests/types/schema-mirror.ts fails to
// compile if a table's row types differ, and tests/unit/schema-mirror.test.ts fails if a table,
// column, index or foreign key is in one schema only.
//
// Types:
// - timestamps are `timestamp(3) with time zone`, read back as the ISO text the models write
//   (docs/decisions/0018-text-timestamps.md): order, ranges and arithmetic are native;
// - calendar dates (an action's due date) are `date`, read as "2026-12-07";
// - JSON documents are `json`, which keeps the text as written: the models parse, compare and
//   hash whole documents, and no query looks inside one;
// - booleans are `boolean`; SQLite's 0/1 integers are only how it stores them;
// - whole numbers are `integer`, or `bigint` where a value can pass 2^31.
// What db/schema.ts cannot say (the search index, triggers) is in the custom migrations of
// db/migrations-pg.
import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  boolean,
  customType,
  date,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { actionFinished, actionStatusOrder } from "./schema";

// The same expressions, so that the models' queries match the expression indexes on both engines.
export { actionFinished, actionStatusOrder };

/**
 * A timestamp the models read and write as ISO-8601 text in UTC ("2026-10-06T14:02:00.000Z"),
 * stored as a timestamptz to the millisecond, as precise as the text.
 */
export const isoTimestamp = customType<{ data: string; driverData: string }>({
  dataType: () => "timestamp(3) with time zone",
  toDriver: (value) => value,
  fromDriver: (value) => new Date(value).toISOString(),
});

/**
 * A JSON document the models read and write as text. `json`, not `jsonb`: it is checked to be
 * JSON but kept as written, key order and spacing included, so what is read back is what was
 * stored, as on SQLite.
 */
export const jsonText = customType<{ data: string; driverData: string }>({
  dataType: () => "json",
  toDriver: (value) => value,
  fromDriver: (value) => value,
});

// An integer primary key on SQLite is the rowid, numbered by SQLite when a row is written without
// one, so drizzle types it as optional on insert even where the app always gives it (a digest's
// number, a key that is also a foreign key). Each such key is an identity here for the same
// reason: the rows the models write then type alike on both engines.

// SQLite's default writes the time of the statement; so does this one (now() is the transaction's start).
const now = sql`statement_timestamp()`;

export const users = pgTable(
  "users",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    email: text("email").notNull().unique(),
    name: text("name").notNull(),
    team: text("team").notNull().default(""),
    role: text("role", { enum: ["admin", "member"] }).notNull().default("member"),
    passwordHash: text("password_hash"),
    feedToken: text("feed_token").unique(),
    reminderEmails: boolean("reminder_emails").notNull().default(true),
    notifyRoles: boolean("notify_roles").notNull().default(true),
    notifyAssigned: boolean("notify_assigned").notNull().default(true),
    notifyLifecycle: boolean("notify_lifecycle").notNull().default(true),
    notifyReassigned: boolean("notify_reassigned").notNull().default(true),
    createdAt: isoTimestamp("created_at").notNull().default(now),
    removedAt: isoTimestamp("removed_at"),
  },
  (t) => [index("users_name_idx").on(t.name)],
);

export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: isoTimestamp("created_at").notNull().default(now),
    expiresAt: isoTimestamp("expires_at").notNull(),
    method: text("method", { enum: ["password", "provider", "link"] }).notNull().default("password"),
    userAgent: text("user_agent").notNull().default(""),
    address: text("address").notNull().default(""),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

export const identities = pgTable(
  "identities",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    issuer: text("issuer").notNull(),
    subject: text("subject").notNull(),
    createdAt: isoTimestamp("created_at").notNull().default(now),
    lastSignInAt: isoTimestamp("last_sign_in_at").notNull().default(now),
  },
  (t) => [uniqueIndex("identities_subject_idx").on(t.issuer, t.subject), index("identities_user_idx").on(t.userId)],
);

export const passwordTokens = pgTable(
  "password_tokens",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique(),
    purpose: text("purpose", { enum: ["invitation", "reset"] }).notNull().default("invitation"),
    createdAt: isoTimestamp("created_at").notNull().default(now),
    expiresAt: isoTimestamp("expires_at").notNull(),
    usedAt: isoTimestamp("used_at"),
  },
  (t) => [index("password_tokens_user_idx").on(t.userId)],
);

export const apiTokens = pgTable(
  "api_tokens",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    prefix: text("prefix").notNull(),
    scope: text("scope", { enum: ["read", "write"] }).notNull(),
    createdAt: isoTimestamp("created_at").notNull().default(now),
    expiresAt: isoTimestamp("expires_at"),
    lastUsedAt: isoTimestamp("last_used_at"),
    revokedAt: isoTimestamp("revoked_at"),
    revokedById: integer("revoked_by_id").references(() => users.id),
  },
  (t) => [index("api_tokens_user_idx").on(t.userId)],
);

export const signInFailures = pgTable("sign_in_failures", {
  key: text("key").primaryKey(),
  // Counts every failure while they keep coming, however many: a sustained attack never stops it.
  failures: bigint("failures", { mode: "number" }).notNull(),
  lastFailureAt: isoTimestamp("last_failure_at").notNull(),
});

export const rateCounts = pgTable(
  "rate_counts",
  {
    key: text("key").notNull(),
    // Milliseconds since 1970 pass 2^31.
    windowStart: bigint("window_start", { mode: "number" }).notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] }), index("rate_counts_window_idx").on(t.windowStart)],
);

export const incidents = pgTable(
  "incidents",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
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
    startedAt: isoTimestamp("started_at").notNull(),
    detectedAt: isoTimestamp("detected_at"),
    resolvedAt: isoTimestamp("resolved_at"),
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
    publishedAt: isoTimestamp("published_at"),
    publishedById: integer("published_by_id").references(() => users.id),
    createdAt: isoTimestamp("created_at").notNull().default(now),
    updatedAt: isoTimestamp("updated_at").notNull().default(now),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("incidents_status_idx").on(t.status, t.startedAt),
    index("incidents_severity_idx").on(t.severity, t.startedAt),
    index("incidents_started_idx").on(t.startedAt),
    index("incidents_facilitator_idx").on(t.facilitatorId),
    index("incidents_visibility_idx").on(t.visibility, t.facilitatorId, t.status, t.severity),
  ],
);

export const incidentServices = pgTable(
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

export const participants = pgTable(
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

export const whys = pgTable(
  "whys",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    parentId: integer("parent_id").references((): AnyPgColumn => whys.id, {
      onDelete: "cascade",
    }),
    position: integer("position").notNull(),
    question: text("question").notNull(),
    answer: text("answer").notNull().default(""),
    remediationMd: text("remediation_md").notNull().default(""),
    remediationHtml: text("remediation_html").notNull().default(""),
    noRemediationReason: text("no_remediation_reason").notNull().default(""),
    category: text("category").notNull().default(""),
    rootReached: boolean("root_reached").notNull().default(false),
    noActionReason: text("no_action_reason").notNull().default(""),
    similarCheckedAt: isoTimestamp("similar_checked_at"),
    blameFindings: jsonText("blame_findings"),
    createdById: integer("created_by_id")
      .notNull()
      .references(() => users.id),
    createdAt: isoTimestamp("created_at").notNull().default(now),
    updatedAt: isoTimestamp("updated_at").notNull().default(now),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("whys_incident_idx").on(t.incidentId, t.parentId, t.position),
    index("whys_parent_idx").on(t.parentId),
    index("whys_category_idx").on(t.category),
    index("whys_incident_category_idx").on(t.incidentId, t.category),
  ],
);

export const timelineEntries = pgTable(
  "timeline_entries",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    at: isoTimestamp("at").notNull(),
    bodyMd: text("body_md").notNull(),
    bodyHtml: text("body_html").notNull(),
    createdById: integer("created_by_id")
      .notNull()
      .references(() => users.id),
    createdAt: isoTimestamp("created_at").notNull().default(now),
    version: integer("version").notNull().default(1),
  },
  (t) => [index("timeline_incident_idx").on(t.incidentId, t.at)],
);

export const auditEvents = pgTable(
  "audit_events",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    actorId: integer("actor_id")
      .notNull()
      .references(() => users.id),
    kind: text("kind").notNull(),
    summary: text("summary").notNull(),
    changes: jsonText("changes").notNull().default("{}"),
    relatedIncidentId: integer("related_incident_id").references(() => incidents.id, { onDelete: "set null" }),
    afterPublication: boolean("after_publication").notNull().default(false),
    createdAt: isoTimestamp("created_at").notNull().default(now),
  },
  (t) => [index("audit_incident_idx").on(t.incidentId, t.id)],
);

export const actions = pgTable(
  "actions",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    whyId: integer("why_id").references(() => whys.id, { onDelete: "set null" }),
    title: text("title").notNull(),
    descriptionMd: text("description_md").notNull().default(""),
    descriptionHtml: text("description_html").notNull().default(""),
    ownerId: integer("owner_id")
      .notNull()
      .references(() => users.id),
    dueDate: date("due_date", { mode: "string" }).notNull(),
    priority: text("priority", { enum: ["P1", "P2", "P3"] }).notNull(),
    status: text("status", { enum: ["open", "in_progress", "done", "wont_do"] })
      .notNull()
      .default("open"),
    wontDoReason: text("wont_do_reason").notNull().default(""),
    trackerUrl: text("tracker_url").notNull().default(""),
    completedAt: isoTimestamp("completed_at"),
    completedById: integer("completed_by_id").references(() => users.id),
    createdById: integer("created_by_id")
      .notNull()
      .references(() => users.id),
    createdAt: isoTimestamp("created_at").notNull().default(now),
    updatedAt: isoTimestamp("updated_at").notNull().default(now),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("actions_incident_idx").on(t.incidentId, t.whyId),
    index("actions_owner_idx").on(t.ownerId, actionFinished(t.status), t.dueDate, t.incidentId),
    index("actions_status_due_idx").on(t.status, t.dueDate),
    index("actions_why_idx").on(t.whyId),
    index("actions_due_idx").on(actionFinished(t.status), t.dueDate, t.ownerId, t.incidentId),
    index("actions_priority_idx").on(t.priority, t.dueDate),
    index("actions_status_order_idx").on(actionStatusOrder(t.status), t.dueDate),
    index("actions_completed_idx").on(t.completedAt),
  ],
);

export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: jsonText("value").notNull(),
  updatedAt: isoTimestamp("updated_at").notNull().default(now),
});

export const leases = pgTable("leases", {
  name: text("name").primaryKey(),
  holder: text("holder").notNull(),
  expiresAt: isoTimestamp("expires_at").notNull(),
});

export const webhookEndpoints = pgTable("webhook_endpoints", {
  id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
  url: text("url").notNull(),
  description: text("description").notNull().default(""),
  format: text("format", { enum: ["standard", "slack"] }).notNull().default("standard"),
  eventTypes: jsonText("event_types").notNull().default("[]"),
  secret: text("secret").notNull(),
  previousSecret: text("previous_secret"),
  previousSecretUntil: isoTimestamp("previous_secret_until"),
  enabled: boolean("enabled").notNull().default(true),
  disabledReason: text("disabled_reason"),
  createdById: integer("created_by_id")
    .notNull()
    .references(() => users.id),
  createdAt: isoTimestamp("created_at").notNull().default(now),
  updatedAt: isoTimestamp("updated_at").notNull().default(now),
  version: integer("version").notNull().default(1),
});

export const outbox = pgTable(
  "outbox",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    key: text("key").notNull().unique(),
    channel: text("channel", { enum: ["email", "webhook", "github"] }).notNull().default("email"),
    kind: text("kind").notNull(),
    endpointId: integer("endpoint_id").references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    recipients: text("recipients").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html").notNull(),
    headers: jsonText("headers").notNull().default("{}"),
    status: text("status", { enum: ["pending", "sending", "sent", "failed"] })
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    claimedAt: isoTimestamp("claimed_at"),
    lastError: text("last_error"),
    nextAttemptAt: isoTimestamp("next_attempt_at"),
    lastStatus: integer("last_status"),
    createdAt: isoTimestamp("created_at").notNull().default(now),
    sentAt: isoTimestamp("sent_at"),
  },
  (t) => [
    index("outbox_status_idx").on(t.status, t.id),
    index("outbox_endpoint_idx").on(t.endpointId, t.id),
    index("outbox_recipients_idx").on(t.recipients, t.createdAt),
  ],
);

export const publications = pgTable(
  "publications",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    revision: integer("revision").notNull(),
    publishedAt: isoTimestamp("published_at").notNull(),
    publishedById: integer("published_by_id")
      .notNull()
      .references(() => users.id),
    snapshot: jsonText("snapshot").notNull(),
  },
  (t) => [
    uniqueIndex("publications_incident_revision_idx").on(t.incidentId, t.revision),
    index("publications_published_idx").on(t.publishedAt),
  ],
);

export const learnings = pgTable(
  "learnings",
  {
    publicationId: integer("publication_id")
      .primaryKey()
      .generatedByDefaultAsIdentity()
      .references(() => publications.id, { onDelete: "cascade" }),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    revision: integer("revision").notNull(),
    latest: boolean("latest").notNull(),
    // Kept in step with the incident's by a trigger (db/migrations-pg/0001_search_and_triggers.sql).
    visibility: text("visibility", { enum: ["org", "restricted"] }).notNull(),
    firstPublishedAt: isoTimestamp("first_published_at").notNull(),
    publishedAt: isoTimestamp("published_at").notNull(),
    title: text("title").notNull(),
    severity: text("severity", { enum: ["SEV1", "SEV2", "SEV3", "SEV4"] }).notNull(),
    content: jsonText("content").notNull(),
  },
  (t) => [
    index("learnings_feed_idx").on(t.latest, t.visibility, t.firstPublishedAt, t.incidentId),
    index("learnings_severity_idx").on(t.latest, t.visibility, t.severity, t.firstPublishedAt, t.incidentId),
    index("learnings_incident_idx").on(t.incidentId),
  ],
);

export const learningServices = pgTable(
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
    firstPublishedAt: isoTimestamp("first_published_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.incidentId, t.service] }),
    index("learning_services_feed_idx").on(t.service, t.visibility, t.firstPublishedAt, t.incidentId, t.publicationId),
  ],
);

export const learningCategories = pgTable(
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
    firstPublishedAt: isoTimestamp("first_published_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.incidentId, t.category] }),
    index("learning_categories_feed_idx").on(t.category, t.visibility, t.firstPublishedAt, t.incidentId, t.publicationId),
  ],
);

export const causeCategories = pgTable("cause_categories", {
  slug: text("slug").primaryKey(),
  label: text("label").notNull().unique(),
  position: integer("position").notNull(),
  mergedInto: text("merged_into"),
  createdAt: isoTimestamp("created_at").notNull().default(now),
});

export const blameAcknowledgements = pgTable(
  "blame_acknowledgements",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    whyId: integer("why_id")
      .notNull()
      .references(() => whys.id, { onDelete: "cascade" }),
    field: text("field", { enum: ["question", "answer", "remediation"] }).notNull(),
    match: text("match").notNull(),
    reason: text("reason").notNull(),
    acknowledgedById: integer("acknowledged_by_id")
      .notNull()
      .references(() => users.id),
    createdAt: isoTimestamp("created_at").notNull().default(now),
  },
  (t) => [uniqueIndex("blame_ack_why_field_match_idx").on(t.whyId, t.field, t.match)],
);

export const incidentLinks = pgTable(
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
    createdAt: isoTimestamp("created_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.relatedId] }), index("incident_links_related_idx").on(t.relatedId)],
);

export const whySimilarities = pgTable(
  "why_similarities",
  {
    whyId: integer("why_id")
      .notNull()
      .references(() => whys.id, { onDelete: "cascade" }),
    similarWhyId: integer("similar_why_id")
      .notNull()
      .references(() => whys.id, { onDelete: "cascade" }),
    rank: doublePrecision("rank").notNull(),
    overlap: doublePrecision("overlap").notNull(),
    matchedOn: jsonText("matched_on").notNull().default("[]"),
  },
  (t) => [primaryKey({ columns: [t.whyId, t.similarWhyId] }), index("why_similarities_similar_idx").on(t.similarWhyId)],
);

export const digests = pgTable("digests", {
  seq: integer("seq").primaryKey().generatedByDefaultAsIdentity(),
  afterPublicationId: integer("after_publication_id").notNull(),
  throughPublicationId: integer("through_publication_id").notNull(),
  startAt: isoTimestamp("start_at"),
  endAt: isoTimestamp("end_at").notNull(),
  trigger: text("trigger", { enum: ["manual", "schedule", "command", "migrated"] }).notNull(),
  createdAt: isoTimestamp("created_at").notNull().default(now),
});

export const digestItems = pgTable(
  "digest_items",
  {
    publicationId: integer("publication_id")
      .primaryKey()
      .generatedByDefaultAsIdentity()
      .references(() => publications.id, { onDelete: "cascade" }),
    digestSeq: integer("digest_seq")
      .notNull()
      .references(() => digests.seq),
  },
  (t) => [index("digest_items_digest_idx").on(t.digestSeq, t.publicationId)],
);

export const digestSubscriptions = pgTable("digest_subscriptions", {
  userId: integer("user_id")
    .primaryKey()
    .generatedByDefaultAsIdentity()
    .references(() => users.id, { onDelete: "cascade" }),
  createdAt: isoTimestamp("created_at").notNull().default(now),
});

export const liveEvents = pgTable(
  "live_events",
  {
    seq: integer("seq").primaryKey().generatedByDefaultAsIdentity(),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    number: integer("number").notNull(),
    stream: text("stream", { enum: ["change", "session"] }).notNull(),
    kind: text("kind").notNull(),
    data: jsonText("data").notNull().default("{}"),
    createdAt: isoTimestamp("created_at").notNull().default(now),
  },
  (t) => [uniqueIndex("live_events_incident_number_idx").on(t.incidentId, t.number)],
);

export const liveSessions = pgTable(
  "live_sessions",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
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
    step: integer("step").notNull().default(1),
    anonymous: boolean("anonymous").notNull().default(true),
    timerEndsAt: isoTimestamp("timer_ends_at"),
    timerSeconds: integer("timer_seconds"),
    startedAt: isoTimestamp("started_at").notNull().default(now),
    lastActivityAt: isoTimestamp("last_activity_at").notNull().default(now),
    endedAt: isoTimestamp("ended_at"),
    endedReason: text("ended_reason", { enum: ["ended", "idle"] }),
  },
  (t) => [
    uniqueIndex("live_sessions_open_idx")
      .on(t.incidentId)
      .where(sql`ended_at is null`),
    index("live_sessions_incident_idx").on(t.incidentId, t.id),
  ],
);

export const liveMembers = pgTable(
  "live_members",
  {
    sessionId: integer("session_id")
      .notNull()
      .references(() => liveSessions.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    readyStep: integer("ready_step"),
    presentUntil: isoTimestamp("present_until").notNull().default(now),
    joinedAt: isoTimestamp("joined_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.userId] })],
);

export const liveRounds = pgTable(
  "live_rounds",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    sessionId: integer("session_id")
      .notNull()
      .references(() => liveSessions.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["why", "remediation"] }).notNull(),
    whyId: integer("why_id").references(() => whys.id, { onDelete: "set null" }),
    question: text("question").notNull(),
    state: text("state", { enum: ["drafting", "revealed", "closed"] })
      .notNull()
      .default("drafting"),
    openedAt: isoTimestamp("opened_at").notNull().default(now),
    revealedAt: isoTimestamp("revealed_at"),
    closedAt: isoTimestamp("closed_at"),
  },
  (t) => [index("live_rounds_session_idx").on(t.sessionId, t.id)],
);

export const liveCandidates = pgTable(
  "live_candidates",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    roundId: integer("round_id")
      .notNull()
      .references(() => liveRounds.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    authorId: integer("author_id").references(() => users.id, { onDelete: "set null" }),
    body: text("body").notNull(),
    groupKey: text("group_key").notNull(),
    acceptedAs: jsonText("accepted_as"),
    createdAt: isoTimestamp("created_at").notNull().default(now),
    updatedAt: isoTimestamp("updated_at").notNull().default(now),
  },
  (t) => [uniqueIndex("live_candidates_token_idx").on(t.tokenHash), index("live_candidates_round_idx").on(t.roundId, t.id)],
);

export const liveDraftCounts = pgTable(
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

export const liveVotes = pgTable(
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

export const gatePolicies = pgTable("gate_policies", {
  id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
  service: text("service").unique(),
  minSeverity: text("min_severity", { enum: ["SEV1", "SEV2", "SEV3", "SEV4"] }).notNull(),
  analysisHours: integer("analysis_hours"),
  holdOnOverdueP1: boolean("hold_on_overdue_p1").notNull().default(true),
  createdById: integer("created_by_id")
    .notNull()
    .references(() => users.id),
  createdAt: isoTimestamp("created_at").notNull().default(now),
  updatedAt: isoTimestamp("updated_at").notNull().default(now),
  version: integer("version").notNull().default(1),
});

export const gateExceptions = pgTable(
  "gate_exceptions",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    reason: text("reason").notNull(),
    grantedById: integer("granted_by_id")
      .notNull()
      .references(() => users.id),
    createdAt: isoTimestamp("created_at").notNull().default(now),
    expiresAt: isoTimestamp("expires_at").notNull(),
    endedAt: isoTimestamp("ended_at"),
    endedById: integer("ended_by_id").references(() => users.id),
  },
  (t) => [index("gate_exceptions_incident_idx").on(t.incidentId, t.expiresAt)],
);

export const deploymentReviews = pgTable("deployment_reviews", {
  id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
  deliveryId: text("delivery_id").notNull().unique(),
  // GitHub gives its ids as 64-bit integers, and some kinds of them have already passed 2^31.
  installationId: bigint("installation_id", { mode: "number" }).notNull(),
  repository: text("repository").notNull(),
  environment: text("environment").notNull(),
  service: text("service").notNull(),
  callbackUrl: text("callback_url").notNull(),
  decision: text("decision", { enum: ["approved", "rejected"] }).notNull(),
  comment: text("comment").notNull(),
  createdAt: isoTimestamp("created_at").notNull().default(now),
  answeredAt: isoTimestamp("answered_at"),
});

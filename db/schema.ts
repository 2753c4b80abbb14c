import { sql } from "drizzle-orm";
import {
  type AnySQLiteColumn,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
} from "drizzle-orm/sqlite-core";

// Timestamps are ISO-8601 strings in UTC ("2026-10-06T14:02:00.000Z"): they sort as text
// and read the same in the database shell as on the page.
const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

export const users = sqliteTable("users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  team: text("team").notNull().default(""),
  role: text("role", { enum: ["admin", "member"] }).notNull().default("member"),
  passwordHash: text("password_hash"),
  createdAt: text("created_at").notNull().default(now),
  removedAt: text("removed_at"),
});

export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: text("created_at").notNull().default(now),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

export const passwordTokens = sqliteTable(
  "password_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique(),
    createdAt: text("created_at").notNull().default(now),
    expiresAt: text("expires_at").notNull(),
    usedAt: text("used_at"),
  },
  (t) => [index("password_tokens_user_idx").on(t.userId)],
);

/** Failed sign-ins per key ("account:<email>" or "address:<ip>"), for throttling. */
export const signInFailures = sqliteTable("sign_in_failures", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull(),
  lastFailureAt: text("last_failure_at").notNull(),
});

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
    afterPublication: integer("after_publication", { mode: "boolean" })
      .notNull()
      .default(false),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [index("audit_incident_idx").on(t.incidentId, t.id)],
);


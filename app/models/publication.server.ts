import { and, asc, count, desc, eq, exists, gte, sql } from "drizzle-orm";
import { db, prepared, schema, type Db, type Tx } from "~/lib/db.server";
import { newToken } from "~/lib/password.server";
import { NotFound, PublishBlocked, StateConflict } from "./errors";
import { EVERYONE, type Viewer } from "./authorization";
import { viewableBy } from "./authorization.server";
import { recordEvent } from "./audit.server";
import { reference, type Severity } from "./incident";
import { boundedCount, COUNT_LIMIT, keysetOf, keysetPage, type Cursors, type Keyset } from "./paging";
import { publishCheck, requireIncident, type Incident } from "./incident.server";
import type { LearningContent } from "./learning.server";
import { recordPublication, type Snapshot } from "./snapshot.server";

const { causeCategories, learningCategories, learnings, learningServices, publications, users } = schema;

// Snapshots and recording a publication live in snapshot.server.ts, below the incident model
// that publishes; they are part of this module's interface.
export { buildSnapshot, recordPublication, snapshotOf, type Snapshot, type SnapshotFacts, type SnapshotWhy } from "./snapshot.server";

export type Publication = { revision: number; publishedAt: string; publishedByName: string; snapshot: Snapshot };

export async function latestPublication(incidentId: number, tx: Tx = db()): Promise<Publication | undefined> {
  const row = await tx
    .select({ revision: publications.revision, publishedAt: publications.publishedAt, publishedByName: users.name, snapshot: publications.snapshot })
    .from(publications)
    .innerJoin(users, eq(users.id, publications.publishedById))
    .where(eq(publications.incidentId, incidentId))
    .orderBy(desc(publications.revision))
    .limit(1)
    .get();
  return row ? { ...row, snapshot: JSON.parse(row.snapshot) as Snapshot } : undefined;
}

/** Changes recorded since the latest publication: what "updated since publication" refers to. */
const changesSince = prepared((d) =>
  d
    .select({ count: sql<number>`count(*)`, lastAt: sql<string | null>`max(${schema.auditEvents.createdAt})` })
    .from(schema.auditEvents)
    .where(
      and(
        eq(schema.auditEvents.incidentId, sql.placeholder("incidentId")),
        // Never published: compared with null, nothing counts.
        sql`${schema.auditEvents.createdAt} > (select max(p.published_at) from ${publications} p where p.incident_id = ${sql.placeholder("incidentId")})`,
        sql`${schema.auditEvents.kind} not in ('incident.published', 'incident.republished', 'incident.closed', 'incident.reopened', 'action.status')`,
      ),
    )
    .prepare(),
);

export async function changesSincePublication(incidentId: number): Promise<{ count: number; lastAt: string | null }> {
  const row = await changesSince().get({ incidentId });
  return { count: row?.count ?? 0, lastAt: row?.lastAt ?? null };
}

/** Publishes the incident's current state again, after edits made since it was published. */
export async function republish(actor: Viewer, incidentId: number): Promise<number> {
  return await db().transaction(async (tx) => {
    const incident = await requireIncident(actor, incidentId, "manage");
    if (incident.status !== "published" && incident.status !== "closed") {
      throw new StateConflict("Only a published incident can be republished.");
    }
    // What goes out again meets the same bar as the first publication.
    const problems = await publishCheck(incident, tx);
    if (problems.length > 0) throw new PublishBlocked(problems);
    const at = new Date().toISOString();
    const revision = await recordPublication(tx, actor, incident, at);
    await recordEvent(tx, { incident, actorId: actor.id, kind: "incident.republished", summary: `Republished the analysis (revision ${revision})` });
    return revision;
  });
}

// --- The learnings feed -------------------------------------------------------------------

export const PERIODS = { "30d": 30, "90d": 90, "365d": 365 } as const;
export type Period = keyof typeof PERIODS;

export type LearningFilters = { service?: string; severity?: Severity; category?: string; period?: Period };

export const LEARNINGS_PAGE_SIZE = 20;

export type Learning = {
  incidentId: number;
  reference: string;
  title: string;
  severity: Severity;
  revision: number;
  firstPublishedAt: string;
  publishedAt: string;
  content: LearningContent;
};

/** Cursors are incident ids. */
export type LearningPage = Cursors & {
  items: Learning[];
  /** How many match, up to COUNT_LIMIT; `capped` when there are more. */
  total: number;
  capped: boolean;
};

const learningFields = {
  incidentId: learnings.incidentId,
  title: learnings.title,
  severity: learnings.severity,
  revision: learnings.revision,
  firstPublishedAt: learnings.firstPublishedAt,
  publishedAt: learnings.publishedAt,
  content: learnings.content,
};

function toLearning(row: Omit<Learning, "reference" | "content"> & { content: string }): Learning {
  return { ...row, reference: reference(row.incidentId), content: JSON.parse(row.content) as LearningContent };
}

/** What a page of the feed asks: its statements are built and compiled once per shape. */
type FeedShape = {
  walk: "feed" | "service" | "category";
  severity: boolean;
  since: boolean;
  /** Both a service and a cause: the service's index is walked, the cause checked on the way. */
  alsoCategory: boolean;
  cursor: "none" | "after" | "before";
};

function feedStatements(d: Db, shape: FeedShape) {
  const walk = shape.walk === "service" ? learningServices : shape.walk === "category" ? learningCategories : learnings;
  // A cause merged away since the link was made means the one it went into.
  const category = sql`coalesce((select ${causeCategories.mergedInto} from ${causeCategories} where ${causeCategories.slug} = ${sql.placeholder("category")}), ${sql.placeholder("category")})`;
  const where = and(
    shape.walk === "service"
      ? eq(learningServices.service, sql.placeholder("service"))
      : shape.walk === "category"
        ? eq(learningCategories.category, category)
        : eq(learnings.latest, true),
    viewableBy(EVERYONE, walk),
    shape.since ? gte(walk.firstPublishedAt, sql.placeholder("since")) : undefined,
    shape.alsoCategory
      ? exists(
          d
            .select({ one: sql`1` })
            .from(learningCategories)
            .where(and(eq(learningCategories.incidentId, walk.incidentId), eq(learningCategories.category, category))),
        )
      : undefined,
    !shape.severity
      ? undefined
      : walk === learnings
        ? eq(learnings.severity, sql.placeholder("severity"))
        : sql`(select l.severity from ${learnings} l where l.publication_id = ${walk.publicationId}) = ${sql.placeholder("severity")}`,
  );
  const backwards = shape.cursor === "before";
  // Only a listed learning is a cursor: another one's place in the feed is nobody's business.
  const from =
    shape.cursor === "none"
      ? undefined
      : sql`(${walk.firstPublishedAt}, ${walk.incidentId}) ${sql.raw(backwards ? ">" : "<")} (select c.first_published_at, c.incident_id from ${learnings} c where c.incident_id = ${sql.placeholder("cursor")} and c.latest and ${viewableBy(EVERYONE, "c") ?? sql`true`})`;
  const direction = backwards ? asc : desc;
  // The page's keys first, from the index; the learnings themselves only for those.
  const page = d
    .select({
      publicationId: sql<number>`${walk.publicationId}`.as("page_publication_id"),
      firstPublishedAt: sql<string>`${walk.firstPublishedAt}`.as("page_first_published_at"),
      incidentId: sql<number>`${walk.incidentId}`.as("page_incident_id"),
    })
    .from(walk)
    .where(and(where, from))
    .orderBy(direction(walk.firstPublishedAt), direction(walk.incidentId))
    .limit(sql.placeholder("limit"))
    .as("page");
  return {
    page: d
      .select(learningFields)
      .from(page)
      .innerJoin(learnings, eq(learnings.publicationId, page.publicationId))
      .orderBy(direction(page.firstPublishedAt), direction(page.incidentId))
      .prepare(),
    count: d
      .select({ n: count() })
      .from(d.select({ one: sql`1` }).from(walk).where(where).limit(COUNT_LIMIT + 1).as("matching"))
      .prepare(),
  };
}

const feedShapes = new Map<string, () => ReturnType<typeof feedStatements>>();

function statementsFor(shape: FeedShape) {
  const key = Object.values(shape).join(" ");
  let statements = feedShapes.get(key);
  if (!statements) feedShapes.set(key, (statements = prepared((d) => feedStatements(d, shape))));
  return statements();
}

/**
 * Published analyses for everyone, newest first: the latest revision of each. Restricted
 * incidents never appear, whoever asks, and neither does one made restricted after publishing.
 * A page walks one index in the feed's order and stops once it is full: the chosen service's or
 * cause's when there is one, else the feed's own; other filters are checked on the way. Pages
 * follow one another by keyset (first published, incident), so every page costs the same.
 */
export async function listLearnings(
  filters: LearningFilters & Keyset,
  options: { limit?: number; now?: Date } = {},
): Promise<LearningPage> {
  const limit = options.limit ?? LEARNINGS_PAGE_SIZE;
  const since = filters.period ? new Date((options.now ?? new Date()).getTime() - PERIODS[filters.period] * 86_400_000).toISOString() : undefined;
  const { cursor, backwards } = keysetOf(filters);
  const { page, count } = statementsFor({
    walk: filters.service ? "service" : filters.category ? "category" : "feed",
    severity: filters.severity !== undefined,
    since: since !== undefined,
    alsoCategory: Boolean(filters.service && filters.category),
    cursor: cursor === undefined ? "none" : backwards ? "before" : "after",
  });
  const values = { service: filters.service, category: filters.category, severity: filters.severity, since, cursor };
  const rows = await page.all({ ...values, limit: limit + 1 });
  const { shown, newer, older } = keysetPage(rows, limit, filters, (r) => r.incidentId);
  const counted = (await count.get(values))?.n ?? 0;
  return { items: shown.map(toLearning), ...boundedCount(counted), newer, older };
}

const feedServices = prepared((d) =>
  d.selectDistinct({ service: learningServices.service }).from(learningServices).where(viewableBy(EVERYONE, learningServices)).orderBy(asc(learningServices.service)).prepare(),
);

/** The services the analyses in the feed name: the choices of its service filter. */
export async function listLearningServices(): Promise<string[]> {
  return (await feedServices().all()).map((r) => r.service);
}

const newestLearnings = prepared((d) =>
  d
    .select(learningFields)
    .from(learnings)
    .where(and(eq(learnings.latest, true), viewableBy(EVERYONE, learnings)))
    .orderBy(desc(learnings.firstPublishedAt), desc(learnings.incidentId))
    .limit(sql.placeholder("limit"))
    .prepare(),
);

/** The newest published analyses, for the Atom feed: no filters, no count. */
export async function latestLearnings(limit: number): Promise<Learning[]> {
  return (await newestLearnings().all({ limit })).map(toLearning);
}

/** One published analysis, for its page; 404 unless published and visible to the reader. */
export async function getLearning(viewer: Viewer, incidentId: number): Promise<{ incident: Incident; publication: Publication }> {
  const incident = await requireIncident(viewer, incidentId, "view");
  const publication = await latestPublication(incidentId);
  if (!publication) throw new NotFound("publication");
  return { incident, publication };
}

// --- Feed tokens ----------------------------------------------------------------------------

/**
 * The user's private token for the Atom feed; made with the account (insertUser), so reading it
 * writes nothing. None for an account that lost it (createFeedToken makes one on request).
 */
const storedFeedToken = prepared((d) => d.select({ token: users.feedToken }).from(users).where(eq(users.id, sql.placeholder("userId"))).prepare());

export async function feedTokenFor(userId: number): Promise<string | undefined> {
  return (await storedFeedToken().get({ userId }))?.token ?? undefined;
}

/** Makes the user's private feed link when they have none (they asked for it); returns the token. */
export async function createFeedToken(userId: number): Promise<string> {
  const row = await db()
    .update(users)
    .set({ feedToken: sql`coalesce(${users.feedToken}, ${newToken().token})` })
    .where(and(eq(users.id, userId), sql`${users.removedAt} is null`))
    .returning({ token: users.feedToken })
    .get();
  if (!row?.token) throw new NotFound("user");
  return row.token;
}

export async function userForFeedToken(token: string | undefined): Promise<Viewer | undefined> {
  if (!token) return undefined;
  return await db()
    .select({ id: users.id, role: users.role })
    .from(users)
    .where(and(eq(users.feedToken, token), sql`${users.removedAt} is null`))
    .get();
}

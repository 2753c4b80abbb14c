import { and, asc, count, eq, gte, lt, sql } from "drizzle-orm";
import { renderToStaticMarkup } from "react-dom/server";
import { DigestEmail, type DigestContent } from "~/components/email/digest-email";
import { db, schema } from "~/lib/db.server";
import { env } from "~/lib/env.server";
import { previousPeriod, type Period } from "~/lib/period";
import { teamName } from "./action";
import { today, unfinished } from "./action.server";
import { categoryLabels } from "./category.server";
import { reference } from "./incident";
import type { ContentWhy, LearningContent } from "./learning.server";
import { deliverPending, enqueueEmail, type OutgoingEmail } from "./outbox.server";
import { digestRecipients, getSettings } from "./settings.server";
import { personName } from "./user.server";

const { actions, incidents, learnings, publications, users } = schema;

/** A digest lists at most this many post-mortems and completed actions, then says how many more. */
export const DIGEST_LIST_LIMIT = 50;
/** The one paragraph of summary a post-mortem gets in the digest, at most. */
const SUMMARY_LENGTH = 600;

/** The chain in short: the first answer at each level, down the first branch. */
function shortChain(whys: ContentWhy[]): string[] {
  const chain: string[] = [];
  let level = whys;
  while (level.length > 0) {
    chain.push(level[0].text);
    level = level[0].children;
  }
  return chain;
}

/** The farthest-reaching remediations first: the deepest levels. */
function topRemediations(remediations: LearningContent["remediations"], count = 3): string[] {
  return [...remediations]
    .sort((a, b) => b.level - a.level)
    .slice(0, count)
    .map((r) => r.text);
}

/**
 * What the digest for a period holds. Only incidents visible to everyone count: restricted ones
 * never appear, even if they were open when published.
 */
export function digestContent(period: Period, now: Date = new Date()): DigestContent {
  const base = env().APP_URL;
  const todayDate = today(now);
  const publishedIn = and(eq(publications.revision, 1), eq(incidents.visibility, "org"), gte(publications.publishedAt, period.start), lt(publications.publishedAt, period.end));
  const published = db()
    .select({ incidentId: publications.incidentId, title: learnings.title, severity: learnings.severity, content: learnings.content })
    .from(publications)
    .innerJoin(learnings, eq(learnings.publicationId, publications.id))
    .innerJoin(incidents, eq(incidents.id, publications.incidentId))
    .where(publishedIn)
    .orderBy(asc(publications.publishedAt))
    .limit(DIGEST_LIST_LIMIT)
    .all()
    .map((row) => ({ ...row, content: JSON.parse(row.content) as LearningContent }));
  const publishedCount = db().select({ n: count() }).from(publications).innerJoin(incidents, eq(incidents.id, publications.incidentId)).where(publishedIn).get()?.n ?? 0;

  const completedIn = and(eq(actions.status, "done"), eq(incidents.visibility, "org"), gte(actions.completedAt, period.start), lt(actions.completedAt, period.end));
  const completed = db()
    .select({ title: actions.title, ownerName: personName, incidentId: actions.incidentId, id: actions.id })
    .from(actions)
    .innerJoin(incidents, eq(incidents.id, actions.incidentId))
    .innerJoin(users, eq(users.id, actions.ownerId))
    .where(completedIn)
    .orderBy(asc(actions.completedAt))
    .limit(DIGEST_LIST_LIMIT)
    .all();
  const completedCount = db().select({ n: count() }).from(actions).innerJoin(incidents, eq(incidents.id, actions.incidentId)).where(completedIn).get()?.n ?? 0;

  const overdue = db()
    .select({ team: users.team, count: sql<number>`count(*)` })
    .from(actions)
    .innerJoin(incidents, eq(incidents.id, actions.incidentId))
    .innerJoin(users, eq(users.id, actions.ownerId))
    .where(and(unfinished, lt(actions.dueDate, todayDate), eq(incidents.visibility, "org")))
    .groupBy(users.team)
    .orderBy(sql`count(*) desc`, asc(users.team))
    .all();

  // Counted by today's name: a category merged since an analysis was published counts as the
  // one it went into.
  const labels = categoryLabels();
  const counts = new Map<string, number>();
  for (const p of published) {
    const walk = (list: ContentWhy[]) =>
      list.forEach((w) => {
        const cause = w.category ? (labels[w.category] ?? w.category) : undefined;
        if (cause) counts.set(cause, (counts.get(cause) ?? 0) + 1);
        walk(w.children);
      });
    walk(p.content.whys);
  }

  return {
    period: period.label,
    analysesCount: publishedCount,
    analyses: published.map(({ incidentId, title, severity, content }) => ({
      reference: reference(incidentId),
      title,
      severity,
      summary: content.summaryText.length > SUMMARY_LENGTH ? `${content.summaryText.slice(0, SUMMARY_LENGTH - 1)}…` : content.summaryText,
      chain: shortChain(content.whys),
      remediations: topRemediations(content.remediations),
      url: `${base}/learnings/${reference(incidentId)}`,
    })),
    completedCount,
    completed: completed.map((a) => ({ title: a.title, owner: a.ownerName, incident: reference(a.incidentId), url: `${base}/actions/${a.id}` })),
    overdueByTeam: overdue.map((o) => ({ team: teamName(o.team), count: o.count })),
    topCauses: [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 5)
      .map(([cause, count]) => ({ cause, count })),
    learningsUrl: `${base}/learnings`,
    settingsUrl: `${base}/admin/settings`,
  };
}

function plainText(c: DigestContent): string {
  const lines = [`Hindsight digest, ${c.period}`, ""];
  if (c.analyses.length === 0) {
    lines.push("No new post-mortems were published this week.", "");
  } else {
    lines.push(`New post-mortems (${c.analysesCount})`, "");
    for (const a of c.analyses) {
      lines.push(`${a.reference} (${a.severity}): ${a.title}`, a.summary, "Why:");
      a.chain.forEach((answer, i) => lines.push(`  ${i + 1}. ${answer}`));
      if (a.remediations.length > 0) lines.push("What we change:", ...a.remediations.map((r) => `  - ${r}`));
      lines.push(a.url, "");
    }
    if (c.analysesCount > c.analyses.length) lines.push(`And ${c.analysesCount - c.analyses.length} more: ${c.learningsUrl}`, "");
  }
  if (c.completed.length > 0) {
    lines.push(`Actions completed (${c.completedCount})`, ...c.completed.map((a) => `  - ${a.title} (${a.owner}, ${a.incident})`));
    if (c.completedCount > c.completed.length) lines.push(`  And ${c.completedCount - c.completed.length} more.`);
    lines.push("");
  }
  if (c.overdueByTeam.length > 0) lines.push("Overdue actions by team", ...c.overdueByTeam.map((o) => `  - ${o.team}: ${o.count}`), "");
  if (c.topCauses.length > 0) lines.push("Most frequent causes", ...c.topCauses.map((t) => `  - ${t.cause}: ${t.count}`), "");
  lines.push(`All learnings: ${c.learningsUrl}`, `Digest settings: ${c.settingsUrl}`);
  return lines.join("\n");
}

export type DigestEmailMessage = OutgoingEmail & { empty: boolean };

/** The digest email for a period, exactly as it will be sent. */
export function digestEmail(period: Period, now: Date = new Date()): DigestEmailMessage {
  const content = digestContent(period, now);
  const n = content.analysesCount;
  return {
    key: `digest:${period.key}`,
    kind: "digest",
    to: digestRecipients(),
    subject: n === 0 ? `Hindsight digest, ${period.label}: no new post-mortems` : `Hindsight digest, ${period.label}: ${n} new post-mortem${n === 1 ? "" : "s"}`,
    text: plainText(content),
    html: `<!doctype html><html><head><meta charset="utf-8"><title>Hindsight digest</title></head><body style="margin:0;padding:0;background:#f5f6f8">${renderToStaticMarkup(<DigestEmail content={content} />)}</body></html>`,
    headers: { "List-Unsubscribe": `<${content.settingsUrl}>` },
    empty: n === 0,
  };
}

export type DigestResult = { period: string; outcome: "queued" | "already-queued" | "skipped-empty" | "no-recipients"; sent: number; failed: number };

/**
 * Sends a period's digest exactly once: the outbox row keyed by the period is written before
 * sending and marked sent after, so a repeat or a restart sends nothing twice and loses nothing.
 */
export async function sendDigest(period: Period, now: Date = new Date()): Promise<DigestResult> {
  const email = digestEmail(period, now);
  let outcome: DigestResult["outcome"];
  if (email.to.length === 0) outcome = "no-recipients";
  else if (email.empty && getSettings().digestWhenEmpty === "skip") outcome = "skipped-empty";
  else outcome = enqueueEmail(email) ? "queued" : "already-queued";
  const delivery = await deliverPending(now);
  return { period: period.key, outcome, ...delivery };
}

/** The scheduled run: last week's digest, once the configured day and hour have come. */
export function lastWeek(now: Date = new Date()): Period {
  return previousPeriod(getSettings().timeZone, now);
}

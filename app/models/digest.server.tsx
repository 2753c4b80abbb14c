import { TZDate } from "@date-fns/tz";
import { and, asc, count, desc, eq, gt, gte, inArray, lt, lte, max, sql, type SQL } from "drizzle-orm";
import { renderToStaticMarkup } from "react-dom/server";
import { DigestEmail, type DigestContent } from "~/components/email/digest-email";
import { db, execute, schema, type Tx } from "~/lib/db.server";
import { env } from "~/lib/env.server";
import { dateIn } from "~/lib/time";
import { teamName } from "./action";
import { today, unfinished } from "./action.server";
import { categoryLabels } from "./category.server";
import { reference } from "./incident";
import { EVERYONE, type Viewer } from "./authorization";
import { assertAdmin, viewableBy } from "./authorization.server";
import type { ContentWhy, LearningContent } from "./learning.server";
import { deliverPending, enqueueEmail, type OutgoingEmail } from "./outbox.server";
import { announceDigest } from "./webhook-events.server";
import { digestRecipients, getSettings } from "./settings.server";
import { listInfoUrl, listSubscribers, unsubscribeUrl, type Subscriber } from "./subscription.server";
import { personName } from "./user.server";

const { actions, digestItems, digests, incidents, learnings, outbox, publications, users } = schema;

/** A digest lists at most this many post-mortems and completed actions, then says how many more. */
export const DIGEST_LIST_LIMIT = 50;
/** The one paragraph of summary a post-mortem gets in the digest, at most. */
const SUMMARY_LENGTH = 600;
/** Past digests listed on the digest page. */
export const PAST_DIGESTS_SHOWN = 20;

/**
 * What a digest covers: the first publications after the previous digest's up to its own (by
 * publication id, which only grows), and the actions completed from the previous digest's end
 * to its own. The next digest starts exactly where this one ends.
 */
export type DigestSpan = { seq: number; afterPublicationId: number; throughPublicationId: number; startAt: string | null; endAt: string };

/** Who a digest email is for: a company list address (what everyone may see), or one subscriber (what they may see). */
export type DigestRecipient = { kind: "list"; address: string } | { kind: "person"; subscriber: Subscriber };

/** "published 3 Dec 14:02 to 4 Dec 09:00 UTC", in the time zone given (the configured one: getSettings()). */
export function spanLabel(span: Pick<DigestSpan, "startAt" | "endAt">, timeZone: string): string {
  const fmt = (iso: string) =>
    new Date(iso).toLocaleString("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone }).replace(",", "");
  const zone = timeZone === "UTC" ? "UTC" : `(${timeZone})`;
  return span.startAt ? `published ${fmt(span.startAt)} to ${fmt(span.endAt)} ${zone}` : `published up to ${fmt(span.endAt)} ${zone}`;
}

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
function topRemediations(remediations: LearningContent["remediations"], n = 3): string[] {
  return [...remediations]
    .sort((a, b) => b.level - a.level)
    .slice(0, n)
    .map((r) => r.text);
}

/** The first publications of a span (by id, the digest's order): every one, or those `visible` keeps. */
async function publicationsOf(span: DigestSpan, visible?: SQL): Promise<number[]> {
  const rows = await db()
    .select({ id: publications.id })
    .from(publications)
    .innerJoin(incidents, eq(incidents.id, publications.incidentId))
    .where(and(eq(publications.revision, 1), gt(publications.id, span.afterPublicationId), lte(publications.id, span.throughPublicationId), visible))
    .orderBy(asc(publications.id))
    .all();
  return rows.map((p) => p.id);
}

/**
 * The publications of a span a recipient may see, by the incident's visibility now (canView in
 * app/models/authorization.ts): a list address gets what everyone may see; a subscriber also gets the
 * restricted ones they take part in, or all of them if they are an admin.
 */
async function visiblePublications(span: DigestSpan, recipient: DigestRecipient): Promise<number[]> {
  return await publicationsOf(span, viewableBy(recipient.kind === "list" ? EVERYONE : recipient.subscriber));
}

/** What a digest holds for a recipient: the post-mortems they may see, and the company-wide figures. */
export async function digestContent(span: DigestSpan, recipient: DigestRecipient, now: Date = new Date()): Promise<DigestContent> {
  return await contentOf(span, await visiblePublications(span, recipient), recipient, now);
}

async function contentOf(span: DigestSpan, visible: number[], recipient: DigestRecipient, now: Date): Promise<DigestContent> {
  const base = env().APP_URL;
  const todayDate = await today(now);
  const shown = visible.slice(0, DIGEST_LIST_LIMIT);
  // A post-mortem is in the digest that follows its first publication, as its latest
  // publication tells it: what a republish took out is never sent.
  const latest =
    shown.length === 0
      ? []
      : await db()
          .select({ publicationId: publications.id, incidentId: learnings.incidentId, title: learnings.title, severity: learnings.severity, content: learnings.content })
          .from(publications)
          .innerJoin(learnings, and(eq(learnings.incidentId, publications.incidentId), eq(learnings.latest, true)))
          .where(inArray(publications.id, shown))
          .all();
  const byId = new Map(latest.map((row) => [row.publicationId, { ...row, content: JSON.parse(row.content) as LearningContent }]));
  const published = shown.map((id) => byId.get(id)).filter((row) => row !== undefined);

  // Completed actions and overdue ones are the company's figures: only org-wide incidents count.
  const completedIn = and(
    eq(actions.status, "done"),
    viewableBy(EVERYONE),
    span.startAt ? gt(actions.completedAt, span.startAt) : undefined,
    lte(actions.completedAt, span.endAt),
  );
  const completed = await db()
    .select({ title: actions.title, ownerName: personName, incidentId: actions.incidentId, id: actions.id })
    .from(actions)
    .innerJoin(incidents, eq(incidents.id, actions.incidentId))
    .innerJoin(users, eq(users.id, actions.ownerId))
    .where(completedIn)
    .orderBy(asc(actions.completedAt))
    .limit(DIGEST_LIST_LIMIT)
    .all();
  const completedCount = (await db().select({ n: count() }).from(actions).innerJoin(incidents, eq(incidents.id, actions.incidentId)).where(completedIn).get())?.n ?? 0;

  const overdue = await db()
    .select({ team: users.team, count: sql<number>`count(*)` })
    .from(actions)
    .innerJoin(incidents, eq(incidents.id, actions.incidentId))
    .innerJoin(users, eq(users.id, actions.ownerId))
    .where(and(unfinished, lt(actions.dueDate, todayDate), viewableBy(EVERYONE)))
    .groupBy(users.team)
    .orderBy(sql`count(*) desc`, asc(users.team))
    .all();

  // Counted by today's name: a category merged since an analysis was published counts as the
  // one it went into.
  const labels = await categoryLabels();
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
    seq: span.seq,
    period: spanLabel(span, (await getSettings()).timeZone),
    analysesCount: visible.length,
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
      .map(([cause, n]) => ({ cause, count: n })),
    learningsUrl: `${base}/learnings`,
    manage:
      recipient.kind === "list"
        ? { url: listInfoUrl(), label: "You get this through a company mailing list: how to leave it" }
        : { url: `${base}/account`, label: "Your digest subscription" },
  };
}

function plainText(c: DigestContent): string {
  const lines = [`Hindsight digest #${c.seq}, ${c.period}`, ""];
  if (c.analyses.length === 0) {
    lines.push("No new post-mortems were published since the last digest.", "");
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
  lines.push(`All learnings: ${c.learningsUrl}`, `${c.manage.label}: ${c.manage.url}`);
  return lines.join("\n");
}

export type DigestEmailMessage = OutgoingEmail & { empty: boolean; publicationIds: number[] };

async function emailOf(
  span: DigestSpan,
  visible: number[],
  recipient: DigestRecipient,
  now: Date,
  rendered?: Map<string, Omit<DigestEmailMessage, "key" | "to" | "headers">>,
): Promise<DigestEmailMessage> {
  // Every subscriber who may see the same post-mortems gets the same body: made once per send.
  const bodyKey = `${recipient.kind}:${visible.join(",")}`;
  let body = rendered?.get(bodyKey);
  if (!body) {
    const content = await contentOf(span, visible, recipient, now);
    const n = content.analysesCount;
    body = {
      kind: "digest",
      subject: n === 0 ? `Hindsight digest #${span.seq}: no new post-mortems` : `Hindsight digest #${span.seq}: ${n} new post-mortem${n === 1 ? "" : "s"}`,
      text: plainText(content),
      html: `<!doctype html><html><head><meta charset="utf-8"><title>Hindsight digest #${span.seq}</title></head><body style="margin:0;padding:0;background:#f5f6f8">${renderToStaticMarkup(<DigestEmail content={content} />)}</body></html>`,
      empty: n === 0,
      publicationIds: visible,
    };
    rendered?.set(bodyKey, body);
  }
  if (recipient.kind === "list") {
    // A list address is the company's: one reader must not unsubscribe everyone on it, so the
    // header leads to a page saying how to leave the list, and there is no one-click POST.
    return { ...body, key: `digest:${span.seq}:list:${recipient.address.toLowerCase()}`, to: [recipient.address], headers: { "List-Unsubscribe": `<${listInfoUrl()}>` } };
  }
  const url = unsubscribeUrl(recipient.subscriber.id);
  return {
    ...body,
    key: `digest:${span.seq}:person:${recipient.subscriber.id}`,
    to: [recipient.subscriber.email],
    // RFC 8058: a POST to the link, with no sign-in, unsubscribes this person and nobody else.
    headers: { "List-Unsubscribe": `<${url}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
  };
}

/** The digest email for one recipient, exactly as it will be sent. */
export async function digestEmail(span: DigestSpan, recipient: DigestRecipient, now: Date = new Date()): Promise<DigestEmailMessage> {
  return await emailOf(span, await visiblePublications(span, recipient), recipient, now);
}

/** Everyone the next digest goes to: the list addresses, then the subscribers. */
export async function digestAudience(): Promise<DigestRecipient[]> {
  return [
    ...(await digestRecipients()).map((address): DigestRecipient => ({ kind: "list", address })),
    ...(await listSubscribers()).map((subscriber): DigestRecipient => ({ kind: "person", subscriber })),
  ];
}

async function lastDigest(tx: Tx = db()) {
  return await tx.select().from(digests).orderBy(desc(digests.seq)).limit(1).get();
}

/** The next digest if it were sent now: everything since the previous one. */
export async function nextDigest(now: Date = new Date(), tx: Tx = db()): Promise<DigestSpan> {
  const last = await lastDigest(tx);
  const after = last?.throughPublicationId ?? 0;
  const newest = (await tx.select({ id: max(publications.id) }).from(publications).get())?.id ?? 0;
  return { seq: (last?.seq ?? 0) + 1, afterPublicationId: after, throughPublicationId: Math.max(after, newest), startAt: last?.endAt ?? null, endAt: now.toISOString() };
}

export type DigestPreview = { span: DigestSpan; label: string; audience: DigestRecipient[]; email: DigestEmailMessage; covered: number };

/**
 * The next digest as a list address gets it (what everyone may see; subscribers get the same with
 * the restricted post-mortems they may see): the digest page shows it, and its button sends
 * exactly this span.
 */
export async function previewDigest(now: Date = new Date()): Promise<DigestPreview> {
  const span = await nextDigest(now);
  const audience = await digestAudience();
  const shown: DigestRecipient = audience.find((r) => r.kind === "list") ?? { kind: "list", address: "" };
  return {
    span,
    label: spanLabel(span, (await getSettings()).timeZone),
    audience,
    email: await digestEmail(span, shown, now),
    covered: (await publicationsOf(span)).length,
  };
}

/** The next digest as previewDigest shows it, for an administrator (the digest page, the API). */
export async function previewNextDigest(actor: Viewer, now: Date = new Date()): Promise<DigestPreview> {
  assertAdmin(actor, "Only an administrator can preview and send the digest.");
  return await previewDigest(now);
}

export type DigestTrigger = "manual" | "schedule" | "command";
export type DigestResult = {
  seq: number;
  label: string;
  outcome: "queued" | "already-sent" | "skipped-empty" | "no-recipients";
  queued: number;
  sent: number;
  failed: number;
};

export type SendOptions = {
  trigger: DigestTrigger;
  now?: Date;
  /** The span a preview showed: only that digest is sent, and only if it is still the next one. */
  expected?: Pick<DigestSpan, "seq" | "throughPublicationId" | "endAt">;
  /** The scheduled moment: nothing is sent if a digest was already sent since then. */
  dueSince?: string;
};

/**
 * Sends the next digest exactly once. In one write transaction it numbers the digest, records
 * the publications it covers and writes one outbox row per recipient, keyed by the digest's
 * number and the recipient; only then is anything sent, and a row is marked sent after the mail
 * server took it. Two senders at once (two admins, the scheduler and an admin, two processes)
 * take turns: the second finds the digest already numbered and sends nothing; a crash after the
 * rows were written sends them on the next delivery run.
 */
export async function sendDigest(options: SendOptions): Promise<DigestResult> {
  const now = options.now ?? new Date();
  const { digestWhenEmpty } = await getSettings();
  const decided = await db().transaction(
    async (tx) => {
      const next = await nextDigest(now, tx);
      // What the preview showed, never more than there is now nor less than nothing.
      const span: DigestSpan = options.expected
        ? {
            ...next,
            throughPublicationId: Math.max(next.afterPublicationId, Math.min(options.expected.throughPublicationId, next.throughPublicationId)),
            endAt: [next.startAt ?? "", options.expected.endAt, next.endAt].sort()[1],
          }
        : next;
      const { timeZone } = await getSettings();
      const label = spanLabel(span, timeZone);
      const result = (outcome: DigestResult["outcome"], queued = 0) => ({ seq: span.seq, label, outcome, queued });
      if (options.expected && options.expected.seq !== next.seq) return { ...result("already-sent"), seq: options.expected.seq };
      if (options.dueSince) {
        const last = await lastDigest(tx);
        if (last && last.createdAt >= options.dueSince) return { ...result("already-sent"), seq: last.seq, label: spanLabel(last, timeZone) };
      }
      const audience = await digestAudience();
      if (audience.length === 0) return result("no-recipients");
      const rendered = new Map<string, Omit<DigestEmailMessage, "key" | "to" | "headers">>();
      const emails: DigestEmailMessage[] = [];
      for (const r of audience) {
        const email = await emailOf(span, await visiblePublications(span, r), r, now, rendered);
        if (!(email.empty && digestWhenEmpty === "skip")) emails.push(email);
      }
      if (emails.length === 0) return result("skipped-empty");
      await tx.insert(digests).values({ ...span, trigger: options.trigger, createdAt: now.toISOString() }).run();
      await execute(
        tx,
        sql`insert into ${digestItems} (publication_id, digest_seq) select ${publications.id}, ${span.seq} from ${publications} where ${publications.revision} = 1 and ${publications.id} > ${span.afterPublicationId} and ${publications.id} <= ${span.throughPublicationId}`,
      );
      let queued = 0;
      for (const email of emails) if (await enqueueEmail(email, tx)) queued += 1;
      await announceDigest(tx, { seq: span.seq, label });
      return result("queued", queued);
    },
    { behavior: "immediate" },
  );
  const delivery = await deliverPending(now);
  return { ...decided, ...delivery };
}

/** An administrator sends the next digest now: the span the preview showed when `expected` names it, or whatever is next. */
export async function sendDigestNow(actor: Viewer, expected?: SendOptions["expected"]): Promise<DigestResult> {
  assertAdmin(actor, "Only an administrator can preview and send the digest.");
  return await sendDigest({ trigger: "manual", expected });
}

/**
 * The latest scheduled moment at or before `now`: the configured weekday and hour in the
 * configured time zone. The scheduler sends a digest when none was sent since then.
 */
export async function scheduledMoment(now: Date = new Date()): Promise<string> {
  const { timeZone, digestDay, digestHour } = await getSettings();
  const date = dateIn(timeZone, now);
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
  const [y, m, d] = date.split("-").map(Number);
  let moment = new TZDate(y, m - 1, d - ((weekday - digestDay + 7) % 7), digestHour, 0, 0, timeZone);
  if (moment.getTime() > now.getTime()) moment = new TZDate(y, m - 1, d - ((weekday - digestDay + 7) % 7) - 7, digestHour, 0, 0, timeZone);
  return new Date(moment.getTime()).toISOString();
}

export type PastDigest = { seq: number; label: string; trigger: string; createdAt: string; covered: number };

/** The latest digests sent, newest first: `limit` of them, from before the digest `beforeSeq` when given. */
export async function listPastDigests(actor: Viewer, { limit = PAST_DIGESTS_SHOWN, beforeSeq }: { limit?: number; beforeSeq?: number } = {}): Promise<PastDigest[]> {
  assertAdmin(actor, "Only an administrator can read the digests sent.");
  const { timeZone } = await getSettings();
  const rows = await db()
    .select({ seq: digests.seq, startAt: digests.startAt, endAt: digests.endAt, trigger: digests.trigger, createdAt: digests.createdAt, covered: count(digestItems.publicationId) })
    .from(digests)
    .leftJoin(digestItems, eq(digestItems.digestSeq, digests.seq))
    .where(beforeSeq === undefined ? undefined : lt(digests.seq, beforeSeq))
    .groupBy(digests.seq)
    .orderBy(desc(digests.seq))
    .limit(limit)
    .all();
  return rows.map((d) => ({ seq: d.seq, label: spanLabel(d, timeZone), trigger: d.trigger, createdAt: d.createdAt, covered: d.covered }));
}

export type SentDigest = PastDigest & {
  span: DigestSpan;
  items: { reference: string; title: string; visibility: "org" | "restricted"; publishedAt: string }[];
  deliveries: { recipients: string; status: string; sentAt: string | null; lastError: string | null }[];
  /** The email the list addresses got, as sent; absent when the digest went to no list address. */
  listEmail: { subject: string; html: string; text: string } | null;
};

/** One past digest: what it covered, who got it, and the list addresses' email as it was sent. */
export async function getSentDigest(actor: Viewer, seq: number): Promise<SentDigest | undefined> {
  // Who got it names the subscribers' addresses: the administrators' to see, as the outbox is.
  assertAdmin(actor, "Only an administrator can read the digests sent.");
  const row = await db().select().from(digests).where(eq(digests.seq, seq)).get();
  if (!row) return undefined;
  const items = await db()
    .select({ incidentId: publications.incidentId, title: learnings.title, visibility: incidents.visibility, publishedAt: publications.publishedAt })
    .from(digestItems)
    .innerJoin(publications, eq(publications.id, digestItems.publicationId))
    .innerJoin(learnings, eq(learnings.publicationId, publications.id))
    .innerJoin(incidents, eq(incidents.id, publications.incidentId))
    .where(eq(digestItems.digestSeq, seq))
    .orderBy(asc(publications.id))
    .all();
  const prefix = `digest:${seq}:`;
  const deliveries = await db()
    .select({ key: outbox.key, recipients: outbox.recipients, status: outbox.status, sentAt: outbox.sentAt, lastError: outbox.lastError, subject: outbox.subject, html: outbox.html, text: outbox.text })
    .from(outbox)
    // The keys "digest:7:…": from "digest:7:" up to "digest:7;", the character after the colon.
    .where(and(gte(outbox.key, prefix), lt(outbox.key, `digest:${seq};`)))
    .orderBy(asc(outbox.id))
    .all();
  const list = deliveries.find((d) => d.key.startsWith(`${prefix}list:`));
  return {
    seq: row.seq,
    label: spanLabel(row, (await getSettings()).timeZone),
    trigger: row.trigger,
    createdAt: row.createdAt,
    covered: items.length,
    span: row,
    items: items.map((i) => ({ reference: reference(i.incidentId), title: i.title, visibility: i.visibility, publishedAt: i.publishedAt })),
    deliveries: deliveries.map(({ recipients, status, sentAt, lastError }) => ({ recipients, status, sentAt, lastError })),
    listEmail: list ? { subject: list.subject, html: list.html, text: list.text } : null,
  };
}

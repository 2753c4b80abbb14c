import crypto from "node:crypto";
import { and, asc, count, eq, gte, lt } from "drizzle-orm";
import { afterCommit, db, schema, type Tx } from "~/lib/db.server";
import { env } from "~/lib/env.server";
import { shorten } from "~/lib/shorten";
import { addDays, formatDate } from "~/lib/time";
import { EVERYONE, viewableByEveryone } from "./authorization";
import { viewableBy } from "./authorization.server";
import { ACTION_STATUS_LABELS, type ActionStatus } from "./action";
import { reference, STATUS_LABELS, type Status } from "./incident";
import { deliverSoon, enqueueWebhook, type OutgoingWebhook } from "./outbox.server";
import { chainLines, deepestChain, slackMessage, slackText, summaryMrkdwn, type SlackMessageInput } from "./slack";
import { personName } from "./user.server";
import { isFalse } from "./sql/index.server";
import { levelsOf } from "./why-tree";
import { TEST_EVENT_TYPE, type WebhookEventType, type WebhookFormat } from "./webhook";

// What the webhook endpoints hear of, and what each delivery says. Every change to an incident
// passes through the history (audit.server.ts, recordEvent), which hands it here in its
// transaction: this one place decides which changes are webhook events and writes one outbox
// message per endpoint that listens, before the change commits. The daily reminder run announces
// actions that became overdue, and a sent digest announces itself, the same way.
//
// Endpoints are an audience the whole organisation shares (a Slack channel): like the learnings
// feed, they hear only of incidents everyone may see (viewableByEveryone); nothing about a
// restricted incident is ever written for them.

const { actions, digestItems, incidentServices, incidents, publications, users, webhookEndpoints, whys } = schema;

/** A change as the history records it: what webhooks read of it. */
export type ChangeForWebhooks = {
  incidentId: number;
  /** The history's kind: "incident.moved", "action.status", … */
  kind: string;
  changes?: Record<string, [unknown, unknown]>;
  /** The why the change is about (a why added). */
  whyId?: number;
  /** The follow-up action the change is about. */
  actionId?: number;
};

/** Which history kinds are which webhook event; the rest are not announced. */
const EVENT_OF_KIND: Record<string, WebhookEventType> = {
  "incident.reported": "incident.reported",
  "incident.moved": "incident.moved",
  "incident.published": "incident.moved",
  "incident.closed": "incident.moved",
  "incident.reopened": "incident.moved",
  "why.added": "why.added",
  "action.added": "action.created",
  "action.updated": "action.changed",
  "action.status": "action.changed",
};

/** The event a change is, if any: what the history's kind maps to. */
export function eventTypeOf(kind: string): WebhookEventType | undefined {
  return Object.hasOwn(EVENT_OF_KIND, kind) ? EVENT_OF_KIND[kind] : undefined;
}

/** The names an action's changed fields are given in events. */
const ACTION_FIELD_NAMES: Record<string, string> = {
  title: "title",
  descriptionMd: "description",
  ownerId: "owner",
  owner: "owner",
  dueDate: "dueDate",
  priority: "priority",
  trackerUrl: "trackerUrl",
  status: "status",
  reason: "status",
};

type Listener = { id: number; url: string; format: WebhookFormat };

/** The enabled endpoints that chose this event. */
async function listeners(tx: Tx, type: WebhookEventType): Promise<Listener[]> {
  const rows = await tx
    .select({ id: webhookEndpoints.id, url: webhookEndpoints.url, format: webhookEndpoints.format, eventTypes: webhookEndpoints.eventTypes })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.enabled, true))
    .orderBy(asc(webhookEndpoints.id))
    .all();
  return rows.filter((row) => (JSON.parse(row.eventTypes) as string[]).includes(type));
}

/** A new webhook-id: "msg_" and random characters. */
export function newMessageId(): string {
  return `msg_${crypto.randomBytes(18).toString("base64url")}`;
}

/** A webhook-id derived from what the message is, so it is written at most once however often it is announced. */
function derivedMessageId(what: string): string {
  return `msg_${crypto.createHash("sha256").update(what).digest("base64url").slice(0, 24)}`;
}

/** The links of an event: to the API resource and to the page a person reads. */
function links() {
  const base = env().APP_URL;
  return {
    incident: (ref: string) => ({ api: `${base}/api/v1/incidents/${ref}`, page: `${base}/incidents/${ref}` }),
    why: (ref: string, whyId: number) => ({ api: `${base}/api/v1/incidents/${ref}/whys/${whyId}`, page: `${base}/incidents/${ref}#why-${whyId}` }),
    action: (actionId: number) => ({ api: `${base}/api/v1/actions/${actionId}`, page: `${base}/actions/${actionId}` }),
    learnings: () => ({ api: `${base}/api/v1/learnings`, page: `${base}/learnings` }),
    webhooks: () => ({ page: `${base}/admin/webhooks` }),
  };
}

/** An event as written: its type and payload data, what the Outbox page calls it, and its Slack message. */
export type BuiltEvent = { type: string; data: Record<string, unknown>; subject: string; slack: SlackMessageInput };

/**
 * Writes the event for every endpoint in `to`: the same event (one timestamp, one payload) for
 * each, under its own webhook-id, `keyOf` deriving it when the event must be written only once.
 */
async function write(tx: Tx, to: Listener[], event: BuiltEvent, keyOf: (endpoint: Listener) => string = newMessageId): Promise<number> {
  const json = JSON.stringify({ type: event.type, timestamp: new Date().toISOString(), data: event.data });
  const slack = to.some((e) => e.format === "slack") ? JSON.stringify(slackMessage(event.slack)) : undefined;
  let written = 0;
  for (const endpoint of to) {
    const message: OutgoingWebhook = {
      key: keyOf(endpoint),
      kind: event.type,
      endpoint,
      subject: event.subject,
      event: json,
      slack: endpoint.format === "slack" ? slack : undefined,
    };
    if (await enqueueWebhook(message, tx)) written += 1;
  }
  if (written > 0) afterCommit(() => deliverSoon("http"));
  return written;
}

type IncidentFacts = { id: number; title: string; status: Status; severity: string; visibility: "org" | "restricted"; summaryMd: string };

async function incidentFacts(tx: Tx, incidentId: number): Promise<IncidentFacts | undefined> {
  return await tx
    .select({ id: incidents.id, title: incidents.title, status: incidents.status, severity: incidents.severity, visibility: incidents.visibility, summaryMd: incidents.summaryMd })
    .from(incidents)
    .where(eq(incidents.id, incidentId))
    .get();
}

async function servicesOf(tx: Tx, incidentId: number): Promise<string[]> {
  const rows = await tx.select({ service: incidentServices.service }).from(incidentServices).where(eq(incidentServices.incidentId, incidentId)).orderBy(asc(incidentServices.service)).all();
  return rows.map((r) => r.service);
}

/** The severity and services under a message: what a channel scans for. */
async function contextOf(tx: Tx, incident: IncidentFacts): Promise<string> {
  const services = await servicesOf(tx, incident.id);
  return [incident.severity, services.length > 0 ? `Services: ${services.join(", ")}` : "", `Status: ${STATUS_LABELS[incident.status]}`].filter(Boolean).join(" · ");
}

async function actionFacts(tx: Tx, actionId: number) {
  return await tx
    .select({ id: actions.id, whyId: actions.whyId, title: actions.title, status: actions.status, priority: actions.priority, dueDate: actions.dueDate, ownerName: personName })
    .from(actions)
    .innerJoin(users, eq(users.id, actions.ownerId))
    .where(eq(actions.id, actionId))
    .get();
}

/** The event a change makes, read in its transaction: the incident as the change left it. */
async function buildChangeEvent(tx: Tx, type: WebhookEventType, change: ChangeForWebhooks, incident: IncidentFacts): Promise<BuiltEvent | undefined> {
  const ref = reference(incident.id);
  const link = links();
  const base = { incidentId: incident.id, reference: ref };
  const title = `${ref}: ${incident.title}`;
  const open = { url: link.incident(ref).page, label: `Open ${ref}` };
  const context = await contextOf(tx, incident);
  switch (type) {
    case "incident.reported":
      return {
        type,
        data: { ...base, status: incident.status, severity: incident.severity, links: link.incident(ref) },
        subject: `${ref} reported`,
        slack: { title, sections: [`New *${incident.severity}* incident reported.`], context, link: open, fallback: `${ref} reported: ${incident.title}` },
      };
    case "incident.moved": {
      const [from, to] = (change.changes?.status ?? [null, incident.status]) as [Status | null, Status];
      const moved = from ? `Moved from *${STATUS_LABELS[from]}* to *${STATUS_LABELS[to]}*.` : `Now *${STATUS_LABELS[to]}*.`;
      const sections = [to === "closed" ? "*Closed*: every follow-up action is done or won't be done." : moved];
      if (to === "published") {
        sections[0] = "*Post-mortem published.* Read what was learned.";
        if (incident.summaryMd.trim()) sections.push(summaryMrkdwn(incident.summaryMd, 1200));
        const rows = await tx
          .select({ id: whys.id, parentId: whys.parentId, position: whys.position, question: whys.question, answer: whys.answer })
          .from(whys)
          .where(eq(whys.incidentId, incident.id))
          .all();
        const chain = chainLines(deepestChain(rows));
        if (chain.length > 0) sections.push(["*The chain of whys, in short*", ...chain].join("\n"));
      }
      return {
        type,
        data: { ...base, from, to, status: incident.status, severity: incident.severity, links: link.incident(ref) },
        subject: from ? `${ref} moved from ${STATUS_LABELS[from]} to ${STATUS_LABELS[to]}` : `${ref} is ${STATUS_LABELS[to]}`,
        slack: {
          title,
          sections,
          context,
          link: to === "published" ? { url: link.incident(ref).page, label: "Read the post-mortem" } : open,
          fallback: `${ref} ${to === "published" ? "published" : `moved to ${STATUS_LABELS[to]}`}: ${incident.title}`,
        },
      };
    }
    case "why.added": {
      if (change.whyId === undefined) return undefined;
      const why = await tx.select({ id: whys.id, parentId: whys.parentId, question: whys.question, answer: whys.answer }).from(whys).where(eq(whys.id, change.whyId)).get();
      if (!why) return undefined;
      const level = levelsOf(await tx.select({ id: whys.id, parentId: whys.parentId }).from(whys).where(eq(whys.incidentId, incident.id)).all()).get(why.id) ?? 1;
      const answer = why.answer.trim() ? `\n→ ${slackText(why.answer, 1200)}` : "";
      return {
        type,
        data: { ...base, whyId: why.id, parentId: why.parentId, level, links: link.why(ref, why.id) },
        subject: `${ref}: why “${shorten(why.question, 80)}” added at level ${level}`,
        slack: { title, sections: [`New why at level ${level}: *${slackText(why.question, 600)}*${answer}`], context, link: { url: link.why(ref, why.id).page, label: `Open ${ref}` }, fallback: `${ref}: ${why.question}` },
      };
    }
    case "action.created":
    case "action.changed": {
      if (change.actionId === undefined) return undefined;
      const action = await actionFacts(tx, change.actionId);
      if (!action) return undefined;
      const facts = `Owner: ${slackText(action.ownerName, 200)} · due ${formatDate(action.dueDate)} · ${action.priority} · ${ACTION_STATUS_LABELS[action.status]}`;
      const data = { actionId: action.id, whyId: action.whyId, ...base, status: action.status, priority: action.priority, dueDate: action.dueDate };
      const actionLink = { url: link.action(action.id).page, label: "Open the action" };
      if (type === "action.created") {
        return {
          type,
          data: { ...data, links: link.action(action.id) },
          subject: `${ref}: action “${action.title}” created`,
          slack: { title, sections: [`New follow-up action: *${slackText(action.title, 600)}*\n${facts}`], context, link: actionLink, fallback: `${ref}: new action ${action.title}` },
        };
      }
      const changed = [...new Set(Object.keys(change.changes ?? {}).map((field) => ACTION_FIELD_NAMES[field]).filter(Boolean))];
      const statusChange = change.changes?.status as [string, string] | undefined;
      const what = changed.includes("status") && statusChange ? `is now *${escapeLabel(statusChange[1])}*` : `was changed: ${changed.join(", ") || "details"}`;
      return {
        type,
        data: { ...data, changed, links: link.action(action.id) },
        subject: `${ref}: action “${action.title}” changed (${changed.join(", ") || "details"})`,
        slack: { title, sections: [`Follow-up action *${slackText(action.title, 600)}* ${what}.\n${facts}`], context, link: actionLink, fallback: `${ref}: action ${action.title} changed` },
      };
    }
    default:
      return undefined;
  }
}

function escapeLabel(label: string): string {
  return slackText(label, 100);
}

/**
 * Announces a change to the endpoints that listen for its event, in the change's transaction (the
 * history calls it for every change): one outbox message per endpoint, sent once the change
 * commits. A change that is no event, an event nobody listens for, or an incident not everyone
 * may see writes nothing.
 */
export async function announceChange(tx: Tx, change: ChangeForWebhooks): Promise<void> {
  const type = eventTypeOf(change.kind);
  if (!type) return;
  const to = await listeners(tx, type);
  if (to.length === 0) return;
  const incident = await incidentFacts(tx, change.incidentId);
  if (!incident || !viewableByEveryone(incident)) return;
  const event = await buildChangeEvent(tx, type, change, incident);
  if (event) await write(tx, to, event);
}

/** How far back the daily run looks for actions that became overdue: a run missed for a few days still announces them. */
const OVERDUE_LOOKBACK_DAYS = 7;

/**
 * The daily reminder run's announcement of follow-up actions that became overdue (due before
 * `today`, unfinished), on incidents everyone may see: once per action and due date, whatever
 * runs again, by the webhook-id derived from both. Only actions due in the last week are looked
 * at: an endpoint added today does not hear of every action overdue for years.
 */
export async function announceOverdueActions(today: string): Promise<number> {
  return await db().transaction(async (tx) => {
    const to = await listeners(tx, "action.overdue");
    if (to.length === 0) return 0;
    const rows = await tx
      .select({ id: actions.id, incidentId: actions.incidentId, title: actions.title, status: actions.status, priority: actions.priority, dueDate: actions.dueDate, ownerName: personName, incidentTitle: incidents.title })
      .from(actions)
      .innerJoin(incidents, eq(incidents.id, actions.incidentId))
      .innerJoin(users, eq(users.id, actions.ownerId))
      .where(
        and(
          isFalse(schema.actionFinished(actions.status)),
          lt(actions.dueDate, today),
          gte(actions.dueDate, addDays(today, -OVERDUE_LOOKBACK_DAYS)),
          viewableBy(EVERYONE),
        ),
      )
      .orderBy(asc(actions.dueDate), asc(actions.id))
      .all();
    const link = links();
    let written = 0;
    for (const action of rows) {
      const ref = reference(action.incidentId);
      const event: BuiltEvent = {
        type: "action.overdue",
        data: { actionId: action.id, incidentId: action.incidentId, reference: ref, status: action.status, priority: action.priority, dueDate: action.dueDate, links: link.action(action.id) },
        subject: `${ref}: action “${action.title}” overdue`,
        slack: {
          title: `${ref}: ${action.incidentTitle}`,
          sections: [
            `Overdue: *${slackText(action.title, 600)}* was due ${formatDate(action.dueDate)}.\nOwner: ${slackText(action.ownerName, 200)} · ${action.priority} · ${ACTION_STATUS_LABELS[action.status as ActionStatus]}`,
          ],
          link: { url: link.action(action.id).page, label: "Open the action" },
          fallback: `${ref}: action ${action.title} is overdue`,
        },
      };
      written += await write(tx, to, event, (endpoint) => derivedMessageId(`action.overdue:${action.id}:${action.dueDate}:${endpoint.id}`));
    }
    return written;
  });
}

/**
 * Announces a digest that was just numbered and written to the outbox, in that transaction. It
 * counts only the post-mortems everyone may see: the digest's list addresses get no others.
 */
export async function announceDigest(tx: Tx, digest: { seq: number; label: string }): Promise<void> {
  const to = await listeners(tx, "digest.sent");
  if (to.length === 0) return;
  const [{ n }] = await tx
    .select({ n: count() })
    .from(digestItems)
    .innerJoin(publications, eq(publications.id, digestItems.publicationId))
    .innerJoin(incidents, eq(incidents.id, publications.incidentId))
    .where(and(eq(digestItems.digestSeq, digest.seq), viewableBy(EVERYONE)))
    .all();
  const link = links();
  const postMortems = `${n} new ${n === 1 ? "post-mortem" : "post-mortems"}`;
  await write(tx, to, {
    type: "digest.sent",
    data: { digestSeq: digest.seq, period: digest.label, postMortems: n, links: link.learnings() },
    subject: `Digest #${digest.seq} sent`,
    slack: {
      title: `Digest #${digest.seq}: ${digest.label}`,
      sections: [`The digest went out with ${postMortems}.`],
      link: { url: link.learnings().page, label: "Read the learnings" },
      fallback: `Digest #${digest.seq} sent: ${postMortems}`,
    },
  });
}

/** The test event the admins' page sends to one endpoint. */
export function testEvent(endpointId: number): BuiltEvent {
  return {
    type: TEST_EVENT_TYPE,
    data: { endpointId, links: links().webhooks() },
    subject: "Test event",
    slack: {
      title: "Hindsight is connected",
      sections: ["This is a test from Hindsight. The events this endpoint chose will be posted here."],
      fallback: "A test from Hindsight: this endpoint is connected.",
    },
  };
}

/** The JSON a test event is sent as, to an endpoint of this format. */
export function testMessage(endpoint: Listener): OutgoingWebhook {
  const event = testEvent(endpoint.id);
  return {
    key: newMessageId(),
    kind: event.type,
    endpoint,
    subject: event.subject,
    event: JSON.stringify({ type: event.type, timestamp: new Date().toISOString(), data: event.data }),
    slack: endpoint.format === "slack" ? JSON.stringify(slackMessage(event.slack)) : undefined,
  };
}

import { and, asc, desc, eq, inArray, isNull, lt, lte, min, or, sql } from "drizzle-orm";
import { afterCommit, db, schema, type Tx } from "~/lib/db.server";
import { sendEmail } from "~/lib/email.server";
import { assertAdmin } from "./authorization.server";
import type { Viewer } from "./authorization";
import { NotFound, StateConflict } from "./errors";
import { GitHubRefused } from "~/lib/github.server";
import { answerGitHub } from "./deployment-answer.server";
import { attemptWebhook, retrySchedule, type WebhookAttempt } from "./webhook-delivery.server";
import { retryDelay, TEST_EVENT_TYPE, WEBHOOK_LIMITS } from "./webhook";

// Every outgoing message is written to the outbox in the transaction of the change it tells of,
// then sent after the commit: emails over SMTP (docs/decisions/0020-outbox-for-email.md), webhook
// deliveries posted to their endpoints (docs/decisions/0031-webhooks-through-the-outbox.md), and
// the deploy gate's answers to GitHub (docs/decisions/0030-deploy-gate.md).
// Claiming a message is an atomic compare-and-set, so two senders never send the same one.

const { outbox, webhookEndpoints } = schema;

export type OutgoingEmail = {
  key: string;
  kind: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
};

/** The kinds of email that carry a one-time link to set a password. */
const ONE_TIME_LINK_KINDS = new Set(["invitation", "reset"]);
const SENT_LINK_REMOVED = "(Sent. Its one-time link is not kept.)";
const SENT_LINKS_KEPT_DAYS = 7;

/** A claim this old was interrupted (the process died mid-send): the message is tried again. */
const STALE_CLAIM_MS = 10 * 60_000;
/** A webhook attempt ends within seconds (ATTEMPT_TIMEOUT_MS): a claim this old was interrupted. */
const STALE_WEBHOOK_CLAIM_MS = 2 * 60_000;
export const MAX_ATTEMPTS = 10;

/** How often the server looks for webhook deliveries that have come due (retries, other processes' messages). */
const POLL_MS = 5_000;
/** The shortest pause between two looks: an endpoint that keeps failing is not hammered. */
const WAKE_FLOOR_MS = 1_000;
/** Endpoints posted to at once: a slow one holds up only its own messages. */
const ENDPOINTS_AT_ONCE = 4;

/**
 * Writes an email to the outbox before anything is sent. A message with the same key is never
 * written twice, so a repeated or restarted run queues nothing new. Returns whether it was new.
 */
export async function enqueueEmail(email: OutgoingEmail, tx: Tx = db()): Promise<boolean> {
  return (await enqueueEmails([email], tx)) === 1;
}

/**
 * Writes several emails to the outbox in one statement (the emails one change sends its people),
 * each as enqueueEmail would: a key already written is skipped. Returns how many were new.
 */
export async function enqueueEmails(emails: OutgoingEmail[], tx: Tx = db()): Promise<number> {
  if (emails.length === 0) return 0;
  const inserted = await tx
    .insert(outbox)
    .values(
      emails.map((email) => ({
        key: email.key,
        kind: email.kind,
        recipients: email.to.join(", "),
        subject: email.subject,
        text: email.text,
        html: email.html,
        headers: JSON.stringify(email.headers ?? {}),
      })),
    )
    .onConflictDoNothing({ target: outbox.key })
    .returning({ id: outbox.id })
    .all();
  return inserted.length;
}

/** One webhook delivery: an event for one endpoint. */
export type OutgoingWebhook = {
  /** The webhook-id, the same on every attempt and replay. */
  key: string;
  /** The event type. */
  kind: string;
  endpoint: { id: number; url: string };
  /** What the Outbox page says the message is ("INC-7 moved from Review to Published"). */
  subject: string;
  /** The event as JSON: what a Standard Webhooks endpoint is sent, byte for byte. */
  event: string;
  /** The Block Kit message a Slack endpoint is sent instead, as JSON. */
  slack?: string;
};

/**
 * Writes a webhook delivery to the outbox, in the transaction of the change it tells of. For a
 * webhook, `text` holds the event and `html` the Slack message (empty for other endpoints): both
 * are fixed when written, so every attempt and replay sends the same bytes. A key written before
 * writes nothing (an event announced once). Returns the new message's id, or undefined.
 */
export async function enqueueWebhook(message: OutgoingWebhook, tx: Tx = db(), claimed?: string): Promise<number | undefined> {
  const inserted = await tx
    .insert(outbox)
    .values({
      key: message.key,
      channel: "webhook",
      kind: message.kind,
      endpointId: message.endpoint.id,
      recipients: message.endpoint.url,
      subject: message.subject,
      text: message.event,
      html: message.slack ?? "",
      // A test is sent by the request that asks for it: claimed as it is written.
      ...(claimed ? { status: "sending" as const, claimedAt: claimed, attempts: 1 } : {}),
    })
    .onConflictDoNothing({ target: outbox.key })
    .returning({ id: outbox.id })
    .get();
  return inserted?.id;
}

/** A GitHub answer's key: the delivery GitHub asked in, so a deployment is answered once. */
export const GITHUB_ANSWER_KEY_PREFIX = "github-review-";

/**
 * Writes the answer to a deployment GitHub asked about to the outbox, in the transaction that
 * stores the decision; the answer itself is read from the review when it is sent. Returns whether
 * it was new.
 */
export async function enqueueGitHubAnswer(
  review: { id: number; deliveryId: string; repository: string; environment: string; decision: "approved" | "rejected" },
  tx: Tx = db(),
): Promise<boolean> {
  const inserted = await tx
    .insert(outbox)
    .values({
      key: `${GITHUB_ANSWER_KEY_PREFIX}${review.deliveryId}`,
      channel: "github",
      kind: "deployment-review",
      recipients: `${review.repository} (${review.environment})`,
      subject: `${review.decision === "approved" ? "Approve" : "Reject"} the deployment of ${review.repository} to ${review.environment}`,
      text: String(review.id),
      html: "",
    })
    .onConflictDoNothing({ target: outbox.key })
    .returning({ id: outbox.id })
    .get();
  return Boolean(inserted);
}

let delivering = false;
let wake: ReturnType<typeof setTimeout> | undefined;

/**
 * One kind of delivery run at a time, and once more after it when asked during it. Emails and
 * webhooks each have their own: an invitation never waits behind receivers that are slow to answer.
 */
function singleFlight(run: () => Promise<unknown>, after?: () => void): () => void {
  let running: Promise<void> | undefined;
  let again = false;
  return () => {
    again = true;
    if (running) return;
    running = (async () => {
      while (again) {
        again = false;
        await run();
      }
    })()
      .catch((error: unknown) => console.error("Sending the outbox failed:", error))
      .finally(() => {
        running = undefined;
        after?.();
      });
  };
}

const emailRound = singleFlight(() => deliverEmailsAndPrune(new Date()));
const httpRound = singleFlight(
  () => deliverHttp(new Date()),
  () => void wakeForHttp(),
);

/**
 * Has the server send what is in the outbox now, not at the next daily run: emails a person waits
 * for (an invitation, a reset link), and what is posted over HTTP (webhook deliveries, answers to
 * GitHub) right after the change it tells of ("http": only those). Does nothing until the server
 * has started delivering (startDelivery), so scripts and tests that queue messages decide
 * themselves when they are sent.
 */
export function deliverSoon(what: "all" | "http" = "all"): void {
  if (!delivering) return;
  if (what === "all") emailRound();
  httpRound();
}

/**
 * Schedules the next look for what is posted over HTTP: when the next retry comes due, and at
 * least every few seconds (messages written by another process, a command-line run).
 */
async function wakeForHttp(): Promise<void> {
  if (!delivering) return;
  let delay = POLL_MS;
  try {
    const due = await nextHttpDue();
    if (due !== undefined) delay = Math.min(POLL_MS, Math.max(WAKE_FLOOR_MS, due - Date.now()));
  } catch (error) {
    console.error("Looking for webhook deliveries failed:", error);
  }
  clearTimeout(wake);
  wake = setTimeout(() => deliverSoon("http"), delay);
  wake.unref();
}

/** Posts what is due over HTTP: webhook deliveries and answers to GitHub, side by side. */
async function deliverHttp(now: Date): Promise<{ sent: number; failed: number }> {
  const [webhooks, answers] = await Promise.all([deliverWebhooks(now), deliverGitHubAnswers(now)]);
  return { sent: webhooks.sent + answers.sent, failed: webhooks.failed + answers.failed };
}

/**
 * The server sends what is queued as soon as it is (deliverSoon), beginning with anything left
 * unsent, and looks for webhook retries that have come due every few seconds.
 */
export function startDelivery(): void {
  delivering = true;
  deliverSoon();
}

/** Takes one email for sending, unless another sender has it; an atomic compare-and-set. */
async function claim(id: number, now: Date): Promise<boolean> {
  const staleBefore = new Date(now.getTime() - STALE_CLAIM_MS).toISOString();
  const claimed = await db()
    .update(outbox)
    .set({ status: "sending", claimedAt: now.toISOString(), attempts: sql`${outbox.attempts} + 1` })
    .where(
      and(
        eq(outbox.id, id),
        eq(outbox.channel, "email"),
        or(inArray(outbox.status, ["pending", "failed"]), and(eq(outbox.status, "sending"), lt(outbox.claimedAt, staleBefore))),
      ),
    )
    .returning({ id: outbox.id })
    .get();
  return Boolean(claimed);
}

/**
 * Sends every message not yet sent: emails (new ones, failed ones with fewer than MAX_ATTEMPTS
 * tries, ones whose sender was interrupted; each marked sent only after the mail server took it),
 * then the webhook deliveries and GitHub answers that are due. `now` decides what is due.
 */
export async function deliverPending(now: Date = new Date()): Promise<{ sent: number; failed: number }> {
  const emails = await deliverEmailsAndPrune(now);
  const http = await deliverHttp(now);
  return { sent: emails.sent + http.sent, failed: emails.failed + http.failed };
}

/** Sends the emails due, then lets go of what is kept only a while. */
async function deliverEmailsAndPrune(now: Date): Promise<{ sent: number; failed: number }> {
  const emails = await deliverEmails(now);
  // Sent invitations and resets are kept a week for the Outbox page, then go: anyone may ask for a reset.
  const keptSince = new Date(now.getTime() - SENT_LINKS_KEPT_DAYS * 86_400_000).toISOString();
  await db().delete(outbox).where(and(inArray(outbox.kind, [...ONE_TIME_LINK_KINDS]), eq(outbox.status, "sent"), lt(outbox.sentAt, keptSince))).run();
  // Webhook deliveries and GitHub answers that are done with (sent or given up) are kept a while for the Outbox page and replays.
  const webhooksSince = new Date(now.getTime() - WEBHOOK_LIMITS.keptDays * 86_400_000).toISOString();
  await db()
    .delete(outbox)
    .where(and(inArray(outbox.status, ["sent", "failed"]), inArray(outbox.channel, ["webhook", "github"]), lt(outbox.createdAt, webhooksSince)))
    .run();
  return emails;
}

async function deliverEmails(now: Date): Promise<{ sent: number; failed: number }> {
  const staleBefore = new Date(now.getTime() - STALE_CLAIM_MS).toISOString();
  const due = await db()
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        eq(outbox.channel, "email"),
        or(
          eq(outbox.status, "pending"),
          and(eq(outbox.status, "failed"), lt(outbox.attempts, MAX_ATTEMPTS)),
          and(eq(outbox.status, "sending"), lt(outbox.claimedAt, staleBefore)),
        ),
      ),
    )
    .orderBy(asc(outbox.id))
    .all();
  let sent = 0;
  let failed = 0;
  for (const { id } of due) {
    if (!(await claim(id, now))) continue;
    const row = (await db().select().from(outbox).where(eq(outbox.id, id)).get())!;
    try {
      await sendEmail({
        to: row.recipients.split(", "),
        subject: row.subject,
        text: row.text,
        html: row.html,
        headers: JSON.parse(row.headers) as Record<string, string>,
        messageId: `<${row.key.replace(/[^\w.-]+/g, ".")}@hindsight>`,
      });
      // A message that carried a one-time link keeps no copy of it once sent (backups, the database shell).
      const forget = ONE_TIME_LINK_KINDS.has(row.kind) ? { text: SENT_LINK_REMOVED, html: SENT_LINK_REMOVED } : {};
      await db().update(outbox).set({ status: "sent", sentAt: new Date().toISOString(), lastError: null, ...forget }).where(eq(outbox.id, id)).run();
      sent += 1;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await db().update(outbox).set({ status: "failed", lastError: message.slice(0, 1000) }).where(eq(outbox.id, id)).run();
      failed += 1;
    }
  }
  return { sent, failed };
}

// --- Webhook deliveries -------------------------------------------------------------------------
//
// A webhook message is "pending" until it is sent (any 2xx) or given up ("failed"): after a failed
// attempt it waits, still pending, until its next_attempt_at. Messages to one endpoint are
// attempted in the order they were written, one at a time; a failure ends that endpoint's turn, so
// an endpoint that is down costs one attempt per look, not one per message.

/** Webhook deliveries due by `now` (and interrupted ones), oldest first, of enabled endpoints. */
function dueWebhooks(now: Date) {
  const staleBefore = new Date(now.getTime() - STALE_WEBHOOK_CLAIM_MS).toISOString();
  return db()
    .select({ id: outbox.id, endpointId: outbox.endpointId })
    .from(outbox)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, outbox.endpointId))
    .where(
      and(
        eq(outbox.channel, "webhook"),
        eq(webhookEndpoints.enabled, true),
        or(
          and(eq(outbox.status, "pending"), or(isNull(outbox.nextAttemptAt), lte(outbox.nextAttemptAt, now.toISOString()))),
          and(eq(outbox.status, "sending"), lt(outbox.claimedAt, staleBefore)),
        ),
      ),
    )
    .orderBy(asc(outbox.id))
    .all();
}

/**
 * When the next pending HTTP message comes due (milliseconds since the epoch), if any is waiting:
 * a webhook delivery to an enabled endpoint, or an answer to GitHub.
 */
async function nextHttpDue(): Promise<number | undefined> {
  const row = await db()
    // A message never tried has no time yet: it is due now.
    .select({ due: min(outbox.nextAttemptAt), untried: sql<number>`count(*) - count(${outbox.nextAttemptAt})` })
    .from(outbox)
    .leftJoin(webhookEndpoints, eq(webhookEndpoints.id, outbox.endpointId))
    .where(
      and(
        eq(outbox.status, "pending"),
        or(and(eq(outbox.channel, "webhook"), eq(webhookEndpoints.enabled, true)), eq(outbox.channel, "github")),
      ),
    )
    .get();
  if (!row) return undefined;
  if (row.untried > 0) return Date.now();
  return row.due === null ? undefined : Date.parse(row.due);
}

/**
 * Takes one message posted over HTTP that is due, unless another sender has it: an atomic
 * compare-and-set. Returns the claim's time, which only this sender's later writes to the row carry.
 */
async function claimHttp(id: number, now: Date, channel: "webhook" | "github" = "webhook"): Promise<string | undefined> {
  const staleBefore = new Date(now.getTime() - STALE_WEBHOOK_CLAIM_MS).toISOString();
  const claimedAt = now.toISOString();
  const claimed = await db()
    .update(outbox)
    .set({ status: "sending", claimedAt, attempts: sql`${outbox.attempts} + 1` })
    .where(
      and(
        eq(outbox.id, id),
        eq(outbox.channel, channel),
        or(
          and(eq(outbox.status, "pending"), or(isNull(outbox.nextAttemptAt), lte(outbox.nextAttemptAt, now.toISOString()))),
          and(eq(outbox.status, "sending"), lt(outbox.claimedAt, staleBefore)),
        ),
      ),
    )
    .returning({ id: outbox.id })
    .get();
  return claimed ? claimedAt : undefined;
}

/** Posts every webhook delivery due by `now`, endpoints side by side, each endpoint's in order. */
export async function deliverWebhooks(now: Date = new Date()): Promise<{ sent: number; failed: number }> {
  const byEndpoint = new Map<number, number[]>();
  for (const { id, endpointId } of await dueWebhooks(now)) byEndpoint.set(endpointId!, [...(byEndpoint.get(endpointId!) ?? []), id]);
  const queues = [...byEndpoint.values()];
  const tally = { sent: 0, failed: 0 };
  const worker = async () => {
    for (let ids = queues.shift(); ids; ids = queues.shift()) {
      for (const id of ids) {
        const claimedAt = await claimHttp(id, now);
        if (!claimedAt) continue;
        const outcome = await sendClaimed(id, claimedAt, now);
        if (outcome === "sent") tally.sent += 1;
        else {
          tally.failed += 1;
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(ENDPOINTS_AT_ONCE, queues.length) }, worker));
  return tally;
}

/** What came of one attempt at a webhook delivery. */
export type Delivery = { outcome: "sent" | "retrying" | "failed"; status: number | null; error: string | null; nextAttemptAt: string | null };

/** Makes one attempt at a claimed delivery and records what came of it. */
async function sendClaimed(id: number, claimedAt: string, now: Date): Promise<Delivery["outcome"]> {
  const row = await db().select().from(outbox).where(eq(outbox.id, id)).get();
  if (!row) return "failed";
  let attempt: WebhookAttempt;
  try {
    attempt = await attemptWebhook(row);
  } catch (error) {
    attempt = { outcome: "retry", status: null, error: error instanceof Error ? error.message : String(error), retryAfter: null };
  }
  return (await recordAttempt(row, claimedAt, attempt, now)).outcome;
}

/** Writes an attempt's outcome to its message, if the claim is still this sender's. */
async function recordAttempt(row: typeof outbox.$inferSelect, claimedAt: string, attempt: WebhookAttempt, now: Date): Promise<Delivery> {
  const ours = and(eq(outbox.id, row.id), eq(outbox.status, "sending"), eq(outbox.claimedAt, claimedAt));
  if (attempt.outcome === "sent") {
    await db().update(outbox).set({ status: "sent", sentAt: new Date().toISOString(), lastStatus: attempt.status, lastError: null, nextAttemptAt: null }).where(ours).run();
    return { outcome: "sent", status: attempt.status, error: null, nextAttemptAt: null };
  }
  const error = attempt.error.slice(0, 1000);
  if (attempt.outcome === "gone") {
    await db().transaction(async (tx) => {
      await tx.update(outbox).set({ status: "failed", lastStatus: attempt.status, lastError: error, nextAttemptAt: null }).where(ours).run();
      await disableEndpoint(tx, row.endpointId!, `The endpoint answered 410 Gone on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC: it asked for nothing more to be sent.`);
    });
    return { outcome: "failed", status: attempt.status, error, nextAttemptAt: null };
  }
  // A test is tried once: the admin who sent it sees what came of it.
  const delay = attempt.outcome === "retry" && row.kind !== TEST_EVENT_TYPE ? retryDelay(row.attempts, attempt.retryAfter, retrySchedule()) : null;
  if (delay === null) {
    await db().update(outbox).set({ status: "failed", lastStatus: attempt.status, lastError: error, nextAttemptAt: null }).where(ours).run();
    return { outcome: "failed", status: attempt.status, error, nextAttemptAt: null };
  }
  // Counted from the answer (or from `now`, when a test moves the clock on): a Retry-After means after it.
  const nextAttemptAt = new Date(Math.max(now.getTime(), Date.now()) + delay * 1000).toISOString();
  await db().update(outbox).set({ status: "pending", lastStatus: attempt.status, lastError: error, nextAttemptAt }).where(ours).run();
  return { outcome: "retrying", status: attempt.status, error, nextAttemptAt };
}

/**
 * Turns an endpoint off, saying why, and sets aside what was waiting for it (failed, so each can
 * be replayed once it is on again): a disabled endpoint receives nothing.
 */
export async function disableEndpoint(tx: Tx, endpointId: number, reason: string): Promise<void> {
  await tx
    .update(webhookEndpoints)
    .set({ enabled: false, disabledReason: reason, updatedAt: new Date().toISOString(), version: sql`${webhookEndpoints.version} + 1` })
    .where(eq(webhookEndpoints.id, endpointId))
    .run();
  await tx
    .update(outbox)
    .set({ status: "failed", lastError: "Not sent: the endpoint was disabled.", nextAttemptAt: null })
    .where(and(eq(outbox.endpointId, endpointId), eq(outbox.status, "pending")))
    .run();
}

/**
 * Sends a delivery written already claimed (enqueueWebhook's `claimed`) at once, in the request
 * that asked for it, and answers with what came of it.
 */
export async function sendNow(id: number, claimedAt: string): Promise<Delivery> {
  const row = (await db().select().from(outbox).where(eq(outbox.id, id)).get())!;
  let attempt: WebhookAttempt;
  try {
    attempt = await attemptWebhook(row);
  } catch (error) {
    attempt = { outcome: "retry", status: null, error: error instanceof Error ? error.message : String(error), retryAfter: null };
  }
  return await recordAttempt(row, claimedAt, attempt, new Date());
}

// --- Answers to GitHub ---------------------------------------------------------------------------
//
// An answer to a deployment GitHub asked about waits, like a webhook delivery, until GitHub takes
// it or it is given up: a refusal trying again may help (no answer, a rate limit, GitHub's own
// trouble) is tried again on the webhooks' schedule; one it cannot (the review is no longer
// wanted, the App is not configured) gives it up. Answering twice is harmless but never happens:
// a review is marked answered once GitHub took it, and an answered review is not sent again.

/** GitHub answers due by `now` (and interrupted ones), oldest first. */
function dueGitHubAnswers(now: Date) {
  const staleBefore = new Date(now.getTime() - STALE_WEBHOOK_CLAIM_MS).toISOString();
  return db()
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        eq(outbox.channel, "github"),
        or(
          and(eq(outbox.status, "pending"), or(isNull(outbox.nextAttemptAt), lte(outbox.nextAttemptAt, now.toISOString()))),
          and(eq(outbox.status, "sending"), lt(outbox.claimedAt, staleBefore)),
        ),
      ),
    )
    .orderBy(asc(outbox.id))
    .all();
}

/** One attempt at an answer to GitHub, as an attempt at a webhook delivery reads. */
async function attemptGitHubAnswer(row: typeof outbox.$inferSelect): Promise<WebhookAttempt> {
  try {
    const answer = await answerGitHub(Number(row.text));
    // Answered before (by a sender that died before it could say so): nothing was posted now.
    return { outcome: "sent", status: answer.answered === "now" ? answer.status : null };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof GitHubRefused) {
      return { outcome: error.transient ? "retry" : "give-up", status: error.status || null, error: message, retryAfter: null };
    }
    if (error instanceof NotFound) return { outcome: "give-up", status: null, error: "The review is no longer kept.", retryAfter: null };
    return { outcome: "retry", status: null, error: message, retryAfter: null };
  }
}

/** Answers GitHub for every deployment review whose answer is due by `now`, one after another. */
export async function deliverGitHubAnswers(now: Date = new Date()): Promise<{ sent: number; failed: number }> {
  const tally = { sent: 0, failed: 0 };
  for (const { id } of await dueGitHubAnswers(now)) {
    const claimedAt = await claimHttp(id, now, "github");
    if (!claimedAt) continue;
    const row = (await db().select().from(outbox).where(eq(outbox.id, id)).get())!;
    const outcome = (await recordAttempt(row, claimedAt, await attemptGitHubAnswer(row), now)).outcome;
    if (outcome === "sent") tally.sent += 1;
    else tally.failed += 1;
  }
  return tally;
}

// --- The Outbox page ----------------------------------------------------------------------------

export type OutboxRow = {
  id: number;
  channel: "email" | "webhook" | "github";
  kind: string;
  /** The webhook-id of a webhook delivery. */
  key: string;
  recipients: string;
  subject: string;
  status: "pending" | "sending" | "sent" | "failed";
  attempts: number;
  lastError: string | null;
  /** The HTTP status of a webhook delivery's last attempt. */
  lastStatus: number | null;
  /** When a waiting webhook delivery is tried next. */
  nextAttemptAt: string | null;
  /** The endpoint of a webhook delivery: its description, or its URL when it has none. */
  endpoint: string | null;
  createdAt: string;
  sentAt: string | null;
};

/** The newest messages, unsent ones first, for the admins' Outbox page. */
export async function listOutbox(actor: Viewer, limit = 200): Promise<OutboxRow[]> {
  assertAdmin(actor);
  const rows = await db()
    .select({
      id: outbox.id,
      channel: outbox.channel,
      kind: outbox.kind,
      key: outbox.key,
      recipients: outbox.recipients,
      subject: outbox.subject,
      status: outbox.status,
      attempts: outbox.attempts,
      lastError: outbox.lastError,
      lastStatus: outbox.lastStatus,
      nextAttemptAt: outbox.nextAttemptAt,
      endpointDescription: webhookEndpoints.description,
      endpointUrl: webhookEndpoints.url,
      createdAt: outbox.createdAt,
      sentAt: outbox.sentAt,
    })
    .from(outbox)
    .leftJoin(webhookEndpoints, eq(webhookEndpoints.id, outbox.endpointId))
    .orderBy(sql`case ${outbox.status} when 'sent' then 1 else 0 end`, desc(outbox.id))
    .limit(limit)
    .all();
  return rows.map(({ endpointDescription, endpointUrl, ...row }) => ({
    ...row,
    // A webhook-id is a label for the receiver; an email's key is internal (and names people).
    key: row.channel === "webhook" ? row.key : "",
    endpoint: endpointUrl === null ? null : endpointDescription || endpointUrl,
  }));
}

/** An administrator sends what waits in the outbox now, rather than on the next round. */
export async function sendWaiting(actor: Viewer): Promise<{ sent: number; failed: number }> {
  assertAdmin(actor);
  return await deliverPending();
}

/** Gives a failed email another set of tries, starting now. */
export async function retryEmail(actor: Viewer, id: number): Promise<{ sent: number; failed: number }> {
  assertAdmin(actor);
  const retried = await db()
    .update(outbox)
    .set({ status: "failed", attempts: 0 })
    .where(and(eq(outbox.id, id), eq(outbox.channel, "email"), eq(outbox.status, "failed")))
    .returning({ id: outbox.id })
    .get();
  if (!retried) {
    const row = await db().select({ status: outbox.status }).from(outbox).where(and(eq(outbox.id, id), eq(outbox.channel, "email"))).get();
    if (!row) throw new NotFound("message", "That email is no longer in the outbox.");
    throw new StateConflict(row.status === "sent" ? "That email was sent: there is nothing to try again." : "That email is still being tried; wait for it to fail first.");
  }
  return await deliverPending();
}

/**
 * Sends a message posted over HTTP again, whatever came of it before: a webhook delivery with the
 * same webhook-id and body (a receiver that lost it, or one fixed after it was given up), or an
 * answer to GitHub given up while the App was misconfigured. It is queued as if new; a GitHub
 * review answered since is not answered twice.
 */
export async function replayMessage(actor: Viewer, id: number): Promise<"webhook" | "github"> {
  assertAdmin(actor);
  const channel = await db().transaction(async (tx) => {
    const row = await tx
      .select({ channel: outbox.channel, status: outbox.status, claimedAt: outbox.claimedAt, enabled: webhookEndpoints.enabled })
      .from(outbox)
      .leftJoin(webhookEndpoints, eq(webhookEndpoints.id, outbox.endpointId))
      .where(and(eq(outbox.id, id), inArray(outbox.channel, ["webhook", "github"])))
      .get();
    if (!row || row.channel === "email") throw new NotFound("message", "That message is no longer in the outbox.");
    if (row.channel === "webhook" && !row.enabled) throw new StateConflict("Enable the endpoint first: a disabled endpoint receives nothing.");
    if (row.status === "sending" && row.claimedAt && Date.parse(row.claimedAt) > Date.now() - STALE_WEBHOOK_CLAIM_MS) {
      throw new StateConflict("That message is being sent right now; replay it once the attempt is over.");
    }
    await tx
      .update(outbox)
      .set({ status: "pending", attempts: 0, nextAttemptAt: null, lastError: null, sentAt: null, claimedAt: null })
      .where(eq(outbox.id, id))
      .run();
    return row.channel;
  });
  afterCommit(() => deliverSoon("http"));
  return channel;
}

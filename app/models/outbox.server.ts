import { and, asc, desc, eq, inArray, lt, or, sql } from "drizzle-orm";
import { db, schema, type Tx } from "~/lib/db.server";
import { sendEmail } from "~/lib/email.server";
import { assertAdmin } from "./authorization.server";
import type { User } from "./user.server";

const { outbox } = schema;

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
export const MAX_ATTEMPTS = 10;

/**
 * Writes an email to the outbox before anything is sent. A message with the same key is never
 * written twice, so a repeated or restarted run queues nothing new. Returns whether it was new.
 */
export async function enqueueEmail(email: OutgoingEmail, tx: Tx = db()): Promise<boolean> {
  const inserted = await tx
    .insert(outbox)
    .values({
      key: email.key,
      kind: email.kind,
      recipients: email.to.join(", "),
      subject: email.subject,
      text: email.text,
      html: email.html,
      headers: JSON.stringify(email.headers ?? {}),
    })
    .onConflictDoNothing({ target: outbox.key })
    .returning({ id: outbox.id })
    .get();
  return Boolean(inserted);
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

let delivering = false;
let draining: Promise<void> | undefined;
let again = false;

/**
 * Has the server send what is in the outbox now, not at the next daily run: for emails a person
 * waits for (an invitation, a reset link). Runs one delivery at a time; a call during one runs
 * another after it. Does nothing until the server has started delivering (startDelivery), so
 * scripts and tests that queue emails decide themselves when they are sent.
 */
export function deliverSoon(): void {
  if (!delivering) return;
  if (draining) {
    again = true;
    return;
  }
  draining = (async () => {
    do {
      again = false;
      await deliverPending();
    } while (again);
  })()
    .catch((error: unknown) => console.error("Sending the outbox failed:", error))
    .finally(() => {
      draining = undefined;
    });
}

/** The server sends emails as soon as they are queued (deliverSoon), beginning with any left unsent. */
export function startDelivery(): void {
  delivering = true;
  deliverSoon();
}

/** Takes one message for sending, unless another sender has it; an atomic compare-and-set. */
async function claim(id: number, now: Date): Promise<boolean> {
  const staleBefore = new Date(now.getTime() - STALE_CLAIM_MS).toISOString();
  const claimed = await db()
    .update(outbox)
    .set({ status: "sending", claimedAt: now.toISOString(), attempts: sql`${outbox.attempts} + 1` })
    .where(
      and(
        eq(outbox.id, id),
        or(inArray(outbox.status, ["pending", "failed"]), and(eq(outbox.status, "sending"), lt(outbox.claimedAt, staleBefore))),
      ),
    )
    .returning({ id: outbox.id })
    .get();
  return Boolean(claimed);
}

/**
 * Sends every message not yet sent: new ones, failed ones (fewer than MAX_ATTEMPTS tries), and
 * ones whose sender was interrupted. Each is marked sent only after the mail server took it.
 */
export async function deliverPending(now: Date = new Date()): Promise<{ sent: number; failed: number }> {
  const staleBefore = new Date(now.getTime() - STALE_CLAIM_MS).toISOString();
  const due = await db()
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      or(
        eq(outbox.status, "pending"),
        and(eq(outbox.status, "failed"), lt(outbox.attempts, MAX_ATTEMPTS)),
        and(eq(outbox.status, "sending"), lt(outbox.claimedAt, staleBefore)),
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
  // Sent invitations and resets are kept a week for the Outbox page, then go: anyone may ask for a reset.
  const keptSince = new Date(now.getTime() - SENT_LINKS_KEPT_DAYS * 86_400_000).toISOString();
  await db().delete(outbox).where(and(inArray(outbox.kind, [...ONE_TIME_LINK_KINDS]), eq(outbox.status, "sent"), lt(outbox.sentAt, keptSince))).run();
  return { sent, failed };
}

export type OutboxRow = {
  id: number;
  kind: string;
  recipients: string;
  subject: string;
  status: "pending" | "sending" | "sent" | "failed";
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
};

/** The newest messages, unsent ones first, for the admins' Outbox page. */
export async function listOutbox(actor: User, limit = 200): Promise<OutboxRow[]> {
  assertAdmin(actor);
  return await db()
    .select({
      id: outbox.id,
      kind: outbox.kind,
      recipients: outbox.recipients,
      subject: outbox.subject,
      status: outbox.status,
      attempts: outbox.attempts,
      lastError: outbox.lastError,
      createdAt: outbox.createdAt,
      sentAt: outbox.sentAt,
    })
    .from(outbox)
    .orderBy(sql`case ${outbox.status} when 'sent' then 1 else 0 end`, desc(outbox.id))
    .limit(limit)
    .all();
}

/** Gives a message that ran out of attempts another set of tries. */
export async function retryEmail(actor: User, id: number): Promise<void> {
  assertAdmin(actor);
  await db().update(outbox).set({ status: "failed", attempts: 0 }).where(and(eq(outbox.id, id), eq(outbox.status, "failed"))).run();
}

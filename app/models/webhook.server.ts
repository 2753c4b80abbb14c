import { and, asc, count, desc, eq, sql } from "drizzle-orm";
import { db, schema, type Tx } from "~/lib/db.server";
import { AddressRefused, checkedAddress } from "~/lib/webhook-http.server";
import { newWebhookSecret } from "~/lib/webhook-signature.server";
import type { Viewer } from "./authorization";
import { assertAdmin } from "./authorization.server";
import { Conflict, Invalid, LimitReached, NotFound } from "./errors";
import type { WebhookEndpointChange, WebhookEndpointInput } from "./inputs";
import { disableEndpoint, enqueueWebhook, sendNow, type Delivery } from "./outbox.server";
import { getSettings, updateSettings } from "./settings.server";
import { hostOf, WEBHOOK_EVENT_TYPES, WEBHOOK_LIMITS, type WebhookEventType, type WebhookFormat } from "./webhook";
import { testMessage } from "./webhook-events.server";

// Webhook endpoints, managed by admins from the Webhooks page (and through the API): register,
// change, rotate the signing secret, turn off and on, delete, send a test. What is sent to them
// and when: webhook-events.server.ts and outbox.server.ts.

const { outbox, webhookEndpoints } = schema;

/** How long a replaced signing secret still signs deliveries, so receivers can switch over. */
export const ROTATION_OVERLAP_HOURS = 24;

export type WebhookEndpoint = {
  id: number;
  url: string;
  description: string;
  format: WebhookFormat;
  eventTypes: WebhookEventType[];
  enabled: boolean;
  /** Why it is off: a 410 from the receiver, or an admin. */
  disabledReason: string | null;
  /** Until when the previous secret still signs deliveries, after a rotation; null when none does. */
  previousSecretUntil: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
  /** The newest delivery to it, for the page: what came of it. */
  lastDelivery: { kind: string; status: "pending" | "sending" | "sent" | "failed"; lastStatus: number | null; lastError: string | null; at: string } | null;
  /** Deliveries waiting to be sent (or retried). */
  waiting: number;
};

const columns = {
  id: webhookEndpoints.id,
  url: webhookEndpoints.url,
  description: webhookEndpoints.description,
  format: webhookEndpoints.format,
  eventTypes: webhookEndpoints.eventTypes,
  enabled: webhookEndpoints.enabled,
  disabledReason: webhookEndpoints.disabledReason,
  previousSecretUntil: webhookEndpoints.previousSecretUntil,
  createdAt: webhookEndpoints.createdAt,
  updatedAt: webhookEndpoints.updatedAt,
  version: webhookEndpoints.version,
};

type Row = Omit<typeof webhookEndpoints.$inferSelect, "secret" | "previousSecret" | "createdById">;

async function describe(row: Row): Promise<WebhookEndpoint> {
  const last = await db()
    .select({ kind: outbox.kind, status: outbox.status, lastStatus: outbox.lastStatus, lastError: outbox.lastError, at: sql<string>`coalesce(${outbox.sentAt}, ${outbox.createdAt})` })
    .from(outbox)
    .where(eq(outbox.endpointId, row.id))
    .orderBy(desc(outbox.id))
    .limit(1)
    .get();
  const [{ waiting }] = await db()
    .select({ waiting: count() })
    .from(outbox)
    .where(and(eq(outbox.endpointId, row.id), eq(outbox.status, "pending")))
    .all();
  const rotating = row.previousSecretUntil && row.previousSecretUntil > new Date().toISOString() ? row.previousSecretUntil : null;
  return {
    ...row,
    eventTypes: WEBHOOK_EVENT_TYPES.filter((type) => (JSON.parse(row.eventTypes) as string[]).includes(type)),
    previousSecretUntil: rotating,
    lastDelivery: last ?? null,
    waiting,
  };
}

/** Every endpoint, oldest first, with what came of its latest delivery. */
export async function listEndpoints(actor: Viewer): Promise<WebhookEndpoint[]> {
  assertAdmin(actor);
  const rows = await db().select(columns).from(webhookEndpoints).orderBy(asc(webhookEndpoints.id)).all();
  return await Promise.all(rows.map(describe));
}

export async function getEndpoint(actor: Viewer, id: number): Promise<WebhookEndpoint> {
  assertAdmin(actor);
  const row = await db().select(columns).from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).get();
  if (!row) throw new NotFound("webhook endpoint");
  return await describe(row);
}

/**
 * The endpoint's signing secrets, for the admin to give its receiver: the current one, and the
 * previous one while it still signs (after a rotation). A Slack endpoint is sent no signature.
 */
export async function endpointSecrets(actor: Viewer, id: number): Promise<{ secret: string; previous: { secret: string; until: string } | null }> {
  assertAdmin(actor);
  const row = await db()
    .select({ secret: webhookEndpoints.secret, previous: webhookEndpoints.previousSecret, until: webhookEndpoints.previousSecretUntil })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.id, id))
    .get();
  if (!row) throw new NotFound("webhook endpoint");
  const overlapping = row.previous && row.until && row.until > new Date().toISOString();
  return { secret: row.secret, previous: overlapping ? { secret: row.previous!, until: row.until! } : null };
}

/**
 * Refuses a URL whose host is, or resolves to, an address that is not public, unless admins
 * allow private addresses; and a host that cannot be found. Each delivery checks again when it
 * connects (app/lib/webhook-http.server.ts): DNS may answer differently later.
 */
async function assertReachable(url: string): Promise<void> {
  const { webhooksAllowPrivate } = await getSettings();
  try {
    await checkedAddress(hostOf(new URL(url)), webhooksAllowPrivate);
  } catch (error) {
    if (error instanceof AddressRefused) throw new Invalid(`${error.message} Turn on “Allow private addresses” below if this receiver is inside your network.`, "url");
    const host = new URL(url).hostname;
    throw new Invalid(`${host} could not be found (${error instanceof Error ? error.message : String(error)}). Check the URL.`, "url");
  }
}

/**
 * Registers an endpoint, with a new signing secret, enabled. At most WEBHOOK_LIMITS.endpoints.
 * Returns it with the secret to give its receiver.
 */
export async function createEndpoint(actor: Viewer, input: WebhookEndpointInput): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  assertAdmin(actor);
  await assertReachable(input.url);
  const secret = newWebhookSecret();
  const id = await db().transaction(async (tx) => {
    const [{ n }] = await tx.select({ n: count() }).from(webhookEndpoints).all();
    if (n >= WEBHOOK_LIMITS.endpoints) {
      throw new LimitReached(`Hindsight sends to at most ${WEBHOOK_LIMITS.endpoints} endpoints. Delete one you no longer use, or have one receiver pass events on.`);
    }
    const row = await tx
      .insert(webhookEndpoints)
      .values({ url: input.url, description: input.description, format: input.format, eventTypes: JSON.stringify(input.eventTypes), secret, createdById: actor.id })
      .returning({ id: webhookEndpoints.id })
      .get();
    return row.id;
  });
  return { endpoint: await getEndpoint(actor, id), secret };
}

/** The endpoint as its edit form holds it (for a conflict: the stored version). */
function endpointValues(row: { url: string; description: string; eventTypes: string; version: number }): Record<string, string> {
  return { url: row.url, description: row.description, eventTypes: (JSON.parse(row.eventTypes) as string[]).join(", "), version: String(row.version) };
}

async function loadRow(tx: Tx, id: number) {
  const row = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).get();
  if (!row) throw new NotFound("webhook endpoint");
  return row;
}

/** Changes an endpoint's URL, description and events if nobody changed it since `version`. Its format and secret stay. */
export async function updateEndpoint(actor: Viewer, id: number, change: WebhookEndpointChange): Promise<WebhookEndpoint> {
  assertAdmin(actor);
  const current = await loadRow(db(), id);
  if (current.url !== change.url) await assertReachable(change.url);
  await db().transaction(async (tx) => {
    const row = await loadRow(tx, id);
    if (row.version !== change.version) throw new Conflict(endpointValues(row));
    await tx
      .update(webhookEndpoints)
      .set({ url: change.url, description: change.description, eventTypes: JSON.stringify(change.eventTypes), version: row.version + 1, updatedAt: new Date().toISOString() })
      .where(eq(webhookEndpoints.id, id))
      .run();
  });
  return await getEndpoint(actor, id);
}

/**
 * Gives the endpoint a new signing secret. The one it replaces keeps signing deliveries (each
 * then carries both signatures) for ROTATION_OVERLAP_HOURS, while the receiver switches over.
 * Returns the new secret.
 */
export async function rotateSecret(actor: Viewer, id: number): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  assertAdmin(actor);
  const secret = newWebhookSecret();
  await db().transaction(async (tx) => {
    const row = await loadRow(tx, id);
    const now = new Date();
    await tx
      .update(webhookEndpoints)
      .set({
        secret,
        previousSecret: row.secret,
        previousSecretUntil: new Date(now.getTime() + ROTATION_OVERLAP_HOURS * 3_600_000).toISOString(),
        version: row.version + 1,
        updatedAt: now.toISOString(),
      })
      .where(eq(webhookEndpoints.id, id))
      .run();
  });
  return { endpoint: await getEndpoint(actor, id), secret };
}

/**
 * Turns an endpoint on or off. Off, it hears of nothing, and what was waiting for it is set aside
 * (failed, replayable from the Outbox page); on again, it hears of what happens from then on.
 */
export async function setEndpointEnabled(actor: Viewer, id: number, enabled: boolean): Promise<WebhookEndpoint> {
  assertAdmin(actor);
  await db().transaction(async (tx) => {
    const row = await loadRow(tx, id);
    if (row.enabled === enabled) return;
    if (!enabled) {
      await disableEndpoint(tx, id, "Turned off by an admin.");
      return;
    }
    await tx
      .update(webhookEndpoints)
      .set({ enabled: true, disabledReason: null, version: row.version + 1, updatedAt: new Date().toISOString() })
      .where(eq(webhookEndpoints.id, id))
      .run();
  });
  return await getEndpoint(actor, id);
}

/** Deletes an endpoint and its deliveries, sent or not. */
export async function deleteEndpoint(actor: Viewer, id: number): Promise<void> {
  assertAdmin(actor);
  await db().transaction(async (tx) => {
    await loadRow(tx, id);
    await tx.delete(outbox).where(eq(outbox.endpointId, id)).run();
    await tx.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)).run();
  });
}

/**
 * Sends a test event to the endpoint now, whatever events it chose and even while it is off (to
 * check a receiver before turning it on again), and answers with what came of it. The test goes
 * through the outbox like any delivery (signed alike, listed on the Outbox page, replayable) but
 * is tried only once.
 */
export async function sendTestEvent(actor: Viewer, id: number): Promise<Delivery> {
  assertAdmin(actor);
  const endpoint = await loadRow(db(), id);
  const claimedAt = new Date().toISOString();
  const messageId = await db().transaction(async (tx) => await enqueueWebhook(testMessage({ id: endpoint.id, url: endpoint.url, format: endpoint.format }), tx, claimedAt));
  return await sendNow(messageId!, claimedAt);
}

/** Whether endpoints may be on private addresses (the page's setting). */
export async function webhookSettings(actor: Viewer): Promise<{ allowPrivate: boolean }> {
  assertAdmin(actor);
  return { allowPrivate: (await getSettings()).webhooksAllowPrivate };
}

/** Allows or refuses endpoints on loopback, private, link-local and other non-public addresses, at registration and at every delivery. */
export async function setWebhooksAllowPrivate(actor: Viewer, allowPrivate: boolean): Promise<void> {
  assertAdmin(actor);
  await updateSettings(actor, { webhooksAllowPrivate: allowPrivate });
}

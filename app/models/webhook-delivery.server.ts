import { eq } from "drizzle-orm";
import { db, schema } from "~/lib/db.server";
import { env } from "~/lib/env.server";
import { AddressRefused, postWebhook } from "~/lib/webhook-http.server";
import { signatureHeader } from "~/lib/webhook-signature.server";
import { viewableByEveryone } from "./authorization";
import { reference } from "./incident";
import { getSettings } from "./settings.server";
import { ATTEMPT_TIMEOUT_MS, parseRetryAfter, RETRY_SCHEDULE } from "./webhook";

// One attempt at a webhook delivery: what is posted, with which headers, and what the answer
// means. The outbox (outbox.server.ts) claims the message before and records the outcome after.

const { incidents, webhookEndpoints } = schema;

/**
 * What came of an attempt: sent (2xx; no status when it was found sent before), to be retried,
 * given up, or the endpoint is gone (410).
 */
export type WebhookAttempt =
  | { outcome: "sent"; status: number | null }
  | { outcome: "retry" | "give-up" | "gone"; status: number | null; error: string; retryAfter: number | null };

/** The waits between attempts: WEBHOOK_RETRY_SCHEDULE when set (tests shorten it), else about a day. */
export function retrySchedule(): readonly number[] {
  const configured = env().WEBHOOK_RETRY_SCHEDULE;
  return configured ? configured.split(",").map((s) => Number(s.trim())) : RETRY_SCHEDULE;
}

const USER_AGENT = "Hindsight-Webhooks/1.0";

type Message = { key: string; endpointId: number | null; text: string; html: string };

/** The incident an event is about, from its payload ("data.incidentId"); none for a digest or a test. */
function incidentOf(event: string): number | undefined {
  try {
    const id = (JSON.parse(event) as { data?: { incidentId?: unknown } }).data?.incidentId;
    return typeof id === "number" ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Posts a delivery to its endpoint once. Checked again at every attempt: the endpoint still takes
 * deliveries (a disabled one takes a test), the incident is still one everyone may see (one
 * restricted since the event was written is told of no more), and the address is public unless
 * private ones are allowed (resolved and connected to in one step: app/lib/webhook-http.server.ts).
 */
export async function attemptWebhook(message: Message): Promise<WebhookAttempt> {
  const endpoint = message.endpointId === null ? undefined : await db().select().from(webhookEndpoints).where(eq(webhookEndpoints.id, message.endpointId)).get();
  if (!endpoint) return { outcome: "give-up", status: null, error: "Not sent: the endpoint was deleted.", retryAfter: null };
  const incidentId = incidentOf(message.text);
  if (incidentId !== undefined) {
    const incident = await db().select({ visibility: incidents.visibility }).from(incidents).where(eq(incidents.id, incidentId)).get();
    if (!incident || !viewableByEveryone(incident)) {
      return { outcome: "give-up", status: null, error: `Not sent: ${reference(incidentId)} is restricted now, and webhooks tell only of incidents everyone may see.`, retryAfter: null };
    }
  }
  const slack = endpoint.format === "slack";
  const body = slack ? message.html : message.text;
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": USER_AGENT };
  // Slack ignores signatures, and its URL is its secret: the signing secret is never sent there.
  if (!slack) {
    const timestamp = Math.floor(Date.now() / 1000);
    const secrets = [endpoint.secret];
    if (endpoint.previousSecret && endpoint.previousSecretUntil && endpoint.previousSecretUntil > new Date().toISOString()) secrets.push(endpoint.previousSecret);
    headers["webhook-id"] = message.key;
    headers["webhook-timestamp"] = String(timestamp);
    headers["webhook-signature"] = signatureHeader(secrets, message.key, timestamp, body);
  }
  const { webhooksAllowPrivate } = await getSettings();
  let answer;
  try {
    answer = await postWebhook(new URL(endpoint.url), body, headers, { allowPrivate: webhooksAllowPrivate, timeoutMs: ATTEMPT_TIMEOUT_MS });
  } catch (error) {
    const text = error instanceof AddressRefused ? `Not sent: ${error.message}` : `No answer: ${error instanceof Error ? error.message : String(error)}`;
    return { outcome: "retry", status: null, error: text, retryAfter: null };
  }
  if (answer.status >= 200 && answer.status < 300) return { outcome: "sent", status: answer.status };
  const retryAfter = parseRetryAfter(answer.retryAfter, new Date());
  const said = answer.body.replace(/\s+/g, " ").trim().slice(0, 300);
  if (answer.status === 410) return { outcome: "gone", status: 410, error: `Answered 410 Gone${said ? `: ${said}` : ""}. The endpoint was disabled.`, retryAfter };
  if (answer.status >= 300 && answer.status < 400) {
    return {
      outcome: "retry",
      status: answer.status,
      error: `Answered ${answer.status}, a redirect${answer.location ? ` to ${answer.location.slice(0, 300)}` : ""}: redirects are not followed; register the URL it points to.`,
      retryAfter,
    };
  }
  return { outcome: "retry", status: answer.status, error: `Answered ${answer.status}${said ? `: ${said}` : ""}`, retryAfter };
}

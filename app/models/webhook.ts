import { isIpAddress } from "~/lib/addresses";

// Outgoing webhooks: what can be sent, to how many endpoints, and when a failed delivery is tried
// again. Pure, so the admins' page shows the same lists and limits the server holds to.
// docs/decisions/0031-webhooks-through-the-outbox.md

/** The events an endpoint may hear of, in the order the page lists them. */
export const WEBHOOK_EVENT_TYPES = [
  "incident.reported",
  "incident.moved",
  "why.added",
  "action.created",
  "action.changed",
  "action.overdue",
  "digest.sent",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What the "Send a test event" button sends, whatever events the endpoint chose. */
export const TEST_EVENT_TYPE = "webhook.test";

export const WEBHOOK_EVENT_LABELS: Record<WebhookEventType, string> = {
  "incident.reported": "An incident is reported",
  "incident.moved": "An incident moves through its lifecycle (including published and closed)",
  "why.added": "A why is added to an analysis",
  "action.created": "A follow-up action is created",
  "action.changed": "A follow-up action is edited, reassigned or changes status",
  "action.overdue": "A follow-up action becomes overdue (once per due date)",
  "digest.sent": "The weekly digest is sent",
};

/** Standard: signed JSON events (Standard Webhooks). Slack: a Slack incoming webhook, sent Block Kit messages. */
export const WEBHOOK_FORMATS = ["standard", "slack"] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export const WEBHOOK_FORMAT_LABELS: Record<WebhookFormat, string> = {
  standard: "Standard Webhooks (signed JSON)",
  slack: "Slack incoming webhook (Block Kit messages)",
};

export const WEBHOOK_LIMITS = {
  /** Endpoints in all: each change is written once per endpoint that hears of it. */
  endpoints: 20,
  url: 2_000,
  description: 200,
  /** Days a delivered or abandoned message stays on the Outbox page (and can be replayed). */
  keptDays: 30,
} as const;

/**
 * Seconds to wait after each failed attempt before the next: about a day in all, then the
 * message is given up (and stays on the Outbox page, where it can be replayed).
 */
export const RETRY_SCHEDULE = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600] as const;

/** A receiver's Retry-After is honoured up to this many seconds: it cannot park a message for longer. */
export const RETRY_AFTER_CAP = 24 * 3600;

/** How long one attempt may take, from looking up the address to the answer's first bytes. */
export const ATTEMPT_TIMEOUT_MS = 10_000;

/**
 * The seconds to wait after the `attempts`-th attempt failed, or null when no attempt is left.
 * `retryAfter` (the receiver's Retry-After, in seconds) pushes the next attempt later, never sooner.
 */
export function retryDelay(attempts: number, retryAfter: number | null, schedule: readonly number[] = RETRY_SCHEDULE): number | null {
  if (attempts < 1 || attempts > schedule.length) return null;
  const step = schedule[attempts - 1];
  return retryAfter === null ? step : Math.max(step, Math.min(retryAfter, RETRY_AFTER_CAP));
}

/**
 * A Retry-After header as seconds from `now`: a number of seconds, or an HTTP date. Null when
 * absent or unreadable; a date in the past is 0. Capped at RETRY_AFTER_CAP.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | null {
  const text = value?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Math.min(Number(text), RETRY_AFTER_CAP);
  // An HTTP date ("Wed, 21 Oct 2026 07:28:00 GMT"); other shapes Date.parse would take are not one.
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, Math.ceil((at - now.getTime()) / 1000)), RETRY_AFTER_CAP);
}

/** What is wrong with an endpoint's URL as typed, before any address is looked up; undefined when nothing. */
export function webhookUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "Enter the full URL, starting with https://";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "Only http:// and https:// URLs can receive webhooks.";
  if (url.username || url.password) return "Leave the user name and password out of the URL: use the signing secret to authenticate deliveries.";
  if (!url.hostname) return "Enter the URL with its host name.";
  if (url.hash) return "Leave out the #fragment: it is never sent to the server.";
  return undefined;
}

/** The host name of a URL as a connection needs it: an IPv6 address without its brackets. */
export function hostOf(url: URL): string {
  const host = url.hostname;
  return host.startsWith("[") && host.endsWith("]") && isIpAddress(host) ? host.slice(1, -1) : host;
}

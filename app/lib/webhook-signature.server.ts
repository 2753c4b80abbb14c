import crypto from "node:crypto";

// Standard Webhooks signatures (https://www.standardwebhooks.com): an endpoint's secret is
// "whsec_" and base64 of random bytes; each delivery is signed with HMAC-SHA256 over
// "<webhook-id>.<webhook-timestamp>.<body>" keyed with the secret's decoded bytes, and sent as
// "v1,<base64 signature>", several separated by spaces while a rotated secret is still valid.

export const SECRET_PREFIX = "whsec_";

/** A new signing secret: 32 random bytes (the specification asks for 24 to 64). */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + crypto.randomBytes(32).toString("base64");
}

/** The key bytes of a secret: base64 after the prefix. */
function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64");
}

/** One signature, "v1,<base64>", of the message `id` sent at `timestamp` (seconds) with this body. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = crypto.createHmac("sha256", keyOf(secret)).update(`${id}.${timestamp}.`).update(body, "utf8").digest("base64");
  return `v1,${mac}`;
}

/** The webhook-signature header: one signature per secret still valid, newest first. */
export function signatureHeader(secrets: readonly string[], id: string, timestamp: number, body: string): string {
  return secrets.map((secret) => signWebhook(secret, id, timestamp, body)).join(" ");
}

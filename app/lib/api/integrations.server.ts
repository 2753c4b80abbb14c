import { z } from "zod";
import { SEVERITIES, reference } from "~/models/incident";
import { decideGate, grantGateException, endGateException } from "~/models/gate.server";
import { gateExceptionGrant, webhookEndpointInput, webhookEndpointChange } from "~/models/inputs";
import { WEBHOOK_EVENT_TYPES, WEBHOOK_FORMATS } from "~/models/webhook";
import { createEndpoint, deleteEndpoint, getEndpoint, listEndpoints, rotateSecret, sendTestEvent, setEndpointEnabled, setWebhooksAllowPrivate, updateEndpoint, webhookSettings, type WebhookEndpoint } from "~/models/webhook.server";
import { Conflict } from "~/models/errors";
import { etag, invalid, operation, type Operation } from "../api.server";
import { named, time } from "./representations.server";
import { errors, idParam, readErrors, refParam, versionedWriteErrors, withEtag, writeErrors } from "./common.server";

// The integrations: the deploy gate a CI pipeline asks before it deploys, and the webhook
// endpoints admins keep (also on the Webhooks page), through the same models.


const GateReason = named(
  "GateReason",
  z.object({
    policy: z.object({ id: z.number().int(), service: z.string().nullable(), minSeverity: z.enum(SEVERITIES) }),
    incident: z.object({ reference: z.string(), title: z.string(), url: z.string() }).nullable().meta({ description: "Null for a restricted incident the caller may not see." }),
    label: z.string().meta({ description: "“INC-7: Checkout down”, or “a restricted incident”." }),
    severity: z.enum(SEVERITIES),
    why: z.enum(["analysis-overdue", "overdue-p1-actions"]),
    hours: z.number().int().optional().meta({ description: "analysis-overdue: the hours the policy allows before the analysis is published." }),
    count: z.number().int().optional().meta({ description: "overdue-p1-actions: how many P1 actions are overdue." }),
    since: time.meta({ description: "When it began to hold deploys." }),
    holding: z.boolean().meta({ description: "False while an exception lets deploys through despite it." }),
    exception: z.object({ grantedBy: z.string().nullable(), until: time, reason: z.string().nullable() }).nullable(),
  }),
);

const GateDecisionRep = named(
  "GateDecision",
  z.object({
    service: z.string(),
    open: z.boolean(),
    checkedAt: time,
    policy: z
      .object({ id: z.number().int(), service: z.string().nullable(), minSeverity: z.enum(SEVERITIES), analysisHours: z.number().int().nullable(), holdOnOverdueP1: z.boolean() })
      .nullable()
      .meta({ description: "The policy that applies to the service; null when none does." }),
    reasons: z.array(GateReason),
  }),
);

const GateExceptionRep = named("GateException", z.object({ id: z.number().int(), incident: z.string(), reason: z.string(), until: time }));

const Endpoint = named(
  "WebhookEndpoint",
  z.object({
    id: z.number().int(),
    url: z.string(),
    description: z.string(),
    format: z.enum(WEBHOOK_FORMATS),
    eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    previousSecretUntil: time.nullable().meta({ description: "Until when the previous secret still signs deliveries, after a rotation." }),
    createdAt: time,
    updatedAt: time,
    version: z.number().int(),
    lastDelivery: z
      .object({ kind: z.string(), status: z.enum(["pending", "sending", "sent", "failed"]), lastStatus: z.number().int().nullable(), lastError: z.string().nullable(), at: time })
      .nullable(),
    waiting: z.number().int().meta({ description: "Deliveries waiting to be sent or retried." }),
  }),
);
const WebhookSettingsRep = named("WebhookSettings", z.object({ allowPrivate: z.boolean().meta({ description: "Whether endpoints may be on non-public addresses." }) }));
const webhookSettingsInput = z.object({ allowPrivate: z.boolean({ error: "Say true or false." }) });
const EndpointList = named("WebhookEndpoints", z.object({ items: z.array(Endpoint), nextCursor: z.string().nullable() }));
const EndpointWithSecret = named(
  "WebhookEndpointWithSecret",
  z.object({ endpoint: Endpoint, secret: z.string().meta({ description: "The signing secret (whsec_…): shown here, and on the Webhooks page to admins." }) }),
);
const TestDelivery = named(
  "TestDelivery",
  z.object({ outcome: z.enum(["sent", "retrying", "failed"]), status: z.number().int().nullable(), error: z.string().nullable(), nextAttemptAt: time.nullable() }),
);

const endpointJson = (e: WebhookEndpoint): z.infer<typeof Endpoint> => ({
  id: e.id,
  url: e.url,
  description: e.description,
  format: e.format,
  eventTypes: e.eventTypes,
  enabled: e.enabled,
  disabledReason: e.disabledReason,
  previousSecretUntil: e.previousSecretUntil,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
  version: e.version,
  lastDelivery: e.lastDelivery,
  waiting: e.waiting,
});

const endpointPath = z.object({ endpointId: idParam("The endpoint's id.") });
const adminOnly = " Administrators only.";

const endpointPatch = z.object({
  url: webhookEndpointInput.shape.url.optional(),
  description: webhookEndpointInput.shape.description.unwrap().optional(),
  eventTypes: webhookEndpointInput.shape.eventTypes.optional(),
  enabled: z.boolean().optional().meta({ description: "Turn deliveries off or on again (an endpoint a 410 turned off, too)." }),
});

export const INTEGRATIONS: Operation[] = [
  operation({
    id: "checkGate",
    method: "GET",
    path: "/gate",
    tag: "Deploy gate",
    summary: "Ask whether a service may deploy",
    description:
      "200 when the gate is open, 423 while deploys of the service are held, each with the reasons: the incident, why it holds and since when. A restricted incident the token's owner may not see holds deploys all the same, named “a restricted incident”. `curl --fail` exits non-zero on a 423.",
    scope: "read",
    query: z.object({ service: z.string().min(1, "Name the service to deploy, e.g. service=checkout.").max(60) }),
    responses: {
      200: { description: "Open: deploys may go ahead.", schema: GateDecisionRep },
      423: { description: "Held: the reasons say which incidents and why.", schema: GateDecisionRep },
      ...readErrors,
      400: errors[400],
    },
    run: async ({ holder, query }) => {
      const decision = await decideGate(holder.user, query.service);
      return { status: decision.open ? 200 : 423, body: decision };
    },
  }),
  operation({
    id: "grantGateException",
    method: "POST",
    path: "/incidents/{ref}/gate-exceptions",
    tag: "Deploy gate",
    summary: "Let deploys through despite an incident, for a while",
    description: "The incident's facilitator or an admin, with a reason; recorded in its history.",
    scope: "write",
    params: z.object({ ref: refParam }),
    body: gateExceptionGrant,
    responses: { 201: { description: "Granted.", schema: GateExceptionRep }, ...writeErrors },
    run: async ({ holder, params, body }) => {
      const granted = await grantGateException(holder.user, params.ref, body);
      return { status: 201, body: { id: granted.id, incident: reference(params.ref), reason: granted.reason, until: granted.expiresAt } };
    },
  }),
  operation({
    id: "endGateException",
    method: "DELETE",
    path: "/incidents/{ref}/gate-exceptions/{exceptionId}",
    tag: "Deploy gate",
    summary: "End an exception before it expires",
    scope: "write",
    params: z.object({ ref: refParam, exceptionId: idParam("The exception's id.") }),
    responses: { 204: { description: "Ended: the incident holds deploys again if it still breaks the policy." }, ...writeErrors },
    run: async ({ holder, params }) => {
      await endGateException(holder.user, params.ref, params.exceptionId);
      return { status: 204 };
    },
  }),
  operation({
    id: "getWebhookSettings",
    method: "GET",
    path: "/webhooks/settings",
    tag: "Webhooks",
    summary: "Read whether endpoints may be on private addresses",
    description: adminOnly.trim(),
    scope: "read",
    responses: { 200: { description: "The setting.", schema: WebhookSettingsRep }, ...readErrors, 403: errors[403] },
    run: async ({ holder }) => ({ body: await webhookSettings(holder.user) }),
  }),
  operation({
    id: "updateWebhookSettings",
    method: "PUT",
    path: "/webhooks/settings",
    tag: "Webhooks",
    summary: "Allow or refuse endpoints on private addresses",
    description: `Loopback, private, link-local and other non-public addresses, at registration and at every delivery: for a receiver inside the company's network.${adminOnly}`,
    scope: "write",
    body: webhookSettingsInput,
    responses: { 200: { description: "Saved.", schema: WebhookSettingsRep }, ...writeErrors },
    run: async ({ holder, body }) => {
      await setWebhooksAllowPrivate(holder.user, body.allowPrivate);
      return { body: await webhookSettings(holder.user) };
    },
  }),
  operation({
    id: "listWebhookEndpoints",
    method: "GET",
    path: "/webhooks/endpoints",
    tag: "Webhooks",
    summary: "List the webhook endpoints",
    description: `At most 20.${adminOnly}`,
    scope: "read",
    responses: { 200: { description: "The endpoints.", schema: EndpointList }, ...readErrors, 403: errors[403] },
    run: async ({ holder }) => ({ body: { items: (await listEndpoints(holder.user)).map(endpointJson), nextCursor: null } }),
  }),
  operation({
    id: "createWebhookEndpoint",
    method: "POST",
    path: "/webhooks/endpoints",
    tag: "Webhooks",
    summary: "Register a webhook endpoint",
    description: `Standard Webhooks (signed JSON) or a Slack incoming webhook. Loopback and private addresses are refused unless the Webhooks page allows them.${adminOnly}`,
    scope: "write",
    body: webhookEndpointInput,
    responses: { 201: { description: "Registered; its signing secret is in the answer.", schema: EndpointWithSecret, headers: { Location: "The endpoint's address.", ...withEtag } }, ...writeErrors },
    run: async ({ holder, body, origin }) => {
      const { endpoint, secret } = await createEndpoint(holder.user, body);
      return { status: 201, body: { endpoint: endpointJson(endpoint), secret }, headers: { Location: `${origin}/api/v1/webhooks/endpoints/${endpoint.id}`, ETag: etag(endpoint.version) } };
    },
  }),
  operation({
    id: "getWebhookEndpoint",
    method: "GET",
    path: "/webhooks/endpoints/{endpointId}",
    tag: "Webhooks",
    summary: "Read a webhook endpoint",
    description: adminOnly.trim(),
    scope: "read",
    params: endpointPath,
    responses: { 200: { description: "The endpoint.", schema: Endpoint, headers: withEtag }, ...readErrors, 403: errors[403] },
    run: async ({ holder, params }) => {
      const endpoint = await getEndpoint(holder.user, params.endpointId);
      return { body: endpointJson(endpoint), headers: { ETag: etag(endpoint.version) } };
    },
  }),
  operation({
    id: "updateWebhookEndpoint",
    method: "PATCH",
    path: "/webhooks/endpoints/{endpointId}",
    tag: "Webhooks",
    summary: "Change a webhook endpoint",
    description: `Its URL, description or events (send only what changes), and whether it is on. If-Match names the version read.${adminOnly}`,
    scope: "write",
    params: endpointPath,
    body: endpointPatch,
    ifMatch: "required",
    responses: { 200: { description: "Changed.", schema: Endpoint, headers: withEtag }, ...versionedWriteErrors },
    run: async ({ holder, params, body, version }) => {
      const stored = await getEndpoint(holder.user, params.endpointId);
      const { enabled, ...fields } = body;
      let endpoint = stored;
      if (Object.keys(fields).length > 0) {
        const change = webhookEndpointChange.safeParse({ url: stored.url, description: stored.description, eventTypes: stored.eventTypes, ...fields, version });
        if (!change.success) throw invalid("body", change.error);
        endpoint = await updateEndpoint(holder.user, params.endpointId, change.data);
      } else if (stored.version !== version) {
        // The answer carries the endpoint as it is now (`current` below).
        throw new Conflict({});
      }
      if (enabled !== undefined && enabled !== endpoint.enabled) endpoint = await setEndpointEnabled(holder.user, params.endpointId, enabled);
      return { body: endpointJson(endpoint), headers: { ETag: etag(endpoint.version) } };
    },
    current: async ({ holder, params }) => endpointJson(await getEndpoint(holder.user, params.endpointId)),
  }),
  operation({
    id: "deleteWebhookEndpoint",
    method: "DELETE",
    path: "/webhooks/endpoints/{endpointId}",
    tag: "Webhooks",
    summary: "Delete a webhook endpoint",
    description: `Its deliveries not yet sent go with it.${adminOnly}`,
    scope: "write",
    params: endpointPath,
    responses: { 204: { description: "Deleted." }, ...writeErrors },
    run: async ({ holder, params }) => {
      await deleteEndpoint(holder.user, params.endpointId);
      return { status: 204 };
    },
  }),
  operation({
    id: "rotateWebhookSecret",
    method: "POST",
    path: "/webhooks/endpoints/{endpointId}/secret-rotations",
    tag: "Webhooks",
    summary: "Give an endpoint a new signing secret",
    description: `The previous one keeps signing deliveries beside it for 24 hours, while the receiver switches.${adminOnly}`,
    scope: "write",
    params: endpointPath,
    responses: { 201: { description: "Rotated; the new secret is in the answer.", schema: EndpointWithSecret }, ...writeErrors },
    run: async ({ holder, params }) => {
      const { endpoint, secret } = await rotateSecret(holder.user, params.endpointId);
      return { status: 201, body: { endpoint: endpointJson(endpoint), secret } };
    },
  }),
  operation({
    id: "testWebhookEndpoint",
    method: "POST",
    path: "/webhooks/endpoints/{endpointId}/tests",
    tag: "Webhooks",
    summary: "Send a test event to an endpoint now",
    description: adminOnly.trim(),
    scope: "write",
    params: endpointPath,
    responses: { 200: { description: "What came of the attempt.", schema: TestDelivery }, ...writeErrors },
    run: async ({ holder, params }) => ({ body: await sendTestEvent(holder.user, params.endpointId) }),
  }),
];

import { z } from "zod";
import { ACTION_STATUSES, PRIORITIES } from "~/models/action";
import type { ApiToken } from "~/models/api-token.server";
import type { CategoryWithUse } from "~/models/category.server";
import type { DigestPreview, PastDigest, SentDigest } from "~/models/digest.server";
import { SEVERITIES, VISIBILITIES } from "~/models/incident";
import type { GatePolicy } from "~/models/gate";
import type { OutboxRow } from "~/models/outbox.server";
import type { Settings } from "~/models/settings.server";
import type { Account } from "~/models/user.server";
import { API_BASE } from "../api.server";
import { named, pageOf, time } from "./representations.server";

// What the administration operations answer with. People come with their email addresses, as
// the People page shows them to admins; no answer carries a secret the pages do not show (an
// invitation's set-password link stays in the email: see the invitation below).

const url = z.string().meta({ format: "uri" });
const role = z.enum(["admin", "member"]);

// --- People ------------------------------------------------------------------------------------

export const AccountRep = named(
  "Account",
  z.object({
    id: z.number().int(),
    name: z.string(),
    email: z.string(),
    team: z.string(),
    role,
    hasPassword: z.boolean().meta({ description: "False until they chose a password (or when they sign in only through the identity provider)." }),
    createdAt: time,
    links: z.object({ self: url }),
  }),
);
export const AccountPage = pageOf("AccountPage", AccountRep);

export function accountJson(origin: string, account: Account): z.infer<typeof AccountRep> {
  return {
    id: account.id,
    name: account.name,
    email: account.email,
    team: account.team,
    role: account.role,
    hasPassword: account.hasPassword,
    createdAt: account.createdAt,
    links: { self: `${origin}${API_BASE}/admin/people/${account.id}` },
  };
}

export const InvitationRep = named(
  "Invitation",
  z
    .object({
      via: z.enum(["password-link", "provider"]).meta({ description: "password-link: the email carries a link to choose a password; provider: they sign in with the identity provider." }),
      emailedTo: z.string(),
    })
    .meta({
      description:
        "The invitation was emailed. Its set-password link is not in the answer: it signs in as the person invited, and a token kept in a script is no place for it. An admin who must hand the link over uses “Invite again by email” on the People page, which shows it once.",
    }),
);

export const InvitedAccount = named("InvitedAccount", z.object({ person: AccountRep, invitation: InvitationRep }));

export const Removal = named(
  "Removal",
  z
    .object({
      person: z.object({ id: z.number().int(), name: z.string(), email: z.string() }),
      openCount: z.number().int().meta({ description: "Their unfinished follow-up actions, all of them." }),
      openActions: z
        .array(
          z.object({
            id: z.number().int(),
            title: z.string(),
            incident: z.string(),
            status: z.enum(ACTION_STATUSES),
            priority: z.enum(PRIORITIES),
            dueDate: z.string().meta({ format: "date" }),
            overdue: z.boolean(),
          }),
        )
        .meta({ description: "The first 50 of them." }),
    })
    .meta({ description: "What removing the person would leave behind." }),
);

export const RemovalDone = named(
  "RemovalDone",
  z.object({
    name: z.string(),
    handedOver: z.number().int().meta({ description: "Unfinished actions that are now handedTo's." }),
    handedTo: z.string().nullable(),
  }),
);

// --- Categories ------------------------------------------------------------------------------

export const CategoryRep = named("Category", z.object({ slug: z.string(), label: z.string(), position: z.number().int(), whyCount: z.number().int() }));
export const CategoryList = pageOf("CategoryList", CategoryRep);
export const CategoryMergeRep = named("CategoryMerge", z.object({ moved: z.number().int().meta({ description: "Whys filed under the category merged into." }), into: CategoryRep }));

export const categoryJson = (c: CategoryWithUse): z.infer<typeof CategoryRep> => ({ slug: c.slug, label: c.label, position: c.position, whyCount: c.whyCount });

// --- Settings --------------------------------------------------------------------------------

const days = z.number().int();
const DuePolicyRep = z
  .object(Object.fromEntries(SEVERITIES.map((s) => [s, z.object(Object.fromEntries(PRIORITIES.map((p) => [p, days])))])))
  .meta({ description: "Days from an action's creation to its default due date, by the incident's severity and the action's priority." });

export const SignInSettingsRep = named(
  "SignInSettings",
  z.object({
    providerName: z.string().meta({ description: "The identity provider's name, on the sign-in button." }),
    providerDomains: z.array(z.string()).meta({ description: "Email domains the provider may sign in; empty: any its claims verify." }),
    providerAdminGroups: z.array(z.string()).meta({ description: "Groups whose members are made admins when they sign in with the provider." }),
    passwordSignIn: z.enum(["everyone", "admins"]).meta({ description: "Who may sign in with a password." }),
    provider: z
      .object({
        configured: z.boolean(),
        issuer: z.string().nullable(),
        clientId: z.string().nullable(),
        scopes: z.string(),
        groupsClaim: z.string(),
        redirectUrl: z.string().meta({ description: "The redirect URL to register with the provider." }),
      })
      .meta({ description: "What the environment sets (OIDC_*), read-only; the client secret is never shown." }),
    membersSignedOut: z.number().int().optional().meta({ description: "After a change: members' sessions begun with a password that ended, as passwords were turned off for members." }),
  }),
);

export const SettingsRep = named(
  "Settings",
  z.object({
    duePolicy: DuePolicyRep,
    reminderHour: z.number().int(),
    timeZone: z.string(),
    digestTo: z.array(z.string()).meta({ description: "The lists the digest goes to; empty: those of DIGEST_TO." }),
    digestWhenEmpty: z.enum(["note", "skip"]),
    digestDay: z.number().int().meta({ description: "ISO weekday: 1 is Monday." }),
    digestHour: z.number().int(),
    environment: z
      .object({ digestTo: z.array(z.string()).meta({ description: "DIGEST_TO." }) })
      .meta({ description: "What only the server's environment sets: read here, changed where the server is configured." }),
  }),
);

export function settingsJson(settings: Settings, environment: { digestTo: string[] }): z.infer<typeof SettingsRep> {
  const { duePolicy, reminderHour, timeZone, digestTo, digestWhenEmpty, digestDay, digestHour } = settings;
  return { duePolicy, reminderHour, timeZone, digestTo, digestWhenEmpty, digestDay, digestHour, environment };
}

// --- Digests ---------------------------------------------------------------------------------

/** Subscribers named in a preview; the rest are counted. */
const SUBSCRIBERS_SHOWN = 50;

const SpanRep = z
  .object({ seq: z.number().int(), throughPublicationId: z.number().int(), startAt: time.nullable(), endAt: time })
  .meta({ description: "What the digest covers. Send seq, throughPublicationId and endAt back to send exactly this digest." });

export const DigestPreviewRep = named(
  "DigestPreview",
  z.object({
    span: SpanRep,
    label: z.string(),
    covered: z.number().int().meta({ description: "Post-mortems first published in its span, restricted ones included." }),
    lists: z.array(z.string()),
    subscribers: z.array(z.string()).meta({ description: `The first ${SUBSCRIBERS_SHOWN} people who subscribed, by address.` }),
    subscriberCount: z.number().int(),
    email: z.object({ subject: z.string(), text: z.string(), html: z.string(), empty: z.boolean() }).meta({ description: "As a list address gets it." }),
  }),
);

export function digestPreviewJson(preview: DigestPreview): z.infer<typeof DigestPreviewRep> {
  const { span, label, audience, email, covered } = preview;
  const subscribers = audience.flatMap((r) => (r.kind === "person" ? [r.subscriber.email] : []));
  return {
    span: { seq: span.seq, throughPublicationId: span.throughPublicationId, startAt: span.startAt, endAt: span.endAt },
    label,
    covered,
    lists: audience.flatMap((r) => (r.kind === "list" ? [r.address] : [])),
    subscribers: subscribers.slice(0, SUBSCRIBERS_SHOWN),
    subscriberCount: subscribers.length,
    email: { subject: email.subject, text: email.text, html: email.html, empty: email.empty },
  };
}

export const DigestSending = named(
  "DigestSending",
  z.object({
    seq: z.number().int(),
    label: z.string(),
    outcome: z.enum(["queued", "already-sent", "skipped-empty", "no-recipients"]).meta({
      description: "queued: sent now; already-sent: that digest went out before (never twice); skipped-empty: nothing new and the settings skip an empty week; no-recipients: no list and no subscriber.",
    }),
    queued: z.number().int(),
    sent: z.number().int(),
    failed: z.number().int(),
    links: z.object({ digest: url.nullable() }),
  }),
);

export const PastDigestRep = named(
  "PastDigest",
  z.object({ seq: z.number().int(), label: z.string(), trigger: z.string(), createdAt: time, covered: z.number().int(), links: z.object({ self: url }) }),
);
export const PastDigestPage = pageOf("PastDigestPage", PastDigestRep);

export const digestLink = (origin: string, seq: number) => `${origin}${API_BASE}/digests/${seq}`;

export function pastDigestJson(origin: string, d: PastDigest): z.infer<typeof PastDigestRep> {
  return { seq: d.seq, label: d.label, trigger: d.trigger, createdAt: d.createdAt, covered: d.covered, links: { self: digestLink(origin, d.seq) } };
}

export const SentDigestRep = named(
  "SentDigest",
  z.object({
    seq: z.number().int(),
    label: z.string(),
    trigger: z.string(),
    createdAt: time,
    covered: z.number().int(),
    items: z.array(z.object({ reference: z.string(), title: z.string(), visibility: z.enum(VISIBILITIES), publishedAt: time })),
    deliveries: z.array(z.object({ recipients: z.string(), status: z.string(), sentAt: time.nullable(), lastError: z.string().nullable() })),
    listEmail: z.object({ subject: z.string(), html: z.string(), text: z.string() }).nullable().meta({ description: "As the list addresses got it; null when it went to none." }),
    links: z.object({ self: url }),
  }),
);

export function sentDigestJson(origin: string, d: SentDigest): z.infer<typeof SentDigestRep> {
  return {
    seq: d.seq,
    label: d.label,
    trigger: d.trigger,
    createdAt: d.createdAt,
    covered: d.covered,
    items: d.items,
    deliveries: d.deliveries,
    listEmail: d.listEmail,
    links: { self: digestLink(origin, d.seq) },
  };
}

// --- The deploy gate's policies and repositories ----------------------------------------------

export const GatePolicyRep = named(
  "GatePolicy",
  z.object({
    id: z.number().int(),
    service: z.string().nullable().meta({ description: "Null: every service without a policy of its own." }),
    minSeverity: z.enum(SEVERITIES),
    analysisHours: z.number().int().nullable(),
    holdOnOverdueP1: z.boolean(),
    version: z.number().int(),
    links: z.object({ self: url }),
  }),
);
export const GatePolicyList = pageOf("GatePolicyList", GatePolicyRep);

export function gatePolicyJson(origin: string, p: GatePolicy): z.infer<typeof GatePolicyRep> {
  return { ...p, links: { self: `${origin}${API_BASE}/admin/deploy-gate/policies/${p.id}` } };
}

export const RepositoryServicesRep = named(
  "RepositoryServices",
  z.object({
    repositories: z.string().meta({ description: "One “owner/repository = service” a line, as the Deploy gate page shows it and PUT takes it." }),
    mapping: z.record(z.string(), z.string()).meta({ description: "The same, by repository (lower-cased)." }),
  }),
);

// --- The outbox ------------------------------------------------------------------------------

export const OutboxMessage = named(
  "OutboxMessage",
  z.object({
    id: z.number().int(),
    channel: z.enum(["email", "webhook", "github"]),
    kind: z.string(),
    key: z.string().meta({ description: "A webhook delivery's webhook-id; empty for an email." }),
    recipients: z.string(),
    subject: z.string(),
    status: z.enum(["pending", "sending", "sent", "failed"]),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    lastStatus: z.number().int().nullable(),
    nextAttemptAt: time.nullable(),
    endpoint: z.string().nullable(),
    createdAt: time,
    sentAt: time.nullable(),
  }),
);
export const OutboxPage = pageOf("OutboxPage", OutboxMessage);
export const DeliveryRound = named("DeliveryRound", z.object({ sent: z.number().int(), failed: z.number().int() }));

export const outboxJson = (row: OutboxRow): z.infer<typeof OutboxMessage> => ({ ...row });

// --- Everyone's API tokens -------------------------------------------------------------------

export const TokenRep = named(
  "AnyonesApiToken",
  z.object({
    id: z.number().int(),
    name: z.string(),
    prefix: z.string().meta({ description: "The token's first characters, to tell it apart; never the token." }),
    scope: z.enum(["read", "write"]),
    owner: z.object({ id: z.number().int(), name: z.string() }),
    createdAt: time,
    expiresAt: time.nullable(),
    lastUsedAt: time.nullable(),
    revokedAt: time.nullable(),
  }),
);
export const TokenPage = pageOf("AnyonesApiTokenPage", TokenRep);

export function tokenJson(t: ApiToken): z.infer<typeof TokenRep> {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    scope: t.scope,
    owner: { id: t.ownerId, name: t.ownerName },
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    lastUsedAt: t.lastUsedAt,
    revokedAt: t.revokedAt,
  };
}

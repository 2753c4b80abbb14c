// What a person may send to change an incident, its whys, timeline and follow-up actions, in the
// domain's own types: numbers as numbers, a checkbox as a boolean, services as a list, times as
// ISO 8601 in UTC. A page's form and an API read the same rules and give the same messages; a
// form's strings are turned into these types first (app/lib/form-input.ts).
import { z } from "zod";
import { isStorableDate, isValidTimeZone } from "~/lib/time";
import { ACTION_STATUSES, PRIORITIES, type Priority } from "./action";
import { WHY_FIELDS } from "./blame";
import { EXCEPTION_DURATIONS, GATE_LIMITS } from "./gate";
import { SEVERITIES, STATUSES, VISIBILITIES, parseServices, timeProblems, type IncidentTimes, type Severity } from "./incident";
import { FIELD_LIMITS, tooLongMessage } from "./limits";
import { PHASES, SESSION_LIMITS } from "./live-session";
import type { NotificationChoices } from "./notification";
import { WEBHOOK_EVENT_TYPES, WEBHOOK_FORMATS, WEBHOOK_LIMITS, webhookUrlProblem } from "./webhook";

/**
 * Line breaks and other control characters in a field of one line (a title, a name, a question)
 * become spaces: pasted text keeps its words, and a title can never add a line to an email, a
 * Markdown heading or a header.
 */
export function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, " ");
}

/** A one-line text field: trimmed, at most `limit` characters, and required when `required` says how to ask for it. */
export function lineField(limit: number, required?: string) {
  const trimmed = z.string().trim();
  return z
    .string()
    .transform(oneLine)
    .pipe((required ? trimmed.min(1, required) : trimmed).max(limit, tooLongMessage(limit)))
    .meta({ maxLength: limit, ...(required ? { minLength: 1 } : {}) });
}

/** Free text of at most `limit` characters, trimmed; empty when left out. */
const text = (limit: number) => z.string().trim().max(limit, tooLongMessage(limit)).default("");

/**
 * The largest number a stored thing can have: ids and versions are 32-bit integers on PostgreSQL,
 * so a larger one names nothing, and is refused as input rather than sent to the database.
 */
export const MAX_ID = 2_147_483_647;

/** A stored thing's number. `message` asks for it when it is missing or not one. */
const id = (message?: string) =>
  message ? z.number({ error: message }).int().positive(message).max(MAX_ID, message) : z.number().int().positive().max(MAX_ID);

/** The version a change was based on: a save over someone else's newer one is refused. */
const version = z.number().int().positive().max(MAX_ID);

/**
 * An instant as ISO 8601 in UTC ("2026-10-06T14:02:00.000Z"), kept in the one form the store
 * compares as text: "14:02:00Z" and "14:02:00.000Z" are the same time and must sort as such.
 */
const instant = (message: string) =>
  z.iso
    .datetime({ error: message })
    .refine(isStorableDate, message)
    .transform((value) => new Date(value).toISOString());

/** A time that may not be known yet: null until it is. */
const laterInstant = instant("Enter a date and time, or leave it empty.").nullable().default(null);

const isInstant = (value: unknown): value is string => typeof value === "string" && z.iso.datetime().safeParse(value).success;

/**
 * The incident's times must come in order. They are compared once each is a time or empty: a
 * mistyped one has its own message to correct first.
 */
function timesInOrder(fields: Partial<Record<keyof IncidentTimes, unknown>>, ctx: z.RefinementCtx) {
  const { startedAt, detectedAt = null, resolvedAt = null } = fields;
  if (!isInstant(startedAt) || (detectedAt !== null && !isInstant(detectedAt)) || (resolvedAt !== null && !isInstant(resolvedAt))) return;
  for (const [path, message] of Object.entries(timeProblems({ startedAt, detectedAt, resolvedAt }))) {
    ctx.addIssue({ code: "custom", path: [path], message });
  }
}

// --- Incidents ---------------------------------------------------------------------------------

const incidentFields = {
  title: lineField(FIELD_LIMITS.incidentTitle, "Give the incident a title."),
  severity: z.enum(SEVERITIES, { error: "Choose a severity." }),
  startedAt: instant("Enter when the incident started (UTC)."),
  detectedAt: laterInstant,
  resolvedAt: laterInstant,
  // Service names are short lowercase slugs, each once, however they were typed or listed.
  services: z
    .array(z.string())
    .default([])
    .transform((names) => parseServices(names.join("\n")))
    .pipe(
      z
        .array(z.string().max(FIELD_LIMITS.service, `Keep each service name under ${FIELD_LIMITS.service} characters.`))
        .max(FIELD_LIMITS.servicesPerIncident, `List at most ${FIELD_LIMITS.servicesPerIncident} services.`),
    ),
  impactMd: z.string().max(FIELD_LIMITS.impact, tooLongMessage(FIELD_LIMITS.impact)).default(""),
  summaryMd: z.string().max(FIELD_LIMITS.summary, tooLongMessage(FIELD_LIMITS.summary)).default(""),
  visibility: z.enum(VISIBILITIES, { error: "Choose who can see this incident." }),
};

const facilitatorId = id("Choose a facilitator.");

/** An incident's details, as reported or edited. */
export const incidentInput = z.object(incidentFields).superRefine(timesInOrder);
export type IncidentInput = z.infer<typeof incidentInput>;

/** A new incident: its details and the person who leads the analysis. */
export const incidentReport = z.object({ ...incidentFields, facilitatorId }).superRefine(timesInOrder);
export type IncidentReport = z.infer<typeof incidentReport>;

/** A change to an incident's details, based on the version that was read. */
export const incidentChange = z.object({ ...incidentFields, version }).superRefine(timesInOrder);
export type IncidentChange = z.infer<typeof incidentChange>;

/** Who leads the analysis and who takes part in it. */
export const incidentPeople = z.object({ facilitatorId, participantIds: z.array(id()) });
export type IncidentPeopleInput = z.infer<typeof incidentPeople>;

/** A move along the incident's lifecycle. */
export const lifecycleMove = z.object({ to: z.enum(STATUSES) });

/**
 * A field that names an incident by its number (12 for INC-12). People type its reference, so a
 * form reads "INC-12" as 12 here (`typedAs`), and anything else is refused with how to write it.
 */
const incidentNumber = (message: string) => id(message).meta({ description: "An incident's number: 12 for INC-12.", typedAs: "reference" });

/** Another incident to mark as related. */
export const relatedLink = z.object({
  relatedId: incidentNumber("Enter a reference like INC-12."),
  /** The why whose "seen before" panel the link was made from, to return to it. */
  whyId: id().optional(),
});
export type RelatedLink = z.infer<typeof relatedLink>;

// --- Whys --------------------------------------------------------------------------------------

const whyFields = {
  question: lineField(FIELD_LIMITS.question, "Write the question, e.g. “Why did the CPU spike?”"),
  answer: text(FIELD_LIMITS.answer),
  category: text(FIELD_LIMITS.category),
  remediationMd: text(FIELD_LIMITS.remediation),
  noRemediationReason: text(FIELD_LIMITS.reason),
  noActionReason: text(FIELD_LIMITS.reason),
  rootReached: z.boolean().default(false),
};

/** A why's text and what was decided about it. */
export const whyInput = z.object(whyFields);
export type WhyInput = z.infer<typeof whyInput>;

/**
 * A new why, under `parentId` or as the first of a branch (null). It is added with its answer:
 * the quick path must not leave half-whys for the publish check.
 */
export const newWhyInput = whyInput.extend({
  parentId: id().nullable().default(null),
  answer: z
    .string()
    .trim()
    .min(1, "Write the answer too: a why is added with its answer.")
    .max(FIELD_LIMITS.answer, tooLongMessage(FIELD_LIMITS.answer))
    .prefault(""),
});
export type NewWhyInput = z.infer<typeof newWhyInput>;

/** A change to a why, based on the version that was read. */
export const whyChange = whyInput.extend({ whyId: id(), version });
export type WhyChange = z.infer<typeof whyChange>;

/** A why to delete with everything asked below it; `confirm` is "yes" once the person was told how many deeper whys go too. */
export const whyDeletion = z.object({ whyId: id(), confirm: z.string().optional() });

/** A wording finding of the blame check: the why, the field and the words it is about. */
export const findingRef = z.object({ whyId: id(), field: z.enum(WHY_FIELDS), match: z.string().min(1).max(500) });

/** A finding kept as written, with the reason the wording stays. */
export const acknowledgement = findingRef.extend({
  reason: z
    .string()
    .trim()
    .min(1, "Say why this wording stays, e.g. it quotes someone's own account.")
    .max(FIELD_LIMITS.reason, tooLongMessage(FIELD_LIMITS.reason)),
});

/** A finding's suggested rewording taken, on the version of the why that was read. */
export const suggestionAcceptance = findingRef.extend({ version });

// --- Live sessions -----------------------------------------------------------------------------

/** A session started: candidates anonymous (the form ticks it by default) or signed. */
export const sessionStart = z.object({ anonymous: z.boolean().default(false) });

/** The phase the facilitator moves the meeting to. */
export const phaseMove = z.object({ phase: z.enum(PHASES, { error: "Choose a phase." }) });

/** A countdown started, or time added to it. */
export const timerSetting = z.object({
  minutes: z.number({ error: "Choose how many minutes." }).int().min(1).max(SESSION_LIMITS.timerMinutes, `At most ${SESSION_LIMITS.timerMinutes} minutes.`),
  mode: z.enum(["start", "add"]).default("start"),
});

/** Someone in the session (made a participant, handed the facilitation). */
export const sessionPerson = z.object({ userId: id("Choose someone.") });

/** Ready for the step the meeting is at, or not. */
export const readiness = z.object({ ready: z.boolean() });

/** A question posed to the room: why, under an answer (or at the top); or what remediation, for a why. */
export const roundOpening = z.object({
  kind: z.enum(["why", "remediation"]),
  whyId: id().nullable().default(null),
  question: lineField(FIELD_LIMITS.question, "Write the question the room is asked."),
});

/** A round of the session. */
export const roundRef = z.object({ roundId: id() });

/** A candidate typed privately; `token` rewrites the draft it stands for. */
export const draftInput = z.object({
  roundId: id(),
  body: z.string().trim().min(1, "Write a candidate.").max(FIELD_LIMITS.answer, tooLongMessage(FIELD_LIMITS.answer)),
  token: z.string().max(100).default(""),
});

/** A draft withdrawn by the token its author's browser holds. */
export const draftWithdrawal = z.object({ roundId: id(), token: z.string().min(1).max(100) });

/** A vote given (on) or taken back, for a candidate's group. */
export const voteInput = z.object({ roundId: id(), candidateId: id(), on: z.boolean() });

/** Candidates accepted into the analysis: one, or several as branches. */
export const acceptance = z.object({
  roundId: id(),
  candidateIds: z.array(id()).min(1, "Choose at least one candidate to accept.").max(SESSION_LIMITS.candidatesPerRound),
});

/** A why whose remediation someone takes on as their action. */
export const remediationClaim = z.object({ whyId: id() });

/** The summary written at the wrap-up, on the incident's version that was read. */
export const summaryInput = z.object({
  summaryMd: z.string().max(FIELD_LIMITS.summary, tooLongMessage(FIELD_LIMITS.summary)).default(""),
  version,
});

// --- Timeline ----------------------------------------------------------------------------------

/** A timeline entry: when (UTC) and what happened. */
export const timelineEntryInput = z.object({
  at: instant("Enter the time (UTC)."),
  bodyMd: z.string().trim().min(1, "Write what happened.").max(FIELD_LIMITS.timelineEntry, tooLongMessage(FIELD_LIMITS.timelineEntry)),
});
export type TimelineEntryInput = z.infer<typeof timelineEntryInput>;

export const timelineEntryChange = timelineEntryInput.extend({ entryId: id(), version });
export type TimelineEntryChange = z.infer<typeof timelineEntryChange>;

export const timelineEntryDeletion = z.object({ entryId: id() });

// --- Follow-up actions -------------------------------------------------------------------------

/** A follow-up action's fields. An empty due date means "by the policy". */
export const actionInput = z.object({
  title: lineField(FIELD_LIMITS.actionTitle, "Give the action a title."),
  descriptionMd: text(FIELD_LIMITS.actionDescription),
  ownerId: id("Choose an owner."),
  dueDate: z
    .string()
    .trim()
    .refine((v) => v === "" || (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) && isStorableDate(v)), "Enter a date, or leave it empty for the default.")
    .default(""),
  priority: z.enum(PRIORITIES, { error: "Choose a priority." }),
  trackerUrl: z
    .string()
    .trim()
    .max(FIELD_LIMITS.trackerUrl, tooLongMessage(FIELD_LIMITS.trackerUrl))
    .refine((v) => v === "" || /^https?:\/\/\S+$/i.test(v), "Enter a link starting with https://, or leave it empty.")
    .default(""),
});
export type ActionInput = z.infer<typeof actionInput>;

/** A new follow-up action, carrying out a why's remediation or none (null). */
export const newActionInput = actionInput.extend({ whyId: id().nullable().default(null) });
export type NewActionInput = z.infer<typeof newActionInput>;

/** A change to an action's fields, based on the version that was read. */
export const actionChange = actionInput.extend({ version });
export type ActionChange = z.infer<typeof actionChange>;

/**
 * An action's owner, due date and priority changed where it is listed (the incident page), based
 * on the version that was read; its title, description and tracker link stay as they are.
 */
export const actionPlanChange = actionInput.pick({ ownerId: true, dueDate: true, priority: true }).extend({ actionId: id(), version });
export type ActionPlanChange = z.infer<typeof actionPlanChange>;

/** An action moved on (started, done, won't do); won't do says why. */
export const actionStatusChange = z.object({
  to: z.enum(ACTION_STATUSES),
  wontDoReason: z.string().max(FIELD_LIMITS.reason, tooLongMessage(FIELD_LIMITS.reason)).default(""),
});
export type ActionStatusChange = z.infer<typeof actionStatusChange>;

// --- API tokens --------------------------------------------------------------------------------

/** A personal API token to make: its name, what it may do, and for how many days (null: until revoked). */
export const apiTokenInput = z.object({
  name: lineField(FIELD_LIMITS.tokenName, "Name the token after what will use it, e.g. “deploy pipeline”."),
  scope: z.enum(["read", "write"], { error: "Choose what the token may do." }),
  expiresInDays: z
    .number({ error: "Choose how long the token works." })
    .int()
    .min(1, "Choose how long the token works.")
    .max(366, "A token works for at most 366 days; make a new one when it ends.")
    .nullable()
    .default(null),
});
export type ApiTokenInput = z.infer<typeof apiTokenInput>;

// --- Administration ------------------------------------------------------------------------------

const role = z.enum(["admin", "member"], { error: "Choose a role." });

/** A person's name, team and role, as an admin sets them on the People page. */
export const personInput = z.object({
  name: lineField(FIELD_LIMITS.personName, "Enter a name."),
  team: lineField(FIELD_LIMITS.team).default(""),
  role,
});
export type PersonInput = z.infer<typeof personInput>;

/** A person added by an admin, and invited by email. */
export const newPersonInput = personInput.extend({ email: z.string().trim().email("Enter an email address like name@company.com.") });
export type NewPersonInput = z.infer<typeof newPersonInput>;

/** A person removed; their unfinished actions handed to someone else, or kept as theirs (null). */
export const personRemoval = z.object({ handTo: id("Choose someone from the list, or nobody.").nullable().default(null) });

/** A cause category's name. */
export const categoryLabel = z.object({ label: lineField(FIELD_LIMITS.category, "Enter a name for the category.") });

/** The category whose whys another one's join. */
export const categoryMerge = z.object({ into: z.string().trim().min(1, "Choose the category to merge into.").max(FIELD_LIMITS.category) });

/** The repositories whose deploys are of a service named otherwise, one "owner/repository = service" a line. */
export const gateRepositoriesInput = z.object({ repositories: z.string().max(20_000, "That is too long for a list of repositories.").default("") });

const hour = z.number({ error: "Enter an hour from 0 to 23." }).int("From 0 to 23.").min(0, "From 0 to 23.").max(23, "From 0 to 23.");
const dueDays = z.number({ error: "Enter a number of days." }).int("Whole days.").min(1, "At least 1 day.").max(365, "At most 365 days.");

/** Days from an action's creation to its default due date, by the incident's severity and the action's priority. */
export const duePolicyInput = z.object(
  Object.fromEntries(SEVERITIES.map((s) => [s, z.object(Object.fromEntries(PRIORITIES.map((p) => [p, dueDays])) as Record<Priority, typeof dueDays>)])) as Record<
    Severity,
    z.ZodObject<Record<Priority, typeof dueDays>>
  >,
);

/** The lists the weekly digest goes to; at most this many addresses. */
export const DIGEST_LIST_ADDRESSES = 20;

/** What the Settings page changes: due dates, the daily reminder, the weekly digest. */
export const settingsInput = z.object({
  duePolicy: duePolicyInput,
  reminderHour: hour,
  timeZone: z.string({ error: "Enter a time zone like Europe/Berlin or America/New_York." }).trim().refine(isValidTimeZone, "Enter a time zone like Europe/Berlin or America/New_York."),
  digestTo: z
    .array(z.string().trim().email("Each recipient must be an email address, e.g. everyone@company.com."))
    .max(DIGEST_LIST_ADDRESSES, `At most ${DIGEST_LIST_ADDRESSES} addresses.`),
  digestWhenEmpty: z.enum(["note", "skip"], { error: "Choose what an empty week sends." }),
  digestDay: z.number({ error: "Choose a day of the week." }).int("Choose a day of the week.").min(1, "Choose a day of the week.").max(7, "Choose a day of the week.").meta({ description: "ISO weekday: 1 is Monday." }),
  digestHour: hour,
});
export type SettingsInput = z.infer<typeof settingsInput>;

// --- Changes of some fields (the API's PATCH) ----------------------------------------------------

/**
 * Some of an input's fields, each checked by its own rules and nothing filled in for the rest:
 * the fields sent are laid over the stored ones, and the whole is then checked as the full input.
 */
function someOf<S extends z.ZodRawShape>(shape: S) {
  const optional = Object.fromEntries(Object.entries(shape).map(([name, field]) => [name, withoutDefault(field as z.ZodType).optional()]));
  return z.object(optional as { [K in keyof S]: z.ZodOptional<z.ZodType<z.output<S[K]>, z.input<S[K]>>> });
}

/** The field without the value it takes when left out, wherever in its steps that default sits. */
function withoutDefault(field: z.ZodType): z.ZodType {
  if (field instanceof z.ZodDefault) return field.unwrap() as z.ZodType;
  if (field instanceof z.ZodPipe) return withoutDefault(field.in as z.ZodType).pipe(field.out as z.ZodType);
  return field;
}

export const incidentPatch = someOf(incidentFields);
export const whyPatch = someOf(whyFields);
export const timelineEntryPatch = someOf(timelineEntryInput.shape);
export const actionPatch = someOf(actionInput.shape);
export const personPatch = someOf(personInput.shape);

// --- The person's own profile ------------------------------------------------------------------

/** The name and team a person gives themselves (their email and role are the admins' to change). */
export const profileDetails = z.object({
  name: lineField(FIELD_LIMITS.personName, "Enter your name."),
  team: lineField(FIELD_LIMITS.team).default(""),
});
export const profilePatch = someOf(profileDetails.shape);

/** Which emails about what concerns them a person takes: a kind left out is turned off (an unticked box). */
export const notificationChoices = z.object({
  roles: z.boolean().default(false),
  assigned: z.boolean().default(false),
  lifecycle: z.boolean().default(false),
  reassigned: z.boolean().default(false),
}) satisfies z.ZodType<NotificationChoices>;

/** Some of the person's email choices; what is left out stays as it is. */
export const preferencesPatch = z.object({
  reminderEmails: z.boolean().optional().meta({ description: "The email of one's own overdue and due-soon actions, on days there are some." }),
  digest: z.boolean().optional().meta({ description: "The digest of published post-mortems, at one's own address." }),
  notifications: someOf(notificationChoices.shape).optional(),
});
export type PreferencesPatch = z.infer<typeof preferencesPatch>;

// --- Insights ----------------------------------------------------------------------------------

/** The Insights filters: a team, a service, and the period by the incidents' start dates (both included). */
export const insightsFilters = z.object({
  team: z.string().trim().min(1).max(60).optional(),
  service: z.string().trim().min(1).max(60).optional(),
  from: z.iso.date("Write a date as 2026-01-31.").refine(isStorableDate, "Write a date as 2026-01-31.").optional(),
  to: z.iso.date("Write a date as 2026-01-31.").refine(isStorableDate, "Write a date as 2026-01-31.").optional(),
});

// --- The deploy gate ---------------------------------------------------------------------------

/** The policy's service, typed as incidents list theirs; empty (or null): every service without a policy of its own. */
const policyService = z
  .string()
  .max(200, `Keep the service name under ${FIELD_LIMITS.service} characters.`)
  .nullable()
  .default(null)
  .transform((value) => (value === null ? [] : parseServices(value)))
  .pipe(
    z
      .array(z.string().max(FIELD_LIMITS.service, `Keep the service name under ${FIELD_LIMITS.service} characters.`))
      .max(1, "One service per policy: add another policy for the next one."),
  )
  .transform((names): string | null => names[0] ?? null);

const policyRules = {
  minSeverity: z.enum(SEVERITIES, { error: "Choose a severity." }),
  analysisHours: z
    .number({ error: "Enter a number of hours, or leave it empty." })
    .int("Enter whole hours.")
    .min(1, "At least 1 hour.")
    .max(GATE_LIMITS.analysisHours, `At most ${GATE_LIMITS.analysisHours} hours (30 days).`)
    .nullable()
    .default(null),
  holdOnOverdueP1: z.boolean().default(true),
};

/** A policy needs a reason to hold: a deadline for the analysis, overdue P1 actions, or both. */
function holdsForSomething(fields: { analysisHours?: unknown; holdOnOverdueP1?: unknown }, ctx: z.RefinementCtx) {
  if ((fields.analysisHours === null || fields.analysisHours === undefined) && fields.holdOnOverdueP1 === false) {
    ctx.addIssue({ code: "custom", path: ["analysisHours"], message: "Give the analysis a deadline, or hold on overdue P1 actions: a policy without either holds nothing." });
  }
}

/** A new deploy-gate policy, for one service or for all. */
export const gatePolicyInput = z.object({ service: policyService, ...policyRules }).superRefine(holdsForSomething);
export type GatePolicyInput = z.infer<typeof gatePolicyInput>;

/** A policy's rules changed, based on the version that was read; its service stays. */
export const gatePolicyChange = z.object({ policyId: id(), version, ...policyRules }).superRefine(holdsForSomething);
export type GatePolicyChange = z.infer<typeof gatePolicyChange>;

export const gatePolicyDeletion = z.object({ policyId: id() });

/** Some of a policy's rules, for a change of only those (the API's PATCH). */
export const gatePolicyPatch = someOf(policyRules);

/** Deploys let through despite an incident for a while, with the reason. */
export const gateExceptionGrant = z.object({
  reason: z
    .string()
    .trim()
    .min(1, "Say why deploys may go ahead despite this incident, e.g. the fix for it.")
    .max(FIELD_LIMITS.reason, tooLongMessage(FIELD_LIMITS.reason)),
  hours: z
    .number({ error: "Choose how long." })
    .refine((h) => (EXCEPTION_DURATIONS as readonly number[]).includes(h), `Choose one of the durations offered, at most ${GATE_LIMITS.exceptionHours} hours.`),
});
export type GateExceptionGrant = z.infer<typeof gateExceptionGrant>;

/** An exception ended before it expires. */
export const gateExceptionEnd = z.object({ exceptionId: id() });
// --- Webhooks ----------------------------------------------------------------------------------

/** An endpoint's URL: http or https, without credentials; whether its address may be reached is the model's to check. */
const webhookUrl = z
  .string()
  .trim()
  .min(1, "Enter the URL that receives the events.")
  .max(WEBHOOK_LIMITS.url, tooLongMessage(WEBHOOK_LIMITS.url))
  .superRefine((value, ctx) => {
    const problem = webhookUrlProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const webhookEvents = z
  .array(z.enum(WEBHOOK_EVENT_TYPES, { error: "Choose events from the list." }))
  .min(1, "Choose at least one event to send.")
  .transform((types) => WEBHOOK_EVENT_TYPES.filter((type) => types.includes(type)));

/** A webhook endpoint registered: where, what it is for, what it receives and which events. */
export const webhookEndpointInput = z.object({
  url: webhookUrl,
  description: lineField(WEBHOOK_LIMITS.description).default(""),
  format: z.enum(WEBHOOK_FORMATS, { error: "Choose what the endpoint receives." }).default("standard"),
  eventTypes: webhookEvents,
});
export type WebhookEndpointInput = z.infer<typeof webhookEndpointInput>;

/** A change to an endpoint's URL, description or events, based on the version that was read; its format stays. */
export const webhookEndpointChange = z.object({
  url: webhookUrl,
  description: lineField(WEBHOOK_LIMITS.description).default(""),
  eventTypes: webhookEvents,
  version,
});
export type WebhookEndpointChange = z.infer<typeof webhookEndpointChange>;

/** An endpoint a change is about (the page's forms name it; an API names it in the path). */
export const webhookEndpointRef = z.object({ endpointId: id() });

/** Whether endpoints may be on loopback, private and other non-public addresses. */
export const webhookAddressSetting = z.object({ allowPrivate: z.boolean().default(false) });

/** A message of the outbox (a webhook delivery to replay, an email to try again). */
export const outboxMessageRef = z.object({ messageId: id() });

// --- Sign-in settings ------------------------------------------------------------------------------

/** At most this many allowed domains or admin groups: a list an admin reads, not a directory. */
export const SIGN_IN_LIST_LIMIT = 50;

/** Email domains as an admin types them ("Company.com, @eu.company.com"): lowercase, no "@", each once. */
export function parseDomains(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((d) => d.trim().toLowerCase().replace(/^@/, "")).filter(Boolean))];
}

const typedList = (what: string, split: (text: string) => string[]) =>
  z
    .union([z.string().max(4000, `That is too long for a list of ${what}.`), z.array(z.string().max(4000, `That is too long for a list of ${what}.`)).max(SIGN_IN_LIST_LIMIT * 2, `At most ${SIGN_IN_LIST_LIMIT} ${what}.`)])
    .default("")
    .transform((v) => split(typeof v === "string" ? v : v.join("\n")));

/** Who signs in how: the identity provider's name, whose addresses it may sign in, its admin groups, and who may use a password. */
export const signInSettingsInput = z.object({
  providerName: lineField(60, "Enter the provider's name, e.g. Okta or Google."),
  providerDomains: typedList("domains", parseDomains)
    .pipe(z.array(z.string().max(253, "Each of the domains is at most 253 characters.")).max(SIGN_IN_LIST_LIMIT, `At most ${SIGN_IN_LIST_LIMIT} domains.`))
    .pipe(z.array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, "Enter domains like company.com, separated by commas.")))
    .meta({ description: "Email domains the provider may sign in (a list, or the page's text: separated by commas or spaces)." }),
  providerAdminGroups: typedList("groups", (v) => [...new Set(v.split(/[\n,]+/).map((g) => g.trim()).filter(Boolean))])
    .pipe(z.array(z.string().max(200, "Each group name is at most 200 characters.")).max(SIGN_IN_LIST_LIMIT, `At most ${SIGN_IN_LIST_LIMIT} groups.`))
    .meta({ description: "Groups whose members are made admins when they sign in with the provider." }),
  passwordSignIn: z.enum(["everyone", "admins"], { message: "Choose who signs in with a password." }),
});
export type SignInSettingsInput = z.output<typeof signInSettingsInput>;
/** Some of the sign-in settings (the API's PATCH): the rest stay as stored. */
export const signInSettingsPatch = someOf(signInSettingsInput.shape);

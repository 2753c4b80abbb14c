import { z } from "zod";
import { teamName } from "~/models/action";
import { completionFigures, OVERDUE_VIEW, overdueOverview } from "~/models/action.server";
import { isLive, listOwnTokens, revokeOwnApiToken, SCOPES, type ApiToken } from "~/models/api-token.server";
import { actionsCsv, EXPORT_ROWS, incidentExport } from "~/models/export.server";
import { SEVERITIES } from "~/models/incident";
import { insightsFilters, preferencesPatch, profileDetails, profilePatch } from "~/models/inputs";
import { insightsFor, INCIDENTS_PER_CAUSE, MAX_MONTHS, RECURRING_CATEGORIES, type Insights } from "~/models/insights.server";
import { NOTIFICATION_KINDS, NOTIFICATION_LABELS } from "~/models/notification";
import { getPreferences, getProfile, setPreferences, updateProfile } from "~/models/user.server";
import { API_BASE, invalid, operation, type Operation } from "../api.server";
import { actionFilterFields, actionFiltersOf, errors, idParam, readErrors, refParam } from "./common.server";
import { attachment } from "../http.server";
import { date, Me, named, Problem, time, url } from "./representations.server";

// The person's own account through a token: their details and email choices, their API tokens,
// the Insights figures, the actions' summary and overdue views, and the downloads (the actions as
// CSV, an incident as Markdown). What makes or changes a way in (a password, a new token, the
// browser's sessions, the private feed link) stays on the profile page: see ADR 0028.

const share = z.number().nullable();
const count = z.number().int();

// --- Representations ---------------------------------------------------------------------------

const NotificationChoicesRep = z.object(
  Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, z.boolean().meta({ description: `Email me when: ${NOTIFICATION_LABELS[kind].toLowerCase()}.` })])) as Record<
    (typeof NOTIFICATION_KINDS)[number],
    z.ZodBoolean
  >,
);

const PreferencesRep = named(
  "Preferences",
  z.object({
    reminderEmails: z.boolean().meta({ description: "On days when actions one owns are overdue or due soon, one email listing them." }),
    digest: z.boolean().meta({ description: "The digest of published post-mortems at one's own address (a company list may still send it)." }),
    notifications: NotificationChoicesRep,
  }),
);

const ApiTokenRep = named(
  "ApiToken",
  z.object({
    id: z.number().int(),
    name: z.string(),
    prefix: z.string().meta({ description: "The token's first characters, to tell it apart; the token itself is shown only when it is made." }),
    scope: z.enum(SCOPES),
    state: z.enum(["working", "revoked", "expired"]),
    current: z.boolean().meta({ description: "Whether this is the token of the request." }),
    createdAt: time,
    expiresAt: time.nullable(),
    lastUsedAt: time.nullable(),
    revokedAt: time.nullable(),
  }),
);
const ApiTokenList = named("ApiTokenList", z.object({ items: z.array(ApiTokenRep), nextCursor: z.string().nullable() }));

function tokenJson(token: ApiToken, currentId: number): z.infer<typeof ApiTokenRep> {
  return {
    id: token.id,
    name: token.name,
    prefix: token.prefix,
    scope: token.scope,
    state: token.revokedAt ? "revoked" : isLive(token) ? "working" : "expired",
    current: token.id === currentId,
    createdAt: token.createdAt,
    expiresAt: token.expiresAt,
    lastUsedAt: token.lastUsedAt,
    revokedAt: token.revokedAt,
  };
}

const figures = {
  total: count,
  done: count,
  wontDo: count,
  open: count,
  overdue: count,
  doneShare: share.meta({ description: "Done among all the actions, 0–1; null without actions." }),
  doneRatherThanDropped: share.meta({ description: "Done among those finished (done or won't do), 0–1; null while none is finished." }),
  medianDaysToDone: z.number().nullable().meta({ description: "Median days from creation to done; null while none is done." }),
};

const InsightsRep = named(
  "Insights",
  z
    .object({
      filters: z.object({ team: z.string().nullable(), service: z.string().nullable() }),
      period: z.object({ from: date, to: date, months: z.array(z.string()).meta({ description: "Every month of the period, 2026-01, oldest first." }) }),
      notices: z.array(z.string()).meta({ description: "What was changed in the filters to make sense of them (dates swapped, a period cut)." }),
      incidentCount: count,
      whyCount: count,
      causes: z.object({
        bars: z.array(z.object({ slug: z.string(), label: z.string(), whys: count, incidents: count, share: z.number(), cumulative: z.number() })),
        categorised: count,
        uncategorised: count,
      }),
      severityByMonth: z.array(z.object({ month: z.string(), counts: z.object(Object.fromEntries(SEVERITIES.map((s) => [s, count])) as Record<(typeof SEVERITIES)[number], typeof count>), total: count })),
      times: z.object({
        byMonth: z.array(z.object({ month: z.string(), detectMinutes: z.number().nullable(), resolveMinutes: z.number().nullable(), detected: count, resolved: count })),
        detectMinutes: z.number().nullable().meta({ description: "Median minutes from start to detection over the period." }),
        resolveMinutes: z.number().nullable().meta({ description: "Median minutes from start to resolution over the period." }),
      }),
      actions: z.object({
        ...figures,
        byMonth: z.array(z.object({ month: z.string(), total: count, done: count, wontDo: count, doneShare: share, doneRatherThanDropped: share })),
      }),
      recurring: z
        .array(
          z.object({
            slug: z.string(),
            label: z.string(),
            incidentCount: count,
            whyCount: count,
            incidents: z.array(z.object({ reference: z.string(), title: z.string(), severity: z.enum(SEVERITIES), startedAt: time, links: z.object({ self: url, page: url }) })),
          }),
        )
        .meta({ description: `The causes found in more than one incident, at most ${RECURRING_CATEGORIES}, each with its latest ${INCIDENTS_PER_CAUSE} incidents.` }),
      earlier: z
        .object({ startedAt: time, widenFrom: date })
        .nullable()
        .meta({ description: "When nothing started in the period: the latest incident before it, and where a period reaching it would start." }),
    })
    .meta({ description: "The Insights page's figures, of the incidents the token's owner may see." }),
);

function insightsJson(origin: string, filters: { team?: string; service?: string }, insights: Insights): z.infer<typeof InsightsRep> {
  return {
    filters: { team: filters.team ?? null, service: filters.service ?? null },
    period: insights.period,
    notices: insights.notices,
    incidentCount: insights.incidentCount,
    whyCount: insights.whyCount,
    causes: insights.causes,
    severityByMonth: insights.severityByMonth,
    times: insights.times,
    actions: insights.actions,
    recurring: insights.recurring.map((cause) => ({
      ...cause,
      incidents: cause.incidents.map((incident) => ({
        ...incident,
        links: { self: `${origin}${API_BASE}/incidents/${incident.reference}`, page: `${origin}/incidents/${incident.reference}` },
      })),
    })),
    earlier: insights.earlier,
  };
}

const ActionsSummaryRep = named(
  "ActionsSummary",
  z.object({
    teams: z
      .array(z.object({ team: z.string().meta({ description: "The owners' team; “All teams” for every action, “No team” for owners without one." }), ...figures }))
      .meta({ description: "Every team together first, then each team of the actions' owners." }),
  }),
);

const OverdueRep = named(
  "OverdueActions",
  z.object({
    total: count,
    teams: z
      .array(
        z.object({
          team: z.string().meta({ description: "The owners' team, empty for owners without one." }),
          label: z.string(),
          count,
          people: count,
          morePeople: count.meta({ description: `People behind beyond the ${OVERDUE_VIEW.peoplePerTeam} listed.` }),
          owners: z.array(
            z.object({
              id: z.number().int(),
              name: z.string(),
              count,
              oldest: z
                .array(z.object({ id: z.number().int(), title: z.string(), incident: z.string(), dueDate: date, links: z.object({ self: url, page: url }) }))
                .meta({ description: `Their ${OVERDUE_VIEW.perOwner} oldest overdue actions.` }),
              links: z.object({ actions: url.meta({ description: "All their overdue actions." }) }),
            }),
          ),
          links: z.object({ actions: url.meta({ description: "All the team's overdue actions." }) }),
        }),
      )
      .meta({ description: "The token owner's team first, then the teams most behind." }),
  }),
);

const overdueList = (origin: string, filter: Record<string, string>) => `${origin}${API_BASE}/actions?${new URLSearchParams({ overdue: "true", ...filter })}`;

async function overdueJson(origin: string, viewer: Parameters<typeof overdueOverview>[0] & { team: string }): Promise<z.infer<typeof OverdueRep>> {
  const { total, teams } = await overdueOverview(viewer, { ...OVERDUE_VIEW, ownTeam: viewer.team });
  return {
    total,
    teams: teams.map((t) => ({
      team: t.team,
      label: teamName(t.team),
      count: t.count,
      people: t.people,
      morePeople: t.morePeople,
      owners: t.owners.map((o) => ({
        id: o.id,
        name: o.name,
        count: o.count,
        oldest: o.oldest.map((a) => ({
          id: a.id,
          title: a.title,
          incident: a.incidentReference,
          dueDate: a.dueDate,
          links: { self: `${origin}${API_BASE}/actions/${a.id}`, page: `${origin}/actions/${a.id}` },
        })),
        links: { actions: overdueList(origin, { owner: String(o.id) }) },
      })),
      links: { actions: overdueList(origin, { team: t.team }) },
    })),
  };
}

// --- Operations ----------------------------------------------------------------------------------

const download = (fileName: string) => ({ "Content-Disposition": attachment(fileName) });

export const ACCOUNT: Operation[] = [
  operation({
    id: "updateMe",
    method: "PATCH",
    path: "/me",
    tag: "Account",
    summary: "Change one's own name or team",
    description: "Send only the fields to change. The email address and role are an administrator's to change; the password stays on the profile page.",
    scope: "write",
    body: profilePatch,
    responses: { 200: { description: "Changed.", schema: Me }, ...errors },
    run: async ({ holder, body }) => {
      const { name, team } = await getProfile(holder.user);
      const fields = profileDetails.safeParse({ name, team, ...body });
      if (!fields.success) throw invalid("body", fields.error);
      return { body: { ...(await updateProfile(holder.user, fields.data)), token: { scope: holder.scope } } };
    },
  }),
  operation({
    id: "getPreferences",
    method: "GET",
    path: "/me/preferences",
    tag: "Account",
    summary: "Read one's own email choices",
    scope: "read",
    responses: { 200: { description: "The choices.", schema: PreferencesRep }, ...readErrors },
    run: async ({ holder }) => ({ body: await getPreferences(holder.user) }),
  }),
  operation({
    id: "updatePreferences",
    method: "PATCH",
    path: "/me/preferences",
    tag: "Account",
    summary: "Change one's own email choices",
    description: "Reminders, the digest at one's own address, and each kind of notification: send only what changes.",
    scope: "write",
    body: preferencesPatch,
    responses: { 200: { description: "Changed.", schema: PreferencesRep }, ...errors },
    run: async ({ holder, body }) => ({ body: await setPreferences(holder.user, body) }),
  }),
  operation({
    id: "listMyTokens",
    method: "GET",
    path: "/me/tokens",
    tag: "Account",
    summary: "List one's own API tokens",
    description: "Newest first (the latest 200), revoked and expired ones included. A token is made on the profile page, never through the API.",
    scope: "read",
    responses: { 200: { description: "The tokens.", schema: ApiTokenList }, ...readErrors },
    run: async ({ holder }) => ({ body: { items: (await listOwnTokens(holder.user)).map((t) => tokenJson(t, holder.tokenId)), nextCursor: null } }),
  }),
  operation({
    id: "revokeMyToken",
    method: "DELETE",
    path: "/me/tokens/{tokenId}",
    tag: "Account",
    summary: "Revoke one of one's own API tokens",
    description: "Scripts using it are refused from then on; the token used for the request may revoke itself. It stays on the list, revoked. Revoking twice changes nothing.",
    scope: "write",
    params: z.object({ tokenId: idParam("The token's id.") }),
    responses: { 200: { description: "Revoked.", schema: ApiTokenRep }, 401: errors[401], 403: errors[403], 404: errors[404], 429: errors[429] },
    run: async ({ holder, params }) => ({ body: tokenJson(await revokeOwnApiToken(holder.user, params.tokenId), holder.tokenId) }),
  }),
  operation({
    id: "getInsights",
    method: "GET",
    path: "/insights",
    tag: "Insights",
    summary: "The Insights figures",
    description: `Recurring causes, incidents by severity, times to detect and resolve, and how the actions went, of the incidents that started in the period (the last twelve months by default; at most ${MAX_MONTHS / 12} years).`,
    scope: "read",
    query: insightsFilters,
    responses: { 200: { description: "The figures.", schema: InsightsRep }, ...readErrors, 400: errors[400] },
    run: async ({ holder, query, origin }) => ({ body: insightsJson(origin, query, await insightsFor(holder.user, query)) }),
  }),
  operation({
    id: "getActionsSummary",
    method: "GET",
    path: "/actions/summary",
    tag: "Actions",
    summary: "How far the follow-up actions are, by team",
    description: "The Actions summary page: of the actions the token's owner may see, by their owners' teams.",
    scope: "read",
    responses: { 200: { description: "The figures.", schema: ActionsSummaryRep }, ...readErrors },
    run: async ({ holder }) => ({ body: { teams: await completionFigures(holder.user) } }),
  }),
  operation({
    id: "getOverdueActions",
    method: "GET",
    path: "/actions/overdue",
    tag: "Actions",
    summary: "The overdue actions, by team and person",
    description: "The Overdue page: each team's count, its people most behind and their oldest overdue actions. The whole list is the action list with overdue=true.",
    scope: "read",
    responses: { 200: { description: "The overdue actions.", schema: OverdueRep }, ...readErrors },
    run: async ({ holder, origin }) => ({ body: await overdueJson(origin, holder.user) }),
  }),
  operation({
    id: "exportActions",
    method: "GET",
    path: "/actions/export",
    tag: "Exports",
    summary: "Download the actions as CSV",
    description: `The All actions page's CSV, with its filters: at most ${EXPORT_ROWS.toLocaleString("en")} rows, refused (422) when more match.`,
    scope: "read",
    query: z.object(actionFilterFields),
    responses: {
      200: { description: "The actions as CSV (`text/csv`), one row each.", type: "text/csv", headers: { "Content-Disposition": "The file name to save it under." } },
      422: { description: `More than ${EXPORT_ROWS.toLocaleString("en")} actions match: narrow the filters.`, schema: Problem },
      ...readErrors,
      400: errors[400],
    },
    run: async ({ holder, query }) => {
      const { text, fileName } = await actionsCsv(holder.user, actionFiltersOf(query));
      return { body: text, type: "text/csv", headers: download(fileName) };
    },
  }),
  operation({
    id: "exportIncident",
    method: "GET",
    path: "/incidents/{ref}/export",
    tag: "Exports",
    summary: "Download an incident as Markdown",
    description: "The incident page's Markdown file: its details, the why tree with remediations and actions, and the timeline.",
    scope: "read",
    params: z.object({ ref: refParam }),
    responses: { 200: { description: "The incident as Markdown (`text/markdown`).", type: "text/markdown", headers: { "Content-Disposition": "The file name to save it under." } }, ...readErrors },
    run: async ({ holder, params }) => {
      const { text, fileName } = await incidentExport(holder.user, params.ref);
      return { body: text, type: "text/markdown", headers: download(fileName) };
    },
  }),
];

import { z } from "zod";
import { addAndInvite, reinvite } from "~/models/account-links.server";
import { listLiveTokens, revokeApiToken } from "~/models/api-token.server";
import { addCategory, listCategoriesWithUse, mergeCategories, renameCategory } from "~/models/category.server";
import { getSentDigest, listPastDigests, previewNextDigest, sendDigestNow } from "~/models/digest.server";
import { NotFound } from "~/models/errors";
import { formatRepositoryServices } from "~/models/gate";
import { createPolicy, deletePolicy, listPolicies, repositoryServicesFor, setRepositoryServices, updatePolicy } from "~/models/gate.server";
import { SEVERITIES } from "~/models/incident";
import {
  categoryLabel,
  categoryMerge,
  duePolicyInput,
  gatePolicyChange,
  gatePolicyInput,
  gatePolicyPatch,
  gateRepositoriesInput,
  newPersonInput,
  personInput,
  personPatch,
  personRemoval,
  settingsInput,
  signInSettingsInput,
  signInSettingsPatch,
} from "~/models/inputs";
import { listOutbox, replayMessage, retryEmail, sendWaiting } from "~/models/outbox.server";
import { removalOf, removePerson } from "~/models/person-removal.server";
import { settingsFor, updateSettings } from "~/models/settings.server";
import { providerConfigured, setSignInSettings, signInSettingsFor } from "~/models/sign-in-policy.server";
import { env } from "../env.server";
import { isStorableDate } from "../time";
import { MAX_ID } from "~/models/inputs";
import { callbackUrl } from "../oidc.server";
import { getAccount, listAccounts, updateUser, type User } from "~/models/user.server";
import { cursorField, encodeCursor, etag, operation, type Operation } from "../api.server";
import {
  AccountPage,
  AccountRep,
  CategoryList,
  CategoryMergeRep,
  CategoryRep,
  DeliveryRound,
  DigestPreviewRep,
  DigestSending,
  GatePolicyList,
  GatePolicyRep,
  InvitedAccount,
  OutboxPage,
  PastDigestPage,
  Removal,
  RemovalDone,
  RepositoryServicesRep,
  SentDigestRep,
  SettingsRep,
  SignInSettingsRep,
  TokenPage,
  TokenRep,
  accountJson,
  categoryJson,
  digestLink,
  digestPreviewJson,
  gatePolicyJson,
  outboxJson,
  pastDigestJson,
  sentDigestJson,
  settingsJson,
  tokenJson,
} from "./admin-representations.server";
import { errors, idParam, merged, readErrors, versionedWriteErrors, withEtag, writeErrors } from "./common.server";

// Administration through the API: people, cause categories, settings, the digest, the deploy
// gate's policies, the outbox and everyone's tokens, on the same model functions as the admin
// pages. The models refuse anyone but an administrator (403); reading the digests sent is the
// administrators' too, as on the digest page, since it names the subscribers' addresses.

const ADMINS = " Administrators only.";
/** People, outbox messages and tokens listed in one page. */
const ADMIN_PAGE = 100;
/** Past digests listed in one page, as on the digest page. */
const DIGEST_PAGE = 20;

const readAdminErrors = { ...readErrors, 403: errors[403] };
const personPath = z.object({ userId: idParam("The person's id.") });
const categoryPath = z.object({ slug: z.string().min(1).max(60).meta({ description: "The category's slug, as GET /admin/categories gives it." }) });
const policyPath = z.object({ policyId: idParam("The policy's id.") });
const messagePath = z.object({ messageId: idParam("The outbox message's id.") });

function page<T>(items: T[], next: Record<string, number> | null) {
  return { items, nextCursor: next ? encodeCursor(next) : null };
}

/** A slice of a list the model gives whole (and bounded), from an offset cursor. */
function sliceOf<T>(all: T[], cursor: { offset: number } | undefined) {
  const offset = cursor?.offset ?? 0;
  const items = all.slice(offset, offset + ADMIN_PAGE);
  return { items, next: offset + ADMIN_PAGE < all.length ? { offset: offset + ADMIN_PAGE } : null };
}

// --- People --------------------------------------------------------------------------------------

const people: Operation[] = [
  operation({
    id: "listAccounts",
    method: "GET",
    path: "/admin/people",
    tag: "Administration",
    summary: "List everyone with an account, with email, role and whether they chose a password",
    description: `By id, ${ADMIN_PAGE} a page.${ADMINS}`,
    scope: "read",
    query: z.object({ cursor: cursorField(["after"]) }),
    responses: { 200: { description: "A page of people.", schema: AccountPage }, ...readAdminErrors, 400: errors[400] },
    run: async ({ holder, query, origin }) => {
      const found = await listAccounts(holder.user, { afterId: query.cursor?.after ?? 0, limit: ADMIN_PAGE + 1 });
      const shown = found.slice(0, ADMIN_PAGE);
      return { body: page(shown.map((a) => accountJson(origin, a)), found.length > ADMIN_PAGE ? { after: shown[shown.length - 1].id } : null) };
    },
  }),
  operation({
    id: "addAccount",
    method: "POST",
    path: "/admin/people",
    tag: "Administration",
    summary: "Add a person and invite them by email",
    description: `The invitation is emailed; its set-password link is not in the answer.${ADMINS}`,
    scope: "write",
    body: newPersonInput,
    responses: { 201: { description: "Added and invited.", schema: InvitedAccount, headers: { Location: "The person's address." } }, ...writeErrors },
    run: async ({ holder, body, origin }) => {
      const { user, via } = await addAndInvite(holder.user, body);
      const person = accountJson(origin, await getAccount(holder.user, user.id));
      return { status: 201, body: { person, invitation: { via, emailedTo: user.email } }, headers: { Location: person.links.self } };
    },
  }),
  operation({
    id: "getAccount",
    method: "GET",
    path: "/admin/people/{userId}",
    tag: "Administration",
    summary: "Read a person's account",
    description: ADMINS.trim(),
    scope: "read",
    params: personPath,
    responses: { 200: { description: "The person.", schema: AccountRep }, ...readAdminErrors },
    run: async ({ holder, params, origin }) => ({ body: accountJson(origin, await getAccount(holder.user, params.userId)) }),
  }),
  operation({
    id: "updateAccount",
    method: "PATCH",
    path: "/admin/people/{userId}",
    tag: "Administration",
    summary: "Change a person's name, team or role",
    description: `Send only the fields to change. Nobody takes away their own admin role.${ADMINS}`,
    scope: "write",
    params: personPath,
    body: personPatch,
    responses: { 200: { description: "Changed.", schema: AccountRep }, ...writeErrors },
    run: async ({ holder, params, body, origin }) => {
      const { name, team, role } = await getAccount(holder.user, params.userId);
      const fields = merged(personInput, { name, team, role, ...body });
      await updateUser(holder.user, params.userId, fields);
      return { body: accountJson(origin, await getAccount(holder.user, params.userId)) };
    },
  }),
  operation({
    id: "inviteAgain",
    method: "POST",
    path: "/admin/people/{userId}/invitations",
    tag: "Administration",
    summary: "Invite a person again by email",
    description: `A new link replaces their unused one. As for the first invitation, the link is only in the email.${ADMINS}`,
    scope: "write",
    params: personPath,
    responses: { 201: { description: "Invited.", schema: InvitedAccount }, ...writeErrors },
    run: async ({ holder, params, origin }) => {
      const { user, via } = await reinvite(holder.user, params.userId);
      return { status: 201, body: { person: accountJson(origin, await getAccount(holder.user, user.id)), invitation: { via, emailedTo: user.email } } };
    },
  }),
  operation({
    id: "getRemoval",
    method: "GET",
    path: "/admin/people/{userId}/removal",
    tag: "Administration",
    summary: "See what removing a person would leave: their unfinished actions",
    description: ADMINS.trim(),
    scope: "read",
    params: personPath,
    responses: { 200: { description: "Their unfinished actions.", schema: Removal }, ...readAdminErrors },
    run: async ({ holder, params }) => {
      const { person, openActions, openCount } = await removalOf(holder.user, params.userId);
      return {
        body: {
          person: { id: person.id, name: person.name, email: person.email },
          openCount,
          openActions: openActions.map((a) => ({ id: a.id, title: a.title, incident: a.incidentReference, status: a.status, priority: a.priority, dueDate: a.dueDate, overdue: a.overdue })),
        },
      };
    },
  }),
  operation({
    id: "removeAccount",
    method: "POST",
    path: "/admin/people/{userId}/removal",
    tag: "Administration",
    summary: "Remove a person, handing their unfinished actions to someone else",
    description:
      "They are signed out everywhere and can no longer sign in; their tokens and links stop working. `handTo` names who takes their unfinished actions (each handover is in the incident's history), or null to keep them as theirs, marked removed. Nobody removes themselves." +
      ADMINS,
    scope: "write",
    params: personPath,
    body: personRemoval,
    responses: { 200: { description: "Removed.", schema: RemovalDone }, ...writeErrors },
    run: async ({ holder, params, body }) => ({ body: await removePerson(holder.user, params.userId, body.handTo) }),
  }),
];

// --- Cause categories ----------------------------------------------------------------------------

async function categoryOf(actor: User, slug: string) {
  const found = (await listCategoriesWithUse(actor)).find((c) => c.slug === slug);
  if (!found) throw new NotFound("category", "That category no longer exists.");
  return categoryJson(found);
}

const categories: Operation[] = [
  operation({
    id: "listCategories",
    method: "GET",
    path: "/admin/categories",
    tag: "Administration",
    summary: "List the cause categories, with how many whys each files",
    description: `At most 100, in one page.${ADMINS}`,
    scope: "read",
    responses: { 200: { description: "The categories.", schema: CategoryList }, ...readAdminErrors },
    run: async ({ holder }) => ({ body: page((await listCategoriesWithUse(holder.user)).map(categoryJson), null) }),
  }),
  operation({
    id: "addCategory",
    method: "POST",
    path: "/admin/categories",
    tag: "Administration",
    summary: "Add a cause category",
    description: ADMINS.trim(),
    scope: "write",
    body: categoryLabel,
    responses: { 201: { description: "Added.", schema: CategoryRep }, ...writeErrors },
    run: async ({ holder, body }) => {
      const category = await addCategory(holder.user, body.label);
      return { status: 201, body: await categoryOf(holder.user, category.slug) };
    },
  }),
  operation({
    id: "renameCategory",
    method: "PATCH",
    path: "/admin/categories/{slug}",
    tag: "Administration",
    summary: "Rename a cause category",
    description: `The new name shows everywhere, published analyses included; no why changes.${ADMINS}`,
    scope: "write",
    params: categoryPath,
    body: categoryLabel,
    responses: { 200: { description: "Renamed.", schema: CategoryRep }, ...writeErrors },
    run: async ({ holder, params, body }) => {
      await renameCategory(holder.user, params.slug, body.label);
      return { body: await categoryOf(holder.user, params.slug) };
    },
  }),
  operation({
    id: "mergeCategory",
    method: "POST",
    path: "/admin/categories/{slug}/merges",
    tag: "Administration",
    summary: "Merge a cause category into another",
    description: `Every why of it is filed under \`into\`, recorded in each incident's history, and the category goes.${ADMINS}`,
    scope: "write",
    params: categoryPath,
    body: categoryMerge,
    responses: { 200: { description: "Merged.", schema: CategoryMergeRep }, ...writeErrors },
    run: async ({ holder, params, body }) => {
      const moved = await mergeCategories(holder.user, params.slug, body.into);
      return { body: { moved, into: await categoryOf(holder.user, body.into) } };
    },
  }),
];

// --- Settings ------------------------------------------------------------------------------------

const duePolicyPatch = z.object(Object.fromEntries(SEVERITIES.map((s) => [s, duePolicyInput.shape[s].partial().optional()])) as {
  [S in keyof typeof duePolicyInput.shape]: z.ZodOptional<ReturnType<(typeof duePolicyInput.shape)[S]["partial"]>>;
});
const settingsPatch = settingsInput.partial().extend({ duePolicy: duePolicyPatch.optional().meta({ description: "Only the days to change, by severity and priority." }) });

/** The sign-in settings as the API shows them: the stored ones and what the environment sets. */
async function signInJson(admin: User, membersSignedOut?: number) {
  const stored = await signInSettingsFor(admin);
  const { OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_SCOPES, OIDC_GROUPS_CLAIM } = env();
  return {
    ...stored,
    provider: { configured: providerConfigured(), issuer: OIDC_ISSUER ?? null, clientId: OIDC_CLIENT_ID ?? null, scopes: OIDC_SCOPES, groupsClaim: OIDC_GROUPS_CLAIM, redirectUrl: callbackUrl() },
    ...(membersSignedOut === undefined ? {} : { membersSignedOut }),
  };
}

const signIn: Operation[] = [
  operation({
    id: "getSignInSettings",
    method: "GET",
    path: "/admin/sign-in",
    tag: "Administration",
    summary: "Read the sign-in settings: the identity provider, allowed domains, admin groups, who may use a password",
    description: ADMINS.trim(),
    scope: "read",
    responses: { 200: { description: "The sign-in settings.", schema: SignInSettingsRep }, ...readAdminErrors },
    run: async ({ holder }) => ({ body: await signInJson(holder.user) }),
  }),
  operation({
    id: "updateSignInSettings",
    method: "PATCH",
    path: "/admin/sign-in",
    tag: "Administration",
    summary: "Change some sign-in settings",
    description: `Send only the settings to change. Turning passwords off for members (\`passwordSignIn\`: \`admins\`) needs the identity provider configured, and ends the sessions members began with a password.${ADMINS}`,
    scope: "write",
    body: signInSettingsPatch,
    responses: { 200: { description: "Saved.", schema: SignInSettingsRep }, ...writeErrors },
    run: async ({ holder, body }) => {
      const stored = await signInSettingsFor(holder.user);
      const ended = await setSignInSettings(holder.user, merged(signInSettingsInput, stored, body));
      return { body: await signInJson(holder.user, ended) };
    },
  }),
];

const settings: Operation[] = [
  operation({
    id: "getSettings",
    method: "GET",
    path: "/admin/settings",
    tag: "Administration",
    summary: "Read the settings: due dates, reminders, the weekly digest",
    description: `With what only the environment sets, read-only.${ADMINS}`,
    scope: "read",
    responses: { 200: { description: "The settings.", schema: SettingsRep }, ...readAdminErrors },
    run: async ({ holder }) => {
      const { settings, environment } = await settingsFor(holder.user);
      return { body: settingsJson(settings, environment) };
    },
  }),
  operation({
    id: "updateSettings",
    method: "PATCH",
    path: "/admin/settings",
    tag: "Administration",
    summary: "Change some settings",
    description: `Send only the settings to change (in \`duePolicy\`, only the days to change); the rest stay. Settings carry no version: as on the Settings page, the last save wins. What the environment sets cannot be changed here.${ADMINS}`,
    scope: "write",
    body: settingsPatch,
    responses: { 200: { description: "Changed.", schema: SettingsRep }, ...writeErrors },
    run: async ({ holder, body }) => {
      const { settings: stored } = await settingsFor(holder.user);
      const { duePolicy, ...rest } = body;
      const { reminderHour, timeZone, digestTo, digestWhenEmpty, digestDay, digestHour } = stored;
      const policy = Object.fromEntries(SEVERITIES.map((s) => [s, { ...stored.duePolicy[s], ...duePolicy?.[s] }]));
      const fields = merged(settingsInput, { duePolicy: policy, reminderHour, timeZone, digestTo, digestWhenEmpty, digestDay, digestHour, ...rest });
      await updateSettings(holder.user, fields);
      const now = await settingsFor(holder.user);
      return { body: settingsJson(now.settings, now.environment) };
    },
  }),
];

// --- The digest ----------------------------------------------------------------------------------

const digestSend = z.object({
  span: z
    .object({ seq: z.number().int().positive().max(MAX_ID), throughPublicationId: z.number().int().min(0).max(MAX_ID), endAt: z.iso.datetime().refine(isStorableDate) })
    .optional()
    .meta({ description: "The span a preview gave: that digest is sent, or nothing if it was sent meanwhile. Left out: whatever is next now." }),
});

const digests: Operation[] = [
  operation({
    id: "previewDigest",
    method: "GET",
    path: "/digests/next",
    tag: "Digest",
    summary: "Preview the next digest: what it covers, who gets it, its email",
    description: ADMINS.trim(),
    scope: "read",
    responses: { 200: { description: "The next digest, if it were sent now.", schema: DigestPreviewRep }, ...readAdminErrors },
    run: async ({ holder }) => ({ body: digestPreviewJson(await previewNextDigest(holder.user)) }),
  }),
  operation({
    id: "sendDigest",
    method: "POST",
    path: "/digests",
    tag: "Digest",
    summary: "Send the next digest now",
    description: `A digest is sent exactly once: \`outcome\` says whether it went now. Send \`{}\` for whatever is next, or the preview's span for exactly that digest.${ADMINS}`,
    scope: "write",
    body: digestSend,
    responses: {
      201: { description: "Sent (outcome queued).", schema: DigestSending, headers: { Location: "The digest sent." } },
      200: { description: "Not sent: `outcome` says why.", schema: DigestSending },
      ...writeErrors,
    },
    run: async ({ holder, body, origin }) => {
      const expected = body.span ? { ...body.span, endAt: new Date(body.span.endAt).toISOString() } : undefined;
      const result = await sendDigestNow(holder.user, expected);
      const sent = result.outcome === "queued" || result.outcome === "already-sent";
      const answer = { ...result, links: { digest: sent ? digestLink(origin, result.seq) : null } };
      return result.outcome === "queued" ? { status: 201, body: answer, headers: { Location: digestLink(origin, result.seq) } } : { body: answer };
    },
  }),
  operation({
    id: "listDigests",
    method: "GET",
    path: "/digests",
    tag: "Digest",
    summary: "List the digests sent, newest first",
    description: `${DIGEST_PAGE} a page.${ADMINS}`,
    scope: "read",
    query: z.object({ cursor: cursorField(["before"]) }),
    responses: { 200: { description: "A page of digests.", schema: PastDigestPage }, ...readAdminErrors, 400: errors[400] },
    run: async ({ holder, query, origin }) => {
      const found = await listPastDigests(holder.user, { limit: DIGEST_PAGE + 1, beforeSeq: query.cursor?.before });
      const shown = found.slice(0, DIGEST_PAGE);
      return { body: page(shown.map((d) => pastDigestJson(origin, d)), found.length > DIGEST_PAGE ? { before: shown[shown.length - 1].seq } : null) };
    },
  }),
  operation({
    id: "getDigest",
    method: "GET",
    path: "/digests/{seq}",
    tag: "Digest",
    summary: "Read a digest sent: what it covered, who got it, the list's email",
    description: ADMINS.trim(),
    scope: "read",
    params: z.object({ seq: idParam("The digest's number.") }),
    responses: { 200: { description: "The digest.", schema: SentDigestRep }, ...readAdminErrors },
    run: async ({ holder, params, origin }) => {
      const digest = await getSentDigest(holder.user, params.seq);
      if (!digest) throw new NotFound("digest");
      return { body: sentDigestJson(origin, digest) };
    },
  }),
];

// --- The deploy gate's policies and repositories ---------------------------------------------------

async function policyOf(actor: User, policyId: number) {
  const found = (await listPolicies(actor)).find((p) => p.id === policyId);
  if (!found) throw new NotFound("gate policy", "That policy no longer exists.");
  return found;
}

const gate: Operation[] = [
  operation({
    id: "listGatePolicies",
    method: "GET",
    path: "/admin/deploy-gate/policies",
    tag: "Deploy gate",
    summary: "List the deploy gate's policies",
    description: `The one for all services first, then by service; at most 200, in one page.${ADMINS}`,
    scope: "read",
    responses: { 200: { description: "The policies.", schema: GatePolicyList }, ...readAdminErrors },
    run: async ({ holder, origin }) => ({ body: page((await listPolicies(holder.user)).map((p) => gatePolicyJson(origin, p)), null) }),
  }),
  operation({
    id: "createGatePolicy",
    method: "POST",
    path: "/admin/deploy-gate/policies",
    tag: "Deploy gate",
    summary: "Add a policy, for one service or (service null) for all",
    description: ADMINS.trim(),
    scope: "write",
    body: gatePolicyInput,
    responses: { 201: { description: "Added.", schema: GatePolicyRep, headers: { Location: "The policy's address.", ...withEtag } }, ...writeErrors },
    run: async ({ holder, body, origin }) => {
      const json = gatePolicyJson(origin, await createPolicy(holder.user, body));
      return { status: 201, body: json, headers: { Location: json.links.self, ETag: etag(json.version) } };
    },
  }),
  operation({
    id: "getGatePolicy",
    method: "GET",
    path: "/admin/deploy-gate/policies/{policyId}",
    tag: "Deploy gate",
    summary: "Read a policy",
    description: ADMINS.trim(),
    scope: "read",
    params: policyPath,
    responses: { 200: { description: "The policy.", schema: GatePolicyRep, headers: withEtag }, ...readAdminErrors },
    run: async ({ holder, params, origin }) => {
      const policy = await policyOf(holder.user, params.policyId);
      return { body: gatePolicyJson(origin, policy), headers: { ETag: etag(policy.version) } };
    },
  }),
  operation({
    id: "updateGatePolicy",
    method: "PATCH",
    path: "/admin/deploy-gate/policies/{policyId}",
    tag: "Deploy gate",
    summary: "Change a policy's rules",
    description: `Send only the rules to change; its service stays. If-Match names the version read.${ADMINS}`,
    scope: "write",
    params: policyPath,
    body: gatePolicyPatch,
    ifMatch: "required",
    responses: { 200: { description: "Changed.", schema: GatePolicyRep, headers: withEtag }, ...versionedWriteErrors },
    run: async ({ holder, params, body, version, origin }) => {
      const { minSeverity, analysisHours, holdOnOverdueP1 } = await policyOf(holder.user, params.policyId);
      const { policyId, version: base, ...rules } = merged(gatePolicyChange, { minSeverity, analysisHours, holdOnOverdueP1, ...body, policyId: params.policyId, version });
      const policy = await updatePolicy(holder.user, policyId, base, rules);
      return { body: gatePolicyJson(origin, policy), headers: { ETag: etag(policy.version) } };
    },
    current: async ({ holder, params, origin }) => gatePolicyJson(origin, await policyOf(holder.user, params.policyId)),
  }),
  operation({
    id: "deleteGatePolicy",
    method: "DELETE",
    path: "/admin/deploy-gate/policies/{policyId}",
    tag: "Deploy gate",
    summary: "Delete a policy",
    description: ADMINS.trim(),
    scope: "write",
    params: policyPath,
    responses: { 204: { description: "Deleted." }, ...writeErrors },
    run: async ({ holder, params }) => {
      await deletePolicy(holder.user, params.policyId);
      return { status: 204 };
    },
  }),
  operation({
    id: "getGateRepositories",
    method: "GET",
    path: "/admin/deploy-gate/repositories",
    tag: "Deploy gate",
    summary: "Read which service each repository deploys",
    description: `Repositories not listed deploy the service of their own name.${ADMINS}`,
    scope: "read",
    responses: { 200: { description: "The mapping.", schema: RepositoryServicesRep }, ...readAdminErrors },
    run: async ({ holder }) => {
      const mapping = await repositoryServicesFor(holder.user);
      return { body: { repositories: formatRepositoryServices(mapping), mapping } };
    },
  }),
  operation({
    id: "setGateRepositories",
    method: "PUT",
    path: "/admin/deploy-gate/repositories",
    tag: "Deploy gate",
    summary: "Replace which service each repository deploys",
    description: `One “owner/repository = service” a line, as on the Deploy gate page; a line that cannot be read is refused, naming it.${ADMINS}`,
    scope: "write",
    body: gateRepositoriesInput,
    responses: { 200: { description: "Saved.", schema: RepositoryServicesRep }, ...writeErrors },
    run: async ({ holder, body }) => {
      const mapping = await setRepositoryServices(holder.user, body.repositories);
      return { body: { repositories: formatRepositoryServices(mapping), mapping } };
    },
  }),
];

// --- The outbox ----------------------------------------------------------------------------------

const outbox: Operation[] = [
  operation({
    id: "listOutbox",
    method: "GET",
    path: "/admin/outbox",
    tag: "Administration",
    summary: "List the outbox: emails and webhook deliveries, unsent first",
    description: `The 200 newest, as on the Outbox page, ${ADMIN_PAGE} a page. Emails are listed without their content.${ADMINS}`,
    scope: "read",
    query: z.object({ cursor: cursorField(["offset"]) }),
    responses: { 200: { description: "A page of messages.", schema: OutboxPage }, ...readAdminErrors, 400: errors[400] },
    run: async ({ holder, query }) => {
      const { items, next } = sliceOf(await listOutbox(holder.user), query.cursor);
      return { body: page(items.map(outboxJson), next) };
    },
  }),
  operation({
    id: "sendOutbox",
    method: "POST",
    path: "/admin/outbox/deliveries",
    tag: "Administration",
    summary: "Send what waits in the outbox now",
    description: ADMINS.trim(),
    scope: "write",
    responses: { 200: { description: "What was sent and what failed.", schema: DeliveryRound }, ...writeErrors },
    run: async ({ holder }) => ({ body: await sendWaiting(holder.user) }),
  }),
  operation({
    id: "retryEmail",
    method: "POST",
    path: "/admin/outbox/{messageId}/retries",
    tag: "Administration",
    summary: "Try a failed email again, now",
    description: ADMINS.trim(),
    scope: "write",
    params: messagePath,
    responses: { 200: { description: "What was sent and what failed.", schema: DeliveryRound }, ...writeErrors },
    run: async ({ holder, params }) => ({ body: await retryEmail(holder.user, params.messageId) }),
  }),
  operation({
    id: "replayMessage",
    method: "POST",
    path: "/admin/outbox/{messageId}/replays",
    tag: "Administration",
    summary: "Send a webhook delivery (with the same webhook-id) or an answer to GitHub again",
    description: ADMINS.trim(),
    scope: "write",
    params: messagePath,
    responses: { 202: { description: "Queued to be sent again." }, ...writeErrors },
    run: async ({ holder, params }) => {
      await replayMessage(holder.user, params.messageId);
      return { status: 202 };
    },
  }),
];

// --- Everyone's API tokens -------------------------------------------------------------------------

const tokens: Operation[] = [
  operation({
    id: "listAllTokens",
    method: "GET",
    path: "/admin/tokens",
    tag: "Administration",
    summary: "List every token that still works, everyone's",
    description: `Newest first, ${ADMIN_PAGE} a page, up to the 1,000 newest.${ADMINS}`,
    scope: "read",
    query: z.object({ cursor: cursorField(["offset"]) }),
    responses: { 200: { description: "A page of tokens.", schema: TokenPage }, ...readAdminErrors, 400: errors[400] },
    run: async ({ holder, query }) => {
      const { items, next } = sliceOf(await listLiveTokens(holder.user), query.cursor);
      return { body: page(items.map(tokenJson), next) };
    },
  }),
  operation({
    id: "revokeToken",
    method: "DELETE",
    path: "/admin/tokens/{tokenId}",
    tag: "Administration",
    summary: "Revoke anyone's token",
    description: "It stops working at once. An administrator may revoke any token; others, only their own (another person's is not found).",
    scope: "write",
    params: z.object({ tokenId: idParam("The token's id.") }),
    responses: { 200: { description: "Revoked.", schema: TokenRep }, ...writeErrors },
    run: async ({ holder, params }) => ({ body: tokenJson(await revokeApiToken(holder.user, params.tokenId)) }),
  }),
];

// Tokens last: revoking one can end the token a caller goes on with.
export const ADMINISTRATION: Operation[] = [...people, ...categories, ...settings, ...signIn, ...digests, ...gate, ...outbox, ...tokens];

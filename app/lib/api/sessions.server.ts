import { z } from "zod";
import { getAction } from "~/models/action.server";
import { getIncident } from "~/models/incident.server";
import { acceptance, draftInput, draftWithdrawal, phaseMove, readiness, remediationClaim, roundOpening, sessionPerson, sessionStart, summaryInput, timerSetting } from "~/models/inputs";
import { SESSION_LIMITS } from "~/models/live-session";
import {
  accept,
  claimRemediation,
  closeRound,
  endSession,
  handFacilitation,
  joinSession,
  makeParticipant,
  openRound,
  reveal,
  saveDraft,
  sendForReview,
  setPhase,
  setReady,
  startSession,
  startTimer,
  stopTimer,
  viewSession,
  vote,
  withdrawDraft,
  writeSummary,
} from "~/models/live-session.server";
import type { User } from "~/models/user.server";
import { sessionPace } from "../guards.server";
import { API_BASE, ApiProblem, etag, operation, type Operation } from "../api.server";
import { errors, idParam, readErrors, refParam, versionedWriteErrors, withEtag, writeErrors } from "./common.server";
import { ActionRep, IncidentRep, actionJson, incidentJson } from "./representations.server";
import {
  AcceptedWhys,
  SessionDraft,
  SessionRound,
  SessionState,
  SessionSummary,
  draftJson,
  matchesEtag,
  roundJson,
  sessionEtag,
  sessionLinks,
  sessionStateJson,
  summaryJson,
} from "./session-representations.server";

// The live 5 Whys meeting through the API: every step of the session page, on the same model
// functions, as the token's owner. Drafts are capabilities (ADR 0025): saving one answers with its
// token, which the caller sends back to rewrite or withdraw it and, in the Draft-Tokens header
// (never the address, which proxies log), to read it before the reveal. There is no event stream
// here: a script polls the session with If-None-Match (ADR 0028).

const TAG = "Live sessions";
const sessionPath = z.object({ ref: refParam });
const roundPath = z.object({ ref: refParam, roundId: idParam("The round's id.") });
const votePath = z.object({ ref: refParam, roundId: idParam("The round's id."), candidateId: idParam("Any candidate of the group voted for.") });

const done = { status: 204 };
const noContent = (description: string) => ({ 204: { description }, ...writeErrors });

/** The session page's pace, counted with the page's: one person's changes to sessions, wherever they come from. */
async function keepPace(user: User) {
  const pace = sessionPace();
  if (await pace.take(user.id)) return;
  const wait = await pace.retryAfter(user.id);
  throw new ApiProblem(429, "Too many changes", `Too many changes to live sessions at once: wait ${wait} seconds and try again.`, {}, { "Retry-After": String(wait) });
}

const draftTokens = z
  .string()
  .max(SESSION_LIMITS.tokensPerBrowser * 101)
  .transform((value) =>
    value
      .split(",")
      .map((token) => token.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, "A draft token is the `token` a saved draft was answered with."))
      .max(SESSION_LIMITS.tokensPerBrowser, `Send at most ${SESSION_LIMITS.tokensPerBrowser} draft tokens.`),
  )
  .optional()
  .meta({ description: `The tokens of the caller's drafts, comma-separated (at most ${SESSION_LIMITS.tokensPerBrowser}): while a round is being written, those drafts are shown in yourDrafts.` });

/** A session started through the API is anonymous unless asked otherwise, as the page's box is ticked. */
const apiSessionStart = z.object({ anonymous: sessionStart.shape.anonymous.unwrap().default(true).meta({ description: "Keep no author with the candidates (the default)." }) });

async function stateOf(user: User, ref: number, tokens: readonly string[], origin: string) {
  const incident = await getIncident(user, ref);
  return sessionStateJson(origin, user, incident, await viewSession(user, incident, tokens));
}

export const SESSIONS: Operation[] = [
  operation({
    id: "getLiveSession",
    method: "GET",
    path: "/incidents/{ref}/session",
    tag: TAG,
    summary: "Read the live session as its participants see it",
    description:
      "The phase, the timer, who is here and ready, the round in progress and its votes, the summary. Before the reveal a round shows only how many drafts there are, and the caller's own (their tokens in Draft-Tokens). Poll it with If-None-Match: an unchanged session answers 304 without a body.",
    scope: "read",
    params: sessionPath,
    headers: z.object({
      "Draft-Tokens": draftTokens,
      "If-None-Match": z.string().max(1000).optional().meta({ description: "The ETag of the last read: 304 while nothing it shows has changed." }),
    }),
    responses: {
      200: { description: "The session, or whether one may be started.", schema: SessionState, headers: { ETag: "What this read shows, for If-None-Match." } },
      304: { description: "Nothing has changed since the read whose ETag was sent.", headers: { ETag: "The same ETag." } },
      ...readErrors,
      400: errors[400],
    },
    run: async ({ holder, params, headers, origin }) => {
      const body = await stateOf(holder.user, params.ref, headers["Draft-Tokens"] ?? [], origin);
      const tag = sessionEtag(body);
      if (matchesEtag(headers["If-None-Match"], tag)) return { status: 304, headers: { ETag: tag } };
      return { body, headers: { ETag: tag } };
    },
  }),
  operation({
    id: "startLiveSession",
    method: "POST",
    path: "/incidents/{ref}/session",
    tag: TAG,
    summary: "Start a live session",
    description: "The incident's facilitator or an admin, while the incident is in analysis; one session at a time.",
    scope: "write",
    params: sessionPath,
    body: apiSessionStart,
    responses: { 201: { description: "Started; the starter facilitates it.", schema: SessionState, headers: { Location: "The session's address." } }, ...writeErrors },
    run: async ({ holder, params, body, origin }) => {
      await keepPace(holder.user);
      await startSession(holder.user, params.ref, body);
      const state = await stateOf(holder.user, params.ref, [], origin);
      return { status: 201, body: state, headers: { Location: state.links.self } };
    },
  }),
  operation({
    id: "endLiveSession",
    method: "DELETE",
    path: "/incidents/{ref}/session",
    tag: TAG,
    summary: "End the live session",
    description: "Whoever drives it. What it added stays in the analysis; its history says what that was. Drafts never revealed are deleted.",
    scope: "write",
    params: sessionPath,
    responses: noContent("Ended."),
    run: async ({ holder, params }) => {
      await keepPace(holder.user);
      await endSession(holder.user, params.ref);
      return done;
    },
  }),
  operation({
    id: "joinLiveSession",
    method: "POST",
    path: "/incidents/{ref}/session/members",
    tag: TAG,
    summary: "Join the live session",
    description: "Anyone who may see the incident: a member from then on, contributing if they may change the analysis, watching otherwise.",
    scope: "write",
    params: sessionPath,
    responses: noContent("Joined (or already a member)."),
    run: async ({ holder, params }) => {
      await keepPace(holder.user);
      await joinSession(holder.user, params.ref);
      return done;
    },
  }),
  operation({
    id: "setSessionReadiness",
    method: "PUT",
    path: "/incidents/{ref}/session/readiness",
    tag: TAG,
    summary: "Say you are ready for the step the meeting is at, or no longer are",
    scope: "write",
    params: sessionPath,
    body: readiness,
    responses: noContent("Said."),
    run: async ({ holder, params, body }) => {
      await keepPace(holder.user);
      await setReady(holder.user, params.ref, body.ready);
      return done;
    },
  }),
  operation({
    id: "makeSessionParticipant",
    method: "POST",
    path: "/incidents/{ref}/session/participants",
    tag: TAG,
    summary: "Make someone watching the session a participant of the incident",
    description: "Whoever drives the session; the person must have joined it.",
    scope: "write",
    params: sessionPath,
    body: sessionPerson,
    responses: noContent("They take part, and may contribute."),
    run: async ({ holder, params, body }) => {
      await keepPace(holder.user);
      await makeParticipant(holder.user, params.ref, body.userId);
      return done;
    },
  }),
  operation({
    id: "handSessionFacilitation",
    method: "PUT",
    path: "/incidents/{ref}/session/facilitator",
    tag: TAG,
    summary: "Hand the facilitation of the session to someone else",
    description: "To someone who may contribute; the incident's own facilitator is unchanged and can take it back.",
    scope: "write",
    params: sessionPath,
    body: sessionPerson,
    responses: noContent("Handed."),
    run: async ({ holder, params, body }) => {
      await keepPace(holder.user);
      await handFacilitation(holder.user, params.ref, body.userId);
      return done;
    },
  }),
  operation({
    id: "setSessionPhase",
    method: "PUT",
    path: "/incidents/{ref}/session/phase",
    tag: TAG,
    summary: "Move the meeting to a phase",
    description: "Forwards or back; nothing is lost either way. It stops the timer.",
    scope: "write",
    params: sessionPath,
    body: phaseMove,
    responses: noContent("Moved."),
    run: async ({ holder, params, body }) => {
      await keepPace(holder.user);
      await setPhase(holder.user, params.ref, body.phase);
      return done;
    },
  }),
  operation({
    id: "startSessionTimer",
    method: "PUT",
    path: "/incidents/{ref}/session/timer",
    tag: TAG,
    summary: "Start the countdown, or add time to it",
    description: `From 1 to ${SESSION_LIMITS.timerMinutes} minutes; \`add\` adds to a running one. It never moves the meeting on.`,
    scope: "write",
    params: sessionPath,
    body: timerSetting,
    responses: noContent("Counting down."),
    run: async ({ holder, params, body }) => {
      await keepPace(holder.user);
      await startTimer(holder.user, params.ref, body.minutes, body.mode);
      return done;
    },
  }),
  operation({
    id: "stopSessionTimer",
    method: "DELETE",
    path: "/incidents/{ref}/session/timer",
    tag: TAG,
    summary: "Stop the countdown",
    scope: "write",
    params: sessionPath,
    responses: noContent("Stopped."),
    run: async ({ holder, params }) => {
      await keepPace(holder.user);
      await stopTimer(holder.user, params.ref);
      return done;
    },
  }),
  operation({
    id: "openSessionRound",
    method: "POST",
    path: "/incidents/{ref}/session/rounds",
    tag: TAG,
    summary: "Ask the room a question",
    description:
      "A why round asks why of an answer (`whyId`, or null for the incident itself); a remediation round asks what would stop a why's cause. The round in progress closes, its candidates kept.",
    scope: "write",
    params: sessionPath,
    body: roundOpening,
    responses: { 201: { description: "Asked: the room writes its drafts.", schema: SessionRound, headers: { Location: "The session's address." } }, ...writeErrors },
    run: async ({ holder, params, body, origin }) => {
      await keepPace(holder.user);
      const round = await openRound(holder.user, params.ref, body.kind, body.whyId, body.question);
      const incident = await getIncident(holder.user, params.ref);
      const json = roundJson({ ...round, drafts: 0, candidates: [], votes: {}, myVotes: [] }, [], false);
      return { status: 201, body: json, headers: { Location: sessionLinks(origin, incident.reference).self } };
    },
  }),
  operation({
    id: "saveSessionDraft",
    method: "POST",
    path: "/incidents/{ref}/session/rounds/{roundId}/drafts",
    tag: TAG,
    summary: "Write a candidate privately, or rewrite one",
    description:
      "Before the reveal. Without `token` a new draft is written and its token is in the answer: keep it, it is the only way back to the draft (the server keeps its hash). With `token` the draft it stands for is rewritten, whoever wrote it. In an anonymous session no author is stored.",
    scope: "write",
    params: roundPath,
    body: draftInput.omit({ roundId: true }),
    responses: {
      201: { description: "Written: its token is in the answer.", schema: SessionDraft },
      200: { description: "Rewritten.", schema: SessionDraft },
      ...writeErrors,
    },
    run: async ({ holder, params, body }) => {
      await keepPace(holder.user);
      const saved = await saveDraft(holder.user, params.ref, params.roundId, body.body, body.token || null);
      return { status: body.token ? 200 : 201, body: draftJson({ ...saved, roundId: params.roundId }) };
    },
  }),
  operation({
    id: "withdrawSessionDraft",
    method: "POST",
    path: "/incidents/{ref}/session/rounds/{roundId}/drafts/withdrawals",
    tag: TAG,
    summary: "Withdraw a draft before the reveal",
    description: "The draft the token stands for; a token that stands for none changes nothing.",
    scope: "write",
    params: roundPath,
    body: draftWithdrawal.omit({ roundId: true }),
    responses: noContent("Withdrawn."),
    run: async ({ holder, params, body }) => {
      await keepPace(holder.user);
      await withdrawDraft(holder.user, params.ref, params.roundId, body.token);
      return done;
    },
  }),
  operation({
    id: "moveSessionRound",
    method: "POST",
    path: "/incidents/{ref}/session/rounds/{roundId}/transitions",
    tag: TAG,
    summary: "Reveal a round's candidates, or close it",
    description: "`revealed` shows every candidate to everyone at once and opens the votes; `closed` ends the round without accepting anything. Whoever drives the session.",
    scope: "write",
    params: roundPath,
    body: z.object({ to: z.enum(["revealed", "closed"], { error: "Choose revealed or closed." }) }),
    responses: noContent("Moved."),
    run: async ({ holder, params, body }) => {
      await keepPace(holder.user);
      if (body.to === "revealed") await reveal(holder.user, params.ref, params.roundId);
      else await closeRound(holder.user, params.ref, params.roundId);
      return done;
    },
  }),
  operation({
    id: "voteInSession",
    method: "PUT",
    path: "/incidents/{ref}/session/rounds/{roundId}/votes/{candidateId}",
    tag: TAG,
    summary: "Vote for a candidate's group",
    description: `After the reveal; ${SESSION_LIMITS.votesPerPerson} votes each per round. Voting again for the same group changes nothing.`,
    scope: "write",
    params: votePath,
    responses: noContent("Voted."),
    run: async ({ holder, params }) => {
      await keepPace(holder.user);
      await vote(holder.user, params.ref, params.roundId, params.candidateId, true);
      return done;
    },
  }),
  operation({
    id: "withdrawSessionVote",
    method: "DELETE",
    path: "/incidents/{ref}/session/rounds/{roundId}/votes/{candidateId}",
    tag: TAG,
    summary: "Take back a vote",
    scope: "write",
    params: votePath,
    responses: noContent("Taken back (or there was none)."),
    run: async ({ holder, params }) => {
      await keepPace(holder.user);
      await vote(holder.user, params.ref, params.roundId, params.candidateId, false);
      return done;
    },
  }),
  operation({
    id: "acceptSessionCandidates",
    method: "POST",
    path: "/incidents/{ref}/session/rounds/{roundId}/acceptances",
    tag: TAG,
    summary: "Accept candidates into the analysis",
    description:
      "A why round: each chosen group becomes a why under the round's answer (several are branches: contributing causes). A remediation round: the one chosen becomes the why's remediation. The round closes. Whoever drives the session.",
    scope: "write",
    params: roundPath,
    body: acceptance.omit({ roundId: true }),
    responses: { 200: { description: "Accepted.", schema: AcceptedWhys }, ...writeErrors },
    run: async ({ holder, params, body, origin }) => {
      await keepPace(holder.user);
      const whyIds = await accept(holder.user, params.ref, params.roundId, body.candidateIds);
      const { reference } = await getIncident(holder.user, params.ref);
      return { body: { whys: whyIds.map((id) => ({ id, links: { self: `${origin}${API_BASE}/incidents/${reference}/whys/${id}` } })) } };
    },
  }),
  operation({
    id: "claimSessionRemediation",
    method: "POST",
    path: "/incidents/{ref}/session/remediation-claims",
    tag: TAG,
    summary: "Take a why's remediation on as your follow-up action",
    description:
      "“I'll take it”: the remediation becomes an action owned by the token's owner, due by the policy for the incident's severity. To assign it to someone else, or to add any other action during the session, use POST /incidents/{ref}/actions, as the session page does.",
    scope: "write",
    params: sessionPath,
    body: remediationClaim,
    responses: { 201: { description: "Claimed.", schema: ActionRep, headers: { Location: "The action's address.", ...withEtag } }, ...writeErrors },
    run: async ({ holder, params, body, origin }) => {
      await keepPace(holder.user);
      const claimed = await claimRemediation(holder.user, params.ref, body.whyId);
      const { action, incident } = await getAction(holder.user, claimed.id);
      const json = actionJson(origin, incident, action);
      return { status: 201, body: json, headers: { Location: json.links.self, ETag: etag(action.version) } };
    },
  }),
  operation({
    id: "writeSessionSummary",
    method: "PUT",
    path: "/incidents/{ref}/session/summary",
    tag: TAG,
    summary: "Write the incident's summary at the wrap-up",
    description: "If-Match names the incident's version read (the session's `summary.version`, or the incident's ETag).",
    scope: "write",
    params: sessionPath,
    body: summaryInput.omit({ version: true }),
    ifMatch: "required",
    responses: { 200: { description: "Written.", schema: SessionSummary, headers: withEtag }, ...versionedWriteErrors },
    run: async ({ holder, params, body, version }) => {
      await keepPace(holder.user);
      await writeSummary(holder.user, params.ref, version!, body.summaryMd);
      const incident = await getIncident(holder.user, params.ref);
      return { body: summaryJson(incident), headers: { ETag: etag(incident.version) } };
    },
    current: async ({ holder, params }) => summaryJson(await getIncident(holder.user, params.ref)),
  }),
  operation({
    id: "sendSessionForReview",
    method: "POST",
    path: "/incidents/{ref}/session/review-requests",
    tag: TAG,
    summary: "Send the analysis for review and end the session",
    description: "Together or not at all. Whoever drives the session.",
    scope: "write",
    params: sessionPath,
    responses: { 200: { description: "In review; the session has ended.", schema: IncidentRep, headers: withEtag }, ...writeErrors },
    run: async ({ holder, params, origin }) => {
      await keepPace(holder.user);
      await sendForReview(holder.user, params.ref);
      const incident = await getIncident(holder.user, params.ref);
      return { body: incidentJson(origin, incident), headers: { ETag: etag(incident.version) } };
    },
  }),
];

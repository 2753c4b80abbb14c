import { createCookie, redirect } from "@remix-run/node";
import { z } from "zod";
import { env } from "~/lib/env.server";
import { intent, type Intent } from "~/lib/intents.server";
import { redirectWithFlash } from "~/lib/session.server";
import type { Viewer } from "~/models/authorization";
import type { Incident } from "~/models/incident.server";
import {
  acceptance,
  draftInput,
  draftWithdrawal,
  newActionInput,
  phaseMove,
  readiness,
  remediationClaim,
  roundOpening,
  roundRef,
  sessionPerson,
  sessionStart,
  summaryInput,
  timelineEntryChange,
  timelineEntryDeletion,
  timelineEntryInput,
  timerSetting,
  voteInput,
} from "~/models/inputs";
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
  vote,
  withdrawDraft,
  writeSummary,
} from "~/models/live-session.server";
import { createAction } from "~/models/action.server";
import { addTimelineEntry, deleteTimelineEntry, updateTimelineEntry } from "~/models/timeline.server";

// What the session page's forms change, one intent each. Each reads a domain input, calls one
// model, and comes back to the session page (Post/Redirect/Get: the same forms work without
// JavaScript). The meeting's steps are in live-session.server.ts; what it adds to the analysis
// goes through the ordinary models.

export type SessionPageContext = { user: Viewer; incident: Incident; request: Request };

export const sessionPath = (incident: Pick<Incident, "reference">) => `/incidents/${incident.reference}/session`;

// --- The author's drafts: capability tokens kept by their own browser ---------------------------

/**
 * The tokens of this browser's drafts, one cookie per incident. The server stores only their
 * hashes, and in an anonymous session nothing else about who wrote a candidate; the browser
 * that holds a token is the only way back to its draft. Its path covers the session page and its
 * data requests (/incidents/INC-n/session.data).
 */
function draftsCookie(reference: string) {
  return createCookie(`hs_drafts_${reference.replace(/[^A-Za-z0-9-]/g, "")}`, {
    httpOnly: true,
    sameSite: "lax",
    secure: env().APP_URL.startsWith("https://") || env().TRUST_PROXY !== "false",
    path: `/incidents/${reference}`,
    maxAge: 7 * 86_400,
  });
}

const TOKEN = /^[A-Za-z0-9_-]{20,64}$/;

/** The draft tokens this browser holds for the incident's sessions. */
export async function draftTokens(request: Request, reference: string): Promise<string[]> {
  const value: unknown = await draftsCookie(reference).parse(request.headers.get("Cookie"));
  if (typeof value !== "string") return [];
  return value.split(".").filter((token) => TOKEN.test(token)).slice(-SESSION_LIMITS.tokensPerBrowser);
}

async function keepTokens(reference: string, tokens: string[]): Promise<string> {
  return await draftsCookie(reference).serialize([...new Set(tokens)].slice(-SESSION_LIMITS.tokensPerBrowser).join("."));
}

// --- The intents ------------------------------------------------------------------------------

const back = (incident: Incident, anchor = "") => redirect(`${sessionPath(incident)}${anchor}`);

export const SESSION_PAGE_INTENTS: Record<string, Intent<SessionPageContext>> = {
  "start-session": intent({
    input: sessionStart,
    target: () => "start",
    run: async ({ user, incident }: SessionPageContext, { anonymous }) => {
      await startSession(user, incident.id, { anonymous });
      return back(incident);
    },
  }),
  join: intent({
    input: z.object({}),
    run: async ({ user, incident }: SessionPageContext) => {
      await joinSession(user, incident.id);
      return back(incident);
    },
  }),
  "set-phase": intent({
    input: phaseMove,
    refused: "bad-request",
    run: async ({ user, incident }: SessionPageContext, { phase }) => {
      await setPhase(user, incident.id, phase);
      return back(incident);
    },
  }),
  "start-timer": intent({
    input: timerSetting,
    target: () => "timer",
    run: async ({ user, incident }: SessionPageContext, { minutes, mode }) => {
      await startTimer(user, incident.id, minutes, mode);
      return back(incident);
    },
  }),
  "stop-timer": intent({
    input: z.object({}),
    run: async ({ user, incident }: SessionPageContext) => {
      await stopTimer(user, incident.id);
      return back(incident);
    },
  }),
  ready: intent({
    input: readiness,
    target: () => "ready",
    run: async ({ user, incident }: SessionPageContext, { ready }) => {
      await setReady(user, incident.id, ready);
      return back(incident);
    },
  }),
  "make-participant": intent({
    input: sessionPerson,
    target: () => "people",
    refused: "bad-request",
    run: async ({ user, incident }: SessionPageContext, { userId }) => {
      await makeParticipant(user, incident.id, userId);
      return back(incident, "#people");
    },
  }),
  "hand-facilitation": intent({
    input: sessionPerson,
    target: () => "people",
    refused: "bad-request",
    run: async ({ user, incident }: SessionPageContext, { userId }) => {
      await handFacilitation(user, incident.id, userId);
      return back(incident, "#people");
    },
  }),
  "open-round": intent({
    input: roundOpening,
    target: () => "ask",
    run: async ({ user, incident }: SessionPageContext, { kind, whyId, question }) => {
      await openRound(user, incident.id, kind, whyId, question);
      return back(incident, "#round");
    },
  }),
  "save-draft": intent({
    input: draftInput,
    target: (values) => (values.token ? `draft-${values.token}` : "draft"),
    run: async ({ user, incident, request }: SessionPageContext, { roundId, body, token }) => {
      const saved = await saveDraft(user, incident.id, roundId, body, token || null);
      const tokens = await draftTokens(request, incident.reference);
      return redirect(`${sessionPath(incident)}#round`, { headers: { "Set-Cookie": await keepTokens(incident.reference, [...tokens, saved.token]) } });
    },
  }),
  "withdraw-draft": intent({
    input: draftWithdrawal,
    refused: "bad-request",
    run: async ({ user, incident, request }: SessionPageContext, { roundId, token }) => {
      await withdrawDraft(user, incident.id, roundId, token);
      const tokens = (await draftTokens(request, incident.reference)).filter((t) => t !== token);
      return redirect(`${sessionPath(incident)}#round`, { headers: { "Set-Cookie": await keepTokens(incident.reference, tokens) } });
    },
  }),
  reveal: intent({
    input: roundRef,
    target: () => "round",
    refused: "bad-request",
    run: async ({ user, incident }: SessionPageContext, { roundId }) => {
      await reveal(user, incident.id, roundId);
      return back(incident, "#round");
    },
  }),
  vote: intent({
    input: voteInput,
    target: () => "round",
    refused: "bad-request",
    run: async ({ user, incident }: SessionPageContext, { roundId, candidateId, on }) => {
      await vote(user, incident.id, roundId, candidateId, on);
      return back(incident, "#round");
    },
  }),
  accept: intent({
    input: acceptance,
    target: () => "round",
    run: async ({ user, incident }: SessionPageContext, { roundId, candidateIds }) => {
      const whys = await accept(user, incident.id, roundId, candidateIds);
      return back(incident, whys.length === 1 ? `#node-${whys[0]}` : "#round");
    },
  }),
  "close-round": intent({
    input: roundRef,
    refused: "bad-request",
    run: async ({ user, incident }: SessionPageContext, { roundId }) => {
      await closeRound(user, incident.id, roundId);
      return back(incident);
    },
  }),
  "claim-remediation": intent({
    input: remediationClaim,
    target: (values) => `actions-${values.whyId}`,
    run: async ({ user, incident }: SessionPageContext, { whyId }) => {
      await claimRemediation(user, incident.id, whyId);
      return back(incident, `#node-${whyId}`);
    },
  }),
  "add-action": intent({
    input: newActionInput,
    target: (values) => `actions-${values.whyId}`,
    run: async ({ user, incident }: SessionPageContext, { whyId, ...fields }) => {
      await createAction(user, incident.id, whyId, fields);
      return back(incident, whyId ? `#node-${whyId}` : "");
    },
  }),
  "add-entry": intent({
    input: timelineEntryInput,
    target: () => "new-entry",
    run: async ({ user, incident }: SessionPageContext, fields) => {
      const entry = await addTimelineEntry(user, incident.id, fields);
      return back(incident, `#entry-${entry.id}`);
    },
  }),
  "update-entry": intent({
    input: timelineEntryChange,
    target: (values) => `entry-${values.entryId}`,
    run: async ({ user, incident }: SessionPageContext, { entryId, version, ...fields }) => {
      await updateTimelineEntry(user, incident.id, entryId, version, fields);
      return back(incident, `#entry-${entryId}`);
    },
  }),
  "delete-entry": intent({
    input: timelineEntryDeletion,
    refused: "bad-request",
    run: async ({ user, incident }: SessionPageContext, { entryId }) => {
      await deleteTimelineEntry(user, incident.id, entryId);
      return back(incident);
    },
  }),
  "write-summary": intent({
    input: summaryInput,
    target: () => "summary",
    run: async ({ user, incident }: SessionPageContext, { summaryMd, version }) => {
      await writeSummary(user, incident.id, version, summaryMd);
      return back(incident, "#summary");
    },
  }),
  "send-for-review": intent({
    input: z.object({}),
    target: () => "wrapup",
    run: async ({ user, incident }: SessionPageContext) => {
      await sendForReview(user, incident.id);
      return redirectWithFlash(`/incidents/${incident.reference}`, `${incident.reference} is sent for review, and the live session has ended.`);
    },
  }),
  "end-session": intent({
    input: z.object({}),
    run: async ({ user, incident }: SessionPageContext) => {
      await endSession(user, incident.id);
      return redirectWithFlash(`/incidents/${incident.reference}`, "The live session has ended. What it produced is in the analysis and its history.");
    },
  }),
};

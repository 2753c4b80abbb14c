import { createHash } from "node:crypto";
import { z } from "zod";
import { canContribute, type Viewer } from "~/models/authorization";
import type { Finding } from "~/models/blame";
import type { Incident } from "~/models/incident.server";
import { PHASES, PHASE_LABELS, SESSION_LIMITS, groupCandidates, type RoundView } from "~/models/live-session";
import type { OwnDraft, SessionView } from "~/models/live-session.server";
import { API_BASE } from "../api.server";
import { PersonRef, named, time } from "./representations.server";

// A live session as the API shows it: what the session page shows its reader, and nothing more.
// Before the reveal a reader sees only the drafts whose tokens they send; after it, candidates
// carry their author's name only in a session that is not anonymous (an anonymous one never
// stored it).

const url = z.string().meta({ format: "uri" });

export const DraftFinding = named(
  "DraftFinding",
  z
    .object({
      match: z.string(),
      kind: z.string(),
      explanation: z.string(),
      suggestion: z.string(),
      rewording: z.string().nullable().meta({ description: "The sentence as the suggested rewording reads, when one is offered." }),
      start: z.number().int(),
      end: z.number().int(),
    })
    .meta({ description: "Wording the blameless check flags in a draft: told to its author alone, before anyone else reads it." }),
);

export const SessionDraft = named(
  "SessionDraft",
  z.object({
    token: z.string().meta({ description: "The draft's capability: send it back to rewrite or withdraw the draft, and in Draft-Tokens to read it. The server keeps only its hash; whoever holds it holds the draft." }),
    candidateId: z.number().int(),
    roundId: z.number().int(),
    body: z.string(),
    findings: z.array(DraftFinding),
  }),
);

const Candidate = named(
  "SessionCandidate",
  z.object({
    id: z.number().int().meta({ description: "Vote for or accept the candidate's group by any of its candidates' ids." }),
    body: z.string(),
    authorName: z.string().nullable().meta({ description: "Null in an anonymous session (its authors are not stored), or when the author no longer has an account." }),
  }),
);

const CandidateGroup = named(
  "SessionCandidateGroup",
  z
    .object({
      body: z.string().meta({ description: "The first written of the candidates that say the same." }),
      candidates: z.array(Candidate),
      votes: z.number().int(),
      yourVote: z.boolean(),
    })
    .meta({ description: "Candidates that say the same thing, voted on together." }),
);

export const SessionRound = named(
  "SessionRound",
  z.object({
    id: z.number().int(),
    kind: z.enum(["why", "remediation"]),
    whyId: z.number().int().nullable().meta({ description: "A why round: the answer asked why of (null: the incident itself). A remediation round: the why it is for." }),
    question: z.string(),
    state: z.enum(["drafting", "revealed", "closed"]),
    drafts: z.number().int().meta({ description: "How many candidates are written: before the reveal, all anyone learns of the others' drafts." }),
    yourDrafts: z.array(SessionDraft).meta({ description: "While drafting, the drafts whose tokens the request sent in Draft-Tokens; empty after the reveal." }),
    groups: z.array(CandidateGroup).meta({ description: "After the reveal: the candidates, grouped, most votes first. Empty before." }),
    votesLeft: z.number().int(),
  }),
);

const Member = named(
  "SessionMember",
  z.object({
    id: z.number().int(),
    name: z.string(),
    present: z.boolean().meta({ description: "Their session page is open (or was closed only moments ago)." }),
    ready: z.boolean().meta({ description: "Ready for the step the meeting is at." }),
    contributes: z.boolean().meta({ description: "May write candidates and vote; otherwise watches." }),
    leads: z.boolean().meta({ description: "Facilitates the session." }),
  }),
);

export const SessionSummary = named(
  "SessionSummary",
  z.object({
    summaryMd: z.string(),
    summaryHtml: z.string(),
    version: z.number().int().meta({ description: "The incident's version: send it in If-Match to write the summary." }),
  }),
);

const OpenSession = named(
  "LiveSession",
  z.object({
    anonymous: z.boolean(),
    phase: z.enum(PHASES),
    phaseLabel: z.string(),
    startedAt: time,
    facilitator: PersonRef,
    timer: z
      .object({ endsAt: time, seconds: z.number().int().meta({ description: "How long it was set for, time added included." }) })
      .nullable()
      .meta({ description: "The countdown every screen shows; the Date header gives the server's clock to count against." }),
    you: z.object({ member: z.boolean(), leads: z.boolean(), contributes: z.boolean(), ready: z.boolean() }),
    members: z.array(Member),
    present: z.number().int().meta({ description: "Contributors present." }),
    ready: z.number().int().meta({ description: "Contributors present and ready." }),
    round: SessionRound.nullable().meta({ description: "The round in progress, if any." }),
    previousRounds: z.array(z.object({ id: z.number().int(), kind: z.enum(["why", "remediation"]), question: z.string(), accepted: z.number().int() })).meta({ description: "The last 20 closed rounds, newest first." }),
    summary: SessionSummary,
  }),
);

export const SessionState = named(
  "LiveSessionState",
  z.object({
    incident: z.string().meta({ description: "INC-7" }),
    open: z.boolean().meta({ description: "Whether a session is in progress." }),
    canStart: z.boolean().meta({ description: "Whether the token's owner may start one now." }),
    session: OpenSession.nullable(),
    pastSessions: z
      .array(z.object({ startedAt: time, endedAt: time.nullable(), endedBy: z.enum(["facilitator", "idle"]) }))
      .meta({ description: "While none is open: the latest five sessions, newest first." }),
    links: z.object({ self: url, page: url, incident: url, whys: url, actions: url, timeline: url }),
  }),
);

export const AcceptedWhys = named(
  "AcceptedWhys",
  z.object({ whys: z.array(z.object({ id: z.number().int(), links: z.object({ self: url }) })).meta({ description: "The whys added (a why round) or given the remediation (a remediation round)." }) }),
);

export function draftJson(draft: OwnDraft): z.infer<typeof SessionDraft> {
  return { token: draft.token, candidateId: draft.candidateId, roundId: draft.roundId, body: draft.body, findings: draft.findings.map(findingJson) };
}

function findingJson(f: Finding): z.infer<typeof DraftFinding> {
  return { match: f.match, kind: f.kind, explanation: f.explanation, suggestion: f.suggestion, rewording: f.rewrite?.sentence ?? null, start: f.start, end: f.end };
}

export function roundJson(round: RoundView, drafts: OwnDraft[], anonymous: boolean): z.infer<typeof SessionRound> {
  const groups = groupCandidates(round.candidates, new Map(Object.entries(round.votes)), new Set(round.myVotes));
  return {
    id: round.id,
    kind: round.kind,
    whyId: round.whyId,
    question: round.question,
    state: round.state,
    drafts: round.drafts,
    yourDrafts: drafts.map(draftJson),
    groups: groups.map((g) => ({
      body: g.body,
      candidates: g.candidates.map((c) => ({ id: c.id, body: c.body, authorName: anonymous ? null : c.authorName })),
      votes: g.votes,
      yourVote: g.mine,
    })),
    votesLeft: SESSION_LIMITS.votesPerPerson - round.myVotes.length,
  };
}

export function summaryJson(incident: Pick<Incident, "summaryMd" | "summaryHtml" | "version">): z.infer<typeof SessionSummary> {
  return { summaryMd: incident.summaryMd, summaryHtml: incident.summaryHtml, version: incident.version };
}

export function sessionLinks(origin: string, reference: string) {
  const incident = `${origin}${API_BASE}/incidents/${reference}`;
  return { self: `${incident}/session`, page: `${origin}/incidents/${reference}/session`, incident, whys: `${incident}/whys`, actions: `${incident}/actions`, timeline: `${incident}/timeline` };
}

export function sessionStateJson(origin: string, viewer: Viewer, incident: Incident, view: SessionView): z.infer<typeof SessionState> {
  const base = { incident: incident.reference, links: sessionLinks(origin, incident.reference) };
  if (!view.open) {
    const pastSessions = view.past.map((p) => ({ startedAt: p.startedAt, endedAt: p.endedAt, endedBy: p.endedReason === "idle" ? ("idle" as const) : ("facilitator" as const) }));
    return { ...base, open: false, canStart: view.canStart, session: null, pastSessions };
  }
  const { session, state, lead, drafts } = view;
  const me = state.members.find((m) => m.id === viewer.id);
  return {
    ...base,
    open: true,
    canStart: false,
    pastSessions: [],
    session: {
      anonymous: session.anonymous,
      phase: session.phase,
      phaseLabel: PHASE_LABELS[session.phase],
      startedAt: session.startedAt,
      facilitator: { id: session.facilitatorId, name: state.facilitatorName },
      timer: session.timerEndsAt ? { endsAt: session.timerEndsAt, seconds: session.timerSeconds ?? 0 } : null,
      you: { member: me !== undefined, leads: lead, contributes: canContribute(viewer, incident), ready: me?.ready ?? false },
      members: state.members,
      present: state.present,
      ready: state.ready,
      round: state.round ? roundJson(state.round, drafts, session.anonymous) : null,
      previousRounds: state.previous,
      summary: summaryJson(incident),
    },
  };
}

/**
 * The ETag of what a reader sees of the session: a digest of the answer itself, since it moves
 * with more than any one stored version (presence runs out, a draft is rewritten, a right is
 * taken away). An unchanged poll is answered 304 without a body.
 */
export function sessionEtag(body: unknown): string {
  return `"${createHash("sha256").update(JSON.stringify(body)).digest("base64url").slice(0, 27)}"`;
}

/** Whether If-None-Match names the ETag (or is `*`): weak and strong forms compare alike for a read. */
export function matchesEtag(ifNoneMatch: string | undefined, tag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(",").some((one) => {
    const candidate = one.trim().replace(/^W\//, "");
    return candidate === "*" || candidate === tag;
  });
}

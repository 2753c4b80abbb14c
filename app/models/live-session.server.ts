import { createHash, randomBytes } from "node:crypto";
import { and, asc, count, desc, eq, gt, inArray, isNull, lt, sql } from "drizzle-orm";
import { db, schema, type Tx } from "~/lib/db.server";
import { allows, canContribute, canManage, canView, type Viewer } from "./authorization";
import { recordEvent } from "./audit.server";
import type { Finding } from "./blame";
import { serverCheck } from "./blame.server";
import { Forbidden, Invalid, LimitReached, NotFound, StateConflict } from "./errors";
import { createAction, type Action } from "./action.server";
import { ensureParticipant, moveIncident, requireIncident, updateIncident, type Incident } from "./incident.server";
import { FIELD_LIMITS, submittedLength, tooLongMessage } from "./limits";
import {
  IDLE_MINUTES,
  PHASE_LABELS,
  SESSION_LIMITS,
  canLeadSession,
  groupKeyOf,
  type MemberView,
  type Phase,
  type RoundKind,
  type RoundView,
} from "./live-session";
import { streamEvent } from "./live.server";
import { addWhy, listWhys, updateWhy } from "./why.server";
import { notify } from "./notification.server";

// The live session's rules and state. Everything a session produces that belongs to the analysis
// (whys, remediations, actions, timeline entries) goes through the ordinary models, with their
// validation, versions and history; what belongs to the meeting (phase, rounds, drafts, votes,
// readiness, presence, the timer) is kept here. Each step writes a "session" event to the
// incident's stream (live.server.ts) carrying only what everyone who may see the incident may
// read: a draft's text never, the author of an anonymous candidate never (it is not stored).

const { liveSessions, liveMembers, liveRounds, liveCandidates, liveVotes, liveDraftCounts, liveEvents, users } = schema;

export type LiveSession = typeof liveSessions.$inferSelect;
export type LiveRound = typeof liveRounds.$inferSelect;

/** How long someone stays "here" after their live page last said so: a reload does not flicker them out. */
export const PRESENCE_GRACE_MS = 12_000;
/** How far ahead an open live page keeps its reader present; renewed at every heartbeat. */
export const PRESENCE_AHEAD_MS = 45_000;

const nowIso = () => new Date().toISOString();
const hashOf = (token: string) => createHash("sha256").update(token).digest("base64url");

/** Writes a session event to the incident's stream. */
async function sessionEvent(tx: Tx, incidentId: number, kind: string, data: Record<string, unknown> = {}) {
  await streamEvent(tx, incidentId, "session", kind, data);
}

/** The session open on the incident, if any; one idle for too long is ended first (and recorded). */
export async function openSessionOf(incidentId: number): Promise<LiveSession | null> {
  const session = await db()
    .select()
    .from(liveSessions)
    .where(and(eq(liveSessions.incidentId, incidentId), isNull(liveSessions.endedAt)))
    .get();
  if (!session) return null;
  if (Date.parse(session.lastActivityAt) < Date.now() - IDLE_MINUTES * 60_000) {
    await endIdle(session);
    return null;
  }
  return session;
}

async function endIdle(session: LiveSession) {
  await db().transaction(async (tx) => {
    const ended = await tx
      .update(liveSessions)
      .set({ endedAt: nowIso(), endedReason: "idle" })
      .where(and(eq(liveSessions.id, session.id), isNull(liveSessions.endedAt)))
      .returning({ id: liveSessions.id })
      .get();
    if (!ended) return;
    const incident = await tx.select({ id: schema.incidents.id, publishedAt: schema.incidents.publishedAt }).from(schema.incidents).where(eq(schema.incidents.id, session.incidentId)).get();
    if (!incident) return;
    await closeOpenRounds(tx, session.id);
    await recordEvent(tx, {
      incident,
      actorId: session.facilitatorId,
      kind: "session.ended",
      summary: `The live session ended after ${IDLE_MINUTES} minutes without activity`,
    });
    await sessionEvent(tx, session.incidentId, "ended", { reason: "idle" });
    await tidyAfter(tx, session);
  });
}

/** Ends every session idle for too long: the scheduled sweep, so the history says so on time. */
export async function endIdleSessions(): Promise<number> {
  const idle = await db()
    .select()
    .from(liveSessions)
    .where(and(isNull(liveSessions.endedAt), lt(liveSessions.lastActivityAt, new Date(Date.now() - IDLE_MINUTES * 60_000).toISOString())))
    .limit(100)
    .all();
  for (const session of idle) await endIdle(session);
  return idle.length;
}

export type Need = "view" | "contribute" | "lead";

/**
 * The incident and its open session, if the person may do `need` in it: see it (anyone who may
 * see the incident), contribute (anyone who may change the analysis), or lead (the session's
 * facilitator, the incident's facilitator, admins).
 */
export async function requireSession(actor: Viewer, incidentId: number, need: Need = "view"): Promise<{ incident: Incident; session: LiveSession }> {
  const incident = await requireIncident(actor, incidentId, need === "contribute" ? "contribute" : "view");
  const session = await openSessionOf(incidentId);
  if (!session) throw new StateConflict("No live session is in progress on this incident. It may have ended: reload to see the analysis.");
  if (need === "lead" && !canLeadSession(actor, incident, session)) {
    throw new Forbidden("Only the session's facilitator can do this.");
  }
  return { incident, session };
}

/** Marks the session active (it ends by itself after IDLE_MINUTES without) and, if asked, moves it a step on. */
async function touch(tx: Tx, session: LiveSession, changes: Partial<LiveSession> = {}, nextStep = false) {
  await tx
    .update(liveSessions)
    .set({ ...changes, lastActivityAt: nowIso(), ...(nextStep ? { step: sql`${liveSessions.step} + 1` } : {}) })
    .where(eq(liveSessions.id, session.id))
    .run();
}

async function closeOpenRounds(tx: Tx, sessionId: number) {
  const open = await tx
    .update(liveRounds)
    .set({ state: "closed", closedAt: nowIso() })
    .where(and(eq(liveRounds.sessionId, sessionId), sql`${liveRounds.state} <> 'closed'`))
    .returning({ id: liveRounds.id })
    .all();
  for (const { id } of open) await tx.delete(liveDraftCounts).where(eq(liveDraftCounts.roundId, id)).run();
}

/**
 * What an ended session no longer needs: drafts never revealed (nobody but their authors saw
 * them, and nobody will), and its own steps on the stream before its end (the pages that follow
 * it have them, or reload). Its history events and what it added to the analysis stay.
 */
async function tidyAfter(tx: Tx, session: LiveSession) {
  const unrevealed = tx.select({ id: liveRounds.id }).from(liveRounds).where(and(eq(liveRounds.sessionId, session.id), isNull(liveRounds.revealedAt)));
  await tx.delete(liveCandidates).where(inArray(liveCandidates.roundId, unrevealed)).run();
  const ended = await tx
    .select({ n: sql<number>`max(${liveEvents.number})` })
    .from(liveEvents)
    .where(and(eq(liveEvents.incidentId, session.incidentId), eq(liveEvents.stream, "session"), eq(liveEvents.kind, "ended")))
    .get();
  if (ended?.n) {
    await tx
      .delete(liveEvents)
      .where(and(eq(liveEvents.incidentId, session.incidentId), eq(liveEvents.stream, "session"), lt(liveEvents.number, ended.n)))
      .run();
  }
}

/** Starts the meeting: the incident's facilitator or an admin, on an incident in analysis, one at a time. */
export async function startSession(actor: Viewer, incidentId: number, options: { anonymous: boolean }): Promise<LiveSession> {
  return await db().transaction(async (tx) => {
    const incident = await requireIncident(actor, incidentId, "manage");
    if (incident.status !== "analysis") {
      throw new StateConflict("A live session runs while the incident is in analysis. Start the analysis first.");
    }
    if (await openSessionOf(incidentId)) throw new StateConflict("A live session is already in progress on this incident: join it.");
    const [{ n }] = await tx.select({ n: count() }).from(liveSessions).where(eq(liveSessions.incidentId, incidentId)).all();
    if (n >= SESSION_LIMITS.sessionsPerIncident) {
      throw new LimitReached(`An incident holds at most ${SESSION_LIMITS.sessionsPerIncident} live sessions: finish the analysis on its page.`);
    }
    const session = await tx
      .insert(liveSessions)
      .values({ incidentId, startedById: actor.id, facilitatorId: actor.id, anonymous: options.anonymous })
      .returning()
      .get();
    await tx
      .insert(liveMembers)
      .values({ sessionId: session.id, userId: actor.id, presentUntil: new Date(Date.now() + PRESENCE_AHEAD_MS).toISOString() })
      .run();
    await recordEvent(tx, {
      incident,
      actorId: actor.id,
      kind: "session.started",
      summary: `Started a live session${options.anonymous ? " (anonymous candidates)" : ""}`,
    });
    await sessionEvent(tx, incidentId, "started");
    return session;
  });
}

/** Ends the meeting, saying what it produced in the history. */
export async function endSession(actor: Viewer, incidentId: number): Promise<LiveSession> {
  return await db().transaction(async (tx) => {
    const { incident, session } = await requireSession(actor, incidentId, "lead");
    await closeOpenRounds(tx, session.id);
    await tx.update(liveSessions).set({ endedAt: nowIso(), endedReason: "ended" }).where(eq(liveSessions.id, session.id)).run();
    const produced = await producedBy(tx, session);
    await recordEvent(tx, {
      incident,
      actorId: actor.id,
      kind: "session.ended",
      summary: `Ended the live session: ${produced}`,
    });
    await sessionEvent(tx, incidentId, "ended", { reason: "ended" });
    await tidyAfter(tx, session);
    return session;
  });
}

/** What a session added, in words: "3 whys, 2 actions and 4 timeline entries". */
async function producedBy(tx: Tx, session: LiveSession): Promise<string> {
  const since = session.startedAt;
  const counted = async (table: typeof schema.whys | typeof schema.actions | typeof schema.timelineEntries) => {
    const [{ n }] = await tx
      .select({ n: count() })
      .from(table)
      .where(and(eq(table.incidentId, session.incidentId), gt(table.createdAt, since)))
      .all();
    return n;
  };
  const parts = [
    [await counted(schema.whys), "why", "whys"],
    [await counted(schema.actions), "action", "actions"],
    [await counted(schema.timelineEntries), "timeline entry", "timeline entries"],
  ] as const;
  const said = parts.filter(([n]) => n > 0).map(([n, one, many]) => `${n} ${n === 1 ? one : many}`);
  if (said.length === 0) return "nothing was added";
  const list = said.length === 1 ? said[0] : `${said.slice(0, -1).join(", ")} and ${said[said.length - 1]}`;
  return `${list} added`;
}

// --- Who is here ------------------------------------------------------------------------------

/**
 * Keeps someone present while their live page is open (called when it opens and at every
 * heartbeat). Joining is this: anyone who may see the incident may watch. Tells the others when
 * someone arrives who was not here.
 */
export async function keepPresent(viewer: Viewer, incidentId: number): Promise<void> {
  const session = await openSessionOf(incidentId);
  if (!session) return;
  await requireIncident(viewer, incidentId);
  await db().transaction(async (tx) => {
    const until = new Date(Date.now() + PRESENCE_AHEAD_MS).toISOString();
    const before = await tx
      .select({ presentUntil: liveMembers.presentUntil })
      .from(liveMembers)
      .where(and(eq(liveMembers.sessionId, session.id), eq(liveMembers.userId, viewer.id)))
      .get();
    await tx
      .insert(liveMembers)
      .values({ sessionId: session.id, userId: viewer.id, presentUntil: until })
      .onConflictDoUpdate({ target: [liveMembers.sessionId, liveMembers.userId], set: { presentUntil: until } })
      .run();
    if (!before || Date.parse(before.presentUntil) < Date.now()) await sessionEvent(tx, incidentId, "presence", { arrived: viewer.id });
  });
}

/**
 * Joins the session: a member from then on, watching or contributing by their rights. The session
 * page's live stream joins by itself (keepPresent); without JavaScript, "Join the session" does.
 */
export async function joinSession(viewer: Viewer, incidentId: number): Promise<void> {
  const { session } = await requireSession(viewer, incidentId);
  const member = await db()
    .select({ userId: liveMembers.userId })
    .from(liveMembers)
    .where(and(eq(liveMembers.sessionId, session.id), eq(liveMembers.userId, viewer.id)))
    .get();
  if (member) return;
  await db().transaction(async (tx) => {
    const inserted = await tx
      .insert(liveMembers)
      .values({ sessionId: session.id, userId: viewer.id, presentUntil: new Date(Date.now() + PRESENCE_AHEAD_MS).toISOString() })
      .onConflictDoNothing()
      .returning({ userId: liveMembers.userId })
      .get();
    if (inserted) await sessionEvent(tx, session.incidentId, "presence", { arrived: viewer.id });
  });
}

/**
 * Their live page closed: they stay present for a grace period (a reload comes back within it),
 * after which the others are told, unless they came back.
 */
export async function leaving(viewer: Viewer, incidentId: number): Promise<void> {
  const session = await openSessionOf(incidentId);
  if (!session) return;
  const until = new Date(Date.now() + PRESENCE_GRACE_MS).toISOString();
  await db()
    .update(liveMembers)
    .set({ presentUntil: until })
    .where(and(eq(liveMembers.sessionId, session.id), eq(liveMembers.userId, viewer.id)))
    .run();
  const timer = setTimeout(() => {
    void (async () => {
      const member = await db()
        .select({ presentUntil: liveMembers.presentUntil })
        .from(liveMembers)
        .where(and(eq(liveMembers.sessionId, session.id), eq(liveMembers.userId, viewer.id)))
        .get();
      if (!member || Date.parse(member.presentUntil) > Date.now()) return;
      const still = await openSessionOf(incidentId);
      if (still?.id !== session.id) return;
      await db().transaction(async (tx) => sessionEvent(tx, incidentId, "presence", { left: viewer.id }));
    })().catch((error: unknown) => console.error("Presence check failed:", error));
  }, PRESENCE_GRACE_MS + 500);
  timer.unref();
}

/** Says they are ready for the step the meeting is at (or no longer are). */
export async function setReady(actor: Viewer, incidentId: number, ready: boolean): Promise<void> {
  await db().transaction(async (tx) => {
    const { session } = await requireSession(actor, incidentId, "contribute");
    const member = await tx
      .select({ readyStep: liveMembers.readyStep })
      .from(liveMembers)
      .where(and(eq(liveMembers.sessionId, session.id), eq(liveMembers.userId, actor.id)))
      .get();
    // Saying again what is already so changes nothing, and tells nobody.
    if ((member?.readyStep === session.step) === ready) return;
    await tx
      .insert(liveMembers)
      .values({ sessionId: session.id, userId: actor.id, readyStep: ready ? session.step : null })
      .onConflictDoUpdate({ target: [liveMembers.sessionId, liveMembers.userId], set: { readyStep: ready ? session.step : null } })
      .run();
    await touch(tx, session);
    await sessionEvent(tx, incidentId, "ready");
  });
}

// --- Driving the meeting ------------------------------------------------------------------------

/** Moves the meeting to a phase, forwards or back; nothing is lost either way. */
export async function setPhase(actor: Viewer, incidentId: number, phase: Phase): Promise<void> {
  await db().transaction(async (tx) => {
    const { session } = await requireSession(actor, incidentId, "lead");
    if (session.phase === phase) return;
    await touch(tx, session, { phase, timerEndsAt: null, timerSeconds: null }, true);
    await sessionEvent(tx, incidentId, "phase", { phase, label: PHASE_LABELS[phase] });
  });
}

/** Starts the countdown every screen shows, or adds time to it. It never moves the meeting on. */
export async function startTimer(actor: Viewer, incidentId: number, minutes: number, mode: "start" | "add"): Promise<void> {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > SESSION_LIMITS.timerMinutes) {
    throw new Invalid(`A timer runs from 1 to ${SESSION_LIMITS.timerMinutes} minutes.`, "minutes");
  }
  await db().transaction(async (tx) => {
    const { session } = await requireSession(actor, incidentId, "lead");
    const from = mode === "add" && session.timerEndsAt ? Math.max(Date.parse(session.timerEndsAt), Date.now()) : Date.now();
    const endsAt = new Date(Math.min(from + minutes * 60_000, Date.now() + SESSION_LIMITS.timerMinutes * 60_000));
    const seconds = mode === "add" && session.timerSeconds ? session.timerSeconds + minutes * 60 : minutes * 60;
    await touch(tx, session, { timerEndsAt: endsAt.toISOString(), timerSeconds: seconds });
    await sessionEvent(tx, incidentId, "timer", { endsAt: endsAt.toISOString() });
  });
}

export async function stopTimer(actor: Viewer, incidentId: number): Promise<void> {
  await db().transaction(async (tx) => {
    const { session } = await requireSession(actor, incidentId, "lead");
    await touch(tx, session, { timerEndsAt: null, timerSeconds: null });
    await sessionEvent(tx, incidentId, "timer", { endsAt: null });
  });
}

/** Hands the facilitation of the session to someone who may contribute (the incident's lead is unchanged). */
export async function handFacilitation(actor: Viewer, incidentId: number, toUserId: number): Promise<void> {
  await db().transaction(async (tx) => {
    const { incident, session } = await requireSession(actor, incidentId, "lead");
    const person = await tx.select({ id: users.id, role: users.role, name: users.name, removedAt: users.removedAt }).from(users).where(eq(users.id, toUserId)).get();
    if (!person || person.removedAt !== null || !canView(person, incident)) throw new Invalid("Choose someone taking part in the session.", "userId");
    if (!canContribute(person, incident)) throw new Invalid(`${person.name} watches: make them a participant first.`, "userId");
    if (session.facilitatorId === person.id) return;
    await touch(tx, session, { facilitatorId: person.id });
    const eventId = await recordEvent(tx, { incident, actorId: actor.id, kind: "session.facilitator", summary: `Handed the facilitation of the live session to ${person.name}` });
    await notify(tx, actor, { eventId, incidentId }, [{ to: person.id, news: { kind: "roles", as: "session facilitator" } }]);
    await sessionEvent(tx, incidentId, "facilitator", { facilitatorId: person.id });
  });
}

/** Makes someone watching a participant of the incident, so they can contribute (one click for the facilitator). */
export async function makeParticipant(actor: Viewer, incidentId: number, userId: number): Promise<void> {
  await db().transaction(async (tx) => {
    const { incident, session } = await requireSession(actor, incidentId, "lead");
    if (userId === actor.id && !canManage(actor, incident)) throw new Forbidden("Only the incident's facilitator or an admin can make you a participant.");
    const person = await tx.select({ id: users.id, role: users.role, name: users.name, removedAt: users.removedAt }).from(users).where(eq(users.id, userId)).get();
    const member = await tx.select({ userId: liveMembers.userId }).from(liveMembers).where(and(eq(liveMembers.sessionId, session.id), eq(liveMembers.userId, userId))).get();
    if (!person || person.removedAt !== null || !member || !canView(person, incident)) throw new Invalid("Choose someone who joined the session.", "userId");
    if (canContribute(person, incident)) return;
    await ensureParticipant(tx, actor, incident, userId);
    const eventId = await recordEvent(tx, { incident, actorId: actor.id, kind: "incident.people", summary: `Made ${person.name} a participant in the live session` });
    await notify(tx, actor, { eventId, incidentId }, [{ to: userId, news: { kind: "roles", as: "session participant" } }]);
    await touch(tx, session);
    await sessionEvent(tx, incidentId, "people", { participant: userId });
  });
}

// --- Rounds -----------------------------------------------------------------------------------

async function requireRound(tx: Tx, session: LiveSession, roundId: number): Promise<LiveRound> {
  const round = await tx.select().from(liveRounds).where(and(eq(liveRounds.id, roundId), eq(liveRounds.sessionId, session.id))).get();
  if (!round) throw new NotFound("round");
  return round;
}

/**
 * Poses a question to the room: why, under an answer (or at the top); or what remediation, for a
 * why. The round before it closes, its candidates kept.
 */
export async function openRound(actor: Viewer, incidentId: number, kind: RoundKind, whyId: number | null, question: string): Promise<LiveRound> {
  const asked = question.replace(/\s+/g, " ").trim();
  if (!asked) throw new Invalid("Write the question the room is asked.", "question");
  if (asked.length > FIELD_LIMITS.question) throw new Invalid(tooLongMessage(FIELD_LIMITS.question), "question");
  return await db().transaction(async (tx) => {
    const { session } = await requireSession(actor, incidentId, "lead");
    if (kind === "remediation" && whyId === null) throw new Invalid("Choose the why the remediation is for.", "whyId");
    if (whyId !== null) {
      const why = await tx.select({ id: schema.whys.id }).from(schema.whys).where(and(eq(schema.whys.id, whyId), eq(schema.whys.incidentId, incidentId))).get();
      if (!why) throw new NotFound("why");
    }
    const [{ n }] = await tx.select({ n: count() }).from(liveRounds).where(eq(liveRounds.sessionId, session.id)).all();
    if (n >= SESSION_LIMITS.roundsPerSession) throw new LimitReached(`A session holds at most ${SESSION_LIMITS.roundsPerSession} rounds: end this one and start another.`);
    await closeOpenRounds(tx, session.id);
    const round = await tx.insert(liveRounds).values({ sessionId: session.id, kind, whyId, question: asked }).returning().get();
    await touch(tx, session, { phase: kind === "why" ? "whys" : "remediations" }, true);
    await sessionEvent(tx, incidentId, "round", { round: round.id, state: "drafting" });
    return round;
  });
}

/** The round in progress (drafting or revealed), if any. */
export async function currentRound(sessionId: number, tx: Tx = db()): Promise<LiveRound | null> {
  return (
    (await tx
      .select()
      .from(liveRounds)
      .where(and(eq(liveRounds.sessionId, sessionId), sql`${liveRounds.state} <> 'closed'`))
      .orderBy(desc(liveRounds.id))
      .get()) ?? null
  );
}

/** A saved draft: the token that stands for it, and its text as stored (trimmed) with the wording check's nudges. */
export type DraftOutcome = { token: string; candidateId: number; body: string; findings: Finding[] };

function checkBody(round: LiveRound, body: string): string {
  const text = body.replace(/\r\n?/g, "\n").trim();
  const field = round.kind === "why" ? "answer" : "remediation";
  if (!text) throw new Invalid(round.kind === "why" ? "Write a candidate answer." : "Write a remediation.", "body");
  const max = FIELD_LIMITS[field];
  if (submittedLength(text) > max) throw new Invalid(tooLongMessage(max), "body");
  return text;
}

// The nudges of recent drafts, so that the session page, which reloads on every event, does not
// check each of its reader's drafts again on every load. Bounded: the oldest go first.
const NUDGES_KEPT = 1000;
const nudges = new Map<string, Finding[]>();

/** The wording check on a draft, before anyone else sees it: a private nudge to its author. */
async function nudgeFor(round: Pick<LiveRound, "kind">, body: string): Promise<Finding[]> {
  const field = round.kind === "why" ? "answer" : "remediation";
  const check = await serverCheck();
  const key = `${field}\u0000${body}`;
  const known = nudges.get(key);
  if (known && nudgeChecker === check) return known;
  if (nudgeChecker !== check) nudges.clear();
  nudgeChecker = check;
  const found = check(body, field);
  nudges.set(key, found);
  if (nudges.size > NUDGES_KEPT) nudges.delete(nudges.keys().next().value!);
  return found;
}
/** The check the kept nudges were made with: a change to the directory makes a new one, and they are made again. */
let nudgeChecker: unknown;

/**
 * Writes a candidate privately, or rewrites the one the token stands for. The token is the only
 * way back to it: returned once, held by the author's browser, stored here only as a hash. In an
 * anonymous session the author is not stored at all.
 */
export async function saveDraft(actor: Viewer, incidentId: number, roundId: number, body: string, token: string | null): Promise<DraftOutcome> {
  return await db().transaction(async (tx) => {
    const { session } = await requireSession(actor, incidentId, "contribute");
    const round = await requireRound(tx, session, roundId);
    if (round.state !== "drafting") throw new StateConflict("The candidates of this round are already revealed: nothing more can be added or changed.");
    const text = checkBody(round, body);
    const groupKey = groupKeyOf(text);
    const findings = await nudgeFor(round, text);
    if (token) {
      const updated = await tx
        .update(liveCandidates)
        .set({ body: text, groupKey, updatedAt: nowIso() })
        .where(and(eq(liveCandidates.tokenHash, hashOf(token)), eq(liveCandidates.roundId, round.id)))
        .returning({ id: liveCandidates.id })
        .get();
      if (!updated) throw new NotFound("candidate", "That draft is no longer there: it may have been withdrawn.");
      await touch(tx, session);
      return { token, candidateId: updated.id, body: text, findings };
    }
    const [{ n }] = await tx.select({ n: count() }).from(liveCandidates).where(eq(liveCandidates.roundId, round.id)).all();
    if (n >= SESSION_LIMITS.candidatesPerRound) {
      throw new LimitReached(`A round holds at most ${SESSION_LIMITS.candidatesPerRound} candidates. Reveal them, then ask again.`, "body");
    }
    // Counted per person apart from the candidates: a cap for each, without saying whose is whose.
    const counted = await tx
      .insert(liveDraftCounts)
      .values({ roundId: round.id, userId: actor.id, drafts: 1 })
      .onConflictDoUpdate({ target: [liveDraftCounts.roundId, liveDraftCounts.userId], set: { drafts: sql`${liveDraftCounts.drafts} + 1` } })
      .returning({ drafts: liveDraftCounts.drafts })
      .get();
    if (counted.drafts > SESSION_LIMITS.draftsPerPerson) {
      throw new LimitReached(`You can write at most ${SESSION_LIMITS.draftsPerPerson} candidates in a round: rewrite or withdraw one of yours.`, "body");
    }
    const fresh = randomBytes(24).toString("base64url");
    const { id } = await tx
      .insert(liveCandidates)
      .values({ roundId: round.id, tokenHash: hashOf(fresh), authorId: session.anonymous ? null : actor.id, body: text, groupKey })
      .returning({ id: liveCandidates.id })
      .get();
    await touch(tx, session);
    await sessionEvent(tx, incidentId, "drafts", { round: round.id, count: n + 1 });
    return { token: fresh, candidateId: id, body: text, findings };
  });
}

/** Withdraws the draft the token stands for, before the reveal. */
export async function withdrawDraft(actor: Viewer, incidentId: number, roundId: number, token: string): Promise<void> {
  await db().transaction(async (tx) => {
    const { session } = await requireSession(actor, incidentId, "contribute");
    const round = await requireRound(tx, session, roundId);
    if (round.state !== "drafting") throw new StateConflict("The candidates of this round are already revealed.");
    const gone = await tx
      .delete(liveCandidates)
      .where(and(eq(liveCandidates.tokenHash, hashOf(token)), eq(liveCandidates.roundId, round.id)))
      .returning({ id: liveCandidates.id })
      .get();
    if (!gone) return;
    await tx
      .update(liveDraftCounts)
      .set({ drafts: sql`case when ${liveDraftCounts.drafts} > 0 then ${liveDraftCounts.drafts} - 1 else 0 end` })
      .where(and(eq(liveDraftCounts.roundId, round.id), eq(liveDraftCounts.userId, actor.id)))
      .run();
    const [{ n }] = await tx.select({ n: count() }).from(liveCandidates).where(eq(liveCandidates.roundId, round.id)).all();
    await touch(tx, session);
    await sessionEvent(tx, incidentId, "drafts", { round: round.id, count: n });
  });
}

export type OwnDraft = { token: string; candidateId: number; roundId: number; body: string; findings: Finding[] };

/** The drafts these tokens stand for in a round: what the author's own browser shows them. */
export async function draftsOf(incidentId: number, round: Pick<LiveRound, "id" | "kind">, tokens: readonly string[]): Promise<OwnDraft[]> {
  if (tokens.length === 0) return [];
  const byHash = new Map(tokens.slice(0, SESSION_LIMITS.tokensPerBrowser).map((token) => [hashOf(token), token]));
  const rows = await db()
    .select({ id: liveCandidates.id, tokenHash: liveCandidates.tokenHash, body: liveCandidates.body })
    .from(liveCandidates)
    .where(and(eq(liveCandidates.roundId, round.id), inArray(liveCandidates.tokenHash, [...byHash.keys()])))
    .orderBy(asc(liveCandidates.id))
    .all();
  const drafts: OwnDraft[] = [];
  for (const row of rows) {
    drafts.push({ token: byHash.get(row.tokenHash)!, candidateId: row.id, roundId: round.id, body: row.body, findings: await nudgeFor(round, row.body) });
  }
  return drafts;
}

/** Shows every candidate of the round to everyone at once. */
export async function reveal(actor: Viewer, incidentId: number, roundId: number): Promise<void> {
  await db().transaction(async (tx) => {
    const { session } = await requireSession(actor, incidentId, "lead");
    const round = await requireRound(tx, session, roundId);
    if (round.state !== "drafting") throw new StateConflict("This round is already revealed.");
    const [{ n }] = await tx.select({ n: count() }).from(liveCandidates).where(eq(liveCandidates.roundId, round.id)).all();
    if (n === 0) throw new StateConflict("Nobody has written a candidate yet: wait, or ask the question again.");
    await tx.update(liveRounds).set({ state: "revealed", revealedAt: nowIso() }).where(eq(liveRounds.id, round.id)).run();
    await tx.delete(liveDraftCounts).where(eq(liveDraftCounts.roundId, round.id)).run();
    await touch(tx, session, {}, true);
    await sessionEvent(tx, incidentId, "revealed", { round: round.id, count: n });
  });
}

/** The group (what candidates saying the same share) of a candidate of the round. */
async function groupOf(tx: Tx, round: LiveRound, candidateId: number): Promise<string> {
  const row = await tx
    .select({ groupKey: liveCandidates.groupKey })
    .from(liveCandidates)
    .where(and(eq(liveCandidates.roundId, round.id), eq(liveCandidates.id, candidateId)))
    .get();
  if (!row) throw new NotFound("candidate");
  return row.groupKey;
}

/** Gives or takes back one of a participant's few votes in a revealed round, for a candidate's group. */
export async function vote(actor: Viewer, incidentId: number, roundId: number, candidateId: number, on: boolean): Promise<void> {
  await db().transaction(async (tx) => {
    const { session } = await requireSession(actor, incidentId, "contribute");
    const round = await requireRound(tx, session, roundId);
    if (round.state !== "revealed") throw new StateConflict(round.state === "drafting" ? "Votes open once the candidates are revealed." : "This round is closed.");
    const groupKey = await groupOf(tx, round, candidateId);
    if (on) {
      const [{ n }] = await tx.select({ n: count() }).from(liveVotes).where(and(eq(liveVotes.roundId, round.id), eq(liveVotes.userId, actor.id))).all();
      const already = await tx.select({ g: liveVotes.groupKey }).from(liveVotes).where(and(eq(liveVotes.roundId, round.id), eq(liveVotes.groupKey, groupKey), eq(liveVotes.userId, actor.id))).get();
      if (already) return;
      if (n >= SESSION_LIMITS.votesPerPerson) {
        throw new LimitReached(`You have used your ${SESSION_LIMITS.votesPerPerson} votes in this round: take one back to vote for another.`);
      }
      await tx.insert(liveVotes).values({ roundId: round.id, groupKey, userId: actor.id }).run();
    } else {
      const taken = await tx
        .delete(liveVotes)
        .where(and(eq(liveVotes.roundId, round.id), eq(liveVotes.groupKey, groupKey), eq(liveVotes.userId, actor.id)))
        .returning({ g: liveVotes.groupKey })
        .get();
      if (!taken) return;
    }
    await touch(tx, session);
    await sessionEvent(tx, incidentId, "votes", { round: round.id });
  });
}

/**
 * Accepts candidates into the analysis. A why round: each chosen group becomes a why under the
 * round's answer, several being branches (contributing causes). A remediation round: the one
 * chosen becomes the why's remediation. Both go through the ordinary models. The round closes.
 */
export async function accept(actor: Viewer, incidentId: number, roundId: number, candidateIds: readonly number[]): Promise<number[]> {
  if (candidateIds.length === 0) throw new Invalid("Choose at least one candidate to accept.", "candidateIds");
  return await db().transaction(async (tx) => {
    const { session } = await requireSession(actor, incidentId, "lead");
    const round = await requireRound(tx, session, roundId);
    if (round.state !== "revealed") throw new StateConflict(round.state === "drafting" ? "Reveal the candidates before accepting one." : "This round is closed.");
    const keys: string[] = [];
    for (const id of new Set(candidateIds)) {
      const key = await groupOf(tx, round, id);
      if (!keys.includes(key)) keys.push(key);
    }
    if (round.kind === "remediation" && keys.length > 1) throw new Invalid("A why has one remediation: choose one.", "candidateIds");
    const chosen: { key: string; body: string; ids: number[] }[] = [];
    for (const key of keys) {
      const rows = await tx
        .select({ id: liveCandidates.id, body: liveCandidates.body })
        .from(liveCandidates)
        .where(and(eq(liveCandidates.roundId, round.id), eq(liveCandidates.groupKey, key)))
        .orderBy(asc(liveCandidates.id))
        .all();
      if (rows.length === 0) throw new NotFound("candidate");
      chosen.push({ key, body: rows[0].body, ids: rows.map((r) => r.id) });
    }
    const whyIds: number[] = [];
    if (round.kind === "why") {
      for (const { body, ids } of chosen) {
        const why = await addWhy(actor, incidentId, round.whyId, {
          question: round.question,
          answer: body,
          remediationMd: "",
          noRemediationReason: "",
          noActionReason: "",
          category: "",
          rootReached: false,
        });
        whyIds.push(why.id);
        await tx.update(liveCandidates).set({ acceptedAs: JSON.stringify([why.id]) }).where(inArray(liveCandidates.id, ids)).run();
      }
    } else {
      const current = (await listWhys(incidentId)).find((w) => w.id === round.whyId);
      if (!current) throw new NotFound("why");
      await updateWhy(actor, incidentId, current.id, current.version, {
        question: current.question,
        answer: current.answer,
        remediationMd: chosen[0].body,
        noRemediationReason: "",
        noActionReason: current.noActionReason,
        category: current.category,
        rootReached: current.rootReached,
      });
      whyIds.push(current.id);
      await tx.update(liveCandidates).set({ acceptedAs: JSON.stringify([current.id]) }).where(inArray(liveCandidates.id, chosen[0].ids)).run();
    }
    await tx.update(liveRounds).set({ state: "closed", closedAt: nowIso() }).where(eq(liveRounds.id, round.id)).run();
    await touch(tx, session, {}, true);
    await sessionEvent(tx, incidentId, "accepted", { round: round.id, whys: whyIds });
    return whyIds;
  });
}

/** Closes the round without accepting anything (its candidates stay in the session's record). */
export async function closeRound(actor: Viewer, incidentId: number, roundId: number): Promise<void> {
  await db().transaction(async (tx) => {
    const { session } = await requireSession(actor, incidentId, "lead");
    const round = await requireRound(tx, session, roundId);
    if (round.state === "closed") return;
    await tx.update(liveRounds).set({ state: "closed", closedAt: nowIso() }).where(eq(liveRounds.id, round.id)).run();
    await tx.delete(liveDraftCounts).where(eq(liveDraftCounts.roundId, round.id)).run();
    await touch(tx, session, {}, true);
    await sessionEvent(tx, incidentId, "closed", { round: round.id });
  });
}

// --- Actions and wrap-up -----------------------------------------------------------------------

/**
 * "I'll take it": the remediation of a why becomes the claimant's follow-up action, due by the
 * policy for the incident's severity (createAction, with its rules).
 */
export async function claimRemediation(actor: Viewer, incidentId: number, whyId: number): Promise<Action> {
  await requireSession(actor, incidentId, "contribute");
  const why = (await listWhys(incidentId)).find((w) => w.id === whyId);
  if (!why) throw new NotFound("why");
  if (!why.remediationMd.trim()) throw new StateConflict("This why has no remediation yet: choose one first.");
  const firstLine = why.remediationMd.split("\n").map((line) => line.replace(/^[-*#>\s]+/, "").trim()).find(Boolean) ?? "";
  return await createAction(actor, incidentId, whyId, {
    title: firstLine.length > FIELD_LIMITS.actionTitle ? `${firstLine.slice(0, FIELD_LIMITS.actionTitle - 1)}…` : firstLine,
    descriptionMd: why.remediationMd,
    ownerId: actor.id,
    dueDate: "",
    priority: "P2",
    trackerUrl: "",
  });
}

/** The summary, written together at the end of the meeting (the incident's own update, with its version). */
export async function writeSummary(actor: Viewer, incidentId: number, baseVersion: number, summaryMd: string): Promise<void> {
  const { incident } = await requireSession(actor, incidentId, "contribute");
  await updateIncident(actor, incidentId, baseVersion, {
    title: incident.title,
    severity: incident.severity,
    startedAt: incident.startedAt,
    detectedAt: incident.detectedAt,
    resolvedAt: incident.resolvedAt,
    services: incident.services,
    impactMd: incident.impactMd,
    summaryMd,
    visibility: incident.visibility,
  });
}

/**
 * Sends the analysis for review and ends the meeting, together or not at all: whoever drives the
 * session, its facilitator included when that is not the incident's.
 */
export async function sendForReview(actor: Viewer, incidentId: number): Promise<void> {
  await db().transaction(async () => {
    await requireSession(actor, incidentId, "lead");
    await moveIncident(actor, incidentId, "review", { bySessionLead: true });
    await endSession(actor, incidentId);
  });
}

// --- What a page shows ------------------------------------------------------------------------

export type SessionState = {
  session: LiveSession;
  facilitatorName: string;
  members: MemberView[];
  present: number;
  ready: number;
  round: RoundView | null;
  previous: { id: number; kind: RoundKind; question: string; accepted: number }[];
};

/** The session as one person sees it: everyone's presence and readiness, the round, their votes. */
export async function sessionState(viewer: Viewer, incident: Incident, session: LiveSession): Promise<SessionState> {
  const rows = await db()
    .select({ id: users.id, name: users.name, role: users.role, readyStep: liveMembers.readyStep, presentUntil: liveMembers.presentUntil })
    .from(liveMembers)
    .innerJoin(users, eq(users.id, liveMembers.userId))
    .where(eq(liveMembers.sessionId, session.id))
    .orderBy(asc(liveMembers.joinedAt))
    .all();
  const now = Date.now();
  const members: MemberView[] = rows
    // Someone who may no longer see the incident is no longer in its session.
    .filter((row) => canView(row, incident))
    .map((row) => ({
      id: row.id,
      name: row.name,
      present: Date.parse(row.presentUntil) > now,
      ready: row.readyStep === session.step,
      contributes: allows("contribute", row, incident),
      leads: row.id === session.facilitatorId,
    }));
  const facilitator = await db().select({ name: users.name }).from(users).where(eq(users.id, session.facilitatorId)).get();
  const round = await currentRound(session.id);
  const previous = await db()
    .select({ id: liveRounds.id, kind: liveRounds.kind, question: liveRounds.question, accepted: sql<number>`(select count(*) from live_candidates c where c.round_id = ${liveRounds.id} and c.accepted_as is not null)` })
    .from(liveRounds)
    .where(and(eq(liveRounds.sessionId, session.id), eq(liveRounds.state, "closed")))
    .orderBy(desc(liveRounds.id))
    .limit(20)
    .all();
  return {
    session,
    facilitatorName: facilitator?.name ?? "",
    members,
    present: members.filter((m) => m.present && m.contributes).length,
    ready: members.filter((m) => m.present && m.contributes && m.ready).length,
    round: round ? await roundView(viewer, session, round) : null,
    previous,
  };
}

async function roundView(viewer: Viewer, session: LiveSession, round: LiveRound): Promise<RoundView> {
  const [{ n }] = await db().select({ n: count() }).from(liveCandidates).where(eq(liveCandidates.roundId, round.id)).all();
  const view: RoundView = { id: round.id, kind: round.kind, whyId: round.whyId, question: round.question, state: round.state, drafts: n, candidates: [], votes: {}, myVotes: [] };
  if (round.state === "drafting") return view;
  view.candidates = await db()
    .select({ id: liveCandidates.id, body: liveCandidates.body, groupKey: liveCandidates.groupKey, authorName: users.name })
    .from(liveCandidates)
    .leftJoin(users, eq(users.id, liveCandidates.authorId))
    .where(eq(liveCandidates.roundId, round.id))
    .orderBy(asc(liveCandidates.id))
    .all();
  if (session.anonymous) view.candidates = view.candidates.map((c) => ({ ...c, authorName: null }));
  const votes = await db().select({ groupKey: liveVotes.groupKey, n: count() }).from(liveVotes).where(eq(liveVotes.roundId, round.id)).groupBy(liveVotes.groupKey).all();
  view.votes = Object.fromEntries(votes.map((v) => [v.groupKey, v.n]));
  view.myVotes = (await db().select({ groupKey: liveVotes.groupKey }).from(liveVotes).where(and(eq(liveVotes.roundId, round.id), eq(liveVotes.userId, viewer.id))).all()).map((v) => v.groupKey);
  return view;
}

export type PastSession = { id: number; startedAt: string; endedAt: string | null; endedReason: string | null };

/**
 * What someone reading the session sees: the session if one is open, with their own drafts
 * (those whose tokens they hold) while its round is being written, and whether they may lead it;
 * if none is, whether they may start one and the sessions before. The session page and the API
 * show the same.
 */
export type SessionView =
  | { open: false; canStart: boolean; past: PastSession[] }
  | { open: true; session: LiveSession; state: SessionState; lead: boolean; drafts: OwnDraft[] };

export async function viewSession(viewer: Viewer, incident: Incident, draftTokens: readonly string[]): Promise<SessionView> {
  const session = await openSessionOf(incident.id);
  if (!session) {
    return { open: false, canStart: canManage(viewer, incident) && incident.status === "analysis", past: await pastSessions(incident.id) };
  }
  const state = await sessionState(viewer, incident, session);
  const round = state.round;
  // Nobody sees a draft after the reveal as theirs: revealed, it is one candidate among the others.
  const drafts = round && round.state === "drafting" && canContribute(viewer, incident) ? await draftsOf(incident.id, round, draftTokens) : [];
  return { open: true, session, state, lead: canLeadSession(viewer, incident, session), drafts };
}

/** The most recent sessions of the incident, for its page: when they ran and how they ended. */
export async function pastSessions(incidentId: number): Promise<PastSession[]> {
  return await db()
    .select({ id: liveSessions.id, startedAt: liveSessions.startedAt, endedAt: liveSessions.endedAt, endedReason: liveSessions.endedReason })
    .from(liveSessions)
    .where(and(eq(liveSessions.incidentId, incidentId), sql`${liveSessions.endedAt} is not null`))
    .orderBy(desc(liveSessions.id))
    .limit(5)
    .all();
}


import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { liveSessionCast } from "./live-session-cast";
import { advanceTo, createIncident, createUser } from "../../db/factories";
import { db, schema } from "~/lib/db.server";
import { Forbidden, LimitReached, NotFound, StateConflict } from "~/models/errors";
import { setPeople } from "~/models/incident.server";
import { SESSION_LIMITS, groupKeyOf } from "~/models/live-session";
import { nextQuestion } from "~/models/why-tree";
import {
  accept,
  claimRemediation,
  currentRound,
  draftsOf,
  endIdleSessions,
  endSession,
  handFacilitation,
  keepPresent,
  makeParticipant,
  openRound,
  openSessionOf,
  requireSession,
  reveal,
  saveDraft,
  sendForReview,
  sessionState,
  setPhase,
  setReady,
  startSession,
  vote,
  withdrawDraft,
} from "~/models/live-session.server";
import { changesAfter, latestChange } from "~/models/live.server";
import { listWhys } from "~/models/why.server";
import type { User } from "~/models/user.server";
import { caught } from "./helpers";

// The live session's rules, on a real database: one session at a time, led by its facilitator;
// candidates private until revealed, their anonymous authors never stored; votes limited;
// accepted candidates become ordinary whys through the ordinary models; every step on the stream
// with nothing anyone may not read.

let lead: User;
let ana: User;
let ben: User;
let watcher: User;
let incidentId: number;

beforeEach(async () => {
  let incident;
  ({ lead, ana, ben, watcher, incident } = await liveSessionCast({ ben: true, watcher: true }));
  incidentId = incident.id;
});

async function streamed(after = 0) {
  return (await changesAfter(lead, incidentId, after)).map((c) => ({ stream: c.stream, kind: c.kind, data: c.data }));
}

describe("starting and ending", () => {
  it("is the incident's lead's to start, in analysis, one at a time, and both ends are in the history", async () => {
    expect(await caught(() => startSession(ana, incidentId, { anonymous: true }))).toBeInstanceOf(Forbidden);
    await startSession(lead, incidentId, { anonymous: true });
    expect(await caught(() => startSession(lead, incidentId, { anonymous: true }))).toBeInstanceOf(StateConflict);
    await endSession(lead, incidentId);
    expect(await openSessionOf(incidentId)).toBeNull();
    const history = await db().select({ kind: schema.auditEvents.kind, summary: schema.auditEvents.summary }).from(schema.auditEvents).where(eq(schema.auditEvents.incidentId, incidentId)).all();
    expect(history.map((h) => h.kind)).toEqual(expect.arrayContaining(["session.started", "session.ended"]));
    expect(history.find((h) => h.kind === "session.ended")!.summary).toBe("Ended the live session: nothing was added");
    // A new one can start once the first has ended.
    await startSession(lead, incidentId, { anonymous: false });
  });

  it("is refused on an incident that is not in analysis", async () => {
    const draft = await createIncident(lead, { facilitatorId: lead.id });
    expect(await caught(() => startSession(lead, draft.id, { anonymous: true }))).toBeInstanceOf(StateConflict);
  });

  it("ends by itself after a long pause, and says so in the history", async () => {
    const session = await startSession(lead, incidentId, { anonymous: true });
    await db().update(schema.liveSessions).set({ lastActivityAt: "2020-01-01T00:00:00.000Z" }).where(eq(schema.liveSessions.id, session.id)).run();
    expect(await endIdleSessions()).toBe(1);
    const ended = await db().select().from(schema.liveSessions).where(eq(schema.liveSessions.id, session.id)).get();
    expect(ended!.endedReason).toBe("idle");
    const last = await db().select({ summary: schema.auditEvents.summary }).from(schema.auditEvents).where(eq(schema.auditEvents.kind, "session.ended")).get();
    expect(last!.summary).toMatch(/without activity/);
  });
});

describe("a why round", () => {
  beforeEach(async () => {
    await startSession(lead, incidentId, { anonymous: true });
  });

  it("keeps drafts private until revealed: the stream carries only how many there are", async () => {
    const from = await latestChange(incidentId);
    const round = await openRound(lead, incidentId, "why", null, "Why did sign-ups fail?");
    const a = await saveDraft(ana, incidentId, round.id, "The database connection pool was exhausted", null);
    await saveDraft(ben, incidentId, round.id, "Retries multiplied the load", null);
    const events = await streamed(from);
    expect(events.map((e) => e.kind)).toEqual(["round", "drafts", "drafts"]);
    expect(JSON.stringify(events)).not.toMatch(/pool|Retries/);
    expect(events.at(-1)!.data).toMatchObject({ count: 2 });
    // Nobody's state shows another's text before the reveal.
    const seenByBen = await sessionState(ben, (await requireSession(ben, incidentId)).incident, (await openSessionOf(incidentId))!);
    expect(seenByBen.round!.candidates).toEqual([]);
    expect(seenByBen.round!.drafts).toBe(2);
    // Only the token brings the author back to their draft.
    expect((await draftsOf(incidentId, round, [a.token])).map((d) => d.body)).toEqual(["The database connection pool was exhausted"]);
    expect(await draftsOf(incidentId, round, ["x".repeat(32)])).toEqual([]);
  });

  it("stores no author for an anonymous candidate, and the author of a signed one", async () => {
    const round = await openRound(lead, incidentId, "why", null, "Why?");
    await saveDraft(ana, incidentId, round.id, "No alert on pool saturation", null);
    const rows = await db().select().from(schema.liveCandidates).all();
    expect(rows).toHaveLength(1);
    expect(rows[0].authorId).toBeNull();
    expect(JSON.stringify(rows[0])).not.toContain(String(ana.email));
    await endSession(lead, incidentId);
    await startSession(lead, incidentId, { anonymous: false });
    const signed = await openRound(lead, incidentId, "why", null, "Why?");
    await saveDraft(ana, incidentId, signed.id, "Signed answer", null);
    const stored = await db().select().from(schema.liveCandidates).where(eq(schema.liveCandidates.roundId, signed.id)).get();
    expect(stored!.authorId).toBe(ana.id);
  });

  it("lets the token's holder edit or withdraw a draft, and no one else", async () => {
    const round = await openRound(lead, incidentId, "why", null, "Why?");
    const draft = await saveDraft(ana, incidentId, round.id, "First wording", null);
    await saveDraft(ana, incidentId, round.id, "Better wording", draft.token);
    expect((await draftsOf(incidentId, round, [draft.token]))[0].body).toBe("Better wording");
    expect(await caught(() => saveDraft(ben, incidentId, round.id, "Hijack", "y".repeat(32)))).toBeInstanceOf(NotFound);
    await withdrawDraft(ana, incidentId, round.id, draft.token);
    expect(await db().select().from(schema.liveCandidates).all()).toEqual([]);
  });

  it("nudges the author privately about blaming wording, before anyone sees it", async () => {
    const round = await openRound(lead, incidentId, "why", null, "Why?");
    const draft = await saveDraft(ana, incidentId, round.id, "Ben Brook carelessly ran the wrong command", null);
    expect(draft.findings.length).toBeGreaterThan(0);
    expect((await draftsOf(incidentId, round, [draft.token]))[0].findings.length).toBeGreaterThan(0);
  });

  it("reveals every candidate at once, grouped where they say the same; votes are few; accepted ones become branches", async () => {
    const round = await openRound(lead, incidentId, "why", null, "Why did sign-ups fail?");
    const a = await saveDraft(ana, incidentId, round.id, "The lock had no timeout.", null);
    await saveDraft(ben, incidentId, round.id, "the lock has no timeout", null);
    const c = await saveDraft(ben, incidentId, round.id, "Retries multiplied the load", null);
    const d = await saveDraft(lead, incidentId, round.id, "The pool was too small", null);
    const e = await saveDraft(lead, incidentId, round.id, "Nobody watched the queue", null);
    expect(await caught(() => vote(ana, incidentId, round.id, a.candidateId, true))).toBeInstanceOf(StateConflict);
    expect(await caught(() => reveal(ana, incidentId, round.id))).toBeInstanceOf(Forbidden);
    await reveal(lead, incidentId, round.id);
    expect(await caught(() => saveDraft(ana, incidentId, round.id, "Late", null))).toBeInstanceOf(StateConflict);
    const state = await sessionState(ana, (await requireSession(ana, incidentId)).incident, (await openSessionOf(incidentId))!);
    expect(state.round!.candidates).toHaveLength(5);
    expect(state.round!.candidates.every((x) => x.authorName === null)).toBe(true);
    expect(new Set(state.round!.candidates.map((x) => x.groupKey)).size).toBe(4);
    // Three votes each, one per group; the fourth is refused until one is taken back.
    await vote(ana, incidentId, round.id, a.candidateId, true);
    await vote(ana, incidentId, round.id, a.candidateId, true);
    await vote(ana, incidentId, round.id, c.candidateId, true);
    await vote(ana, incidentId, round.id, d.candidateId, true);
    expect(await caught(() => vote(ana, incidentId, round.id, e.candidateId, true))).toBeInstanceOf(LimitReached);
    await vote(ana, incidentId, round.id, d.candidateId, false);
    await vote(ana, incidentId, round.id, e.candidateId, true);
    const votes = await db().select().from(schema.liveVotes).all();
    expect(votes).toHaveLength(SESSION_LIMITS.votesPerPerson);
    // Two accepted: two whys at level 1, each through addWhy (history and stream).
    const whyIds = await accept(lead, incidentId, round.id, [a.candidateId, c.candidateId]);
    const whys = await listWhys(incidentId);
    expect(whys.map((w) => [w.parentId, w.question, w.answer])).toEqual([
      [null, "Why did sign-ups fail?", "The lock had no timeout."],
      [null, "Why did sign-ups fail?", "Retries multiplied the load"],
    ]);
    expect(whyIds).toEqual(whys.map((w) => w.id));
    expect(await currentRound((await openSessionOf(incidentId))!.id)).toBeNull();
    const kinds = (await streamed()).map((x) => `${x.stream}:${x.kind}`);
    expect(kinds.filter((k) => k === "change:why.added")).toHaveLength(2);
    expect(kinds.at(-1)).toBe("session:accepted");
  });

  it("asks the next why under an accepted answer, and a remediation round sets one remediation", async () => {
    const first = await openRound(lead, incidentId, "why", null, "Why?");
    const a = await saveDraft(ana, incidentId, first.id, "The lock had no timeout", null);
    await reveal(lead, incidentId, first.id);
    const [whyId] = await accept(lead, incidentId, first.id, [a.candidateId]);
    const second = await openRound(lead, incidentId, "why", whyId, nextQuestion("The lock had no timeout"));
    expect(second.question).toBe("Why the lock had no timeout?");
    const b = await saveDraft(ben, incidentId, second.id, "The client library waits forever by default", null);
    await reveal(lead, incidentId, second.id);
    const [childId] = await accept(lead, incidentId, second.id, [b.candidateId]);
    expect((await listWhys(incidentId)).find((w) => w.id === childId)!.parentId).toBe(whyId);

    const fix = await openRound(lead, incidentId, "remediation", childId, "What would stop this?");
    const r1 = await saveDraft(ana, incidentId, fix.id, "Set timeouts in the shared client", null);
    const r2 = await saveDraft(ben, incidentId, fix.id, "Lint for calls without a timeout", null);
    await reveal(lead, incidentId, fix.id);
    expect(await caught(() => accept(lead, incidentId, fix.id, [r1.candidateId, r2.candidateId]))).toBeTruthy();
    await accept(lead, incidentId, fix.id, [r1.candidateId]);
    const child = (await listWhys(incidentId)).find((w) => w.id === childId)!;
    expect(child.remediationMd).toBe("Set timeouts in the shared client");
    // "I'll take it": an action for the claimant, linked to the why.
    const action = await claimRemediation(ben, incidentId, childId);
    expect(action.ownerId).toBe(ben.id);
    expect(action.whyId).toBe(childId);
    expect(action.title).toBe("Set timeouts in the shared client");
  });

  it("limits the candidates of one round, and each person's, without linking a person to a candidate", async () => {
    const round = await openRound(lead, incidentId, "why", null, "Why?");
    const mine = [];
    for (let i = 0; i < SESSION_LIMITS.draftsPerPerson; i++) mine.push(await saveDraft(ana, incidentId, round.id, `Cause number ${i}`, null));
    expect(await caught(() => saveDraft(ana, incidentId, round.id, "One more", null))).toBeInstanceOf(LimitReached);
    // Withdrawing one makes room; rewriting one takes none.
    await withdrawDraft(ana, incidentId, round.id, mine[0].token);
    await saveDraft(ana, incidentId, round.id, "A better one", null);
    await saveDraft(ana, incidentId, round.id, "Rewritten", mine[1].token);
    const counts = await db().select().from(schema.liveDraftCounts).all();
    expect(counts).toEqual([{ roundId: round.id, userId: ana.id, drafts: SESSION_LIMITS.draftsPerPerson }]);
    // Nothing in the count says which candidates are hers; it is gone once they are revealed.
    await reveal(lead, incidentId, round.id);
    expect(await db().select().from(schema.liveDraftCounts).all()).toEqual([]);
  });

  it("limits the candidates of a round from everyone together", async () => {
    const round = await openRound(lead, incidentId, "why", null, "Why?");
    const writers = [];
    for (let i = 0; i < SESSION_LIMITS.candidatesPerRound / SESSION_LIMITS.draftsPerPerson; i++) {
      const person = await createUser({ name: `Writer ${i}` });
      await db().insert(schema.participants).values({ incidentId, userId: person.id }).onConflictDoNothing().run();
      writers.push(person);
    }
    for (const person of writers) for (let i = 0; i < SESSION_LIMITS.draftsPerPerson; i++) await saveDraft(person, incidentId, round.id, `Cause ${person.id}-${i}`, null);
    expect(await caught(() => saveDraft(ben, incidentId, round.id, "One more", null))).toBeInstanceOf(LimitReached);
  });

  it("saying again what is already so writes nothing and tells nobody", async () => {
    const round = await openRound(lead, incidentId, "why", null, "Why?");
    const a = await saveDraft(ana, incidentId, round.id, "A cause", null);
    await reveal(lead, incidentId, round.id);
    await setReady(ben, incidentId, true);
    const before = await latestChange(incidentId);
    await setReady(ben, incidentId, true);
    await vote(ben, incidentId, round.id, a.candidateId, false);
    expect(await latestChange(incidentId)).toBe(before);
  });

  it("ends tidily: unrevealed drafts and the session's own steps go, its history and whys stay", async () => {
    const round = await openRound(lead, incidentId, "why", null, "Why?");
    const a = await saveDraft(ana, incidentId, round.id, "Kept as a why", null);
    await reveal(lead, incidentId, round.id);
    await accept(lead, incidentId, round.id, [a.candidateId]);
    const unrevealed = await openRound(lead, incidentId, "why", null, "Why else?");
    await saveDraft(ben, incidentId, unrevealed.id, "Never shown to anyone", null);
    await endSession(lead, incidentId);
    const bodies = (await db().select({ body: schema.liveCandidates.body }).from(schema.liveCandidates).all()).map((c) => c.body);
    expect(bodies).toEqual(["Kept as a why"]);
    const left = await streamed();
    expect(left.filter((e) => e.stream === "session").map((e) => e.kind)).toEqual(["ended"]);
    expect(left.filter((e) => e.stream === "change").map((e) => e.kind)).toEqual(expect.arrayContaining(["session.started", "why.added", "session.ended"]));
    expect((await listWhys(incidentId)).map((w) => w.answer)).toEqual(["Kept as a why"]);
  });
});

describe("people in the session", () => {
  beforeEach(async () => {
    await startSession(lead, incidentId, { anonymous: true });
  });

  it("lets anyone who may see the incident watch; the facilitator makes a watcher a participant with one click", async () => {
    await keepPresent(watcher, incidentId);
    const round = await openRound(lead, incidentId, "why", null, "Why?");
    expect(await caught(() => saveDraft(watcher, incidentId, round.id, "Mine", null))).toBeInstanceOf(Forbidden);
    expect(await caught(() => makeParticipant(ana, incidentId, watcher.id))).toBeInstanceOf(Forbidden);
    await makeParticipant(lead, incidentId, watcher.id);
    await saveDraft(watcher, incidentId, round.id, "Mine", null);
  });

  it("counts readiness for the current step only, and presence without flicker", async () => {
    await keepPresent(ana, incidentId);
    await keepPresent(ben, incidentId);
    const before = await latestChange(incidentId);
    await keepPresent(ana, incidentId);
    expect((await streamed(before)).map((e) => e.kind)).toEqual([]);
    await setReady(ana, incidentId, true);
    let state = await sessionState(lead, (await requireSession(lead, incidentId)).incident, (await openSessionOf(incidentId))!);
    expect([state.ready, state.present]).toEqual([1, 3]);
    await setPhase(lead, incidentId, "whys");
    state = await sessionState(lead, (await requireSession(lead, incidentId)).incident, (await openSessionOf(incidentId))!);
    expect(state.ready).toBe(0);
  });

  it("takes the facilitation from someone taken off the incident, and nobody but its lead makes themselves a participant", async () => {
    await keepPresent(ana, incidentId);
    await handFacilitation(lead, incidentId, ana.id);
    await setPhase(ana, incidentId, "whys");
    await setPeople(lead, incidentId, lead.id, [ben.id]);
    expect(await caught(() => setPhase(ana, incidentId, "timeline"))).toBeInstanceOf(Forbidden);
    expect(await caught(() => makeParticipant(ana, incidentId, ana.id))).toBeInstanceOf(Forbidden);
    await handFacilitation(lead, incidentId, ben.id);
    expect(await caught(() => makeParticipant(ben, incidentId, ben.id))).toBeInstanceOf(Forbidden);
  });

  it("numbers each incident's events on their own, so one incident's tell nothing of another's", async () => {
    const other = await createIncident(lead, { facilitatorId: lead.id });
    const before = await latestChange(other.id);
    await openRound(lead, incidentId, "why", null, "Why?");
    await setReady(ana, incidentId, true);
    expect(await latestChange(other.id)).toBe(before);
    const numbers = (await changesAfter(lead, incidentId, 0)).map((e) => e.seq);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  });

  it("hands facilitation to a participant, who then drives; the incident's lead can still take it back", async () => {
    expect(await caught(() => setPhase(ana, incidentId, "whys"))).toBeInstanceOf(Forbidden);
    expect(await caught(() => handFacilitation(lead, incidentId, watcher.id))).toBeTruthy();
    await handFacilitation(lead, incidentId, ana.id);
    await setPhase(ana, incidentId, "whys");
    await setPhase(lead, incidentId, "timeline");
    expect((await openSessionOf(incidentId))!.phase).toBe("timeline");
  });

  it("shuts out someone who loses access to a restricted incident", async () => {
    const restricted = await createIncident(lead, { facilitatorId: lead.id, visibility: "restricted" });
    await setPeople(lead, restricted.id, lead.id, [ana.id]);
    await advanceTo(lead, restricted.id, "analysis");
    await startSession(lead, restricted.id, { anonymous: true });
    expect(await caught(() => keepPresent(watcher, restricted.id))).toBeInstanceOf(NotFound);
    await requireSession(ana, restricted.id);
    await setPeople(lead, restricted.id, lead.id, []);
    expect(await caught(() => requireSession(ana, restricted.id))).toBeInstanceOf(NotFound);
    expect(await caught(() => changesAfter(ana, restricted.id, 0))).toBeInstanceOf(NotFound);
  });

  it("sends the analysis for review and ends the session together", async () => {
    await sendForReview(lead, incidentId);
    expect(await openSessionOf(incidentId)).toBeNull();
    const incident = await db().select({ status: schema.incidents.status }).from(schema.incidents).where(eq(schema.incidents.id, incidentId)).get();
    expect(incident!.status).toBe("review");
  });
});

describe("grouping", () => {
  it("groups the same words however they are cased, punctuated or inflected", () => {
    expect(groupKeyOf("The lock had no timeout.")).toBe(groupKeyOf("the LOCK has no timeouts"));
    expect(groupKeyOf("Retries multiplied the load")).not.toBe(groupKeyOf("The lock had no timeout"));
  });
});

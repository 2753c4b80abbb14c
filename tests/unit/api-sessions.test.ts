import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";

// A whole session's changes through the API are many in a few seconds: the per-person allowances
// are raised for this file, and the pace test fills its own.
vi.hoisted(() => {
  process.env.SESSION_WRITES_PER_10S = "400";
  process.env.API_WRITES_PER_MINUTE = "2000";
});

import { createIncident, createUser } from "../../db/factories";
import { db, schema } from "~/lib/db.server";
import { env } from "~/lib/env.server";
import { sessionPace } from "~/lib/guards.server";
import { createApiToken } from "~/models/api-token.server";
import { getIncident } from "~/models/incident.server";
import { SESSION_LIMITS } from "~/models/live-session";
import { openRound, saveDraft, startSession } from "~/models/live-session.server";
import type { User } from "~/models/user.server";
import { listWhys } from "~/models/why.server";
import { apiClient } from "./api-client";
import { liveSessionCast } from "./live-session-cast";
import { stopTheClock } from "./helpers";

const SESSION = "/incidents/{ref}/session";
const ROUNDS = `${SESSION}/rounds`;
const DRAFTS = `${ROUNDS}/{roundId}/drafts`;
const VOTE = `${ROUNDS}/{roundId}/votes/{candidateId}`;

async function as(user: User, scope: "read" | "write" = "write") {
  return apiClient((await createApiToken(user, { name: `${user.name} ${scope}`, scope, expiresInDays: null })).token);
}

type Client = Awaited<ReturnType<typeof as>>;

/** A session on the cast's incident with a why round open, through the API. */
async function roundOpen(options: { anonymous?: boolean } = {}) {
  const cast = await liveSessionCast({ ben: true, watcher: true });
  const ref = cast.incident.reference;
  const lead = await as(cast.lead);
  expect((await lead("POST", SESSION, { ref }, { body: { anonymous: options.anonymous ?? true } })).status).toBe(201);
  const asked = await lead("POST", ROUNDS, { ref }, { body: { kind: "why", whyId: null, question: "Why did checkout fail?" } });
  expect(asked.status).toBe(201);
  return { ...cast, ref, lead, roundId: asked.body.id as number };
}

async function read(client: Client, ref: string, tokens: string[] = []) {
  const answer = await client("GET", SESSION, { ref }, { headers: tokens.length ? { "Draft-Tokens": tokens.join(", ") } : {} });
  expect(answer.status).toBe(200);
  return answer;
}

describe("a live session through the API", () => {
  it("runs from start to review: drafts, reveal, votes, acceptance, a claimed remediation, the summary", async () => {
    const { ref, lead, ana, ben, roundId, incident } = await roundOpen();
    const anaApi = await as(ana);
    const benApi = await as(ben);
    expect((await anaApi("POST", `${SESSION}/members`, { ref })).status).toBe(204);
    expect((await lead("PUT", `${SESSION}/timer`, { ref }, { body: { minutes: 3 } })).status).toBe(204);

    const written = await anaApi("POST", DRAFTS, { ref, roundId }, { body: { body: "  The pool had no upper bound  " } });
    expect(written.status).toBe(201);
    expect(written.body).toMatchObject({ roundId, body: "The pool had no upper bound", findings: [] });
    const { token, candidateId } = written.body as { token: string; candidateId: number };
    const rewritten = await anaApi("POST", DRAFTS, { ref, roundId }, { body: { body: "The connection pool had no upper bound", token } });
    expect(rewritten.status).toBe(200);
    expect(rewritten.body).toMatchObject({ token, candidateId });
    expect((await benApi("POST", DRAFTS, { ref, roundId }, { body: { body: "Retries multiplied the load" } })).status).toBe(201);

    const seen = (await read(anaApi, ref, [token])).body;
    expect(seen.session).toMatchObject({ phase: "whys", anonymous: true, facilitator: { id: incident.facilitator.id }, timer: { seconds: 180 } });
    expect(seen.session.you).toMatchObject({ member: true, leads: false, contributes: true });
    expect(seen.session.round).toMatchObject({ id: roundId, state: "drafting", drafts: 2, groups: [] });
    expect(seen.session.round.yourDrafts).toEqual([{ token, candidateId, roundId, body: "The connection pool had no upper bound", findings: [] }]);

    expect((await lead("POST", `${ROUNDS}/{roundId}/transitions`, { ref, roundId }, { body: { to: "revealed" } })).status).toBe(204);
    expect((await anaApi("PUT", VOTE, { ref, roundId, candidateId })).status).toBe(204);
    expect((await benApi("PUT", VOTE, { ref, roundId, candidateId })).status).toBe(204);
    const revealed = (await read(anaApi, ref, [token])).body.session.round;
    expect(revealed.yourDrafts).toEqual([]);
    expect(revealed.groups[0]).toMatchObject({ body: "The connection pool had no upper bound", votes: 2, yourVote: true, candidates: [{ id: candidateId, authorName: null }] });
    expect(revealed.votesLeft).toBe(SESSION_LIMITS.votesPerPerson - 1);

    const accepted = await lead("POST", `${ROUNDS}/{roundId}/acceptances`, { ref, roundId }, { body: { candidateIds: [candidateId] } });
    expect(accepted.status).toBe(200);
    const whyId = accepted.body.whys[0].id as number;
    expect(accepted.body.whys[0].links.self).toContain(`/api/v1/incidents/${ref}/whys/${whyId}`);
    expect((await listWhys(incident.id)).map((w) => w.answer)).toEqual(["The connection pool had no upper bound"]);

    const remediation = await lead("POST", ROUNDS, { ref }, { body: { kind: "remediation", whyId, question: "What would stop it?" } });
    const remediationRound = remediation.body.id as number;
    const fix = await benApi("POST", DRAFTS, { ref, roundId: remediationRound }, { body: { body: "Bound the pool and alert at 80%" } });
    await lead("POST", `${ROUNDS}/{roundId}/transitions`, { ref, roundId: remediationRound }, { body: { to: "revealed" } });
    await lead("POST", `${ROUNDS}/{roundId}/acceptances`, { ref, roundId: remediationRound }, { body: { candidateIds: [fix.body.candidateId] } });
    expect((await listWhys(incident.id))[0].remediationMd).toBe("Bound the pool and alert at 80%");

    const claimed = await anaApi("POST", `${SESSION}/remediation-claims`, { ref }, { body: { whyId } });
    expect(claimed.status).toBe(201);
    expect(claimed.body).toMatchObject({ title: "Bound the pool and alert at 80%", owner: { id: ana.id }, whyId });

    expect((await lead("PUT", `${SESSION}/phase`, { ref }, { body: { phase: "wrapup" } })).status).toBe(204);
    const version = (await read(lead, ref)).body.session.summary.version as number;
    const summary = await anaApi("PUT", `${SESSION}/summary`, { ref }, { body: { summaryMd: "The pool is **bounded** now." }, headers: { "If-Match": `"${version}"` } });
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({ summaryMd: "The pool is **bounded** now.", summaryHtml: expect.stringContaining("<strong>bounded</strong>"), version: version + 1 });
    expect(summary.headers.get("ETag")).toBe(`"${version + 1}"`);

    const reviewed = await lead("POST", `${SESSION}/review-requests`, { ref });
    expect(reviewed.status).toBe(200);
    expect(reviewed.body).toMatchObject({ reference: ref, status: "review", summaryMd: "The pool is **bounded** now." });
    const after = (await read(anaApi, ref)).body;
    expect(after).toMatchObject({ open: false, canStart: false, session: null, pastSessions: [{ endedBy: "facilitator" }] });
  });

  it("lets the facilitator drive: phase, timer, readiness, a participant made, the facilitation handed on, the session ended", async () => {
    const { ref, lead, watcher, ana, incident } = await roundOpen();
    const wes = await as(watcher);
    const anaApi = await as(ana);
    expect((await wes("POST", `${SESSION}/members`, { ref })).status).toBe(204);
    expect((await wes("POST", DRAFTS, { ref, roundId: 1 }, { body: { body: "A watcher's idea" } })).status).toBe(403);
    expect((await lead("POST", `${SESSION}/participants`, { ref }, { body: { userId: watcher.id } })).status).toBe(204);
    expect((await getIncident(watcher, incident.id)).participants.map((p) => p.id)).toContain(watcher.id);
    expect((await wes("GET", SESSION, { ref })).body.session.you).toMatchObject({ member: true, contributes: true });

    expect((await anaApi("PUT", `${SESSION}/readiness`, { ref }, { body: { ready: true } })).status).toBe(204);
    let session = (await read(lead, ref)).body.session;
    expect(session.members.find((m: { id: number }) => m.id === ana.id)).toMatchObject({ ready: true, contributes: true, leads: false });
    expect((await lead("PUT", `${SESSION}/phase`, { ref }, { body: { phase: "remediations" } })).status).toBe(204);
    // A new step: nobody is ready for it yet.
    session = (await read(lead, ref)).body.session;
    expect(session).toMatchObject({ phase: "remediations", phaseLabel: "Remediations", ready: 0 });

    expect((await lead("PUT", `${SESSION}/timer`, { ref }, { body: { minutes: 5 } })).status).toBe(204);
    expect((await lead("PUT", `${SESSION}/timer`, { ref }, { body: { minutes: 2, mode: "add" } })).status).toBe(204);
    expect((await read(lead, ref)).body.session.timer.seconds).toBe(420);
    expect((await lead("DELETE", `${SESSION}/timer`, { ref })).status).toBe(204);
    expect((await read(lead, ref)).body.session.timer).toBeNull();

    expect((await lead("PUT", `${SESSION}/facilitator`, { ref }, { body: { userId: ana.id } })).status).toBe(204);
    expect((await read(anaApi, ref)).body.session).toMatchObject({ facilitator: { id: ana.id, name: "Ana Alves" }, you: { leads: true } });
    expect((await anaApi("PUT", `${SESSION}/phase`, { ref }, { body: { phase: "actions" } })).status).toBe(204);
    expect((await anaApi("DELETE", SESSION, { ref })).status).toBe(204);
    const ended = await db().select().from(schema.liveSessions).all();
    expect(ended.map((s) => s.endedReason)).toEqual(["ended"]);
  });
});

describe("drafts through the API", () => {
  it("belong to whoever holds the token: the script's and the browser's alike", async () => {
    const { ref, ana, ben, roundId, incident } = await roundOpen();
    const anaApi = await as(ana);
    const benApi = await as(ben);
    const viaApi = (await anaApi("POST", DRAFTS, { ref, roundId }, { body: { body: "Nobody watched the queue depth" } })).body as { token: string };
    // A draft written on the session page (its token in that browser's cookie).
    const inBrowser = await saveDraft(ana, incident.id, roundId, "The alert went to an old channel", null);

    // Ana's token alone shows only that draft; without tokens she sees how many there are, like anyone.
    expect((await read(anaApi, ref, [viaApi.token])).body.session.round.yourDrafts.map((d: { body: string }) => d.body)).toEqual(["Nobody watched the queue depth"]);
    expect((await read(anaApi, ref, [viaApi.token, inBrowser.token])).body.session.round.yourDrafts).toHaveLength(2);
    expect((await read(anaApi, ref)).body.session.round).toMatchObject({ drafts: 2, yourDrafts: [] });
    // Ben, given the browser's token, holds that draft: he rewrites it, then withdraws it.
    expect((await benApi("POST", DRAFTS, { ref, roundId }, { body: { body: "The alert went to an archived channel", token: inBrowser.token } })).status).toBe(200);
    expect((await read(anaApi, ref, [inBrowser.token])).body.session.round.yourDrafts[0].body).toBe("The alert went to an archived channel");
    expect((await benApi("POST", `${DRAFTS}/withdrawals`, { ref, roundId }, { body: { token: inBrowser.token } })).status).toBe(204);
    expect((await read(anaApi, ref, [inBrowser.token])).body.session.round).toMatchObject({ drafts: 1, yourDrafts: [] });
    // A token that stands for no draft rewrites nothing.
    const unknown = await benApi("POST", DRAFTS, { ref, roundId }, { body: { body: "Hijack", token: "Q".repeat(32) } });
    expect(unknown.status).toBe(404);
    expect((await read(anaApi, ref, [viaApi.token])).body.session.round.yourDrafts[0].body).toBe("Nobody watched the queue depth");
  });

  it("name no author in an anonymous session, before or after the reveal; a signed session names them as the page does", async () => {
    const anonymous = await roundOpen();
    const anaApi = await as(anonymous.ana);
    const written = await anaApi("POST", DRAFTS, { ref: anonymous.ref, roundId: anonymous.roundId }, { body: { body: "The deploy skipped the canary" } });
    expect(JSON.stringify(written.body)).not.toMatch(/Ana|"authorName"/);
    const before = (await read(anonymous.lead, anonymous.ref)).body;
    expect(JSON.stringify(before)).not.toContain("The deploy skipped the canary");
    await anonymous.lead("POST", `${ROUNDS}/{roundId}/transitions`, { ref: anonymous.ref, roundId: anonymous.roundId }, { body: { to: "revealed" } });
    for (const reader of [anonymous.lead, anaApi]) {
      const round = (await read(reader, anonymous.ref, [written.body.token])).body.session.round;
      expect(round.groups[0].candidates).toEqual([{ id: written.body.candidateId, body: "The deploy skipped the canary", authorName: null }]);
      expect(round.yourDrafts).toEqual([]);
    }
    expect((await db().select({ authorId: schema.liveCandidates.authorId }).from(schema.liveCandidates).all()).map((c) => c.authorId)).toEqual([null]);

    const signed = await roundOpen({ anonymous: false });
    const anaSigned = await as(signed.ana);
    await anaSigned("POST", DRAFTS, { ref: signed.ref, roundId: signed.roundId }, { body: { body: "The deploy skipped the canary" } });
    await signed.lead("POST", `${ROUNDS}/{roundId}/transitions`, { ref: signed.ref, roundId: signed.roundId }, { body: { to: "revealed" } });
    const round = (await read(signed.lead, signed.ref)).body.session.round;
    expect(round.groups[0].candidates[0].authorName).toBe("Ana Alves");
    expect((await read(signed.lead, signed.ref)).body.session.anonymous).toBe(false);
  });

  it("give the wording check's nudges to their author alone", async () => {
    const { ref, ana, lead, roundId } = await roundOpen();
    const anaApi = await as(ana);
    const written = await anaApi("POST", DRAFTS, { ref, roundId }, { body: { body: "Ben Brook carelessly ran the wrong command" } });
    expect(written.body.findings.length).toBeGreaterThan(0);
    expect(written.body.findings[0]).toMatchObject({ match: expect.any(String), explanation: expect.any(String) });
    expect((await read(anaApi, ref, [written.body.token])).body.session.round.yourDrafts[0].findings.length).toBeGreaterThan(0);
    expect(JSON.stringify((await read(lead, ref)).body)).not.toContain("carelessly");
  });
});

describe("reading the session", () => {
  it("answers 304 to a poll while nothing it shows has changed, and a new ETag once something has", async () => {
    const { ref, ana, roundId } = await roundOpen();
    const anaApi = await as(ana);
    const first = await read(anaApi, ref);
    const tag = first.headers.get("ETag")!;
    expect(tag).toMatch(/^"[\w-]+"$/);
    const unchanged = await anaApi("GET", SESSION, { ref }, { headers: { "If-None-Match": tag } });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get("ETag")).toBe(tag);
    expect((await anaApi("GET", SESSION, { ref }, { headers: { "If-None-Match": `W/${tag}` } })).status).toBe(304);

    // A new draft changes the count everyone sees.
    const written = await anaApi("POST", DRAFTS, { ref, roundId }, { body: { body: "The queue had no limit" } });
    const moved = await anaApi("GET", SESSION, { ref }, { headers: { "If-None-Match": tag } });
    expect(moved.status).toBe(200);
    expect(moved.headers.get("ETag")).not.toBe(tag);
    // What the reader's own tokens show is part of what the tag stands for.
    const withDraft = await read(anaApi, ref, [written.body.token]);
    expect(withDraft.headers.get("ETag")).not.toBe(moved.headers.get("ETag"));
    // Rewriting a draft tells nobody else, but its holder sees the change.
    await anaApi("POST", DRAFTS, { ref, roundId }, { body: { body: "The queue had no bound", token: written.body.token } });
    const rewritten = await anaApi("GET", SESSION, { ref }, { headers: { "If-None-Match": withDraft.headers.get("ETag")!, "Draft-Tokens": written.body.token } });
    expect(rewritten.status).toBe(200);
  });

  it("says whether a session may be started when none is open, and who may see it", async () => {
    const cast = await liveSessionCast({ watcher: true });
    const ref = cast.incident.reference;
    expect((await read(await as(cast.lead, "read"), ref)).body).toMatchObject({ open: false, canStart: true, session: null, pastSessions: [] });
    expect((await read(await as(cast.ana, "read"), ref)).body).toMatchObject({ open: false, canStart: false });
    const outsider = await createUser({ name: "Out Sider" });
    const admin = await createUser({ role: "admin" });
    const hidden = await createIncident(admin, { visibility: "restricted" });
    await getIncident(admin, hidden.id);
    const outsiderApi = await as(outsider);
    expect((await outsiderApi("GET", SESSION, { ref: hidden.reference })).status).toBe(404);
    expect((await outsiderApi("POST", SESSION, { ref: hidden.reference }, { body: {} })).status).toBe(404);
    expect((await outsiderApi("POST", `${SESSION}/members`, { ref: hidden.reference })).status).toBe(404);
    expect((await outsiderApi("GET", SESSION, { ref: "INC-999" })).status).toBe(404);
    expect((await outsiderApi("GET", SESSION, { ref }, { headers: { "Draft-Tokens": "not a token!" } })).status).toBe(400);
    const tooMany = Array.from({ length: SESSION_LIMITS.tokensPerBrowser + 1 }, (_, i) => `token${i}`.padEnd(32, "x")).join(",");
    const refused = await outsiderApi("GET", SESSION, { ref }, { headers: { "Draft-Tokens": tooMany } });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ in: "header", errors: [{ pointer: "#/Draft-Tokens" }] });
  });
});

describe("the session's rules through the API", () => {
  it("refuse who may not: a read token, a watcher, a participant who does not drive", async () => {
    const cast = await liveSessionCast({ watcher: true });
    const ref = cast.incident.reference;
    expect((await (await as(cast.lead, "read"))("POST", SESSION, { ref }, { body: {} })).status).toBe(403);
    const anaApi = await as(cast.ana);
    expect((await anaApi("POST", SESSION, { ref }, { body: {} })).status).toBe(403);
    const lead = await as(cast.lead);
    // Anonymous unless asked otherwise, as the page's box is ticked.
    expect((await lead("POST", SESSION, { ref }, { body: {} })).body.session.anonymous).toBe(true);
    expect((await lead("POST", SESSION, { ref }, { body: {} })).status).toBe(409);
    expect((await anaApi("PUT", `${SESSION}/phase`, { ref }, { body: { phase: "whys" } })).status).toBe(403);
    expect((await anaApi("POST", ROUNDS, { ref }, { body: { kind: "why", whyId: null, question: "Why?" } })).status).toBe(403);
    expect((await anaApi("DELETE", SESSION, { ref })).status).toBe(403);
    const wes = await as(cast.watcher);
    expect((await wes("PUT", `${SESSION}/readiness`, { ref }, { body: { ready: true } })).status).toBe(403);
    expect((await wes("GET", SESSION, { ref })).body.session.you).toMatchObject({ member: false, contributes: false, leads: false });
    // An admin leads any session.
    const admin = await as(await createUser({ role: "admin" }));
    expect((await admin("PUT", `${SESSION}/phase`, { ref }, { body: { phase: "whys" } })).status).toBe(204);
  });

  it("refuse steps out of order, bad input, and growth past the limits", async () => {
    const { ref, lead, ana, ben, roundId } = await roundOpen();
    const anaApi = await as(ana);
    const transitions = `${ROUNDS}/{roundId}/transitions`;
    expect((await lead("POST", transitions, { ref, roundId }, { body: { to: "revealed" } })).status).toBe(409);
    const timer = await lead("PUT", `${SESSION}/timer`, { ref }, { body: { minutes: 61 } });
    expect(timer.status).toBe(400);
    expect(timer.body.errors).toEqual([{ pointer: "#/minutes", detail: "At most 60 minutes." }]);
    expect((await lead("PUT", `${SESSION}/phase`, { ref }, { body: { phase: "review" } })).body.errors[0]).toEqual({ pointer: "#/phase", detail: "Choose a phase." });
    expect((await lead("POST", transitions, { ref, roundId }, { body: { to: "open" } })).status).toBe(400);
    expect((await anaApi("POST", DRAFTS, { ref, roundId }, { body: { body: "x".repeat(4_001) } })).status).toBe(400);
    expect((await anaApi("POST", DRAFTS, { ref, roundId: 999 }, { body: { body: "Elsewhere" } })).status).toBe(404);

    const causes = ["The pool was too small", "Retries multiplied the load", "The cache expired at once", "Nobody watched the queue", "The alert went to an old channel"];
    const ids: number[] = [];
    for (const cause of causes.slice(0, SESSION_LIMITS.draftsPerPerson)) ids.push((await anaApi("POST", DRAFTS, { ref, roundId }, { body: { body: cause } })).body.candidateId);
    const sixth = await anaApi("POST", DRAFTS, { ref, roundId }, { body: { body: "One too many" } });
    expect(sixth.status).toBe(422);
    expect((await anaApi("PUT", VOTE, { ref, roundId, candidateId: ids[0] })).status).toBe(409);

    await lead("POST", transitions, { ref, roundId }, { body: { to: "revealed" } });
    expect((await anaApi("POST", DRAFTS, { ref, roundId }, { body: { body: "Too late" } })).status).toBe(409);
    for (const id of ids.slice(0, SESSION_LIMITS.votesPerPerson)) expect((await anaApi("PUT", VOTE, { ref, roundId, candidateId: id })).status).toBe(204);
    expect((await anaApi("PUT", VOTE, { ref, roundId, candidateId: ids[3] })).status).toBe(422);
    expect((await anaApi("DELETE", VOTE, { ref, roundId, candidateId: ids[0] })).status).toBe(204);
    expect((await anaApi("PUT", VOTE, { ref, roundId, candidateId: ids[3] })).status).toBe(204);
    expect((await (await as(ben))("POST", `${ROUNDS}/{roundId}/acceptances`, { ref, roundId }, { body: { candidateIds: [ids[3]] } })).status).toBe(403);
    expect((await lead("POST", `${ROUNDS}/{roundId}/acceptances`, { ref, roundId }, { body: { candidateIds: [] } })).status).toBe(400);
    expect((await lead("POST", transitions, { ref, roundId }, { body: { to: "closed" } })).status).toBe(204);
    expect((await lead("POST", `${ROUNDS}/{roundId}/acceptances`, { ref, roundId }, { body: { candidateIds: [ids[3]] } })).status).toBe(409);
    expect((await read(lead, ref)).body.session).toMatchObject({ round: null, previousRounds: [{ id: roundId, kind: "why", accepted: 0 }] });
  });

  it("refuse a summary written over a newer one, with the summary as it is now", async () => {
    const { ref, lead, ana, incident } = await roundOpen();
    const anaApi = await as(ana);
    const path = `${SESSION}/summary`;
    const version = (await read(lead, ref)).body.session.summary.version as number;
    expect((await anaApi("PUT", path, { ref }, { body: { summaryMd: "No version" } })).status).toBe(428);
    expect((await lead("PUT", path, { ref }, { body: { summaryMd: "The lead's summary." }, headers: { "If-Match": `"${version}"` } })).status).toBe(200);
    const stale = await anaApi("PUT", path, { ref }, { body: { summaryMd: "Ana's summary." }, headers: { "If-Match": `"${version}"` } });
    expect(stale.status).toBe(409);
    expect(stale.body.current).toMatchObject({ summaryMd: "The lead's summary.", version: version + 1 });
    expect((await getIncident(ana, incident.id)).summaryMd).toBe("The lead's summary.");
    expect((await anaApi("PUT", path, { ref }, { body: { summaryMd: "x".repeat(50_001) }, headers: { "If-Match": `"${version + 1}"` } })).status).toBe(400);
  });

  it("keep the session page's pace: one person's changes through the page and the API count together", async () => {
    const cast = await liveSessionCast({ session: true });
    const ref = cast.incident.reference;
    // The allowance is per person, counted in ten-second windows: the clock stands still in one.
    stopTheClock();
    const busy = await createUser({ name: "Busy Person", role: "admin" });
    const api = await as(busy);
    for (let i = 1; i < env().SESSION_WRITES_PER_10S; i++) expect(await sessionPace().take(busy.id)).toBe(true);
    expect((await api("PUT", `${SESSION}/phase`, { ref }, { body: { phase: "whys" } })).status).toBe(204);
    const refused = await api("PUT", `${SESSION}/phase`, { ref }, { body: { phase: "actions" } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    const [session] = await db().select().from(schema.liveSessions).where(eq(schema.liveSessions.incidentId, cast.incident.id)).all();
    expect(session.phase).toBe("whys");
  });

  it("claim a remediation only where one was chosen, and open rounds only within the incident", async () => {
    const cast = await liveSessionCast({ session: true });
    const ref = cast.incident.reference;
    const lead = await as(cast.lead);
    const other = await createIncident(cast.lead, { facilitatorId: cast.lead.id, visibility: "org" });
    await startSession(cast.lead, cast.incident.id, { anonymous: true }).catch(() => undefined);
    const round = await openRound(cast.lead, cast.incident.id, "why", null, "Why?");
    const draft = await saveDraft(cast.ana, cast.incident.id, round.id, "The cache expired at once", null);
    await lead("POST", `${ROUNDS}/{roundId}/transitions`, { ref, roundId: round.id }, { body: { to: "revealed" } });
    const whyId = (await lead("POST", `${ROUNDS}/{roundId}/acceptances`, { ref, roundId: round.id }, { body: { candidateIds: [draft.candidateId] } })).body.whys[0].id;
    expect((await (await as(cast.ana))("POST", `${SESSION}/remediation-claims`, { ref }, { body: { whyId } })).status).toBe(409);
    expect((await lead("POST", ROUNDS, { ref: other.reference }, { body: { kind: "why", whyId: null, question: "Why?" } })).status).toBe(409);
    expect((await lead("POST", ROUNDS, { ref }, { body: { kind: "remediation", whyId: null, question: "What?" } })).status).toBe(400);
    expect((await lead("POST", ROUNDS, { ref }, { body: { kind: "why", whyId: 999, question: "Why?" } })).status).toBe(404);
  });
});

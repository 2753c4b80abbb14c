// Who may do what, route by route. Every route of the production build's manifest is requested,
// GET and POST, by five roles (signed out, a member, a participant, the facilitator, an admin)
// against an org-wide and a restricted incident, and each answer is checked against the table
// below. A route missing from the table fails the test: a new route cannot ship unchecked.
//
// Besides the status, every answer to someone who may not see the restricted incidents is
// searched for them, refused posts must leave the database as it was, and each page's loader is
// also asked alone (a single-fetch `.data` request naming only that route), so no route relies
// on a parent layout's check.
//
// The live session's page takes one form per intent; the world has a session open on both
// incidents (started by their facilitator), and each of its probes first sets up what it needs
// (a round with a candidate to reveal, a revealed one to vote in…), so that every role meets the
// same state whatever the roles before it did.
import { expect, test } from "@playwright/test";
import { addMember, ADMIN_EMAIL, ADMIN_PASSWORD, firstAdmin, manifest, MEMBER_PASSWORD, outboxSent, OWN_BASE, post, reportForm, sessionCookie, urlOf, withOwnStore } from "./own-server";
import type { Stored } from "./stored";

const ROLES = ["anonymous", "member", "participant", "facilitator", "admin"] as const;
type Role = (typeof ROLES)[number];
type Scope = "org" | "restricted";

/** What a request came to, from its status and where it was sent. */
type Outcome = "ok" | "redirect" | "signin" | "unauthorized" | "forbidden" | "hidden" | "no action" | "refused" | "error";
/** What the table expects: one outcome, "done" for a form that went through (2xx, or a redirect other than to sign in), or any of several. */
type Expected = Outcome | "done" | readonly Outcome[];
type Rule = Expected | ((role: Role, scope: Scope) => Expected);

const everyone = (outcome: Expected): Rule => outcome;
const signedIn: Rule = (role) => (role === "anonymous" ? "signin" : "ok");
/** Posting where there is no action is refused with 405. Signed out, the page's own loaders may send you to sign in first. */
const noAction: Rule = (role) => (role === "anonymous" ? ["no action", "signin"] : "no action");
const adminOnly: Rule = (role) => (role === "anonymous" ? "signin" : role === "admin" ? "ok" : "forbidden");
/** A restricted incident does not exist for anyone not involved: 404, as for a missing one. */
const viewer: Rule = (role, scope) => (role === "anonymous" ? "signin" : role === "member" && scope === "restricted" ? "hidden" : "ok");
/** Building the analysis: the facilitator, participants and admins. */
const contributor: Rule = (role, scope) => {
  const seen = viewer(role, scope);
  return seen === "ok" && role === "member" ? "forbidden" : seen;
};
/** Leading it: the facilitator and admins. (The probed actions are owned by the admin, so the same rule holds for changing them.) */
const manager: Rule = (role, scope) => {
  const part = contributor(role, scope);
  return part === "ok" && role === "participant" ? "forbidden" : part;
};

/** For a form: where the rule allows, the (valid) form must go through, not merely get past the check. */
const writes =
  (rule: Rule): Rule =>
  (role, scope) => {
    const expected = judge(rule, role, scope);
    return expected === "ok" ? "done" : expected;
  };

type Person = Exclude<Role, "anonymous">;

/** Facts the probes need: the people's ids, the incidents and actions, and the database to read versions from. */
type World = {
  ids: Record<Person, number>;
  /** Signed-in sessions, for a probe's set-up; `watcher` may see the org-wide incident and joins its live session. */
  cookies: Record<Person | "watcher", string>;
  /** Someone who watches the org-wide incident's live session: the one the facilitator makes a participant. */
  watcher: number;
  /** On each incident, a why with a remediation to claim. */
  remediated: Record<Scope, number>;
  refs: Record<Scope, string>;
  published: Record<Scope, string>;
  actions: Record<Scope, number>;
  /** A person no probe signs in as, for the admin's removal probe to remove. */
  removable: number;
  stored: Stored;
};
type Probe = {
  name: string;
  form: (world: World, scope: Scope) => Record<string, string> | Promise<Record<string, string>>;
  expect: Rule;
  /** Sets up what the probe needs (over HTTP, as people who may), before the database is read to compare. */
  prepare?: (world: World, scope: Scope) => Promise<void>;
  /** Stored even when refused: failed sign-ins (to throttle guessing) and signing out (the session ends). */
  recorded?: true;
};


type Expectation = {
  /** The answer to a GET of the page (and of its loader alone). */
  get: Rule;
  /** Valid forms, each of which succeeds for whoever the rule allows; or the route has no action. */
  post: Probe[] | "none";
  /** The route is about one incident (or one of its actions): requested for both scopes. */
  scoped?: "incident" | "published" | "action";
  /** Route parameters of its own, for a route about something other than an incident. */
  params?: (world: World) => Record<string, string>;
  /** Query string for the GET. */
  query?: string;
  /** Involved people and admins must find the restricted incidents here (proof the leak check looks at the right page). */
  listsRestricted?: true;
  /** The route answers with an event stream that stays open: its first events are read, then it is closed. */
  stream?: true;
  /** Involved people and admins must find the restricted incident's live session here (its question). */
  showsRestrictedSession?: true;
};

/** What a response says first: all of it, or for an event stream, what it sends at once. */
async function opening(response: Response, stream: boolean | undefined): Promise<string> {
  if (!stream || !response.headers.get("Content-Type")?.startsWith("text/event-stream")) return await response.text();
  const reader = response.body!.getReader();
  const { value } = await reader.read();
  await reader.cancel();
  return new TextDecoder().decode(value);
}

const incidentOf = async (world: World, scope: Scope) =>
  (await world.stored.get<{ id: number; status: string; version: number }>("select id, status, version from incidents where id = ?", Number(world.refs[scope].slice(4))))!;

// --- The live sessions -------------------------------------------------------------------------

/** What each incident's session asks and is answered: only the restricted one's words are secret (SECRET). */
const SESSION_TEXT: Record<Scope, { question: string; candidate: string; remediation: string }> = {
  org: {
    question: "Why did the checkout queue stall?",
    candidate: "The queue worker ran out of memory.",
    remediation: "Alert on the queue worker's memory.",
  },
  restricted: {
    question: "Why did the wombat vault open?",
    candidate: "The bilby rotation job skipped a key.",
    remediation: "Alert when the bilby rotation skips a key.",
  },
};

const sessionPage = (world: World, scope: Scope) => `/incidents/${world.refs[scope]}/session`;

/** The open session on the incident, its round in progress, and that round's candidates, as stored. */
async function liveOf(world: World, scope: Scope) {
  const session = await world.stored.get<{ id: number; facilitatorId: number; phase: string; timerEndsAt: string | null }>(
    'select id, facilitator_id as "facilitatorId", phase, timer_ends_at as "timerEndsAt" from live_sessions where incident_id = ? and ended_at is null',
    (await incidentOf(world, scope)).id,
  );
  const round = session
    ? await world.stored.get<{ id: number; state: "drafting" | "revealed" }>("select id, state from live_rounds where session_id = ? and state <> 'closed' order by id desc limit 1", session.id)
    : undefined;
  const candidates = round ? (await world.stored.all<{ id: number }>("select id from live_candidates where round_id = ? order by id", round.id)).map((c) => c.id) : [];
  return { session, round, candidates };
}

/** A form a probe's set-up posts: it must go through. */
async function arrange(world: World, scope: Scope, as: keyof World["cookies"], form: Record<string, string>, pathname = sessionPage(world, scope)) {
  const response = await post(pathname, form, world.cookies[as]);
  const location = response.headers.get("location") ?? "";
  const ok = response.status === 302 && !location.startsWith("/signin");
  expect(ok, `setting up ${form.intent ?? pathname} as ${as} on the ${scope} incident: ${response.status} ${(await response.text()).slice(0, 300)}`).toBe(true);
}

/** The incident in analysis with a session open, led by the incident's facilitator (or the participant it was handed to). */
async function ensureSession(world: World, scope: Scope, leader: "facilitator" | "participant" = "facilitator") {
  if ((await incidentOf(world, scope)).status !== "analysis") await arrange(world, scope, "admin", { intent: "move", to: "analysis" }, `/incidents/${world.refs[scope]}?index`);
  if (!(await liveOf(world, scope)).session) await arrange(world, scope, "facilitator", { intent: "start-session", anonymous: "on" });
  if ((await liveOf(world, scope)).session!.facilitatorId !== world.ids[leader]) {
    await arrange(world, scope, "admin", { intent: "hand-facilitation", userId: String(world.ids[leader]) });
  }
}

/**
 * A round in progress: asked ("drafting"), with a candidate written ("drafted"), or revealed.
 * The facilitator asks and reveals; the participant writes.
 */
async function ensureRound(world: World, scope: Scope, want: "drafting" | "drafted" | "revealed") {
  await ensureSession(world, scope);
  if (want === "revealed" && (await liveOf(world, scope)).round?.state === "revealed") return;
  if ((await liveOf(world, scope)).round?.state !== "drafting") {
    await arrange(world, scope, "facilitator", { intent: "open-round", kind: "why", whyId: "", question: SESSION_TEXT[scope].question });
  }
  if (want === "drafting") return;
  const { round, candidates } = await liveOf(world, scope);
  if (candidates.length === 0) await arrange(world, scope, "participant", { intent: "save-draft", roundId: String(round!.id), body: SESSION_TEXT[scope].candidate });
  if (want === "revealed") await arrange(world, scope, "facilitator", { intent: "reveal", roundId: String(round!.id) });
}

/** The incident's people as the world made them, with the watcher taking part or not. */
async function setPeople(world: World, scope: Scope, extra: number[]) {
  const participantIds = [world.ids.participant, ...extra].join(",");
  await arrange(world, scope, "admin", { intent: "people", facilitatorId: String(world.ids.facilitator), participantIds }, `/incidents/${world.refs[scope]}/edit`);
}

const takesPart = async (world: World, scope: Scope, userId: number) =>
  (await world.stored.get("select 1 from participants where incident_id = ? and user_id = ?", (await incidentOf(world, scope)).id, userId)) !== undefined;

/**
 * On the org-wide incident, the watcher has joined the session and watches (is no participant):
 * made a participant for a moment to say they are ready (which joins them), then taken off again.
 * Everyone who may see a restricted incident already takes part, so nobody watches one: there the
 * participant joins (by saying they are ready), and making them a participant changes nothing.
 */
async function ensureWatcher(world: World, scope: Scope) {
  await ensureSession(world, scope);
  if (scope === "restricted") {
    await arrange(world, scope, "participant", { intent: "ready", ready: "on" });
    return;
  }
  const joined = await world.stored.get("select 1 from live_members where session_id = ? and user_id = ?", (await liveOf(world, scope)).session!.id, world.watcher);
  if (!joined) {
    await setPeople(world, scope, [world.watcher]);
    await arrange(world, scope, "watcher", { intent: "ready", ready: "on" });
  }
  if (await takesPart(world, scope, world.watcher)) await setPeople(world, scope, []);
}

/**
 * The session handed to the member, who is then taken off the org-wide incident: they may still
 * see it, but no longer build its analysis, so they may not drive its session either. (The member
 * may not see the restricted incident at all.)
 */
async function ensureLedByOutsider(world: World, scope: Scope) {
  await ensureSession(world, scope);
  if (scope === "restricted") return;
  await setPeople(world, scope, [world.ids.member]);
  await arrange(world, scope, "admin", { intent: "hand-facilitation", userId: String(world.ids.member) });
  await setPeople(world, scope, []);
}

/** Leading the session: its facilitator (here the incident's, who started it), the incident's facilitator, admins. */
const sessionLead = manager;
/** Leading it once the session's facilitation is handed to the participant. */
const handedToParticipant: Rule = (role, scope) => (role === "participant" ? "done" : judge(writes(sessionLead), role, scope));

let unique = 0;
const TABLE: Record<string, Expectation> = {
  // The layout of every page: its loader gives only the signed-in person and the flash message.
  root: { get: everyone("ok"), post: "none" },
  "routes/_index": {
    get: (role) => (role === "anonymous" ? "signin" : "redirect"),
    post: "none",
  },
  "routes/$": { get: everyone("hidden"), post: "none" },
  "routes/healthz": { get: everyone("ok"), post: "none" },
  // The API reads a token, never the session cookie every probe here carries: without a token, 401 for all.
  "routes/api.v1.$": {
    get: everyone("unauthorized"),
    post: [{ name: "report with a session cookie", form: () => ({ title: "Probe", severity: "SEV3" }), expect: everyone("unauthorized") }],
  },
  // The API's description and its reference page hold no data: public.
  "routes/api.v1.openapi[.]json": { get: everyone("ok"), post: "none" },
  "routes/api._index": { get: everyone("ok"), post: "none" },
  // Each person's own tokens; revoking one that is not theirs (here, none at all) is a 404.
  "routes/account_.tokens": {
    get: signedIn,
    post: [
      { name: "make a token", form: () => ({ intent: "create", name: `Probe ${++unique}`, scope: "read", expiresInDays: "30" }), expect: writes(signedIn) },
      { name: "revoke no token", form: () => ({ intent: "revoke", tokenId: "999999" }), expect: (role) => (role === "anonymous" ? "signin" : "hidden") },
    ],
  },
  // GitHub's deliveries carry no session: the signature is the permission. This server has no
  // GitHub App configured, so nothing listens there: 404 (saying why), whoever sends it.
  "routes/api.github.deployment-protection-rule": {
    get: everyone("no action"),
    post: [{ name: "a delivery without a signature", form: () => ({ action: "requested" }), expect: everyone("hidden") }],
  },
  "routes/admin.deploy-gate": {
    get: adminOnly,
    post: [
      {
        name: "add a policy",
        form: () => ({ intent: "add-policy", service: `probe-service-${++unique}`, minSeverity: "SEV2", analysisHours: "24" }),
        expect: writes(adminOnly),
      },
    ],
  },
  "routes/admin.tokens": {
    get: adminOnly,
    post: [{ name: "revoke no token", form: () => ({ intent: "revoke", tokenId: "999999" }), expect: (role) => (role === "admin" ? "hidden" : judge(adminOnly, role, "org")) }],
  },
  // Served only to the benchmark (HINDSIGHT_BENCH=true).
  "routes/bench.floor": { get: everyone("hidden"), post: "none" },
  // Once there is an account, setup is over: it sends everyone to sign in, and creates no one.
  "routes/setup": {
    get: everyone("signin"),
    post: [
      {
        name: "create an admin",
        form: () => ({
          name: "Mallory",
          email: `mallory${++unique}@example.com`,
          team: "X",
          password: "mallory-password",
        }),
        expect: everyone("signin"),
      },
    ],
  },
  // A wrong password gets the form back; someone signed in is sent on to the incidents.
  "routes/signin": {
    get: (role) => (role === "anonymous" ? "ok" : "redirect"),
    post: [
      {
        name: "wrong password",
        form: () => ({
          email: "nobody@example.com",
          password: "not-the-password",
        }),
        expect: (role) => (role === "anonymous" ? "refused" : "redirect"),
        recorded: true,
      },
    ],
  },
  // Signing out is open to all and ends on the sign-in page (the test signs in afresh for it, keeping the sessions the rest use).
  "routes/signout": {
    get: everyone("redirect"),
    post: [
      {
        name: "sign out",
        form: () => ({}),
        expect: everyone("signin"),
        recorded: true,
      },
    ],
  },
  // Asking for a password link: open to all, the same answer whether an account has the address
  // or not (each probe asks for an address of its own, so that no account's requests are throttled).
  "routes/forgot-password": {
    get: everyone("ok"),
    post: [
      {
        name: "ask for a link",
        form: () => ({ email: `forgetful${++unique}@example.com` }),
        expect: everyone("done"),
      },
    ],
  },
  // Signing in with the identity provider, and where it sends the browser back: the suite's server
  // has no provider configured, so neither is there, for anyone.
  "routes/signin_.sso": { get: everyone("hidden"), post: "none" },
  "routes/signin_.sso_.callback": { get: everyone("hidden"), post: "none" },
  "routes/set-password.$token": {
    get: everyone("hidden"),
    post: [
      {
        name: "set a password",
        form: () => ({ password: "a-new-password", confirm: "a-new-password" }),
        expect: everyone("hidden"),
      },
    ],
  },

  "routes/incidents._index": {
    get: signedIn,
    post: "none",
    listsRestricted: true,
  },
  "routes/incidents.new": {
    get: signedIn,
    post: [
      {
        name: "report",
        form: (w) => ({
          ...reportForm("Reported by the probe"),
          facilitatorId: String(w.ids.facilitator),
        }),
        expect: writes(signedIn),
      },
    ],
  },
  "routes/incidents.$ref": { get: viewer, post: "none", scoped: "incident" },
  "routes/incidents.$ref._index": {
    get: viewer,
    scoped: "incident",
    post: [
      {
        name: "add-why",
        form: () => ({
          intent: "add-why",
          parentId: "",
          question: "Why did the probe run?",
          answer: "The test asked.",
        }),
        expect: writes(contributor),
      },
      {
        name: "add-entry",
        form: () => ({
          intent: "add-entry",
          at: "2026-11-20T10:05",
          bodyMd: "The probe wrote this entry.",
        }),
        expect: writes(contributor),
      },
      {
        name: "move",
        form: async (w, s) => ({
          intent: "move",
          to: (await incidentOf(w, s)).status === "analysis" ? "review" : "analysis",
        }),
        expect: writes(manager),
      },
    ],
  },
  "routes/incidents.$ref.edit": {
    get: contributor,
    scoped: "incident",
    post: [
      {
        name: "fields",
        form: async (w, s) => ({
          intent: "fields",
          ...reportForm(s === "org" ? "Checkout slow" : "Quokka keyring leak"),
          visibility: s,
          version: String((await incidentOf(w, s)).version),
        }),
        expect: writes(contributor),
      },
      {
        name: "people",
        form: (w) => ({
          intent: "people",
          facilitatorId: String(w.ids.facilitator),
          participantIds: String(w.ids.participant),
        }),
        expect: writes(manager),
      },
    ],
  },
  "routes/incidents.$ref.history": {
    get: viewer,
    post: "none",
    scoped: "incident",
  },
  "routes/incidents.$ref.export[.]md": {
    get: viewer,
    post: "none",
    scoped: "incident",
  },
  "routes/incidents.$ref.events": {
    get: viewer,
    post: "none",
    scoped: "incident",
    stream: true,
  },
  "routes/incidents.$ref.actions.new": {
    get: contributor,
    scoped: "incident",
    post: [
      {
        name: "add an action",
        form: (w) => ({
          title: "Probe action",
          ownerId: String(w.ids.admin),
          priority: "P3",
          whyId: "",
        }),
        expect: writes(contributor),
      },
    ],
  },

  // The live session: watched by anyone who may see the incident, built by those who may
  // contribute, driven by its facilitator, the incident's facilitator and admins.
  "routes/incidents.$ref.session": {
    get: viewer,
    scoped: "incident",
    showsRestrictedSession: true,
    post: [
      {
        name: "start-session",
        // Ended first, by its facilitator: starting is refused while one is open.
        prepare: async (w, s) => {
          await ensureSession(w, s);
          await arrange(w, s, "facilitator", { intent: "end-session" });
        },
        form: () => ({ intent: "start-session", anonymous: "on" }),
        expect: writes(manager),
      },
      {
        name: "set-phase",
        prepare: ensureSession,
        form: async (w, s) => ({ intent: "set-phase", phase: (await liveOf(w, s)).session!.phase === "timeline" ? "whys" : "timeline" }),
        expect: writes(sessionLead),
      },
      {
        name: "start-timer",
        prepare: ensureSession,
        form: () => ({ intent: "start-timer", minutes: "5", mode: "start" }),
        expect: writes(sessionLead),
      },
      {
        name: "stop-timer",
        prepare: async (w, s) => {
          await ensureSession(w, s);
          if (!(await liveOf(w, s)).session!.timerEndsAt) await arrange(w, s, "facilitator", { intent: "start-timer", minutes: "3" });
        },
        form: () => ({ intent: "stop-timer" }),
        expect: writes(sessionLead),
      },
      {
        name: "ready",
        prepare: ensureSession,
        form: () => ({ intent: "ready", ready: "on" }),
        expect: writes(contributor),
      },
      {
        name: "hand-facilitation",
        prepare: ensureSession,
        form: (w) => ({ intent: "hand-facilitation", userId: String(w.ids.participant) }),
        expect: writes(sessionLead),
      },
      {
        name: "set-phase, the session handed to the participant",
        prepare: (w, s) => ensureSession(w, s, "participant"),
        form: async (w, s) => ({ intent: "set-phase", phase: (await liveOf(w, s)).session!.phase === "timeline" ? "whys" : "timeline" }),
        expect: handedToParticipant,
      },
      {
        name: "send-for-review, the session handed to the participant",
        prepare: (w, s) => ensureSession(w, s, "participant"),
        form: () => ({ intent: "send-for-review" }),
        expect: handedToParticipant,
      },
      {
        name: "set-phase, the session handed to someone no longer taking part",
        prepare: ensureLedByOutsider,
        form: async (w, s) => ({ intent: "set-phase", phase: (await liveOf(w, s)).session!.phase === "timeline" ? "whys" : "timeline" }),
        expect: writes(sessionLead),
      },
      {
        // On the restricted incident everyone who may see it takes part already (see ensureWatcher).
        name: "make-participant",
        prepare: ensureWatcher,
        form: (w, s) => ({ intent: "make-participant", userId: String(s === "org" ? w.watcher : w.ids.participant) }),
        expect: writes(sessionLead),
      },
      {
        name: "add-entry",
        prepare: ensureSession,
        form: () => ({ intent: "add-entry", at: "2026-11-20T10:07", bodyMd: "The probe noted this in the session." }),
        expect: writes(contributor),
      },
      {
        name: "write-summary",
        prepare: ensureSession,
        form: async (w, s) => ({ intent: "write-summary", summaryMd: `Summary written in the session (${++unique}).`, version: String((await incidentOf(w, s)).version) }),
        expect: writes(contributor),
      },
      {
        name: "add-action",
        prepare: ensureSession,
        form: (w, s) => ({ intent: "add-action", title: "Probe action from the session", ownerId: String(w.ids.admin), priority: "P3", whyId: String(w.remediated[s]) }),
        expect: writes(contributor),
      },
      {
        name: "claim-remediation",
        prepare: ensureSession,
        form: (w, s) => ({ intent: "claim-remediation", whyId: String(w.remediated[s]) }),
        expect: writes(contributor),
      },
      {
        name: "open-round",
        prepare: ensureSession,
        form: (_, s) => ({ intent: "open-round", kind: "why", whyId: "", question: SESSION_TEXT[s].question }),
        expect: writes(sessionLead),
      },
      {
        name: "open-round for a remediation",
        prepare: ensureSession,
        form: (w, s) => ({ intent: "open-round", kind: "remediation", whyId: String(w.remediated[s]), question: `What would stop it? ${SESSION_TEXT[s].question}` }),
        expect: writes(sessionLead),
      },
      {
        name: "save-draft",
        prepare: (w, s) => ensureRound(w, s, "drafting"),
        form: async (w, s) => ({ intent: "save-draft", roundId: String((await liveOf(w, s)).round!.id), body: SESSION_TEXT[s].candidate }),
        expect: writes(contributor),
      },
      {
        name: "reveal",
        prepare: (w, s) => ensureRound(w, s, "drafted"),
        form: async (w, s) => ({ intent: "reveal", roundId: String((await liveOf(w, s)).round!.id) }),
        expect: writes(sessionLead),
      },
      {
        name: "vote",
        prepare: (w, s) => ensureRound(w, s, "revealed"),
        form: async (w, s) => ({ intent: "vote", roundId: String((await liveOf(w, s)).round!.id), candidateId: String((await liveOf(w, s)).candidates[0]), on: "true" }),
        expect: writes(contributor),
      },
      {
        name: "accept",
        prepare: (w, s) => ensureRound(w, s, "revealed"),
        form: async (w, s) => ({ intent: "accept", roundId: String((await liveOf(w, s)).round!.id), candidateIds: String((await liveOf(w, s)).candidates[0]) }),
        expect: writes(sessionLead),
      },
      {
        name: "close-round",
        prepare: (w, s) => ensureRound(w, s, "drafting"),
        form: async (w, s) => ({ intent: "close-round", roundId: String((await liveOf(w, s)).round!.id) }),
        expect: writes(sessionLead),
      },
      {
        name: "end-session",
        prepare: ensureSession,
        form: () => ({ intent: "end-session" }),
        expect: writes(sessionLead),
      },
      {
        name: "send-for-review",
        prepare: ensureSession,
        form: () => ({ intent: "send-for-review" }),
        expect: writes(sessionLead),
      },
      {
        name: "an unknown intent",
        prepare: ensureSession,
        form: () => ({ intent: "take-over" }),
        expect: (role, scope) => {
          const seen = judge(viewer, role, scope);
          return seen === "ok" ? "refused" : seen;
        },
      },
      // Last, so the next role's page shows a round with its question: a draft, private to its author's browser.
      {
        name: "save-draft, last",
        prepare: (w, s) => ensureRound(w, s, "drafting"),
        form: async (w, s) => ({ intent: "save-draft", roundId: String((await liveOf(w, s)).round!.id), body: SESSION_TEXT[s].candidate }),
        expect: writes(contributor),
      },
    ],
  },
  // The shared screen: read-only.
  "routes/incidents_.$ref.present": {
    get: viewer,
    post: "none",
    scoped: "incident",
    showsRestrictedSession: true,
  },

  "routes/actions": { get: signedIn, post: "none" },
  "routes/actions._index": { get: signedIn, post: "none" },
  "routes/actions.all": { get: signedIn, post: "none", listsRestricted: true },
  "routes/actions.overdue": { get: signedIn, post: "none" },
  "routes/actions.summary": { get: signedIn, post: "none" },
  "routes/actions.export[.]csv": {
    get: signedIn,
    post: "none",
    listsRestricted: true,
  },
  "routes/actions.$id": {
    get: viewer,
    scoped: "action",
    post: [
      {
        name: "status",
        form: async (w, s) => {
          const { status } = (await w.stored.get<{ status: string }>("select status from actions where id = ?", w.actions[s]))!;
          return {
            intent: "status",
            to: status === "open" ? "in_progress" : "open",
          };
        },
        expect: writes(manager),
      },
    ],
  },

  // Restricted incidents never reach the company-wide feed, whoever reads it.
  // "Create my private feed link", for an account without one.
  "routes/learnings._index": { get: signedIn, post: [{ name: "create feed link", form: () => ({ intent: "create-feed-link" }), expect: writes(signedIn) }] },
  "routes/learnings.$ref": { get: viewer, post: "none", scoped: "published" },
  // Feed readers sign in with the token in their link instead; without either, 401.
  "routes/learnings[.]atom": {
    get: (role) => (role === "anonymous" ? "unauthorized" : "ok"),
    post: "none",
  },
  "routes/search": {
    get: signedIn,
    post: "none",
    query: "?q=keyring",
    listsRestricted: true,
  },
  "routes/insights": { get: signedIn, post: "none" },
  // A digest that was never sent is a 404, even for admins; others may not look.
  "routes/digest.$seq": { get: (role) => (role === "anonymous" ? "signin" : role === "admin" ? "hidden" : "forbidden"), post: "none" },
  // Where a list address's List-Unsubscribe leads: public, it says how to leave the list.
  "routes/digest.mailing-list": { get: everyone("ok"), post: "none" },
  // The one-click unsubscribe needs no sign-in: its signed token is the permission, and a made-up one is refused for all.
  "routes/unsubscribe.$token": {
    get: everyone("refused"),
    post: [{ name: "one-click unsubscribe", form: () => ({ "List-Unsubscribe": "One-Click" }), expect: everyone("refused") }],
  },
  // Each person's own profile. Ending "everywhere else" keeps the session that asks, which is the one each role's probes use.
  "routes/account": {
    get: signedIn,
    post: [
      { name: "subscribe", form: () => ({ intent: "subscribe" }), expect: writes(signedIn) },
      { name: "details", form: () => ({ intent: "details", name: `Probe Renamed ${++unique}`, team: "Probe team" }), expect: writes(signedIn) },
      { name: "reminders-off", form: () => ({ intent: "reminders-off" }), expect: writes(signedIn) },
      { name: "end-session of no session", form: () => ({ intent: "end-session", session: "0123456789abcdef" }), expect: writes(signedIn) },
      { name: "end-others", form: () => ({ intent: "end-others" }), expect: writes(signedIn) },
      {
        // A wrong current password is refused, and counted as a failed sign-in is.
        name: "password, with a wrong current one",
        form: () => ({ intent: "password", current: "not-the-password", password: "probe-new-password", confirm: "probe-new-password" }),
        expect: (role) => (role === "anonymous" ? "signin" : "refused"),
        recorded: true,
      },
      { name: "an unknown intent", form: () => ({ intent: "take-over" }), expect: (role) => (role === "anonymous" ? "signin" : "refused") },
    ],
  },
  "routes/digest._index": {
    get: adminOnly,
    post: [
      {
        name: "send",
        form: () => ({ intent: "send" }),
        expect: writes(adminOnly),
      },
    ],
  },

  "routes/admin.users": {
    get: adminOnly,
    post: [
      {
        name: "add",
        form: () => ({
          intent: "add",
          name: "Probe Person",
          email: `probe${++unique}@example.com`,
          team: "Platform",
          role: "admin",
        }),
        expect: writes(adminOnly),
      },
    ],
  },
  // Removing a person: the admin's probe (the last role to ask) removes the one nobody signs in as.
  "routes/admin.users_.$id.remove": {
    get: adminOnly,
    params: (w) => ({ id: String(w.removable) }),
    post: [{ name: "remove", form: () => ({ handTo: "" }), expect: writes(adminOnly) }],
  },
  "routes/admin.categories": {
    get: adminOnly,
    post: [
      {
        name: "add",
        form: () => ({ intent: "add", label: `Probe category ${++unique}` }),
        expect: writes(adminOnly),
      },
    ],
  },
  "routes/admin.settings": {
    get: adminOnly,
    post: [
      {
        name: "save",
        form: () => {
          const form: Record<string, string> = {
            reminderHour: "9",
            timeZone: "UTC",
            digestTo: "",
            digestWhenEmpty: "note",
            digestDay: "1",
            digestHour: "9",
          };
          for (const s of ["SEV1", "SEV2", "SEV3", "SEV4"]) for (const p of ["P1", "P2", "P3"]) form[`${s}-${p}`] = "30";
          return form;
        },
        expect: writes(adminOnly),
      },
    ],
  },
  "routes/admin.sign-in": {
    get: adminOnly,
    post: [
      {
        name: "save",
        form: () => ({ providerName: "Okta", providerDomains: "", providerAdminGroups: "", passwordSignIn: "everyone" }),
        expect: writes(adminOnly),
      },
      {
        // Members would have no way in: refused even to an admin while no provider is configured.
        name: "passwords for admins only, without a provider",
        form: () => ({ providerName: "Okta", providerDomains: "", providerAdminGroups: "", passwordSignIn: "admins" }),
        expect: (role, scope) => (role === "admin" ? "refused" : judge(adminOnly, role, scope)),
      },
    ],
  },
  "routes/admin.outbox": {
    get: adminOnly,
    post: [
      {
        name: "send",
        form: () => ({ intent: "send" }),
        expect: writes(adminOnly),
      },
    ],
  },
  "routes/admin.webhooks": {
    get: adminOnly,
    post: [
      {
        name: "private addresses",
        form: () => ({ intent: "addresses" }),
        expect: writes(adminOnly),
      },
    ],
  },
};

/** Words only the restricted incidents contain: their titles, and what their live sessions ask and are answered. */
const SECRET = /quokka|wombat|bilby/i;
/** The restricted incident's live session, as those who may see it find it. */
const RESTRICTED_SESSION = /wombat/i;

function outcomeOf(response: Response): Outcome {
  const { status } = response;
  const location = response.headers.get("location");
  // A single-fetch data request answers a redirect with 202 and the target in Location.
  if ((status >= 300 && status < 400) || (status === 202 && location)) return location?.startsWith("/signin") ? "signin" : "redirect";
  if (status >= 500) return "error";
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "hidden";
  if (status === 405) return "no action";
  if (status >= 400) return "refused";
  return "ok";
}

function judge(rule: Rule, role: Role, scope: Scope): Expected {
  return typeof rule === "function" ? rule(role, scope) : rule;
}

function matches(expected: Expected, got: Outcome): boolean {
  if (expected === "done") return got === "ok" || got === "redirect";
  return typeof expected === "string" ? got === expected : expected.includes(got);
}

test("every route answers each role as the table says, and restricted incidents stay hidden", async () => {
  test.setTimeout(180_000);
  await withOwnStore({}, async (stored, dataDir) => {
    const routes = manifest(dataDir);
    const world = await buildWorld(stored);
    const cookies: Record<Role, string> = { anonymous: "", ...world.cookies };
    const problems: string[] = [];
    const checked = new Set<string>();

    // The table and the app list the same routes.
    const listed = new Set(Object.keys(TABLE));
    for (const route of routes) if (!listed.has(route.id)) problems.push(`${route.id} (/${route.path ?? ""}) is not in the table: decide who may use it`);
    for (const id of listed) if (!routes.some((r) => r.id === id)) problems.push(`${id} is in the table but not in the app`);

    for (const route of routes) {
      const expectation = TABLE[route.id];
      if (!expectation) continue;
      const scopes: Scope[] = expectation.scoped ? ["org", "restricted"] : ["org"];
      for (const scope of scopes) {
        const url = urlOf(route, routes, paramsFor(expectation, world, scope));
        const pathname = url.replace(/\?index$/, "");
        for (const role of ROLES) {
          const who = `${role}${expectation.scoped ? ` on the ${scope} incident` : ""}`;
          const seesRestricted = role === "participant" || role === "facilitator" || role === "admin";
          const want = judge(expectation.get, role, scope);
          const headers = { Cookie: cookies[role] };

          // The page (the root layout has no page of its own: "/" is the index route's).
          if (route.id !== "root") {
            const response = await fetch(OWN_BASE + pathname + (expectation.query ?? ""), { redirect: "manual", headers });
            const body = await opening(response, expectation.stream);
            const got = outcomeOf(response);
            if (!matches(want, got)) problems.push(`GET ${pathname} as ${who}: ${got} (${response.status}), expected ${want}`);
            if (!seesRestricted && SECRET.test(body)) problems.push(`GET ${pathname} as ${who} shows a restricted incident`);
            if (seesRestricted && expectation.listsRestricted && got === "ok" && !SECRET.test(body)) problems.push(`GET ${pathname} as ${who} does not list the restricted incidents`);
            if (seesRestricted && expectation.showsRestrictedSession && scope === "restricted" && got === "ok" && !RESTRICTED_SESSION.test(body)) {
              problems.push(`GET ${pathname} as ${who} does not show the restricted incident's live session`);
            }
          }
          // Its loader alone, as client-side navigation asks for it.
          if (route.hasLoader && (route.hasComponent || route.id === "root")) {
            const data = `${pathname === "/" ? "/_root" : pathname}.data?_routes=${encodeURIComponent(route.id)}${expectation.query ? `&${expectation.query.slice(1)}` : ""}`;
            const response = await fetch(OWN_BASE + data, {
              redirect: "manual",
              headers,
            });
            const body = await response.text();
            const got = outcomeOf(response);
            if (!matches(want, got)) problems.push(`GET ${data} as ${who}: ${got} (${response.status}), expected ${want}`);
            if (!seesRestricted && SECRET.test(body)) problems.push(`GET ${data} as ${who} shows a restricted incident`);
          }
          // Each form the route takes.
          const probes: Probe[] =
            expectation.post === "none"
              ? [
                  {
                    name: "any form",
                    form: () => ({ intent: "anything" }),
                    expect: noAction,
                  },
                ]
              : expectation.post;
          for (const probe of probes) {
            const cookie = route.id === "routes/signout" && role !== "anonymous" ? await freshSession(world.emails[role]) : cookies[role];
            await probe.prepare?.(world, scope);
            // An earlier form's email (an invitation) is sent after its answer: not this probe's write.
            await outboxSent(stored);
            const before = await stored.fingerprint();
            const response = await post(url, await probe.form(world, scope), cookie);
            const body = await response.text();
            const expected = judge(probe.expect, role, scope);
            const got = outcomeOf(response);
            if (!matches(expected, got)) problems.push(`POST ${url} (${probe.name}) as ${who}: ${got} (${response.status}), expected ${expected}`);
            if (!seesRestricted && SECRET.test(body)) problems.push(`POST ${url} (${probe.name}) as ${who} shows a restricted incident`);
            if (!matches("done", got) && !probe.recorded && (await stored.fingerprint()) !== before) {
              problems.push(`POST ${url} (${probe.name}) as ${who} was refused (${response.status}) but changed the database`);
            }
          }
          checked.add(route.id);
        }
      }
    }

    // Being "here" in a live session (the session page's and the shared screen's stream) is for
    // those who may see the incident: to anyone else the restricted incident is not there, and they
    // are not recorded in its session. Asked last: leaving writes to the stream a while after a
    // stream closes, which must not fall between the before and after of a refused post above.
    for (const scope of ["org", "restricted"] as const) {
      for (const role of ROLES) {
        const pathname = `/incidents/${world.refs[scope]}/events?presence=1`;
        const who = `${role} on the ${scope} incident`;
        const response = await fetch(OWN_BASE + pathname, { redirect: "manual", headers: { Cookie: cookies[role] } });
        const body = await opening(response, true);
        const got = outcomeOf(response);
        const want = judge(viewer, role, scope);
        if (!matches(want, got)) problems.push(`GET ${pathname} as ${who}: ${got} (${response.status}), expected ${want}`);
        if ((role === "anonymous" || role === "member") && SECRET.test(body)) problems.push(`GET ${pathname} as ${who} shows a restricted incident`);
      }
      // Being here is recorded once the stream has opened (it does not wait for it).
      const session = (await liveOf(world, scope)).session!;
      const joined = async () => (await stored.get("select 1 from live_members where session_id = ? and user_id = ?", session.id, world.ids.member)) !== undefined;
      for (let wait = 0; scope === "org" && !(await joined()) && wait < 100; wait++) await new Promise((r) => setTimeout(r, 50));
      if ((await joined()) !== (scope === "org")) problems.push(`the member is ${(await joined()) ? "" : "not "}recorded in the ${scope} incident's live session after its presence stream`);
    }

    expect(problems).toEqual([]);
    expect(checked.size).toBe(routes.length);
    expect(await stored.intact()).toBe(true);
  });
});

function paramsFor(expectation: Expectation, world: World, scope: Scope): Record<string, string> {
  if (expectation.params) return expectation.params(world);
  if (expectation.scoped === "published") return { ref: world.published[scope] };
  if (expectation.scoped === "action") return { id: String(world.actions[scope]) };
  return { ref: world.refs[scope] };
}

async function freshSession(email: string): Promise<string> {
  const password = email === ADMIN_EMAIL ? ADMIN_PASSWORD : MEMBER_PASSWORD;
  return sessionCookie(await post("/signin", { email, password }));
}

/**
 * Over HTTP, as the admin: a facilitator, a participant and a member; an org-wide and a
 * restricted incident in analysis, each with a why, a why with a remediation, a timeline entry,
 * an action owned by the admin and a live session with a question and a draft; and one of each
 * published. The facilitator and participant are the same on all four. And a watcher.
 */
async function buildWorld(stored: Stored) {
  const admin = await firstAdmin();
  const cookies = {
    admin,
    facilitator: await addMember(admin, "Fran Facilitator", "fran@example.com"),
    participant: await addMember(admin, "Pat Participant", "pat@example.com"),
    member: await addMember(admin, "Morgan Member", "morgan@example.com"),
  };
  const emails: Record<Exclude<Role, "anonymous">, string> = {
    admin: ADMIN_EMAIL,
    facilitator: "fran@example.com",
    participant: "pat@example.com",
    member: "morgan@example.com",
  };
  const idOf = async (email: string) => (await stored.get<{ id: number }>("select id from users where email = ?", email))!.id;
  const ids = {
    admin: await idOf(emails.admin),
    facilitator: await idOf(emails.facilitator),
    participant: await idOf(emails.participant),
    member: await idOf(emails.member),
  };

  const done = async (response: Promise<Response>, what: string) => {
    const answer = await response;
    expect(answer.status, `${what}: ${(await answer.text()).slice(0, 300)}`).toBe(302);
    return answer;
  };
  async function incident(title: string, visibility: Scope, publish: boolean): Promise<string> {
    const form = {
      ...reportForm(title),
      visibility,
      facilitatorId: String(ids.facilitator),
      summaryMd: `${title}: the summary.`,
      resolvedAt: "2026-11-20T11:00",
    };
    const created = await done(post("/incidents/new", form, admin), `report ${title}`);
    const ref = /INC-\d+/.exec(created.headers.get("location") ?? "")![0];
    const page = `/incidents/${ref}?index`;
    await done(
      post(
        `/incidents/${ref}/edit`,
        {
          intent: "people",
          facilitatorId: String(ids.facilitator),
          participantIds: String(ids.participant),
        },
        admin
      ),
      "people"
    );
    await done(post(page, { intent: "move", to: "analysis" }, admin), "analysis");
    await done(
      post(
        page,
        {
          intent: "add-why",
          parentId: "",
          question: `Why did ${title} happen?`,
          answer: `${title}: a cache expired.`,
          noRemediationReason: "Nothing to change.",
        },
        admin
      ),
      "why"
    );
    if (!publish) {
      await done(
        post(
          page,
          {
            intent: "add-why",
            parentId: "",
            question: `Why did ${title} take so long to notice?`,
            answer: `${title}: nothing alerted.`,
            remediationMd: SESSION_TEXT[visibility].remediation,
          },
          admin
        ),
        "why with a remediation"
      );
    }
    if (publish) {
      await done(post(page, { intent: "move", to: "review" }, admin), "review");
      await done(post(page, { intent: "move", to: "published" }, admin), "publish");
    } else {
      await done(
        post(
          page,
          {
            intent: "add-entry",
            at: "2026-11-20T10:01",
            bodyMd: `${title}: the alert fired.`,
          },
          admin
        ),
        "entry"
      );
      await done(
        post(
          `/incidents/${ref}/actions/new`,
          {
            title: `${title}: follow up`,
            ownerId: String(ids.admin),
            priority: "P2",
            whyId: "",
          },
          admin
        ),
        "action"
      );
    }
    return ref;
  }
  const refs = {
    org: await incident("Checkout slow", "org", false),
    restricted: await incident("Quokka keyring leak", "restricted", false),
  };
  const published = {
    org: await incident("Search outage", "org", true),
    restricted: await incident("Quokka token exposure", "restricted", true),
  };
  const actionOf = async (ref: string) => (await stored.get<{ id: number }>("select id from actions where incident_id = ?", Number(ref.slice(4))))!.id;
  const actions = {
    org: await actionOf(refs.org),
    restricted: await actionOf(refs.restricted),
  };
  await addMember(admin, "Rory Removable", "rory@example.com");
  const removable = await idOf("rory@example.com");
  const remediatedOf = async (ref: string) =>
    (await stored.get<{ id: number }>("select id from whys where incident_id = ? and remediation_md <> ''", Number(ref.slice(4))))!.id;
  const world: World & { emails: typeof emails } = {
    ids,
    refs,
    published,
    actions,
    removable,
    stored,
    emails,
    cookies: { ...cookies, watcher: await addMember(admin, "Wes Watcher", "wes@example.com") },
    watcher: await idOf("wes@example.com"),
    remediated: { org: await remediatedOf(refs.org), restricted: await remediatedOf(refs.restricted) },
  };
  // A live session on each incident in analysis, started by its facilitator, asking its first question.
  for (const scope of ["org", "restricted"] as const) await ensureRound(world, scope, "drafted");
  return world;
}

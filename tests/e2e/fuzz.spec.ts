// Every form action of the app, from the route manifest of the production build, gets malformed
// and random form data as an admin (who may do the most): never a 5xx, and input that is
// refused (4xx) changes nothing in the database, on either engine (the rate limits count every
// attempt, by design, and are left out of the comparison: Stored.fingerprint). The live session's
// page and present view are then given malformed input aimed at each intent, with a session in
// the state that intent needs: each answer is a 4xx that stores nothing.
import { expect, test } from "@playwright/test";
import { firstAdmin, incidentInAnalysis, manifest, outboxSent, OWN_BASE, post, reportForm, urlOf, withOwnStore } from "./own-server";
import type { Stored } from "./stored";

// A small deterministic generator, so a failure can be replayed.
let seed = 20261124;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T,>(list: readonly T[]): T => list[Math.floor(random() * list.length)];

const SESSION_INTENTS = ["start-session", "set-phase", "start-timer", "stop-timer", "ready", "make-participant", "hand-facilitation", "open-round", "save-draft", "withdraw-draft", "reveal", "vote", "accept", "close-round", "claim-remediation", "add-action", "write-summary", "send-for-review", "end-session"];
const INTENTS = [...SESSION_INTENTS, "add-why", "update-why", "delete-why", "add-entry", "update-entry", "delete-entry", "apply-suggestion", "acknowledge-finding", "withdraw-acknowledgement", "link-incident", "unlink-incident", "republish", "move", "fields", "people", "add", "update", "link", "remove", "rename", "merge", "retry", "send", "status", "details", "password", "password-link", "subscribe", "unsubscribe", "reminders-on", "reminders-off", "end-session", "end-others", "create", "revoke", "", "unknown"];
const FIELDS = ["intent", "whyId", "version", "question", "answer", "category", "remediationMd", "parentId", "branchOf", "entryId", "at", "bodyMd", "to", "field", "match", "reason", "relatedId", "title", "severity", "startedAt", "detectedAt", "resolvedAt", "services", "impactMd", "summaryMd", "visibility", "facilitatorId", "participantIds", "ownerId", "dueDate", "priority", "trackerUrl", "descriptionMd", "status", "wontDoReason", "email", "password", "confirm", "name", "team", "role", "userId", "id", "slug", "label", "into", "timeZone", "reminderHour", "digestDay", "digestHour", "digestTo", "digestWhenEmpty", "period", "redirectTo", "confirmDelete", "phase", "minutes", "mode", "ready", "kind", "roundId", "body", "token", "candidateId", "candidateIds", "on", "anonymous", "current", "session", "providerName", "providerDomains", "providerAdminGroups", "passwordSignIn", "tokenId", "scope", "expiresInDays", "random-field"];
const VALUES = ["", " ", "0", "-1", "1", "2", "999999999", "1e309", "NaN", "1.5", "INC-0", "INC-99999", "true", "on", "[object Object]", "<script>alert(1)</script>", "'; drop table incidents; --", "\u0000", "𝕳𝖎𝖓𝖉𝖘𝖎𝖌𝖍𝖙", "../../etc/passwd", "2026-13-45T99:99", "2026-11-20T10:00", "2026-12-01", "SEV1", "SEV9", "org", "restricted", "admin", "analysis", "published", "done", "whys", "wrapup", "why", "remediation", "add", "start", "60", "61", "wont_do", "P1", "P7", "everyone", "admins", "Okta", "example.com", "someone@example.com", "0123456789abcdef", "x".repeat(10_001), "javascript:alert(1)", "https://evil.example/", "%00%ff", "{}", "[]"];

function randomForm(): URLSearchParams {
  const form = new URLSearchParams();
  form.set("intent", pick(INTENTS));
  const count = Math.floor(random() * 8);
  for (let i = 0; i < count; i++) form.append(pick(FIELDS), pick(VALUES));
  return form;
}

test("random and malformed form posts to every action: no 5xx, and nothing changes when refused", async () => {
  test.setTimeout(180_000);
  await withOwnStore({}, async (stored, dataDir) => {
    const admin = await incidentInAnalysis("Fuzzed incident");
    expect((await post("/incidents/INC-1?index", { intent: "add-why", question: "Why?", answer: "Because." }, admin)).status).toBe(302);
    expect((await post("/incidents/INC-1/actions/new", { title: "An action", ownerId: "1", priority: "P2" }, admin)).status).toBe(302);

    const routes = manifest(dataDir);
    // Signing out would end the session the rest runs in; its form carries no input.
    const targets = routes.filter((r) => r.hasAction && r.id !== "routes/signout");
    expect(targets.length).toBeGreaterThanOrEqual(12);
    expect(targets.map((r) => r.id)).toEqual(expect.arrayContaining(["routes/incidents.$ref.session", "routes/account", "routes/forgot-password", "routes/admin.sign-in"]));
    // Refusals stored by design, to throttle guessing: a failed sign-in, and a wrong current password on the profile.
    const recordsRefusal = (routeId: string, form?: URLSearchParams) => routeId === "routes/signin" || (routeId === "routes/account" && form?.get("intent") === "password");
    const problems: string[] = [];
    for (const route of targets) {
      const url = urlOf(route, routes);
      // The session page's forms mostly need a session open on INC-1 (a random form may end it).
      const session = route.id === "routes/incidents.$ref.session";
      for (let i = 0; i < (session ? 100 : 25); i++) {
        if (session) await keepSessionOpen(stored, admin);
        const form = randomForm();
        await outboxSent(stored);
        const before = await stored.fingerprint();
        const response = await post(url, form, admin);
        await response.arrayBuffer();
        if (response.status >= 500) problems.push(`${response.status} from POST ${url} ${form}`);
        if (response.status >= 400 && !recordsRefusal(route.id, form) && (await stored.fingerprint()) !== before) problems.push(`refused ${response.status} but changed the database: POST ${url} ${form}`);
      }
      // Not form data at all.
      for (const [type, body] of [["application/json", "{not json"], ["multipart/form-data; boundary=x", "--x\r\nbroken"], ["text/plain", "\u0000\u0001"]]) {
        await outboxSent(stored);
        const before = await stored.fingerprint();
        const response = await fetch(OWN_BASE + url, { method: "POST", redirect: "manual", headers: { "Content-Type": type, Origin: OWN_BASE, Cookie: admin }, body });
        await response.arrayBuffer();
        if (response.status >= 500) problems.push(`${response.status} from POST ${url} as ${type}`);
        if (response.status >= 400 && !recordsRefusal(route.id) && (await stored.fingerprint()) !== before) problems.push(`refused ${response.status} as ${type} but changed the database: POST ${url}`);
      }
    }
    problems.push(...(await fuzzApi(stored, admin)));
    expect(problems.map((p) => p.slice(0, 300))).toEqual([]);
    expect(await stored.intact()).toBe(true);
  });
});

/** A JSON value made of the form values, numbers, lists and objects, a few levels deep. */
function randomJson(depth = 0): unknown {
  const r = random();
  if (depth > 2 || r < 0.45) return pick(VALUES);
  if (r < 0.6) return pick([0, -1, 1, 2, 1.5, 1e308, -0, 999999999999, null, true, false]);
  if (r < 0.75) return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = 0; i < Math.floor(random() * 8); i++) object[pick(FIELDS)] = randomJson(depth + 1);
  return object;
}

/**
 * Every operation of the API, from its OpenAPI document, with a read-and-write token of the admin:
 * random and malformed JSON bodies, path parameters, queries and If-Match headers. Never a 5xx,
 * always a problem+json refusal, and a refusal changes nothing.
 */
async function fuzzApi(stored: Stored, admin: string): Promise<string[]> {
  // Tokens 1 and 2 are there for the fuzzing to revoke (its ids are 1 and 2): its own is another.
  for (const name of ["decoy one", "decoy two"]) await (await post("/account/tokens", { intent: "create", name, scope: "read", expiresInDays: "" }, admin)).arrayBuffer();
  const made = await post("/account/tokens", { intent: "create", name: "fuzz", scope: "write", expiresInDays: "" }, admin);
  const token = /hs_[\w-]{43}/.exec(await made.text())?.[0];
  expect(token).toBeTruthy();
  const doc = (await (await fetch(`${OWN_BASE}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const problems: string[] = [];
  const params = ["INC-1", "INC-99999", "1", "2", "99999999999999999999", "abc", "%00", "..%2f..%2fetc", "-1", "INC-1.5"];
  for (const [template, methods] of Object.entries(doc.paths)) {
    for (const method of Object.keys(methods)) {
      for (let i = 0; i < 20; i++) {
        const path = template.replace(/\{\w+\}/g, () => pick(params));
        const query = new URLSearchParams();
        for (let q = 0; q < Math.floor(random() * 4); q++) query.append(pick([...FIELDS, "cursor", "q", "withDeeperWhys", "owner", "incident", "overdue", "sort"]), pick(VALUES));
        const headers: Record<string, string> = { Authorization: `Bearer ${token}`, "Content-Type": pick(["application/json", "application/json", "text/plain", "application/merge-patch+json"]) };
        if (random() < 0.5) headers["If-Match"] = pick(['"1"', '"2"', "W/\"1\"", "*", '"x"', "1, 2", "99999999999"]);
        const body = method === "get" || method === "delete" ? undefined : random() < 0.1 ? "{not json" : JSON.stringify(randomJson());
        await outboxSent(stored);
        const before = await stored.fingerprint();
        const response = await fetch(`${OWN_BASE}/api/v1${path}${query.size ? `?${query}` : ""}`, { method: method.toUpperCase(), headers, body });
        const text = await response.text();
        const what = `${method.toUpperCase()} ${path}?${query} ${body?.slice(0, 200) ?? ""}`;
        if (response.status >= 500) problems.push(`${response.status} from ${what}: ${text.slice(0, 200)}`);
        if (response.status >= 400) {
          if (response.headers.get("Content-Type") !== "application/problem+json") problems.push(`${response.status} without problem+json from ${what}`);
          if ((await stored.fingerprint()) !== before) problems.push(`refused ${response.status} but changed the database: ${what}`);
        }
      }
    }
  }
  return problems;
}

/** A form the set-up posts: it must go through. */
async function arrange(pathname: string, form: Record<string, string>, cookie: string) {
  const response = await post(pathname, form, cookie);
  expect(response.status, `${form.intent ?? pathname}: ${(await response.text()).slice(0, 300)}`).toBe(302);
}

type LiveRow = { session: number; round: number | null; state: string | null; candidates: number[] };

/** The open session on the incident and its round in progress, as stored. */
async function liveOf(stored: Stored, incidentId: number): Promise<LiveRow | null> {
  const session = await stored.get<{ id: number }>("select id from live_sessions where incident_id = ? and ended_at is null", incidentId);
  if (!session) return null;
  const round = await stored.get<{ id: number; state: string }>("select id, state from live_rounds where session_id = ? and state <> 'closed' order by id desc limit 1", session.id);
  const candidates = round ? (await stored.all<{ id: number }>("select id from live_candidates where round_id = ? order by id", round.id)).map((c) => c.id) : [];
  return { session: session.id, round: round?.id ?? null, state: round?.state ?? null, candidates };
}

/** INC-n in analysis with a session open, and (when asked) a round drafting or revealed with a candidate. */
async function keepSessionOpen(stored: Stored, admin: string, incidentId = 1, round?: "drafting" | "revealed") {
  const page = `/incidents/INC-${incidentId}/session`;
  const status = await stored.value<string>("select status from incidents where id = ?", incidentId);
  if (status !== "analysis") await arrange(`/incidents/INC-${incidentId}?index`, { intent: "move", to: "analysis" }, admin);
  if (!(await liveOf(stored, incidentId))) await arrange(page, { intent: "start-session", anonymous: "on" }, admin);
  if (!round) return;
  let live = (await liveOf(stored, incidentId))!;
  if (round === "revealed" && live.state === "revealed" && live.candidates.length > 0) return;
  if (live.state !== "drafting") await arrange(page, { intent: "open-round", kind: "why", whyId: "", question: "Why did the fuzzed queue stall?" }, admin);
  live = (await liveOf(stored, incidentId))!;
  if (live.candidates.length === 0) await arrange(page, { intent: "save-draft", roundId: String(live.round), body: "The fuzzed worker ran out of memory." }, admin);
  if (round === "revealed") await arrange(page, { intent: "reveal", roundId: String(live.round) }, admin);
}

/** Ids a form might carry that are no id at all: empty, negative, fractional, not a number, too large for a number. */
const BAD_IDS = ["", "0", "-1", "1.5", "abc", "1e309", "NaN", " 1 2 ", "[object Object]", "INC-1", "\u0000", "1; drop table live_rounds"];
/** Ids that are numbers but name nothing here. */
const UNKNOWN_IDS = ["99999999999999999999", "9007199254740993", "123456"];

type Case = { name: string; form: Record<string, string | string[]>; round?: "drafting" | "revealed" };

/**
 * Malformed input aimed at each of the session page's intents: every id field with bad and unknown
 * ids and with ids of another incident's session, each text past its limit, values outside the
 * choices, and intents that are no intent.
 */
function sessionCases(other: { round: number; candidate: number; why: number; entry: number }, own: { entry: number; removed: number }): Case[] {
  const cases: Case[] = [];
  const ids = (name: string, intent: string, field: string, rest: Record<string, string>, round?: Case["round"], extra: string[] = []) => {
    // An empty why is no why at all (a round at the top, an action on the incident): well formed.
    for (const id of [...BAD_IDS.filter((bad) => bad !== "" || field !== "whyId"), ...UNKNOWN_IDS, ...extra]) {
      cases.push({ name: `${name} ${field}=${JSON.stringify(id.slice(0, 30))}`, form: { intent, ...rest, [field]: id }, round });
    }
  };
  ids("reveal", "reveal", "roundId", {}, "drafting", [String(other.round)]);
  ids("close-round", "close-round", "roundId", {}, "drafting", [String(other.round)]);
  ids("save-draft", "save-draft", "roundId", { body: "A candidate." }, "drafting", [String(other.round)]);
  ids("withdraw-draft", "withdraw-draft", "roundId", { token: "A".repeat(32) }, "drafting", [String(other.round)]);
  ids("vote", "vote", "roundId", { candidateId: "1", on: "true" }, "revealed", [String(other.round)]);
  ids("vote", "vote", "candidateId", { on: "true" }, "revealed", [String(other.candidate)]);
  ids("accept", "accept", "roundId", { candidateIds: "1" }, "revealed", [String(other.round)]);
  ids("accept", "accept", "candidateIds", {}, "revealed", [String(other.candidate)]);
  ids("open-round", "open-round", "whyId", { kind: "why", question: "Why?" }, undefined, [String(other.why)]);
  ids("open-round for a remediation", "open-round", "whyId", { kind: "remediation", question: "What would stop it?" }, undefined, [String(other.why)]);
  ids("claim-remediation", "claim-remediation", "whyId", {}, undefined, [String(other.why)]);
  ids("add-action", "add-action", "whyId", { title: "An action", ownerId: "1", priority: "P2" }, undefined, [String(other.why)]);
  ids("add-action", "add-action", "ownerId", { title: "An action", priority: "P2", whyId: "" }, undefined, [String(own.removed)]);
  ids("make-participant", "make-participant", "userId", {}, undefined, [String(own.removed)]);
  ids("hand-facilitation", "hand-facilitation", "userId", {}, undefined, [String(own.removed)]);
  ids("update-entry", "update-entry", "entryId", { version: "1", at: "2026-11-20T10:03", bodyMd: "Changed." }, undefined, [String(other.entry)]);
  ids("delete-entry", "delete-entry", "entryId", {}, undefined, [String(other.entry)]);
  ids("write-summary", "write-summary", "version", { summaryMd: "A summary." }, undefined, ["1"]);
  ids("update-entry", "update-entry", "version", { entryId: String(own.entry), at: "2026-11-20T10:03", bodyMd: "Changed." }, undefined, ["99"]);

  const huge = (n: number) => "x".repeat(n);
  cases.push(
    { name: "save-draft with a body past its limit", form: { intent: "save-draft", roundId: "current", body: huge(4_001) }, round: "drafting" },
    { name: "save-draft with an empty body", form: { intent: "save-draft", roundId: "current", body: "   " }, round: "drafting" },
    { name: "save-draft with a token no draft has", form: { intent: "save-draft", roundId: "current", body: "Mine.", token: "B".repeat(32) }, round: "drafting" },
    { name: "save-draft with a token too long", form: { intent: "save-draft", roundId: "current", body: "Mine.", token: huge(101) }, round: "drafting" },
    { name: "save-draft after the reveal", form: { intent: "save-draft", roundId: "current", body: "Late." }, round: "revealed" },
    { name: "withdraw-draft without a token", form: { intent: "withdraw-draft", roundId: "current" }, round: "drafting" },
    { name: "withdraw-draft with a token too long", form: { intent: "withdraw-draft", roundId: "current", token: huge(101) }, round: "drafting" },
    { name: "open-round with a question past its limit", form: { intent: "open-round", kind: "why", whyId: "", question: huge(501) } },
    { name: "open-round with a blank question", form: { intent: "open-round", kind: "why", whyId: "", question: " \n\t " } },
    { name: "open-round of no kind", form: { intent: "open-round", kind: "root-cause", whyId: "", question: "Why?" } },
    { name: "open-round for a remediation of no why", form: { intent: "open-round", kind: "remediation", whyId: "", question: "What?" } },
    { name: "write-summary past its limit", form: { intent: "write-summary", summaryMd: huge(50_001), version: "current" } },
    { name: "add-entry past its limit", form: { intent: "add-entry", at: "2026-11-20T10:03", bodyMd: huge(2_001) } },
    { name: "add-entry at no time", form: { intent: "add-entry", at: "2026-13-45T99:99", bodyMd: "Then." } },
    { name: "add-action with a title past its limit", form: { intent: "add-action", title: huge(10_001), ownerId: "1", priority: "P2", whyId: "" } },
    { name: "a body over the server's limit", form: { intent: "save-draft", roundId: "current", body: huge(1_100_000) }, round: "drafting" },
    { name: "set-phase to no phase", form: { intent: "set-phase", phase: "review" } },
    { name: "set-phase without one", form: { intent: "set-phase" } },
    { name: "start-timer for no minutes", form: { intent: "start-timer", minutes: "0" } },
    { name: "start-timer past the longest", form: { intent: "start-timer", minutes: "61" } },
    { name: "start-timer for a fraction", form: { intent: "start-timer", minutes: "1.5" } },
    { name: "start-timer for words", form: { intent: "start-timer", minutes: "five" } },
    { name: "start-timer for infinity", form: { intent: "start-timer", minutes: "1e309" } },
    { name: "start-timer in no mode", form: { intent: "start-timer", minutes: "5", mode: "rewind" } },
    { name: "accept nothing", form: { intent: "accept", roundId: "current" }, round: "revealed" },
    { name: "accept past the candidates a round holds", form: { intent: "accept", roundId: "current", candidateIds: Array.from({ length: 61 }, (_, i) => String(i + 1)) }, round: "revealed" },
    { name: "accept before the reveal", form: { intent: "accept", roundId: "current", candidateIds: "candidate" }, round: "drafting" },
    { name: "vote before the reveal", form: { intent: "vote", roundId: "current", candidateId: "candidate", on: "true" }, round: "drafting" },
    { name: "reveal after the reveal", form: { intent: "reveal", roundId: "current" }, round: "revealed" },
    { name: "start-session while one is open", form: { intent: "start-session", anonymous: "on" } },
  );
  for (const intent of ["", "unknown", "START-SESSION", "__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "start-session ", huge(5_000)]) {
    cases.push({ name: `the intent ${JSON.stringify(intent.slice(0, 20))}`, form: { intent, phase: "whys" } });
  }
  cases.push({ name: "no intent", form: { phase: "whys" } });
  return cases;
}

test("the live session's intents and the present view: malformed input is a clear 4xx that stores nothing", async () => {
  test.setTimeout(180_000);
  await withOwnStore({}, async (stored) => {
    const admin = await firstAdmin();
    const removedAt = await post("/admin/users", { intent: "add", name: "Gone Person", email: "gone@example.com", team: "X", role: "member" }, admin);
    expect(removedAt.status).toBeLessThan(400);
    const removed = await stored.value<number>("select id from users where email = 'gone@example.com'");
    expect((await post(`/admin/users/${removed}/remove`, { handTo: "" }, admin)).status).toBe(302);
    // Their invitation is sent after the answer; sent before anything below is compared.
    await outboxSent(stored);
    // Two incidents in analysis, each with a why with a remediation, a timeline entry and a session with a revealed round.
    for (const n of [1, 2]) {
      await arrange("/incidents/new", reportForm(`Session fuzz ${n}`), admin);
      await arrange(`/incidents/INC-${n}?index`, { intent: "move", to: "analysis" }, admin);
      await arrange(`/incidents/INC-${n}?index`, { intent: "add-why", question: "Why?", answer: "Because.", remediationMd: "Alert on it." }, admin);
      await arrange(`/incidents/INC-${n}?index`, { intent: "add-entry", at: "2026-11-20T10:01", bodyMd: "The alert fired." }, admin);
      await keepSessionOpen(stored, admin, n, "revealed");
    }
    const first = (table: string, incidentId: number) => stored.value<number>(`select id from ${table} where incident_id = ? order by id`, incidentId);
    const otherLive = (await liveOf(stored, 2))!;
    const other = { round: otherLive.round!, candidate: otherLive.candidates[0], why: await first("whys", 2), entry: await first("timeline_entries", 2) };
    const own = { entry: await first("timeline_entries", 1), removed };

    const version = () => stored.fingerprint();
    const problems: string[] = [];
    const check = async (what: string, response: Response, before: string) => {
      const body = await response.text();
      if (response.status < 400 || response.status >= 500) problems.push(`${what}: ${response.status}, expected a 4xx ${body.slice(0, 200)}`);
      if ((await version()) !== before) problems.push(`${what}: refused (${response.status}) but changed the database`);
    };

    const page = "/incidents/INC-1/session";
    for (const { name, form, round } of sessionCases(other, own)) {
      await keepSessionOpen(stored, admin, 1, round);
      const live = (await liveOf(stored, 1))!;
      const incident = (await stored.get<{ version: number }>("select version from incidents where id = 1"))!;
      const body = new URLSearchParams();
      for (const [key, value] of Object.entries(form)) {
        for (const one of Array.isArray(value) ? value : [value]) {
          // "current" and "candidate" stand for the ids of the moment.
          body.append(key, one === "current" ? String(key === "version" ? incident.version : live.round) : one === "candidate" ? String(live.candidates[0]) : one);
        }
      }
      const before = await version();
      await check(`POST ${page} (${name})`, await post(page, body, admin), before);
    }

    // Not a form at all, and a form of too many fields.
    for (const [type, payload] of [
      ["application/json", JSON.stringify({ intent: "set-phase", phase: "whys" })],
      ["multipart/form-data; boundary=x", "--x\r\nbroken"],
      ["text/plain", "intent=set-phase&phase=whys"],
      ["application/x-www-form-urlencoded", Array.from({ length: 1_001 }, (_, i) => `f${i}=1`).join("&") + "&intent=set-phase&phase=whys"],
    ]) {
      await keepSessionOpen(stored, admin);
      const before = await version();
      const response = await fetch(OWN_BASE + page, { method: "POST", redirect: "manual", headers: { "Content-Type": type, Origin: OWN_BASE, Cookie: admin }, body: payload });
      await check(`POST ${page} as ${type.split(";")[0]}${payload.length > 5_000 ? " (1,001 fields)" : ""}`, response, before);
    }

    // The session page, the present view and the presence stream at references that name no incident.
    await keepSessionOpen(stored, admin, 1, "revealed");
    for (const ref of ["INC-0", "INC-abc", "INC-1.5", "INC--1", "INC-99999999999999999999", "INC-1e3", "inc-", "%00", "INC-1%00", `INC-${"9".repeat(2_000)}`, "..%2F..%2Fetc"]) {
      for (const pathname of [`/incidents/${ref}/present`, `/incidents/${ref}/present.data`, `/incidents/${ref}/session`, `/incidents/${ref}/session.data`, `/incidents/${ref}/events?presence=1`]) {
        const before = await version();
        await check(`GET ${pathname.slice(0, 80)}`, await fetch(OWN_BASE + pathname, { redirect: "manual", headers: { Cookie: admin } }), before);
      }
      const before = await version();
      await check(`POST /incidents/${ref.slice(0, 30)}/session`, await post(`/incidents/${ref}/session`, { intent: "set-phase", phase: "whys" }, admin), before);
    }
    // The present view takes no form, whatever it is sent.
    const forms: Record<string, string>[] = [{ intent: "set-phase", phase: "whys" }, { intent: "end-session" }, { body: "x".repeat(100_000) }];
    for (const form of forms) {
      const before = await version();
      await check(`POST /incidents/INC-1/present (${Object.keys(form).join(",")})`, await post("/incidents/INC-1/present", form, admin), before);
    }
    // It still shows the session it was asked about, after all that.
    const present = await fetch(`${OWN_BASE}/incidents/INC-1/present`, { headers: { Cookie: admin } });
    expect(present.status).toBe(200);
    expect(await present.text()).toContain("Why did the fuzzed queue stall?");

    expect(problems.map((p) => p.slice(0, 300))).toEqual([]);
    expect(await stored.intact()).toBe(true);
  });
});

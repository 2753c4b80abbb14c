// Who may do what, route by route. Every route of the production build's manifest is requested,
// GET and POST, by five roles (signed out, a member, a participant, the facilitator, an admin)
// against an org-wide and a restricted incident, and each answer is checked against the table
// below. A route missing from the table fails the test: a new route cannot ship unchecked.
//
// Besides the status, every answer to someone who may not see the restricted incidents is
// searched for them, refused posts must leave the database as it was, and each page's loader is
// also asked alone (a single-fetch `.data` request naming only that route), so no route relies
// on a parent layout's check.
import Database from "better-sqlite3";
import { expect, test } from "@playwright/test";
import { addMember, ADMIN_EMAIL, ADMIN_PASSWORD, firstAdmin, manifest, MEMBER_PASSWORD, OWN_BASE, post, reportForm, sessionCookie, urlOf, withOwnServer } from "./own-server";

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

/** Facts the probes need: the people's ids, the incidents and actions, and the database to read versions from. */
type World = {
  ids: Record<Exclude<Role, "anonymous">, number>;
  refs: Record<Scope, string>;
  published: Record<Scope, string>;
  actions: Record<Scope, number>;
  /** A person no probe signs in as, for the admin's removal probe to remove. */
  removable: number;
  file: Database.Database;
};
type Probe = {
  name: string;
  form: (world: World, scope: Scope) => Record<string, string>;
  expect: Rule;
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
};

/** What a response says first: all of it, or for an event stream, what it sends at once. */
async function opening(response: Response, stream: boolean | undefined): Promise<string> {
  if (!stream || !response.headers.get("Content-Type")?.startsWith("text/event-stream")) return await response.text();
  const reader = response.body!.getReader();
  const { value } = await reader.read();
  await reader.cancel();
  return new TextDecoder().decode(value);
}

const incidentOf = (world: World, scope: Scope) =>
  world.file.prepare("select id, status, version from incidents where id = ?").get(Number(world.refs[scope].slice(4))) as {
    id: number;
    status: string;
    version: number;
  };

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
        form: (w, s) => ({
          intent: "move",
          to: incidentOf(w, s).status === "analysis" ? "review" : "analysis",
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
        form: (w, s) => ({
          intent: "fields",
          ...reportForm(s === "org" ? "Checkout slow" : "Quokka keyring leak"),
          visibility: s,
          version: String(incidentOf(w, s).version),
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
        form: (w, s) => {
          const { status } = w.file.prepare("select status from actions where id = ?").get(w.actions[s]) as { status: string };
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
  "routes/account": {
    get: signedIn,
    post: [{ name: "subscribe", form: () => ({ intent: "subscribe" }), expect: writes(signedIn) }],
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
};

/** Words only the restricted incidents contain. */
const SECRET = /quokka/i;

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
  await withOwnServer({}, async (file, dataDir) => {
    const routes = manifest(dataDir);
    const world = await buildWorld(file);
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
            const before = file.pragma("data_version", { simple: true });
            const response = await post(url, probe.form(world, scope), cookie);
            const body = await response.text();
            const expected = judge(probe.expect, role, scope);
            const got = outcomeOf(response);
            if (!matches(expected, got)) problems.push(`POST ${url} (${probe.name}) as ${who}: ${got} (${response.status}), expected ${expected}`);
            if (!seesRestricted && SECRET.test(body)) problems.push(`POST ${url} (${probe.name}) as ${who} shows a restricted incident`);
            if (!matches("done", got) && !probe.recorded && file.pragma("data_version", { simple: true }) !== before) {
              problems.push(`POST ${url} (${probe.name}) as ${who} was refused (${response.status}) but changed the database`);
            }
          }
          checked.add(route.id);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked.size).toBe(routes.length);
    expect(file.pragma("integrity_check", { simple: true })).toBe("ok");
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
 * restricted incident in analysis, each with a why, a timeline entry and an action owned by the
 * admin; and one of each published. The facilitator and participant are the same on all four.
 */
async function buildWorld(file: Database.Database) {
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
  const idOf = (email: string) =>
    (
      file.prepare("select id from users where email = ?").get(email) as {
        id: number;
      }
    ).id;
  const ids = {
    admin: idOf(emails.admin),
    facilitator: idOf(emails.facilitator),
    participant: idOf(emails.participant),
    member: idOf(emails.member),
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
  const actionOf = (ref: string) => (file.prepare("select id from actions where incident_id = ?").get(Number(ref.slice(4))) as { id: number }).id;
  const actions = {
    org: actionOf(refs.org),
    restricted: actionOf(refs.restricted),
  };
  await addMember(admin, "Rory Removable", "rory@example.com");
  const removable = idOf("rory@example.com");
  return { ids, refs, published, actions, removable, file, cookies, emails };
}

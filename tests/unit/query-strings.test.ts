import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { addWhyTree, createIncident, createUser } from "../../db/factories";
import { db, schema } from "~/lib/db.server";
import { periodProblem } from "~/lib/period";
import * as mine from "~/routes/actions._index";
import * as all from "~/routes/actions.all";
import * as csv from "~/routes/actions.export[.]csv";
import * as overdue from "~/routes/actions.overdue";
import * as digest from "~/routes/digest";
import * as newAction from "~/routes/incidents.$ref.actions.new";
import * as incidents from "~/routes/incidents._index";
import * as insights from "~/routes/insights";
import * as learnings from "~/routes/learnings._index";
import * as atom from "~/routes/learnings[.]atom";
import * as search from "~/routes/search";
import { freshDatabase, sessionCookie } from "./helpers";

// Links come from anywhere (bookmarks, hand-typed URLs, scanners): whatever a query string
// holds, a page answers it, or says what is wrong with it in a 400, never a 500.

type Route = { loader: (args: never) => unknown; action?: (args: never) => unknown };

beforeEach(() => {
  freshDatabase();
});

async function signedIn() {
  const admin = createUser({ role: "admin" });
  return (await sessionCookie(admin.id));
}

/** The loader's answer: its status, and the text of a thrown response. */
async function answer(route: Route, url: string, cookie: string, params: Record<string, string> = {}) {
  try {
    const result = await route.loader({ request: new Request(`http://localhost${url}`, { headers: { cookie } }), params, context: {} } as never);
    return { status: result instanceof Response ? result.status : 200, text: "" };
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, text: await thrown.text() };
    return { status: 500, text: String(thrown) };
  }
}

describe("the digest preview's week", () => {
  it("names what is wrong with a week that does not exist, as a 400", async () => {
    const cookie = await signedIn();
    const cases: [string, RegExp][] = [
      ["0000-W01", /between 1970 and 9999/],
      ["2026-W54", /2026 has 53 weeks/],
      ["2027-W53", /2027 has 52 weeks/],
      ["2026-W00", /numbered from 01/],
      ["99999-W01", /not a week/],
      ["2026-48", /not a week/],
      ["NaN", /not a week/],
    ];
    for (const [period, message] of cases) {
      const got = await answer(digest, `/digest?period=${period}`, cookie);
      expect(got.status, period).toBe(400);
      expect(got.text, period).toMatch(message);
    }
    expect((await answer(digest, "/digest?period=2026-W53", cookie)).status).toBe(200);
    expect((await answer(digest, "/digest", cookie)).status).toBe(200);
  });

  it("sends nothing when asked to send the digest of a week that does not exist", async () => {
    const cookie = await signedIn();
    const request = new Request("http://localhost/digest", {
      method: "POST",
      headers: { cookie, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ intent: "send", period: "2026-W54" }),
    });
    const thrown = await Promise.resolve(digest.action({ request, params: {}, context: {} } as never)).catch((e: unknown) => e);
    expect((thrown as Response).status).toBe(400);
    expect(db().select().from(schema.outbox).where(eq(schema.outbox.kind, "digest")).all()).toEqual([]);
  });

  it("is checked by one rule, shared with the command line", () => {
    expect(periodProblem("2026-W48")).toBeNull();
    expect(periodProblem("2020-W53")).toBeNull();
    expect(periodProblem("2021-W53")).toMatch(/2021 has 52 weeks/);
  });
});

describe("query strings", () => {
  const HOSTILE = ["0000-W01", "2026-W54", "0000-01-01", "99999-12-31", "9999-12-31", "2026-02-30", "-1", "0", "1e400", "9007199254740993", "NaN", "Infinity", "1.5", "0x10", "INC-0", "INC-99999999999", "%00", "x".repeat(2000)];
  const ROUTES: [string, Route, string[], Record<string, string>?][] = [
    ["/incidents", incidents, ["status", "severity", "service", "after", "before"]],
    ["/learnings", learnings, ["service", "severity", "category", "period", "after", "before"]],
    ["/actions", mine, ["status", "sort", "page"]],
    ["/actions/all", all, ["status", "owner", "team", "incident", "severity", "overdue", "sort", "page"]],
    ["/actions/export.csv", csv, ["owner", "incident", "page"]],
    ["/actions/overdue", overdue, ["team"]],
    ["/insights", insights, ["team", "service", "from", "to"]],
    ["/search?q=queue&", search, ["severity", "status", "service", "from", "to", "page"]],
    ["/digest", digest, ["period"]],
    ["/incidents/INC-1/actions/new", newAction, ["why"], { ref: "INC-1" }],
    ["/learnings.atom", atom, ["token"]],
  ];

  it("never make a page fail", async () => {
    const cookie = await signedIn();
    const admin = createUser({ role: "admin" });
    const incident = createIncident(admin);
    addWhyTree(admin, incident.id, [{ question: "Why did the queue back up?", answer: "The consumers were too few." }]);
    const failures: string[] = [];
    for (const [path, route, names, params] of ROUTES) {
      for (const name of names) {
        for (const value of HOSTILE) {
          const url = `${path}${path.includes("?") ? "" : "?"}${name}=${encodeURIComponent(value)}`;
          const got = await answer(route, url, cookie, params);
          if (got.status >= 500) failures.push(`${url.slice(0, 80)}: ${got.text.slice(0, 120)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

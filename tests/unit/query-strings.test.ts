import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { addWhyTree, createIncident, createUser } from "../../db/factories";
import { db, schema } from "~/lib/db.server";
import * as mine from "~/routes/actions._index";
import * as all from "~/routes/actions.all";
import * as csv from "~/routes/actions.export[.]csv";
import * as overdue from "~/routes/actions.overdue";
import * as digest from "~/routes/digest._index";
import * as pastDigest from "~/routes/digest.$seq";
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

beforeEach(async () => {
  await freshDatabase();
});

async function signedIn() {
  const admin = await createUser({ role: "admin" });
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

describe("the digest's pages", () => {
  it("answer a past digest's number that is not one with a 404, never a 500", async () => {
    const cookie = await signedIn();
    for (const seq of ["0", "-1", "1", "1.5", "1e3", "9007199254740993", "NaN", "%00", "x".repeat(2000)]) {
      expect((await answer(pastDigest, `/digest/${seq}`, cookie, { seq })).status, seq).toBe(404);
    }
    expect((await answer(digest, "/digest?period=2026-W54", cookie)).status).toBe(200);
  });

  it("send nothing when the preview's digest is mangled", async () => {
    const cookie = await signedIn();
    const forms: Record<string, string>[] = [{ intent: "send", seq: "x", through: "0", until: "2026-11-30T09:00:00.000Z" }, { intent: "send", seq: "1", through: "0", until: "yesterday" }, { intent: "mail" }];
    for (const form of forms) {
      const request = new Request("http://localhost/digest", {
        method: "POST",
        headers: { cookie, "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(form),
      });
      const thrown = await Promise.resolve(digest.action({ request, params: {}, context: {} } as never)).catch((e: unknown) => e);
      expect((thrown as Response).status).toBe(400);
    }
    expect(await db().select().from(schema.outbox).where(eq(schema.outbox.kind, "digest")).all()).toEqual([]);
    expect(await db().select().from(schema.digests).all()).toEqual([]);
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
    const admin = await createUser({ role: "admin" });
    const incident = await createIncident(admin);
    await addWhyTree(admin, incident.id, [{ question: "Why did the queue back up?", answer: "The consumers were too few." }]);
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

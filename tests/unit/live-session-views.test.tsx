import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { liveSessionCast } from "./live-session-cast";
import { db, schema } from "~/lib/db.server";
import { joinSession, openRound, saveDraft, startTimer } from "~/models/live-session.server";
import type { User } from "~/models/user.server";
import * as incidentLayout from "~/routes/incidents.$ref";
import * as sessionPage from "~/routes/incidents.$ref.session/route";
import * as presentView from "~/routes/incidents_.$ref.present";
import { sessionCookie, stopTheClock } from "./helpers";
import { renderPage, type RouteModule } from "./render";

// The session page and the present view as each person gets them: nobody's draft before the
// reveal, the facilitator's controls only for the facilitator, the timer's end on every screen.

let lead: User;
let ana: User;
let watcher: User;
let reference: string;
let incidentId: number;

beforeEach(async () => {
  let incident;
  ({ lead, ana, watcher, incident } = await liveSessionCast({ watcher: true, session: true }));
  ({ reference } = incident);
  incidentId = incident.id;
});

/** React's markers between text parts removed: the page's words as a reader reads them. */
const read = async (rendered: Promise<{ html: string; data: string }>) => {
  const { html, data } = await rendered;
  return { html: html.replace(/<!-- -->/g, ""), data };
};
const session = (userId: number) =>
  read(renderPage(userId, `/incidents/${reference}/session`, [
    { pattern: "/incidents/:ref", module: incidentLayout as unknown as RouteModule },
    { pattern: "session", module: sessionPage as unknown as RouteModule },
  ]));
const present = (userId: number) => read(renderPage(userId, `/incidents/${reference}/present`, [{ pattern: "/incidents/:ref/present", module: presentView as unknown as RouteModule }]));

describe("the session page", () => {
  it("shows a draft to nobody but its author's browser, and how many there are to everyone", async () => {
    const round = await openRound(lead, incidentId, "why", null, "Why did checkout fail?");
    await saveDraft(ana, incidentId, round.id, "The pool was exhausted by retries", null);
    for (const person of [lead, ana, watcher]) {
      const { html, data } = await session(person.id);
      expect(html).toContain("Why did checkout fail?");
      expect(html).toContain("1 candidate answer written.");
      expect(html + data).not.toContain("The pool was exhausted");
    }
    const shown = await present(watcher.id);
    expect(shown.html + shown.data).not.toContain("The pool was exhausted");
    expect(shown.html).toContain("1 candidate written");
  });

  it("gives the facilitator the controls, a participant the draft form, a watcher neither", async () => {
    await openRound(lead, incidentId, "why", null, "Why?");
    const facilitator = (await session(lead.id)).html;
    expect(facilitator).toMatch(/value="reveal"/);
    expect(facilitator).toMatch(/value="set-phase"/);
    const participant = (await session(ana.id)).html;
    expect(participant).toMatch(/value="save-draft"/);
    expect(participant).not.toMatch(/value="reveal"|value="set-phase"/);
    const watching = (await session(watcher.id)).html;
    expect(watching).not.toMatch(/value="save-draft"|value="reveal"|value="ready"/);
    expect(watching).toContain("You are watching");
    // Joined (with JavaScript the page's stream does it): the facilitator sees them, with one click to let them take part.
    expect(watching).toContain("Join the session");
    await joinSession(watcher, incidentId);
    expect((await session(watcher.id)).html).not.toContain("Join the session");
    expect((await session(lead.id)).html).toContain("Make participant: Wes Watcher");
  });

  it("counts down on every screen, and at zero asks only the facilitator whether the room needs more time", async () => {
    await startTimer(lead, incidentId, 5, "start");
    expect((await session(ana.id)).html).toMatch(/role="timer"[^>]*>[45]:\d\d</);
    await db().update(schema.liveSessions).set({ timerEndsAt: new Date(Date.now() - 1000).toISOString() }).where(eq(schema.liveSessions.incidentId, incidentId)).run();
    const facilitator = (await session(lead.id)).html;
    expect(facilitator).toContain("Time is up. Need more time?");
    expect(facilitator).toContain("Add 1 minute");
    const participant = (await session(ana.id)).html;
    expect(participant).toContain("Time is up.");
    expect(participant).not.toContain("Need more time?");
    expect((await present(ana.id)).html).toContain("0:00");
  });
});

describe("the session page's changes", () => {
  it("refuse a person who makes more than a meeting's pace of them, saying when to try again", async () => {
    stopTheClock();
    const cookie = await sessionCookie(ana.id);
    const post = async (ready: boolean) => {
      const body = new URLSearchParams(ready ? { intent: "ready", ready: "on" } : { intent: "ready" });
      const request = new Request(`http://localhost/incidents/${reference}/session`, { method: "POST", body, headers: { cookie, "Content-Type": "application/x-www-form-urlencoded" } });
      return await Promise.resolve(sessionPage.action({ request, params: { ref: reference }, context: {} } as never)).catch((e: unknown) => e);
    };
    const answers: number[] = [];
    for (let i = 0; i < 41; i++) answers.push(((await post(i % 2 === 0)) as Response).status);
    expect(answers.slice(0, 40).every((status) => status === 302)).toBe(true);
    expect(answers[40]).toBe(429);
    const refused = (await post(true)) as Response;
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await refused.text()).toMatch(/^Too many changes at once: wait \d+ seconds/);
    // Someone else is not held up by them.
    const other = new Request(`http://localhost/incidents/${reference}/session`, {
      method: "POST",
      body: new URLSearchParams({ intent: "ready", ready: "on" }),
      headers: { cookie: await sessionCookie(lead.id), "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(((await sessionPage.action({ request: other, params: { ref: reference }, context: {} } as never)) as Response).status).toBe(302);
  });
});

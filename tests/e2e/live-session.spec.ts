// A whole 5 Whys run live by four people on four laptops, from the first question to published,
// without anyone reloading a page: what one writes reaches the others only when the facilitator
// reveals it, votes and acceptances reach everyone, a laptop that drops off catches up, and an
// anonymous author is nowhere in the database. Order is asserted, never time.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { addMember, capture, moveTo, pageFor, reportIncident, unique, type Credentials } from "./helpers";
import { openMainStore } from "./stored";

/**
 * When these specs' incidents started: long before the others', so they never push another spec's
 * incident off the first page of the incident list (newest first).
 */
const EARLY = "2025-11-05T10:00";

type Heard = { type: string; id: string; data: string; url: string };

/** Each page records every event its live stream delivers, to inspect what reached it. */
async function listening(browser: Browser, who: Credentials): Promise<Page> {
  const page = await pageFor(browser, who);
  await page.context().addInitScript(() => {
    const heard: { type: string; id: string; data: string; url: string }[] = [];
    (window as unknown as { heard: typeof heard }).heard = heard;
    const Original = window.EventSource;
    class Recording extends Original {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        for (const type of ["change", "session", "closed"]) {
          this.addEventListener(type, (event) => {
            const message = event as MessageEvent<string>;
            heard.push({ type, id: message.lastEventId, data: message.data, url: String(url) });
          });
        }
      }
    }
    window.EventSource = Recording;
  });
  return page;
}

const heard = (page: Page) => page.evaluate(() => (window as unknown as { heard: Heard[] }).heard);

/** Marks the page: a reload or a full page load drops the mark. */
const mark = (page: Page) => page.evaluate(() => ((window as unknown as { untouched: boolean }).untouched = true));
const untouched = async (page: Page) => expect(await page.evaluate(() => (window as unknown as { untouched?: boolean }).untouched)).toBe(true);

const round = (page: Page) => page.getByRole("region", { name: /./ }).filter({ has: page.locator(".round__question") });

async function writeCandidate(page: Page, text: string) {
  const form = page.locator("form.draft--new");
  await form.getByRole("textbox").fill(text);
  await form.getByRole("button", { name: "Add my candidate" }).click();
  await expect(page.getByRole("list", { name: "Your drafts" }).getByRole("textbox").last()).toHaveValue(text);
}

test("four people run a whole 5 Whys live, from the first question to published, with no reload", async ({ page, browser }) => {
  test.setTimeout(600_000);
  const people = {
    lead: await addMember(page, { name: `Fay Facilitator ${unique("f")}` }),
    ana: await addMember(page, { name: `Ana Ops ${unique("a")}` }),
    ben: await addMember(page, { name: `Ben Db ${unique("b")}` }),
    cy: await addMember(page, { name: `Cy Web ${unique("c")}` }),
  };
  const title = `Checkout errors ${unique("t")}`;
  const ref = await reportIncident(page, { title, startedAt: EARLY, resolvedAt: "2025-11-05T11:00", facilitator: people.lead.name });

  const lead = await listening(browser, people.lead);
  const ana = await listening(browser, people.ana);
  const ben = await listening(browser, people.ben);
  const cy = await listening(browser, people.cy);
  const everyone = [lead, ana, ben, cy];
  const others = [ana, ben, cy];

  await lead.goto(`/incidents/${ref}`);
  await moveTo(lead, "Start the analysis", "Analysis");
  await lead.getByRole("link", { name: "Start a live session" }).click();
  await expect(lead.getByLabel(/Anonymous candidates/)).toBeChecked();
  await lead.getByRole("button", { name: "Start a live session" }).click();
  await expect(lead.getByText("Live session", { exact: true }).first()).toBeVisible();
  await mark(lead);

  // The others find it on the incident page and join from there.
  for (const p of others) {
    await p.goto(`/incidents/${ref}`);
    await expect(p.getByText("Session in progress")).toBeVisible();
    await p.getByRole("link", { name: "Join" }).click();
    await expect(p.getByRole("navigation", { name: "Phases of the session" })).toBeVisible();
    await mark(p);
  }
  // They watch until the facilitator makes each a participant, with one click each.
  const here = lead.getByRole("region", { name: /^Here/ });
  for (const who of [people.ana, people.ben, people.cy]) {
    await expect(here.getByRole("listitem").filter({ hasText: who.name })).toContainText("watching");
    await here.getByRole("button", { name: `Make participant: ${who.name}` }).click();
    await expect(here.getByRole("listitem").filter({ hasText: who.name })).toContainText("participant");
  }
  await expect(lead.getByRole("heading", { name: "Here (4)" })).toBeVisible();
  await capture(lead, "session-what-happened");

  // What happened: everyone adds to the timeline at once.
  await expect(ana.getByText("Add a timeline entry")).toBeVisible();
  await ana.getByText("Add a timeline entry").click();
  await ana.getByRole("textbox", { name: "What happened" }).fill("Checkout error rate alarm fired");
  await ana.getByRole("button", { name: "Add entry" }).click();
  for (const p of everyone) await expect(p.locator("#timeline .prose").getByText("Checkout error rate alarm fired")).toBeVisible();

  // Readiness, then Why.
  await ben.getByRole("button", { name: "I'm ready" }).click();
  await expect(lead.getByText(/1 of 4/)).toBeVisible();
  await lead.getByRole("button", { name: "Next: Why →" }).click();
  for (const p of everyone) await expect(p.getByRole("heading", { name: "Why", exact: true })).toBeVisible();
  await lead.getByRole("button", { name: "Ask the first why" }).click();
  for (const p of everyone) await expect(round(p).getByRole("heading", { name: "Why did this happen?" })).toBeVisible();
  // The same countdown on every screen; it never moves the meeting on by itself.
  await lead.getByRole("button", { name: "Start a 5-minute timer" }).click();
  for (const p of everyone) await expect(p.getByRole("timer", { name: "Time left" })).toHaveText(/^[45]:\d\d$/);

  // Candidates typed privately: nobody else's screen or stream has them until the reveal.
  await writeCandidate(ana, "The connection pool was exhausted");
  await writeCandidate(ben, "the connection pool was exhausted.");
  await writeCandidate(cy, "Retries multiplied the load on the database");
  await expect(lead.getByText("3 candidate answers written.")).toBeVisible();
  for (const p of [lead, ben, cy]) await expect(p.getByText("The connection pool was exhausted", { exact: true })).toHaveCount(0);
  for (const p of [lead, ana, ben]) await expect(p.getByText("Retries multiplied the load on the database")).toHaveCount(0);
  for (const p of everyone) expect(JSON.stringify(await heard(p))).not.toMatch(/connection pool|Retries multiplied/i);

  await lead.getByRole("button", { name: "Reveal the candidates" }).click();
  for (const p of everyone) {
    await expect(round(p).getByRole("list", { name: "Candidates" }).getByRole("listitem")).toHaveCount(2);
    await expect(p.getByText("Written 2 times", { exact: false })).toBeVisible();
  }
  // The stream said only that they were revealed; the text came with the page's own data.
  expect(JSON.stringify(await heard(ana))).not.toMatch(/connection pool/i);

  // Votes propagate; each has three.
  await ana.getByRole("button", { name: "Vote: The connection pool was exhausted" }).click();
  await ben.getByRole("button", { name: "Vote: The connection pool was exhausted" }).click();
  await cy.getByRole("button", { name: "Vote: Retries multiplied the load on the database" }).click();
  const pool = lead.getByRole("listitem").filter({ hasText: "The connection pool was exhausted" }).first();
  await expect(pool.locator(".candidate__votes")).toHaveText("2 votes");
  await capture(lead, "session-revealed");
  // The shared screen shows the same, in large type; a phone shows it in one column.
  const present = await lead.context().newPage();
  await present.goto(`/incidents/${ref}/present`);
  await expect(present.locator(".present__candidates li")).toHaveCount(2);
  await capture(present, "session-present");
  await ana.setViewportSize({ width: 390, height: 844 });
  await capture(ana, "session-phone");
  await ana.setViewportSize({ width: 1280, height: 720 });

  // Both accepted, as contributing causes: two branches at level 1, on every screen.
  await lead.getByRole("checkbox", { name: "Accept: The connection pool was exhausted" }).check();
  await lead.getByRole("checkbox", { name: "Accept: Retries multiplied the load on the database" }).check();
  await lead.getByRole("button", { name: "Accept into the tree" }).click();
  for (const p of everyone) {
    await expect(p.locator(".session-tree__a")).toHaveText(["The connection pool was exhausted", "Retries multiplied the load on the database"]);
  }
  await expect(present.locator(".present__tree li")).toHaveCount(2);
  await present.close();

  // A laptop drops off while the next level is asked and answered, and catches up when back.
  await cy.context().setOffline(true);
  await lead.getByRole("button", { name: "Ask why here: The connection pool was exhausted" }).click();
  await expect(round(ana).getByRole("heading", { name: "Why the connection pool was exhausted?" })).toBeVisible();
  await writeCandidate(ana, "Pool size was fixed at 10 with no alert on saturation");
  await lead.getByRole("button", { name: "Reveal the candidates" }).click();
  await lead.getByRole("radio").or(lead.getByRole("checkbox")).first().check();
  await lead.getByRole("button", { name: "Accept into the tree" }).click();
  await expect(ana.locator(".session-tree__a")).toHaveText([
    "The connection pool was exhausted",
    "Pool size was fixed at 10 with no alert on saturation",
    "Retries multiplied the load on the database",
  ]);
  await cy.context().setOffline(false);
  await expect(cy.locator(".session-tree__a")).toHaveText([
    "The connection pool was exhausted",
    "Pool size was fixed at 10 with no alert on saturation",
    "Retries multiplied the load on the database",
  ]);
  // Every event it heard, once, in order.
  // (The session page's streams: the incident page's, open before it, heard the first ones too.)
  const ids = (await heard(cy)).filter((e) => e.type !== "closed" && e.url.includes("presence=1")).map((e) => Number(e.id));
  expect(new Set(ids).size, JSON.stringify(await heard(cy))).toBe(ids.length);
  expect([...ids].sort((a, b) => a - b)).toEqual(ids);

  // Remediations: one round per why, the facilitator chooses.
  await lead.getByRole("button", { name: "Next: Remediations →" }).click();
  for (const p of everyone) await expect(p.getByRole("heading", { name: "Remediations", exact: true })).toBeVisible();
  const fixes = [
    ["The connection pool was exhausted", "Size the pool from measured load and alert at 80% use"],
    ["Pool size was fixed at 10 with no alert on saturation", "Add a saturation alert to every pool in the shared library"],
    ["Retries multiplied the load on the database", "Retry with backoff and a budget in the shared client"],
  ] as const;
  for (const [answer, fix] of fixes) {
    await lead.getByRole("button", { name: `Ask for remediations: ${answer}` }).click();
    await expect(round(ben).locator(".round__question")).toContainText(answer.slice(0, 30));
    await writeCandidate(ben, fix);
    await lead.getByRole("button", { name: "Reveal the candidates" }).click();
    await lead.getByRole("radio", { name: `Accept: ${fix}` }).check();
    await lead.getByRole("button", { name: "Make it the remediation" }).click();
    await expect(ana.getByText(fix)).toBeVisible();
  }

  // Actions: each claimed inline, without leaving the page.
  await lead.getByRole("button", { name: "Next: Actions →" }).click();
  for (const [i, [, fix]] of fixes.entries()) {
    const claimant = [ana, ben, cy][i];
    const owner = [people.ana, people.ben, people.cy][i];
    await expect(claimant.getByRole("heading", { name: "Follow-up actions" })).toBeVisible();
    await claimant.getByRole("button", { name: `I'll take it: ${fix}` }).click();
    const action = lead.getByRole("list", { name: "Follow-up actions" }).getByRole("listitem").filter({ hasText: fix });
    await expect(action).toContainText(owner.name);
  }
  await capture(lead, "session-actions");

  // Wrap-up: the summary, then review, then published.
  await lead.getByRole("button", { name: "Next: Wrap-up →" }).click();
  await expect(ana.getByRole("heading", { name: "Wrap-up", exact: true }).first()).toBeVisible();
  await ana.getByLabel("Summary").fill("Checkout failed for 40 minutes: the connection pool ran out while retries multiplied the load.");
  await ana.getByRole("button", { name: "Save the summary" }).click();
  await expect(ana.getByRole("button", { name: "Save the summary" })).toBeEnabled();
  await lead.getByRole("button", { name: "Send for review and end the session" }).click();
  await expect(lead.getByText(`${ref} is sent for review, and the live session has ended.`)).toBeVisible();
  await moveTo(lead, "Publish", "Published");
  for (const p of everyone) await untouched(p);

  // The anonymous authors are nowhere in the database.
  const stored = await openMainStore(test.info().project.testDir);
  try {
    const candidates = await stored.all<{ author_id: number | null }>("select author_id, body from live_candidates c join live_rounds r on r.id = c.round_id join live_sessions s on s.id = r.session_id where s.incident_id = ?", Number(ref.slice(4)));
    expect(candidates.length).toBeGreaterThan(5);
    expect(candidates.every((c) => c.author_id === null)).toBe(true);
  } finally {
    await stored.close();
  }
  for (const p of everyone) await p.context().close();
});

test("someone who loses access mid-session gets no more of its events", async ({ page, browser }) => {
  const lead = await addMember(page, { name: `Lee Lead ${unique("l")}` });
  const guest = await addMember(page, { name: `Gus Guest ${unique("g")}` });
  const ref = await reportIncident(page, { title: `Private outage ${unique("t")}`, visibility: "restricted", startedAt: EARLY, facilitator: lead.name });
  // The admin lets the guest in, then starts the analysis and the session.
  await page.goto(`/incidents/${ref}/edit`);
  await page.getByRole("checkbox", { name: new RegExp(guest.name) }).check();
  await page.getByRole("button", { name: /^Save/ }).click();
  await page.goto(`/incidents/${ref}`);
  await moveTo(page, "Start the analysis", "Analysis");
  await page.goto(`/incidents/${ref}/session`);
  await page.getByRole("button", { name: "Start a live session" }).click();

  const g = await listening(browser, guest);
  await g.goto(`/incidents/${ref}/session`);
  await expect(g.getByRole("navigation", { name: "Phases of the session" })).toBeVisible();
  await page.getByRole("button", { name: "Next: Why →" }).click();
  await expect(g.getByRole("heading", { name: "Why", exact: true })).toBeVisible();

  // The admin takes the guest off the incident: the stream says so and closes.
  await page.goto(`/incidents/${ref}/edit`);
  await page.getByRole("checkbox", { name: new RegExp(guest.name) }).uncheck();
  await page.getByRole("button", { name: /^Save/ }).click();
  await expect.poll(async () => (await heard(g)).some((e) => e.type === "closed" && e.data.includes("no-access"))).toBe(true);
  const count = (await heard(g)).length;
  await page.goto(`/incidents/${ref}/session`);
  await page.getByRole("button", { name: "Ask the first why" }).click();
  await page.getByRole("button", { name: "Next: Remediations →" }).click();
  await expect(page.getByRole("heading", { name: "Remediations", exact: true })).toBeVisible();
  // Later events never reach them (order, not time: the admin's own page has moved on already).
  expect((await heard(g)).length).toBe(count);
  expect(JSON.stringify((await heard(g)).slice(count))).toBe("[]");
  await g.context().close();
});

test("without JavaScript the session page shows the current state and every form works", async ({ page, browser }) => {
  const lead = await addMember(page, { name: `Nia Lead ${unique("n")}` });
  const part = await addMember(page, { name: `Noor Part ${unique("p")}` });
  const ref = await reportIncident(page, { title: `Static session ${unique("t")}`, startedAt: EARLY, facilitator: lead.name });
  const f = await pageFor(browser, lead, { javaScriptEnabled: false });
  const p = await pageFor(browser, part, { javaScriptEnabled: false });
  await f.goto(`/incidents/${ref}`);
  await moveTo(f, "Start the analysis", "Analysis");
  await f.goto(`/incidents/${ref}/session`);
  await f.getByRole("button", { name: "Start a live session" }).click();
  await expect(f.getByRole("navigation", { name: "Phases of the session" })).toBeVisible();

  await p.goto(`/incidents/${ref}/session`);
  await p.getByRole("button", { name: "Join the session" }).click();
  await expect(p.getByRole("button", { name: "Join the session" })).toHaveCount(0);
  await f.getByRole("link", { name: "Reload" }).click();
  await f.getByRole("button", { name: `Make participant: ${part.name}` }).click();
  await f.getByRole("button", { name: "Next: Why →" }).click();
  await f.getByRole("button", { name: "Ask the first why" }).click();

  // The participant reloads to see the question, and writes privately.
  await p.getByRole("link", { name: "Reload" }).click();
  await expect(round(p).getByRole("heading", { name: "Why did this happen?" })).toBeVisible();
  await p.getByRole("textbox", { name: "Your candidate answer" }).fill("The deploy skipped the canary stage");
  await p.getByRole("button", { name: "Add my candidate" }).click();
  await expect(p.getByRole("list", { name: "Your drafts" }).getByRole("textbox")).toHaveValue("The deploy skipped the canary stage");
  // Rewritten, then seen by nobody else until revealed.
  await p.getByRole("list", { name: "Your drafts" }).getByRole("textbox").fill("The deploy pipeline skipped the canary stage");
  await p.getByRole("button", { name: /^Save draft/ }).click();
  await expect(p.getByRole("list", { name: "Your drafts" }).getByRole("textbox")).toHaveValue("The deploy pipeline skipped the canary stage");
  await f.getByRole("link", { name: "Reload" }).click();
  await expect(f.getByText("1 candidate answer written.")).toBeVisible();
  await expect(f.getByText("The deploy pipeline skipped the canary stage")).toHaveCount(0);

  await f.getByRole("button", { name: "Reveal the candidates" }).click();
  await p.getByRole("link", { name: "Reload" }).click();
  await p.getByRole("button", { name: "Vote: The deploy pipeline skipped the canary stage" }).click();
  await expect(p.getByRole("button", { name: "Take back my vote: The deploy pipeline skipped the canary stage" })).toBeVisible();
  await f.getByRole("link", { name: "Reload" }).click();
  await f.getByRole("checkbox", { name: "Accept: The deploy pipeline skipped the canary stage" }).check();
  await f.getByRole("button", { name: "Accept into the tree" }).click();
  await expect(f.locator(".session-tree__a")).toHaveText(["The deploy pipeline skipped the canary stage"]);
  await f.getByRole("button", { name: "End the session" }).click();
  await expect(f.getByText("The live session has ended.", { exact: false })).toBeVisible();
  await f.context().close();
  await p.context().close();
});

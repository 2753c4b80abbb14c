// Follow-up actions: created from the remediations of two levels, publishing blocked until every
// remediation is covered, then completed and dropped by their owner, who sees My actions and
// Overdue change; the incident closes when the last action is finished and reopens with it.
import { expect, test, type Page } from "@playwright/test";
import { BASE_URL, addChain, addMember, capture, chooseOption, moveTo, pageFor, reportIncident, statusBadge, unique, whyCard } from "./helpers";

const CHAIN = [
  {
    question: "Why did checkout fail?",
    answer: "The payment service ran out of database connections",
    remediation: "Restart the payment service",
    noActionReason: "Done during the response",
  },
  {
    question: "Why did it run out of connections?",
    answer: "A retry loop opened a new connection per attempt",
    remediation: "Reuse pooled connections in the retry loop",
  },
  {
    question: "Why did the retry loop reach production?",
    answer: "No load test covers the payment retries",
    remediation: "Add a load test for payment retries to the release checks",
  },
];

async function addAction(page: Page, ref: string, answer: string, action: { owner: string; due?: string; priority?: string; pastDue?: boolean }) {
  await whyCard(page, answer).getByRole("link", { name: "Add follow-up action" }).click();
  await expect(page).toHaveURL(new RegExp(`/incidents/${ref}/actions/new\\?why=\\d+$`));
  const remediation = CHAIN.find((w) => w.answer === answer)!.remediation;
  // Prefilled from the remediation.
  await expect(page.getByLabel("Title", { exact: true })).toHaveValue(remediation);
  await expect(page.getByLabel("Description", { exact: true })).toHaveValue(remediation);
  await chooseOption(page.getByLabel("Owner"), action.owner);
  if (action.priority) await page.getByLabel("Priority").selectOption(action.priority);
  if (action.due) await page.getByLabel("Due date").fill(action.due);
  await page.getByRole("button", { name: "Add action" }).click();
  if (action.pastDue) {
    // A date already past is not taken silently: the form says so and asks to confirm, keeping everything typed.
    await expect(page.getByText("This date has already passed")).toBeVisible();
    await expect(page.getByLabel("Due date")).toHaveValue(action.due!);
    await page.getByLabel("Keep this date, even though it has passed").check();
    await page.getByRole("button", { name: "Add action" }).click();
  }
  await expect(page).toHaveURL(new RegExp(`/incidents/${ref}#action-\\d+$`));
  await expect(page.getByRole("status")).toContainText(`Action added for ${action.owner}`);
}

test("follow-up actions: from remediation to done, with publishing, My actions, Overdue and closing", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const owner = await addMember(page, { team: `Payments-${unique("t")}` });
  const bystander = await addMember(page, { team: "Mobile" });
  const title = `Checkout failures ${unique("t")}`;
  const ref = await reportIncident(page, {
    title,
    severity: "SEV1",
    startedAt: "2026-09-01T09:00",
    resolvedAt: "2026-09-01T10:10",
    summary: "Checkout failed for 70 minutes while the payment service had no free database connections.",
  });
  await moveTo(page, "Start the analysis", "Analysis");
  await addChain(page, CHAIN);

  // An overdue P1 action from level 2; the level-3 remediation has none yet.
  await addAction(page, ref, CHAIN[1].answer, { owner: owner.name, due: "2026-01-05", priority: "P1", pastDue: true });
  const level2 = whyCard(page, CHAIN[1].answer).getByRole("list", { name: "Follow-up actions" });
  await expect(level2).toContainText("Reuse pooled connections in the retry loop");
  await expect(level2).toContainText(new RegExp(`Open\\s*Overdue\\s*${owner.name} · due 5 Jan 2026 · P1`));

  // Publishing is blocked until the level-3 remediation has an action.
  await moveTo(page, "Send for review", "Review");
  const lifecycle = page.getByRole("region", { name: "Lifecycle" });
  await lifecycle.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(lifecycle.getByRole("alert").getByRole("listitem")).toHaveText([
    "Level 3 (“Why did the retry loop reach production?”): the remediation needs a follow-up action, or a reason why no action is needed.",
  ]);
  await expect(statusBadge(page)).toHaveText("Review");

  // The second action takes the default due date from the policy (SEV1, P2: four weeks).
  await addAction(page, ref, CHAIN[2].answer, { owner: owner.name });
  await expect(whyCard(page, CHAIN[2].answer).getByRole("list", { name: "Follow-up actions" })).toContainText("· P2");
  await moveTo(page, "Publish", "Published");
  const progress = page.getByRole("region", { name: "Follow-up actions" });
  await expect(progress).toContainText("Progress0 of 2 done, 2 open, 1 overdue");

  // The incident list shows the progress too.
  await page.goto("/incidents");
  await expect(page.getByRole("row").filter({ hasText: title })).toContainText("0 of 2 done, 2 open, 1 overdue");

  // The owner signs in and lands on My actions: overdue first.
  const ownerPage = await pageFor(browser, owner);
  await expect(ownerPage).toHaveURL(/\/actions$/);
  await expect(ownerPage.getByRole("heading", { name: "My actions" })).toBeVisible();
  const mine = ownerPage.getByRole("table", { name: "My open actions" }).getByRole("row");
  await expect(mine).toHaveCount(3);
  await expect(mine.nth(1)).toContainText("Reuse pooled connections in the retry loop");
  await expect(mine.nth(1)).toContainText("Overdue");
  await expect(mine.nth(1)).toContainText(`${ref} ${title}`);
  await expect(mine.nth(1)).toContainText(`Remediates: ${CHAIN[1].question}`);
  await expect(mine.nth(2)).toContainText("Add a load test for payment retries");

  // Overdue: every team with its count and its people, each with their oldest.
  await ownerPage.getByRole("link", { name: "Overdue" }).click();
  // One overdue action, one person.
  const teamSection = ownerPage.getByRole("region", { name: `${owner.team} (1 overdue, 1 person)` });
  await expect(teamSection.getByRole("heading", { name: owner.name })).toBeVisible();
  await expect(teamSection).toContainText("Reuse pooled connections in the retry loop");
  await capture(ownerPage, "11-overdue");

  // Won't do needs a reason; then it is recorded.
  await ownerPage.getByRole("link", { name: "My actions" }).click();
  const loadTest = ownerPage.getByRole("row").filter({ hasText: "Add a load test for payment retries" });
  await loadTest.getByText("Won't do", { exact: true }).click();
  await loadTest.getByLabel("Why it will not be done").fill("Covered by the platform-wide load tests");
  await loadTest.getByRole("button", { name: "Record won't do" }).click();
  await expect(ownerPage.getByRole("status")).toHaveText("“Add a load test for payment retries to the release checks” is now won't do.");

  // Done: the last unfinished action, so the incident closes; Overdue is empty.
  const pooled = ownerPage.getByRole("row").filter({ hasText: "Reuse pooled connections in the retry loop" });
  await pooled.getByRole("button", { name: "Mark done" }).click();
  await expect(ownerPage.getByRole("status")).toHaveText("“Reuse pooled connections in the retry loop” is now done.");
  await expect(ownerPage.getByText("You have no open follow-up actions.")).toBeVisible();
  await expect(ownerPage.getByRole("table", { name: "My recently done actions" })).toContainText("Reuse pooled connections");
  await ownerPage.getByRole("link", { name: "Overdue" }).click();
  await expect(ownerPage.getByText("Nothing is overdue.")).toBeVisible();

  await page.goto(`/incidents/${ref}`);
  await expect(statusBadge(page)).toHaveText("Closed");
  await expect(page.getByRole("region", { name: "Follow-up actions" })).toContainText("Progress1 of 2 done, 1 won't do");
  await expect(page.getByRole("region", { name: "Follow-up actions" })).toContainText("Done rather than dropped50% of 2 finished");

  // Reopening an action reopens the incident to published; the history says so.
  await ownerPage.goto("/actions");
  await ownerPage.getByRole("table", { name: "My recently done actions" }).getByRole("link", { name: "Reuse pooled connections in the retry loop" }).click();
  await ownerPage.getByRole("region", { name: "Status" }).getByRole("button", { name: "Reopen" }).click();
  await expect(ownerPage.getByRole("status")).toHaveText("“Reuse pooled connections in the retry loop” is now open.");
  await page.reload();
  await expect(statusBadge(page)).toHaveText("Published");
  await page.getByRole("navigation", { name: "Incident" }).getByRole("link", { name: "History" }).click();
  await expect(page.getByRole("region", { name: "History" }).getByRole("listitem").first()).toContainText("Back to published: a follow-up action is open again");

  // Someone who is neither owner, facilitator nor admin may read the action, not change it.
  const actionUrl = new URL(ownerPage.url()).pathname;
  const otherPage = await pageFor(browser, bystander);
  await otherPage.goto(actionUrl);
  await expect(otherPage.getByRole("heading", { level: 1, name: "Reuse pooled connections in the retry loop" })).toBeVisible();
  await expect(otherPage.getByRole("region", { name: "Status" })).toHaveCount(0);
  const refused = await otherPage.request.post(actionUrl, {
    form: { intent: "status", to: "done" },
    headers: { Origin: BASE_URL },
    maxRedirects: 0,
  });
  expect(refused.status()).toBe(403);

  // The filtered list downloads as CSV.
  await page.goto(`/actions/all?incident=${ref}`);
  await expect(page.getByRole("table", { name: "Actions" }).getByRole("row")).toHaveCount(3);
  const csv = await page.request.get(`/actions/export.csv?incident=${ref}`);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const lines = (await csv.text()).trim().split("\n");
  expect(lines[0]).toBe("id,title,status,overdue,priority,due,owner,team,incident,incident_title,severity,remediates,completed_at,wont_do_reason,tracker_url,link");
  expect(lines).toHaveLength(3);
  expect(lines.join("\n")).toContain("Covered by the platform-wide load tests");

  await ownerPage.context().close();
  await otherPage.context().close();
});

// The deploy gate as GitHub meets it, end to end: a production Hindsight of its own, configured as
// a GitHub App whose API is a server in this process playing GitHub (tests/e2e/github-server.ts).
// GitHub asks about a deployment; Hindsight checks the signature, decides with the gate's policy
// and answers the callback with an installation token made from the App's JWT. An admin sets the
// policy and, on the incident's page, lets deploys through; GitHub's next question is approved.
import { expect, test } from "@playwright/test";
import { SIGNED_OUT } from "./helpers";
import { startGitHub, type GitHubSide } from "./github-server";
import { firstAdmin, OWN_BASE, post, reportForm, withOwnStore } from "./own-server";

const HOOK = `${OWN_BASE}/api/github/deployment-protection-rule`;

let github: GitHubSide;

test.beforeAll(async () => {
  github = await startGitHub();
});

test.afterAll(async () => {
  await github?.close();
});

/** A `datetime-local` value (UTC) this many hours ago. */
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString().slice(0, 16);

test("GitHub's deployment is rejected while an incident's analysis is late, and approved once an exception lets it through", async ({ browser }) => {
  const env = {
    APP_URL: OWN_BASE,
    GITHUB_APP_ID: github.appId,
    GITHUB_APP_PRIVATE_KEY: github.privateKeyPem,
    GITHUB_WEBHOOK_SECRET: github.webhookSecret,
    GITHUB_API_URL: github.apiUrl,
    // A second between attempts, so that an answer GitHub did not take is tried again within the test.
    WEBHOOK_RETRY_SCHEDULE: "1,1,1",
  };
  await withOwnStore({ env }, async (stored) => {
    const adminCookie = await firstAdmin();
    const context = await browser.newContext({ baseURL: OWN_BASE, storageState: SIGNED_OUT });
    const [name, value] = adminCookie.split("=");
    await context.addCookies([{ name, value, url: OWN_BASE }]);
    const page = await context.newPage();

    // The admin holds checkout's deploys for SEV2 and above until the analysis is published, within 48 hours.
    await page.goto("/admin/deploy-gate");
    await expect(page.getByRole("region", { name: "GitHub deployment protection rule" }).getByRole("status").filter({ hasText: "Configured" })).toHaveText(
      `Configured: GitHub App ${github.appId}, answering through ${github.apiUrl}.`,
    );
    const add = page.getByRole("region", { name: "Add a policy" });
    await add.getByLabel("Service").fill("checkout");
    await add.getByLabel("Incidents at or above").selectOption("SEV2");
    await add.getByLabel("Analysis published within (hours after the start)").fill("48");
    await add.getByRole("button", { name: "Add policy" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Added the policy" })).toHaveText("Added the policy for checkout.");

    const reported = await post("/incidents/new", { ...reportForm("Checkout payments failing"), severity: "SEV1", startedAt: hoursAgo(72), services: "checkout, web" }, adminCookie);
    expect(reported.headers.get("location")).toBe("/incidents/INC-1");

    // GitHub asks; Hindsight takes the delivery, then rejects the deployment at the callback.
    const asked = await github.deliver(HOOK, { id: "a1b2c3d4-0001", repository: "acme/checkout", environment: "production", runId: 501, installationId: 77 });
    expect(asked.status).toBe(202);
    expect(JSON.parse(asked.body)).toMatchObject({ service: "checkout", state: "rejected" });
    await expect.poll(() => github.callbacks.length).toBe(1);
    expect(github.tokenRequests).toEqual([{ installationId: 77, problem: null }]);
    const rejected = github.callbacks[0];
    expect(rejected.problem).toBeNull();
    expect(rejected.path).toBe("/repos/acme/checkout/actions/runs/501/deployment_protection_rule");
    expect(rejected.body).toMatchObject({ environment_name: "production", state: "rejected" });
    expect(rejected.body.comment).toContain("Hindsight's deploy gate holds deploys of checkout (the policy for checkout):");
    expect(rejected.body.comment).toContain(`INC-1 (Checkout payments failing), SEV1: its analysis was not published within 2 days of the start, since`);
    expect(rejected.body.comment).toContain(`${OWN_BASE}/incidents/INC-1`);

    // The same delivery again (GitHub redelivers): nothing is decided or sent twice.
    const redelivered = await github.deliver(HOOK, { id: "a1b2c3d4-0001", repository: "acme/checkout", environment: "production", runId: 501, installationId: 77 });
    expect(redelivered.status).toBe(202);
    expect(JSON.parse(redelivered.body)).toMatchObject({ state: "rejected", message: "This delivery was received before; its answer is the one decided then." });

    // A delivery whose signature is not the secret's is refused before anything is read.
    const forged = await github.deliver(HOOK, { id: "f0f0-forged", repository: "acme/checkout", environment: "forged-environment", runId: 666, installationId: 77 }, { signature: `sha256=${"0".repeat(64)}` });
    expect(forged.status).toBe(401);

    // The incident's page says it holds deploys; the admin lets them through for four hours.
    await page.goto("/incidents/INC-1");
    const holding = page.getByRole("region", { name: "Holding deploys" });
    await expect(holding).toContainText("This incident is holding deploys of checkout since");
    await expect(holding).toContainText("checkout (SEV2 and above): its analysis was not published within 2 days of the start.");
    await holding.getByText("Let deploys through for a while").click();
    await holding.getByLabel("Why deploys may go ahead").fill("   ");
    await holding.getByRole("button", { name: "Grant the exception" }).click();
    await expect(holding.getByLabel("Why deploys may go ahead")).toHaveAttribute("aria-invalid", "true");
    await expect(holding).toContainText("Say why deploys may go ahead despite this incident");
    await holding.getByLabel("Why deploys may go ahead").fill("The fix for the failing payments must ship");
    await holding.getByLabel("For").selectOption({ label: "4 hours" });
    await holding.getByRole("button", { name: "Grant the exception" }).click();
    await expect(page.getByRole("status").filter({ hasText: "let through the gate" })).toContainText("Deploys are let through the gate despite INC-1 until");
    const excepted = page.getByRole("region", { name: "Deploys let through the gate" });
    await expect(excepted).toContainText("granted by Casey Admin: “The fix for the failing payments must ship”");
    await page.getByRole("link", { name: "History" }).click();
    await expect(page.getByText("Let deploys through the gate until")).toBeVisible();

    // The gate is open for checkout now.
    await page.goto("/admin/deploy-gate");
    const check = page.getByRole("region", { name: "Check a service" });
    await check.getByLabel("Service").fill("checkout");
    await check.getByRole("button", { name: "Check" }).click();
    await expect(check.getByRole("status")).toContainText("Open: deploys of checkout may go ahead (the policy for checkout).");

    // GitHub asks about the next deployment: approved, saying which exception lets it through.
    const next = await github.deliver(HOOK, { id: "a1b2c3d4-0002", repository: "acme/checkout", environment: "production", runId: 502, installationId: 77 });
    expect(next.status).toBe(202);
    await expect.poll(() => github.callbacks.length).toBe(2);
    const approved = github.callbacks[1];
    expect(approved.problem).toBeNull();
    expect(approved.path).toBe("/repos/acme/checkout/actions/runs/502/deployment_protection_rule");
    expect(approved.body).toMatchObject({ environment_name: "production", state: "approved" });
    expect(approved.body.comment).toContain("Hindsight's deploy gate is open for checkout (the policy for checkout).");
    expect(approved.body.comment).toContain("let through until");
    expect(approved.body.comment).toContain("by an exception granted by Casey Admin");

    // GitHub is down a moment when the third answer comes: the answer waits in the outbox and is sent again.
    github.outages = 1;
    const third = await github.deliver(HOOK, { id: "a1b2c3d4-0003", repository: "acme/checkout", environment: "staging", runId: 503, installationId: 77 });
    expect(third.status).toBe(202);
    await expect.poll(() => github.callbacks.length, { timeout: 15_000 }).toBe(4);
    expect(github.callbacks.slice(2).map((c) => [c.path, c.problem])).toEqual([
      ["/repos/acme/checkout/actions/runs/503/deployment_protection_rule", "502 Bad Gateway"],
      ["/repos/acme/checkout/actions/runs/503/deployment_protection_rule", null],
    ]);
    await page.goto("/admin/outbox");
    const answer = page.getByRole("row").filter({ hasText: "Approve the deployment of acme/checkout to staging" });
    await expect(answer).toContainText("GitHub deployment review");
    await expect(answer).toContainText("2 attempts, last answered 204");
    await expect(answer.getByText("Sent", { exact: true })).toBeVisible();

    // What was stored: three reviews, all answered, each once; nothing for the forged delivery, which GitHub never heard back about.
    const reviews = await stored.all<{ delivery_id: string; decision: string; answered_at: string | null }>("select delivery_id, decision, answered_at from deployment_reviews order by id");
    expect(reviews.map((r) => [r.delivery_id, r.decision, r.answered_at !== null])).toEqual([
      ["a1b2c3d4-0001", "rejected", true],
      ["a1b2c3d4-0002", "approved", true],
      ["a1b2c3d4-0003", "approved", true],
    ]);
    const answers = await stored.all("select status, attempts from outbox where channel = 'github' order by id");
    expect(answers).toEqual([
      { status: "sent", attempts: 1 },
      { status: "sent", attempts: 1 },
      { status: "sent", attempts: 2 },
    ]);
    expect(github.callbacks.map((c) => c.body.environment_name)).not.toContain("forged-environment");
    // The installation token is reused while it lasts.
    expect(github.tokenRequests).toHaveLength(1);
    await context.close();
  });
});

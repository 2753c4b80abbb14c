// Without JavaScript (scenario 7): signing in, reporting an incident and building the first
// whys all work as plain form posts, each answered with a redirect (Post/Redirect/Get).
import { expect, test, type Page, type Response } from "@playwright/test";
import { addMember, freshContext, statusBadge, unique, whyCard, whySection } from "./helpers";

/**
 * Runs `submit` and returns the response to the form's POST: a whole-page request (not one of
 * Remix's script-driven ".data" fetches), answered with a redirect.
 */
async function post(page: Page, submit: () => Promise<void>): Promise<Response> {
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), submit()]);
  expect(response.request().resourceType()).toBe("document");
  expect(new URL(response.url()).pathname).not.toMatch(/\.data$/);
  return response;
}

test("without JavaScript: sign in, report an incident and add whys with plain form posts", async ({ page, browser }) => {
  const member = await addMember(page, { team: "Infra" });
  const context = await freshContext(browser, { javaScriptEnabled: false });
  const noJs = await context.newPage();

  await noJs.goto("/incidents");
  await expect(noJs).toHaveURL(/\/signin\?redirectTo=%2Fincidents$/);
  await noJs.getByLabel("Email").fill(member.email);
  await noJs.getByLabel("Password").fill(member.password);
  const signedIn = await post(noJs, () => noJs.getByRole("button", { name: "Sign in" }).click());
  expect(signedIn.status()).toBe(302);
  await expect(noJs).toHaveURL(/\/incidents$/);
  await expect(noJs.getByRole("banner")).toContainText(member.name);

  await noJs.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Report an incident" }).click();
  const title = `Queue backlog, reported without JavaScript ${unique("t")}`;
  await noJs.getByLabel("Title", { exact: true }).fill(title);
  await noJs.getByRole("radio", { name: /^SEV3\b/ }).check();
  await noJs.getByLabel("Started (UTC)", { exact: true }).fill("2026-07-01T03:10");
  await noJs.getByLabel("Resolved (UTC)", { exact: true }).fill("2026-07-01T04:00");
  await noJs.getByLabel("Services and tags", { exact: true }).fill("queue");
  await noJs.getByLabel("Summary", { exact: true }).fill("Consumers stalled.");
  const reported = await post(noJs, () => noJs.getByRole("button", { name: "Report incident" }).click());
  expect(reported.status()).toBe(302);
  await expect(noJs).toHaveURL(/\/incidents\/INC-\d+$/);
  await expect(noJs.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(noJs.getByRole("status")).toContainText("reported.");
  await expect(noJs.getByRole("article").locator("header")).toContainText(`Facilitated by ${member.name}`);

  const section = whySection(noJs);
  await section.getByLabel("Question (level 1)").fill("Why did the queue back up?");
  await section.getByLabel("Answer", { exact: true }).fill("Consumers crashed on a malformed message");
  await section.getByLabel("Remediation at level 1").fill("Skip and park malformed messages");
  const added = await post(noJs, () => section.getByRole("button", { name: "Add the first why" }).click());
  expect(added.status()).toBe(302);
  await expect(noJs).toHaveURL(/\/incidents\/INC-\d+#why-\d+$/);
  await expect(whyCard(noJs, "Consumers crashed on a malformed message")).toContainText("Skip and park malformed messages");

  // The disclosures open without scripts: "Ask why again" adds the next level.
  const card = whyCard(noJs, "Consumers crashed on a malformed message");
  await card.getByText("Ask why again", { exact: true }).click();
  const askAgain = card.locator("details[open]");
  await askAgain.getByLabel("Question (level 2)").fill("Why did a malformed message crash them?");
  await askAgain.getByLabel("Answer", { exact: true }).fill("The parser throws instead of rejecting");
  await askAgain.getByLabel("Remediation at level 2").fill("Validate messages at the edge");
  const deeper = await post(noJs, () => askAgain.getByRole("button", { name: "Add the deeper why" }).click());
  expect(deeper.status()).toBe(302);
  await expect(whyCard(noJs, "The parser throws instead of rejecting")).toContainText("Level 2");

  // Reloading after the redirect repeats nothing.
  await noJs.reload();
  await expect(section.locator(".why__answer")).toHaveText([
    "BecauseConsumers crashed on a malformed message",
    "BecauseThe parser throws instead of rejecting",
  ]);

  // The lifecycle buttons are plain posts too.
  const moved = await post(noJs, () => noJs.getByRole("button", { name: "Start the analysis" }).click());
  expect(moved.status()).toBe(302);
  await expect(statusBadge(noJs)).toHaveText("Analysis");

  // Blameless wording: found on the saved why, reworded with a plain post.
  const level2 = whyCard(noJs, "The parser throws instead of rejecting");
  await level2.getByText("Edit", { exact: true }).click();
  const edit = level2.locator("details[open]");
  await edit.getByLabel("Remediation at level 2").fill("Obviously, validate message formats at the producer.");
  await post(noJs, () => edit.getByRole("button", { name: "Save changes" }).click());
  await expect(level2.locator(".blame--saved")).toContainText("Hindsight: “Obviously”.");
  await expect(level2.locator(".blame--saved")).toContainText("Suggested wording: “Validate message formats at the producer.”");
  const reworded = await post(noJs, () => level2.getByRole("button", { name: /^Use the suggested wording/ }).click());
  expect(reworded.status()).toBe(302);
  await expect(level2.locator(".why__remedy")).toContainText("Validate message formats at the producer.");
  await expect(level2.locator(".blame--saved")).toHaveCount(0);
  await context.close();
});

// Restricted incidents (scenario 5): only the facilitator, participants and admins know they
// exist. Anyone else does not see them in the list, gets a 404 for the page and for its actions.
import { expect, test } from "@playwright/test";
import { BASE_URL, addMember, chooseOption, pageFor, reportIncident, unique, whyCard } from "./helpers";

test("a restricted incident is hidden from non-participants, and visible to the admin and the facilitator", async ({ page, browser }) => {
  const facilitator = await addMember(page, { team: "Security" });
  const outsider = await addMember(page, { team: "Marketing" });
  const title = `Credential leak in build logs ${unique("t")}`;
  const ref = await reportIncident(page, {
    title,
    severity: "SEV1",
    startedAt: "2026-08-12T08:15",
    summary: "A token was printed in CI logs.",
    visibility: "restricted",
  });
  await expect(page.getByRole("article").getByText("Restricted", { exact: true })).toBeVisible();

  // The admin makes the member the facilitator through "Edit details and people" → People.
  await page.getByRole("link", { name: "Edit details and people" }).click();
  const people = page.getByRole("region", { name: "People" });
  await chooseOption(people.getByLabel("Facilitator (5 Whys master)"), facilitator.name);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(new RegExp(`/incidents/${ref}$`));
  await expect(page.getByRole("status")).toHaveText("Incident saved.");
  await expect(page.getByRole("article").locator("header")).toContainText(`Facilitated by ${facilitator.name}`);

  // The admin sees it in the list.
  await page.goto("/incidents");
  await expect(page.getByRole("link", { name: title })).toBeVisible();

  // The facilitator sees it in the list and can work on it.
  const fPage = await pageFor(browser, facilitator);
  await fPage.getByRole("link", { name: title }).click();
  await expect(fPage.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(fPage.getByRole("region", { name: "Lifecycle" }).getByRole("button", { name: "Start the analysis" })).toBeVisible();
  const allowed = await fPage.request.post(`/incidents/${ref}?index`, {
    form: { intent: "add-why", parentId: "", question: "Why was the token printed?", answer: "The deploy script echoes its environment" },
    headers: { Origin: BASE_URL },
    maxRedirects: 0,
  });
  expect(allowed.status()).toBe(302);
  await fPage.reload();
  await expect(whyCard(fPage, "The deploy script echoes its environment")).toBeVisible();
  await fPage.context().close();

  // The outsider: not in the list, 404 for the page, its tabs and its actions.
  const oPage = await pageFor(browser, outsider);
  await expect(oPage.getByRole("heading", { level: 1, name: "Incidents" })).toBeVisible();
  await expect(oPage.getByRole("link", { name: title })).toHaveCount(0);
  await expect(oPage.getByText(ref, { exact: true })).toHaveCount(0);
  for (const path of [`/incidents/${ref}`, `/incidents/${ref}/history`, `/incidents/${ref}/edit`]) {
    const response = await oPage.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(oPage.getByRole("heading", { name: "Not found" })).toBeVisible();
    await expect(oPage.getByText(title)).toHaveCount(0);
  }
  const refused = await oPage.request.post(`/incidents/${ref}?index`, {
    form: { intent: "add-why", parentId: "", question: "Why can I write here?", answer: "I should not" },
    headers: { Origin: BASE_URL },
    maxRedirects: 0,
  });
  expect(refused.status()).toBe(404);
  const refusedMove = await oPage.request.post(`/incidents/${ref}?index`, {
    form: { intent: "move", to: "analysis" },
    headers: { Origin: BASE_URL },
    maxRedirects: 0,
  });
  expect(refusedMove.status()).toBe(404);
  await oPage.context().close();

  // Nothing the outsider posted was stored.
  await page.goto(`/incidents/${ref}`);
  await expect(page.getByText("I should not")).toHaveCount(0);
  await expect(page.getByRole("article").locator(".incident-meta .status")).toHaveText("Draft");
});

test("on a restricted incident a participant gives actions only to its people, and the facilitator hands work over before taking someone off", async ({ page, browser }) => {
  const facilitator = await addMember(page, { team: "Security" });
  const participant = await addMember(page, { team: "Security" });
  const outsider = await addMember(page, { team: "Marketing" });
  const ref = await reportIncident(page, { title: `Signing key in a public gist ${unique("t")}`, severity: "SEV1", startedAt: "2026-08-12T08:15", visibility: "restricted" });
  await page.getByRole("link", { name: "Edit details and people" }).click();
  const people = page.getByRole("region", { name: "People" });
  await chooseOption(people.getByLabel("Facilitator (5 Whys master)"), facilitator.name);
  await people.getByRole("checkbox", { name: participant.name }).check();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status")).toHaveText("Incident saved.");
  // The outsider's id, as anyone could read it off an org-wide incident's form.
  await page.goto(`/incidents/${ref}/actions/new`);
  const outsiderId = await page.getByLabel("Owner").locator("option").filter({ hasText: outsider.name }).getAttribute("value");

  // The participant is offered only the incident's people; a hand-made choice of anyone else is refused on the field.
  const pPage = await pageFor(browser, participant);
  await pPage.goto(`/incidents/${ref}/actions/new`);
  const owner = pPage.getByLabel("Owner");
  await expect(owner.locator("option").filter({ hasText: facilitator.name })).toHaveCount(1);
  await expect(owner.locator("option").filter({ hasText: outsider.name })).toHaveCount(0);
  await pPage.getByLabel("Title", { exact: true }).fill("Rotate the signing key");
  await owner.evaluate((select: HTMLSelectElement, id) => select.add(new Option("Someone else", id ?? "")), outsiderId);
  await owner.selectOption(outsiderId ?? "");
  await pPage.getByRole("button", { name: "Add action" }).click();
  await expect(pPage.getByLabel("Owner")).toHaveAccessibleDescription(/^Only the facilitator or an admin can add people to a restricted incident; choose someone who already takes part\./);
  await expect(pPage.getByLabel("Title", { exact: true })).toHaveValue("Rotate the signing key");
  const oPage = await pageFor(browser, outsider);
  expect((await oPage.goto(`/incidents/${ref}`))?.status()).toBe(404);
  await oPage.context().close();

  // Taking the participant off while they own open work there is refused, saying why.
  await pPage.getByLabel("Owner").selectOption({ label: `${participant.name} (Security)` });
  await pPage.getByRole("button", { name: "Add action" }).click();
  await expect(pPage.getByRole("status")).toContainText(`Action added for ${participant.name}`);
  await pPage.context().close();
  const fPage = await pageFor(browser, facilitator);
  await fPage.goto(`/incidents/${ref}/edit`);
  const fPeople = fPage.getByRole("region", { name: "People" });
  await fPeople.getByRole("checkbox", { name: participant.name }).uncheck();
  await fPage.getByRole("button", { name: "Save changes" }).click();
  await expect(fPage.getByRole("region", { name: "People" })).toContainText(`${participant.name} still owns unfinished actions here.`);
  await fPage.context().close();
});

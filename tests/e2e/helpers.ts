// Small helpers shared by the end-to-end specs. Everything goes through the UI, as a person would.
import { expect, test, type Browser, type BrowserContext, type Locator, type Page } from "@playwright/test";
import path from "node:path";

export const BASE_URL = `http://127.0.0.1:${process.env.E2E_PORT ?? "3100"}`;

/** The first account, created by first-run.setup.ts; its session is every spec's default. */
export const ADMIN = {
  name: "Ada Admin",
  email: "ada.admin@example.com",
  team: "SRE",
  password: "first-admin-password-1",
};

/** A browser context with nobody signed in (the project's default is the admin's session). */
export const SIGNED_OUT = { cookies: [], origins: [] };

export type Credentials = { name: string; email: string; password: string; team: string };

let counter = 0;
const run = Date.now().toString(36);

/** A short value unique within this run (workers: 1), e.g. for names and emails. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${run}-${counter}`;
}

/** A fresh signed-out context that knows the base URL. */
export async function freshContext(browser: Browser, options: Parameters<Browser["newContext"]>[0] = {}): Promise<BrowserContext> {
  return browser.newContext({ baseURL: BASE_URL, storageState: SIGNED_OUT, ...options });
}

/**
 * The admin adds a person on the People page and reads the one-time link shown there.
 * Returns the link and the person as added.
 */
export async function addPerson(
  adminPage: Page,
  person: { name: string; email: string; team?: string; role?: "member" | "admin" },
): Promise<string> {
  await adminPage.goto("/admin/users");
  const form = adminPage.getByRole("region", { name: "Add a person" });
  await form.getByLabel("Name").fill(person.name);
  await form.getByLabel("Email").fill(person.email);
  await form.getByLabel("Team").fill(person.team ?? "");
  await form.getByLabel("Role").selectOption({ label: person.role === "admin" ? "Admin" : "Member" });
  await form.getByRole("button", { name: "Add and invite by email" }).click();
  const callout = adminPage.getByRole("status").filter({ hasText: "We emailed an invitation to" });
  await expect(callout).toContainText(person.name);
  const link = (await callout.locator("code").textContent())?.trim() ?? "";
  expect(link).toMatch(new RegExp(`^${BASE_URL}/set-password/[A-Za-z0-9_-]+$`));
  return link;
}

/** Follows a set-password link and chooses a password; the page ends signed in. */
export async function setPasswordViaLink(page: Page, link: string, password: string) {
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "Choose your password" })).toBeVisible();
  await page.getByLabel("New password").fill(password);
  await page.getByLabel("The same password again").fill(password);
  await page.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(page).toHaveURL(/\/incidents$/);
}

/**
 * The admin adds a member; the member sets a password through the one-time link in a
 * throw-away browser context. Returns the member's credentials.
 */
export async function addMember(
  adminPage: Page,
  options: { name?: string; email?: string; team?: string; role?: "member" | "admin" } = {},
): Promise<Credentials> {
  const id = unique("m");
  const person = {
    name: options.name ?? `Member ${id}`,
    email: options.email ?? `${id}@example.com`,
    team: options.team ?? "Platform",
    role: options.role ?? "member",
  };
  const link = await addPerson(adminPage, person);
  const password = `pw-${id}-secret`;
  const browser = adminPage.context().browser();
  if (!browser) throw new Error("addMember needs a page from a launched browser");
  const context = await freshContext(browser);
  try {
    await setPasswordViaLink(await context.newPage(), link, password);
  } finally {
    await context.close();
  }
  return { name: person.name, email: person.email, team: person.team, password };
}

/** Signs in through the sign-in form and waits for the landing page (My actions for owners of open actions). */
export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/(incidents|actions)$/);
}

/** A new browser context signed in as `who`; close the context when done. */
export async function pageFor(browser: Browser, who: Credentials, options: Parameters<Browser["newContext"]>[0] = {}) {
  const context = await freshContext(browser, options);
  const page = await context.newPage();
  await signIn(page, who.email, who.password);
  return page;
}

export type IncidentInput = {
  title: string;
  severity?: "SEV1" | "SEV2" | "SEV3" | "SEV4";
  startedAt?: string;
  detectedAt?: string;
  resolvedAt?: string;
  services?: string;
  impact?: string;
  summary?: string;
  visibility?: "org" | "restricted";
  /** The facilitator's name as listed; the reporter when omitted. */
  facilitator?: string;
};

/** Fills the report form (without submitting it). */
export async function fillIncidentForm(page: Page, input: IncidentInput) {
  await page.getByLabel("Title", { exact: true }).fill(input.title);
  await page.getByRole("radio", { name: new RegExp(`^${input.severity ?? "SEV3"}\\b`) }).check();
  await page.getByLabel("Started (UTC)", { exact: true }).fill(input.startedAt ?? "2026-10-06T14:02");
  if (input.detectedAt !== undefined) await page.getByLabel("Detected (UTC)", { exact: true }).fill(input.detectedAt);
  if (input.resolvedAt !== undefined) await page.getByLabel("Resolved (UTC)", { exact: true }).fill(input.resolvedAt);
  if (input.services !== undefined) await page.getByLabel("Services and tags", { exact: true }).fill(input.services);
  if (input.impact !== undefined) await page.getByLabel("Impact", { exact: true }).fill(input.impact);
  if (input.summary !== undefined) await page.getByLabel("Summary", { exact: true }).fill(input.summary);
  await page
    .getByRole("radio", { name: input.visibility === "restricted" ? /^Restricted/ : "Everyone in the organisation" })
    .check();
  if (input.facilitator) await chooseOption(page.getByLabel("Facilitator (5 Whys master)"), input.facilitator);
}

/** Picks the option of a <select> whose text starts with `name` (options read "Name (Team)"). */
export async function chooseOption(select: Locator, name: string) {
  const option = select.locator("option").filter({ hasText: new RegExp(`^${escapeRegExp(name)}( \\(|$)`) });
  await expect(option).toHaveCount(1);
  await select.selectOption((await option.getAttribute("value")) ?? "");
}

/** Reports an incident through the form; returns its reference ("INC-7") with the page on it. */
export async function reportIncident(page: Page, input: IncidentInput): Promise<string> {
  await page.goto("/incidents/new");
  await fillIncidentForm(page, input);
  await page.getByRole("button", { name: "Report incident" }).click();
  await expect(page).toHaveURL(/\/incidents\/INC-\d+$/);
  await expect(page.getByRole("heading", { level: 1, name: input.title })).toBeVisible();
  return new URL(page.url()).pathname.split("/").pop()!;
}

/** Moves the incident along with one of the Lifecycle panel's buttons and checks its new status. */
export async function moveTo(page: Page, button: string, expectedStatus: string) {
  const lifecycle = page.getByRole("region", { name: "Lifecycle" });
  await lifecycle.getByRole("button", { name: button, exact: true }).click();
  await expect(statusBadge(page)).toHaveText(expectedStatus);
}

/** The status badge in the incident's header ("Draft", "Analysis", "Review", "Published"). */
export function statusBadge(page: Page): Locator {
  return page.getByRole("article").locator(".incident-meta .status");
}

/** The step the Lifecycle panel marks as current. */
export function currentStep(page: Page): Locator {
  return page.getByRole("region", { name: "Lifecycle" }).locator('[aria-current="step"]');
}

export type WhyInput = {
  question: string;
  answer: string;
  remediation?: string;
  noRemediationReason?: string;
  /** Why the remediation needs no follow-up action. */
  noActionReason?: string;
};

/** The "The 5 Whys" section of the incident page. */
export function whySection(page: Page): Locator {
  return page.getByRole("region", { name: "The 5 Whys" });
}

/** The card of the why whose answer contains `answer` (its own card, not its children's). */
export function whyCard(page: Page, answer: string): Locator {
  return whySection(page)
    .locator('li[id^="why-"] > .why__card')
    .filter({ has: page.locator(".why__answer", { hasText: answer }) });
}

/** The <li> of the why whose answer contains `answer`: its card and, nested, its deeper whys. */
export function whyItem(page: Page, answer: string): Locator {
  return whySection(page)
    .locator('li[id^="why-"]')
    .filter({ has: page.locator(":scope > .why__card .why__answer", { hasText: answer }) });
}

/** One of the disclosures ("Ask why again", "Add another answer", "Edit", "Delete") of a why, opened. */
export async function openWhyTool(page: Page, answer: string, summary: string): Promise<Locator> {
  const details = whyCard(page, answer)
    .locator("details")
    .filter({ has: page.locator("summary", { hasText: new RegExp(`^${escapeRegExp(summary)}$`) }) });
  await details.locator("summary").click();
  await expect(details).toHaveAttribute("open", "");
  return details;
}

/** Fills a why form (question, answer, remediation or the reason none is needed). */
export async function fillWhyForm(scope: Locator, level: number, why: Partial<WhyInput>) {
  if (why.question !== undefined) await scope.getByLabel(`Question (level ${level})`).fill(why.question);
  if (why.answer !== undefined) await scope.getByLabel("Answer", { exact: true }).fill(why.answer);
  if (why.remediation !== undefined) await scope.getByLabel(`Remediation at level ${level}`).fill(why.remediation);
  if (why.noRemediationReason !== undefined) {
    await scope.getByLabel("Or: no remediation needed at this level, because").fill(why.noRemediationReason);
  }
  if (why.noActionReason !== undefined) {
    await scope.getByLabel("No follow-up action needed for this remediation, because").fill(why.noActionReason);
  }
}

/** Adds the first why with the form shown while the tree is empty. */
export async function addFirstWhy(page: Page, why: WhyInput) {
  const section = whySection(page);
  await expect(section.getByRole("heading", { name: "Start with the first why" })).toBeVisible();
  await fillWhyForm(section, 1, why);
  await section.getByRole("button", { name: "Add the first why" }).click();
  await expect(whyCard(page, why.answer)).toBeVisible();
}

/** "Ask why again" on the why answered `parentAnswer`: adds a deeper why at `level`. */
export async function askWhyAgain(page: Page, parentAnswer: string, level: number, why: WhyInput) {
  const details = await openWhyTool(page, parentAnswer, "Ask why again");
  await fillWhyForm(details, level, why);
  await details.getByRole("button", { name: "Add the deeper why" }).click();
  await expect(whyCard(page, why.answer)).toBeVisible();
  // Saved: the form closes and is empty for the next deeper why.
  await expect(details).not.toHaveAttribute("open");
  await expect(details.getByLabel("Answer", { exact: true })).toHaveValue("");
}

/** "Add another answer" beside the why answered `siblingAnswer`: another cause at `level`. */
export async function addAnotherAnswer(page: Page, siblingAnswer: string, level: number, why: WhyInput) {
  const details = await openWhyTool(page, siblingAnswer, "Add another answer");
  await fillWhyForm(details, level, why);
  await details.getByRole("button", { name: "Add this answer" }).click();
  await expect(whyCard(page, why.answer)).toBeVisible();
  // Saved: the form closes and no longer holds the answer just added.
  await expect(details).not.toHaveAttribute("open");
  await expect(details.getByLabel("Answer", { exact: true })).toHaveValue("");
}

/** Builds a chain: the first why, then "Ask why again" on each answer in turn. */
export async function addChain(page: Page, chain: WhyInput[]) {
  await addFirstWhy(page, chain[0]);
  for (let i = 1; i < chain.length; i++) {
    await askWhyAgain(page, chain[i - 1].answer, i + 1, chain[i]);
  }
}

/** Eric Ries's canonical five-level example (IMVU). */
export const RIES_CHAIN: WhyInput[] = [
  {
    question: "Why was the website down?",
    answer: "CPU on all front-end servers went to 100%",
    remediation: "Bring the site back up",
  },
  {
    question: "Why did CPU spike?",
    answer: "New code contained an infinite loop",
    remediation: "Remove the bad code",
  },
  {
    question: "Why did that code get written?",
    answer: "An engineer made a mistake",
    remediation: "Help them understand why the code doesn't work as written",
  },
  {
    question: "Why did the mistake get checked in?",
    answer: "No unit test for the feature",
    remediation: "Train in TDD",
  },
  {
    question: "Why no unit test?",
    answer: "New engineers are not trained in TDD",
    remediation: "Change new-engineer orientation to include TDD",
  },
];

/** "6 Oct 2026" for a date, in UTC, as the app writes dates. */
export function utcDay(date: Date): string {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  return `${date.getUTCDate()} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Saves a full-page screenshot to tests/e2e/screenshots/<name>.png (git-ignored), for a person to look at. */
export async function capture(page: Page, name: string) {
  const file = path.join(test.info().project.testDir, "screenshots", `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

// The digest: an admin sets the list addresses, previews the next digest exactly as it will be
// sent (a published analysis in, a restricted one out), sends it mid-week, and the next digest
// carries what was published after. People subscribe themselves and leave with one click; a
// list address's readers are told how to leave the list.
import { expect, test, type Page } from "@playwright/test";
import { startSmtpServer } from "../unit/smtp";
import { addFirstWhy, moveTo, reportIncident, unique } from "./helpers";
import { addMember, firstAdmin, OWN_BASE, withOwnStore } from "./own-server";

async function publishThroughThePages(page: Page, title: string, visibility: "org" | "restricted" = "org") {
  await reportIncident(page, { title, severity: "SEV3", resolvedAt: "2026-10-06T15:00", summary: `Summary of ${title}.`, visibility });
  await moveTo(page, "Start the analysis", "Analysis");
  await addFirstWhy(page, { question: "Why did the queue back up?", answer: `Consumers were paused (${title})`, remediation: "Alert on consumer lag", noActionReason: "Done in the response" });
  await moveTo(page, "Send for review", "Review");
  await moveTo(page, "Publish", "Published");
}

test("a digest sent mid-week leaves nothing behind: the next one carries what was published after it", async ({ page }) => {
  test.setTimeout(180_000);
  const title = `Queue backlog after deploy ${unique("t")}`;
  const secretTitle = `Restricted: credential rotation ${unique("t")}`;
  const later = `Cache stampede on Thursday ${unique("t")}`;
  await publishThroughThePages(page, title);
  await publishThroughThePages(page, secretTitle, "restricted");

  await page.goto("/admin/settings");
  await page.getByLabel("Recipients").fill("everyone@example.com, leads@example.com");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status")).toHaveText("Settings saved.");

  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Digest" }).click();
  await expect(page.getByRole("heading", { name: "Digest preview" })).toBeVisible();
  const envelope = page.getByRole("region", { name: /^Digest #\d+ — published/ });
  const seq = Number(/#(\d+)/.exec((await envelope.getByRole("heading").textContent()) ?? "")![1]);
  await expect(envelope).toContainText("everyone@example.com, leads@example.com");
  await expect(envelope).toContainText(new RegExp(`Hindsight digest #${seq}: \\d+ new post-mortems?`));
  const html = page.frameLocator('iframe[title="The digest email"]');
  await expect(html.getByRole("link", { name: title })).toBeVisible();
  await expect(html.getByText(secretTitle)).toHaveCount(0);
  const text = page.getByRole("region", { name: "Plain-text part" });
  await expect(text).toContainText(`Summary of ${title}.`);
  await expect(text).toContainText(`1. Consumers were paused (${title})`);
  await expect(text).not.toContainText(secretTitle);

  await page.getByRole("button", { name: "Send it now" }).click();
  await expect(page.getByRole("status")).toContainText(`Digest #${seq} was sent to 2 recipients: 2 sent, 0 failed.`);

  // Published after the send, the same week: the preview is now the next digest, with it alone.
  await publishThroughThePages(page, later);
  await page.goto("/digest");
  const next = page.getByRole("region", { name: new RegExp(`^Digest #${seq + 1} — published`) });
  await expect(next).toContainText(/1 new since the last digest/);
  await expect(page.frameLocator('iframe[title="The digest email"]').getByRole("link", { name: later })).toBeVisible();
  await expect(page.getByRole("region", { name: "Plain-text part" })).not.toContainText(title);
  await page.getByRole("button", { name: "Send it now" }).click();
  await expect(page.getByRole("status")).toContainText(`Digest #${seq + 1} was sent to 2 recipients`);

  // Past digests stay viewable, each with what it contained.
  const past = page.getByRole("region", { name: "Past digests" });
  await past.getByRole("link", { name: new RegExp(`^Digest #${seq} — `) }).click();
  const covered = page.getByRole("region", { name: "The post-mortems it covered" });
  await expect(covered).toContainText(title);
  await expect(covered).toContainText(secretTitle);
  await expect(covered).toContainText("restricted: only its people and admins got it");
  await expect(covered).not.toContainText(later);
  await page.goto(`/digest/${seq + 1}`);
  await expect(page.getByRole("region", { name: "The post-mortems it covered" })).toContainText(later);
  await expect(page.getByRole("region", { name: "Who got it" })).toContainText("everyone@example.com: sent");

  await page.goto("/admin/outbox");
  await expect(page.getByRole("row").filter({ hasText: `Hindsight digest #${seq + 1}` })).toHaveCount(2);
});

test("a digest that was never sent is a 404, never an error page", async ({ page }) => {
  for (const seq of ["999999", "0", "abc"]) {
    const response = await page.goto(`/digest/${seq}`);
    expect(response?.status(), seq).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  }
});

test("people subscribe themselves and leave with one click; a list address's readers are told how to leave the list", async ({ browser }) => {
  test.setTimeout(180_000);
  const smtp = await startSmtpServer();
  try {
    await withOwnStore({ env: { SMTP_URL: smtp.url, APP_URL: OWN_BASE, DIGEST_TO: "everyone@example.com" } }, async (stored) => {
      const admin = await firstAdmin();
      const member = await addMember(admin, "Sam Reader", "sam@example.com");
      const asSignedIn = async (cookie: string) => {
        const context = await browser.newContext({ baseURL: OWN_BASE });
        const [name, value] = cookie.split("=");
        await context.addCookies([{ name, value, url: OWN_BASE }]);
        return context.newPage();
      };

      // Sam subscribes from their account page, reached from their name in the header.
      const sam = await asSignedIn(member);
      await sam.goto("/incidents");
      await sam.getByRole("link", { name: "Sam Reader" }).click();
      await expect(sam.getByRole("heading", { name: "Your profile" })).toBeVisible();
      await sam.getByRole("button", { name: "Get the digest by email" }).click();
      await expect(sam.getByRole("status")).toHaveText("You will get the digest at sam@example.com.");
      await expect(sam.getByRole("button", { name: "Stop the digest" })).toBeVisible();

      const boss = await asSignedIn(admin);
      await boss.goto("/digest");
      await expect(boss.getByRole("region", { name: /^Digest #1 — / })).toContainText("sam@example.com");
      await boss.getByRole("button", { name: "Send it now" }).click();
      await expect(boss.getByRole("status")).toContainText("Digest #1 was sent to 2 recipients: 2 sent, 0 failed.");

      // Sam's invitation went to the same server, sent on its own time: the digests are the rest.
      const digests = smtp.received.filter((m) => m.subject?.startsWith("Hindsight digest"));
      const to = (address: string) => digests.find((m) => (m.to as { text: string }).text === address)!;
      const header = (mail: ReturnType<typeof to>, name: string) => mail.headerLines.find((h) => h.key === name)?.line.replace(/\r\n\s+/g, " ");
      expect(digests).toHaveLength(2);
      expect(header(to("everyone@example.com"), "list-unsubscribe")).toBe(`List-Unsubscribe: <${OWN_BASE}/digest/mailing-list>`);
      expect(header(to("everyone@example.com"), "list-unsubscribe-post")).toBeUndefined();
      const own = header(to("sam@example.com"), "list-unsubscribe")!;
      expect(own).toMatch(new RegExp(`^List-Unsubscribe: <${OWN_BASE}/unsubscribe/\\d+\\.[\\w-]{43}>$`));
      expect(header(to("sam@example.com"), "list-unsubscribe-post")).toBe("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
      const url = /<(.+)>/.exec(own)![1];
      const subscribed = async () => (await stored.value<number>("select count(*) from digest_subscriptions")) === 1;

      // The list address's link: a public page about leaving the company's list, no button.
      const stranger = await (await browser.newContext()).newPage();
      await stranger.goto(`${OWN_BASE}/digest/mailing-list`);
      await expect(stranger.getByRole("heading", { name: "You get the digest through a mailing list" })).toBeVisible();
      await expect(stranger.getByText("ask the list's owner")).toBeVisible();
      await expect(stranger.getByRole("button")).toHaveCount(0);

      // A mail scanner (or the reader) opening the link unsubscribes nobody: the page asks.
      await stranger.goto(url);
      await expect(stranger.getByText("Stop sending the digest to sam@example.com?")).toBeVisible();
      expect(await subscribed()).toBe(true);

      // A forged link: a clear page, and nothing changes.
      const forged = `${OWN_BASE}/unsubscribe/${url.split("/").pop()!.replace(/^\d+/, "1")}`;
      const refused = await stranger.goto(forged);
      expect(refused?.status()).toBe(400);
      await expect(stranger.getByText("This unsubscribe link is not valid")).toBeVisible();
      const cross = await fetch(forged, { method: "POST", body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }) });
      expect(cross.status).toBe(400);
      expect(await subscribed()).toBe(true);

      // The mail provider's one-click POST (RFC 8058): no cookie, no confirmation, and from a
      // webmail page on another origin as well.
      const oneClick = await fetch(url, { method: "POST", headers: { Origin: "https://webmail.example.net" }, body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }) });
      expect(oneClick.status).toBe(200);
      expect(await oneClick.text()).toContain("gets no more digests");
      expect(await subscribed()).toBe(false);

      await sam.reload();
      await expect(sam.getByRole("button", { name: "Get the digest by email" })).toBeVisible();
      await boss.goto("/digest");
      await expect(boss.getByRole("region", { name: /^Digest #2 — / })).toContainText("None yet: each person can subscribe");
    });
  } finally {
    await smtp.close();
  }
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq, like } from "drizzle-orm";
import { actionFields, createIncident, createUser } from "../../db/factories";
import { db, schema } from "~/lib/db.server";
import { changeActionStatus, createAction } from "~/models/action.server";
import { deliverPending, enqueueEmail } from "~/models/outbox.server";
import { REMINDER_LINES, reminderEmail, runReminders, selectReminders } from "~/models/reminder.server";
import { updateSettings } from "~/models/settings.server";
import { removeUser } from "~/models/user.server";
import { freshDatabase } from "./helpers";
import { startSmtpServer } from "./smtp";

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  process.env.SMTP_URL = smtp.url;
  process.env.APP_URL = "https://hindsight.example.com";
});

afterAll(async () => {
  delete process.env.SMTP_URL;
  await smtp.close();
});

beforeEach(async () => {
  await freshDatabase();
  smtp.received.length = 0;
  smtp.state.failNext = 0;
});

async function setup() {
  const facilitator = await createUser({ name: "Avery" });
  const blake = await createUser({ name: "Blake", email: "blake@example.com" });
  const casey = await createUser({ name: "Casey", email: "casey@example.com" });
  const incident = await createIncident(facilitator, { title: "Website down" });
  // Given their actions days before the run: the emails telling them so are not the run's.
  const add = async (owner: { id: number }, title: string, dueDate: string) => {
    const action = await createAction(facilitator, incident.id, null, actionFields(owner.id, { title, dueDate }));
    await db().delete(schema.outbox).where(like(schema.outbox.kind, "notify-%")).run();
    return action;
  };
  return { facilitator, blake, casey, incident, add };
}

describe("choosing what to remind", () => {
  it("lists each owner's overdue actions and those due within two days, not later or finished ones", async () => {
    const { blake, casey, add } = await setup();
    await add(blake, "Overdue", "2026-11-20");
    await add(blake, "Due today", "2026-11-23");
    await add(blake, "Due in two days", "2026-11-25");
    await add(blake, "Due in three days", "2026-11-26");
    const done = await add(casey, "Done already", "2026-11-01");
    await changeActionStatus(casey, done.id, "done");
    const batches = await selectReminders("2026-11-23");
    expect(batches.map((b) => [b.owner.name, b.actions.map((a) => a.title)])).toEqual([["Blake", ["Overdue", "Due today", "Due in two days"]]]);
  });

  it("reads today in the configured time zone", async () => {
    const admin = await createUser({ role: "admin" });
    const { blake, add } = await setup();
    await add(blake, "Due 26 Nov", "2026-11-26");
    // 23:30 UTC on the 23rd is already the 24th in Tokyo: two days from then reaches the 26th.
    const lateEvening = new Date("2026-11-23T23:30:00Z");
    await updateSettings(admin, { timeZone: "Asia/Tokyo" });
    const run = await runReminders(lateEvening);
    expect(run.today).toBe("2026-11-24");
    expect(run.queued).toBe(1);
  });

  it("leaves out people who were removed", async () => {
    const admin = await createUser({ role: "admin" });
    const { blake, add } = await setup();
    await add(blake, "Overdue", "2026-11-20");
    await removeUser(admin, blake.id);
    expect(await selectReminders("2026-11-23")).toEqual([]);
  });

  it("words the email with links, overdue first", async () => {
    const { blake, add } = await setup();
    const overdue = await add(blake, "Add the unit test", "2026-11-20");
    await add(blake, "Write the runbook", "2026-11-24");
    const email = reminderEmail((await selectReminders("2026-11-23"))[0], "2026-11-23");
    expect(email.subject).toBe("1 overdue follow-up action and 1 due soon");
    expect(email.text).toContain(`https://hindsight.example.com/actions/${overdue.id}`);
    expect(email.text).toContain("3 days overdue");
    expect(email.text).toContain("due in 1 day");
    expect(email.html).toContain(`href="https://hindsight.example.com/actions/${overdue.id}"`);
  });

  it("lists at most 50 actions, the most overdue first, and says how many more", async () => {
    const { blake, add } = await setup();
    for (let i = 0; i < REMINDER_LINES + 3; i++) await add(blake, `Task ${i}`, `2026-10-${String(1 + (i % 28)).padStart(2, "0")}`);
    const email = reminderEmail((await selectReminders("2026-11-23"))[0], "2026-11-23");
    expect(email.subject).toBe(`${REMINDER_LINES + 3} overdue follow-up actions`);
    expect(email.text.match(/^- Task/gm)).toHaveLength(REMINDER_LINES);
    expect(email.text).toContain("- and 3 more");
    expect(email.html).toContain("And 3 more.");
  });
});

describe("restricted incidents", () => {
  it("remind each owner only of actions on incidents they can see", async () => {
    const admin = await createUser({ name: "Drew", role: "admin" });
    const { facilitator, blake, casey } = await setup();
    const secret = await createIncident(facilitator, { title: "Signing key exposed", visibility: "restricted" });
    const add = (owner: { id: number }, title: string) => createAction(facilitator, secret.id, null, actionFields(owner.id, { title, dueDate: "2026-11-20" }));
    await add(blake, "Rotate the key");
    await add(casey, "Audit the signing logs");
    await add(admin, "Review the key policy");
    // Casey no longer takes part (their row gone, as in data written before owners had to stay).
    await db().delete(schema.participants).where(eq(schema.participants.userId, casey.id)).run();
    const batches = await selectReminders("2026-11-23");
    expect(batches.map((b) => [b.owner.name, b.actions.map((a) => a.title)])).toEqual([
      ["Drew", ["Review the key policy"]],
      ["Blake", ["Rotate the key"]],
    ]);
    const toCasey = batches.find((b) => b.owner.id === casey.id);
    expect(toCasey).toBeUndefined();
  });
});

describe("the daily run, through a real SMTP server", () => {
  const now = new Date("2026-11-23T09:00:00Z");

  it("sends each owner one email with their actions, and nothing more when run again", async () => {
    const { blake, casey, add } = await setup();
    await add(blake, "Add the unit test", "2026-11-20");
    await add(blake, "Write the runbook", "2026-11-24");
    await add(casey, "Move the table", "2026-11-22");
    const first = await runReminders(now);
    expect(first).toMatchObject({ queued: 2, sent: 2, failed: 0 });
    expect(smtp.received).toHaveLength(2);
    const toBlake = smtp.received.find((m) => m.to && "text" in m.to && m.to.text.includes("blake@example.com"))!;
    expect(toBlake.subject).toBe("1 overdue follow-up action and 1 due soon");
    expect(toBlake.text).toContain("Add the unit test");
    expect(toBlake.text).toContain("Write the runbook");
    expect(toBlake.text).not.toContain("Move the table");
    expect(toBlake.html).toContain("Website down");

    const second = await runReminders(new Date("2026-11-23T15:00:00Z"));
    expect(second).toMatchObject({ queued: 0, sent: 0 });
    expect(smtp.received).toHaveLength(2);
  });

  it("sends again the next day", async () => {
    const { blake, add } = await setup();
    await add(blake, "Add the unit test", "2026-11-20");
    await runReminders(now);
    await runReminders(new Date("2026-11-24T09:00:00Z"));
    expect(smtp.received).toHaveLength(2);
  });

  it("retries a failed send on the next run, and keeps it visible until then", async () => {
    const { blake, add } = await setup();
    await add(blake, "Add the unit test", "2026-11-20");
    smtp.state.failNext = 1;
    const first = await runReminders(now);
    expect(first).toMatchObject({ queued: 1, sent: 0, failed: 1 });
    const row = (await db().select().from(schema.outbox).get())!;
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
    expect(row.lastError).toContain("try again later");
    expect(smtp.received).toHaveLength(0);

    const second = await runReminders(now);
    expect(second).toMatchObject({ queued: 0, sent: 1, failed: 0 });
    expect(smtp.received).toHaveLength(1);
    expect(await db().select().from(schema.outbox).get()).toMatchObject({ status: "sent", attempts: 2, lastError: null });
  });

  it("after a restart between writing and sending, sends what was written, once", async () => {
    const { blake, add } = await setup();
    await add(blake, "Add the unit test", "2026-11-20");
    // The run wrote the email, then the process died before sending it.
    const [batch] = await selectReminders("2026-11-23");
    await enqueueEmail({ key: `reminder:${blake.id}:2026-11-23`, kind: "reminder", ...reminderEmail(batch, "2026-11-23") });
    expect(smtp.received).toHaveLength(0);
    const resumed = await runReminders(now);
    expect(resumed).toMatchObject({ queued: 0, sent: 1 });
    expect(smtp.received).toHaveLength(1);
  });

  it("resends a message whose sender died mid-send only once the claim is stale", async () => {
    await enqueueEmail({ key: "test:1", kind: "test", to: ["x@example.com"], subject: "Hello", text: "Hi", html: "<p>Hi</p>" });
    await db().update(schema.outbox).set({ status: "sending", claimedAt: now.toISOString(), attempts: 1 }).where(eq(schema.outbox.key, "test:1")).run();
    expect(await deliverPending(new Date(now.getTime() + 60_000))).toEqual({ sent: 0, failed: 0 });
    expect(await deliverPending(new Date(now.getTime() + 11 * 60_000))).toEqual({ sent: 1, failed: 0 });
    expect(smtp.received.map((m) => m.subject)).toEqual(["Hello"]);
  });
});

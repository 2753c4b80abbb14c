import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { actionFields, addWhyTree, advanceTo, createIncident, createUser, incidentFields, keepFlaggedWording, RIES_CHAIN } from "../../db/factories";
import { asc, eq } from "drizzle-orm";
import { db, engine, openDatabase, schema, sqliteOf, useDatabase } from "~/lib/db.server";
import { DATA_MIGRATIONS } from "~/models/data-migrations.server";
import { changeActionStatus, createAction } from "~/models/action.server";
import { DIGEST_LIST_LIMIT, digestContent, digestEmail, getSentDigest, nextDigest, previewDigest, scheduledMoment, sendDigest, spanLabel, type DigestSpan } from "~/models/digest.server";
import { getIncident, setPeople, updateIncident } from "~/models/incident.server";
import { republish } from "~/models/publication.server";
import { enqueueEmail } from "~/models/outbox.server";
import { updateSettings } from "~/models/settings.server";
import { isSubscribed, subscribe, unsubscribeUrl } from "~/models/subscription.server";
import { addUser, removeUser, type User } from "~/models/user.server";
import * as unsubscribeRoute from "~/routes/unsubscribe.$token";
import { listWhys, updateWhy } from "~/models/why.server";
import type { WhyRow } from "~/models/why-tree";
import { databaseEnvironment, freshDatabase } from "./helpers";

const whyValues = (row: WhyRow) => ({
  question: row.question,
  answer: row.answer,
  remediationMd: row.remediationMd,
  noRemediationReason: row.noRemediationReason,
  noActionReason: row.noActionReason,
  category: row.category,
  rootReached: row.rootReached,
});
import { startSmtpServer } from "./smtp";

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  process.env.SMTP_URL = smtp.url;
  process.env.APP_URL = "https://hindsight.example.com";
  process.env.DIGEST_TO = "everyone@example.com, leads@example.com";
  process.env.SESSION_SECRET = "a-test-secret-of-enough-length";
});

afterAll(async () => {
  delete process.env.SMTP_URL;
  delete process.env.DIGEST_TO;
  delete process.env.SESSION_SECRET;
  await smtp.close();
});

beforeEach(async () => {
  await freshDatabase();
  smtp.received.length = 0;
  smtp.state.failNext = 0;
});

/** A published analysis of Ries's chain, every remediation with an action, published at `at`. */
async function publish(title: string, at: string, overrides: Parameters<typeof createIncident>[1] = {}) {
  const facilitator = await createUser({ name: `Facilitator of ${title}`, team: "SRE" });
  const incident = await createIncident(facilitator, { title, summaryMd: `What happened in ${title}.\n\nMore detail.`, ...overrides });
  const ids = await addWhyTree(facilitator, incident.id, RIES_CHAIN);
  const actionIds: number[] = [];
  for (const id of ids) actionIds.push((await createAction(facilitator, incident.id, id, actionFields(facilitator.id, { title: `Fix ${title} ${id}`, dueDate: "2026-11-01" }))).id);
  await keepFlaggedWording(facilitator, incident.id, "Quoted from Ries's example");
  await advanceTo(facilitator, incident.id, "published", new Date(at));
  return { facilitator, incident, actionIds };
}

/** A cheap published analysis: one why, no actions. */
async function publishSmall(facilitator: User, title: string, visibility: "org" | "restricted" = "org") {
  const incident = await createIncident(facilitator, { title, summaryMd: `About ${title}.`, visibility });
  await addWhyTree(facilitator, incident.id, [{ question: "Why?", answer: "A queue filled.", remediation: "Alert on queue depth.", noActionReason: "Done in the response." }]);
  await advanceTo(facilitator, incident.id, "published");
  return incident;
}

const LIST: { kind: "list"; address: string } = { kind: "list", address: "everyone@example.com" };
const titles = async (span: DigestSpan, recipient: Parameters<typeof digestContent>[1] = LIST) => (await digestContent(span, recipient)).analyses.map((a) => a.title);
/** Which digest each first publication went out in, by incident title. */
const itemsByTitle = () =>
  db()
    .select({ title: schema.learnings.title, seq: schema.digestItems.digestSeq })
    .from(schema.digestItems)
    .innerJoin(schema.learnings, eq(schema.learnings.publicationId, schema.digestItems.publicationId))
    .orderBy(asc(schema.digestItems.publicationId))
    .all();
/** A header as sent, unfolded (a long one is folded onto a second line). */
const header = (mail: (typeof smtp.received)[number], name: string) => mail.headerLines.find((h) => h.key === name)?.line.replace(/\r\n\s+/g, " ");

describe("a digest covers what was published since the previous digest", () => {
  it("sent mid-week, then another is published: the next digest carries it, and nothing twice", async () => {
    await publish("Monday outage", "2026-11-23T10:00:00Z");
    const first = await sendDigest({ trigger: "manual", now: new Date("2026-11-25T12:00:00Z") });
    expect(first).toMatchObject({ seq: 1, outcome: "queued", queued: 2, sent: 2 });
    await publish("Thursday outage", "2026-11-26T10:00:00Z");

    const preview = await previewDigest(new Date("2026-11-30T09:00:00Z"));
    expect(preview.span).toMatchObject({ seq: 2, startAt: "2026-11-25T12:00:00.000Z", endAt: "2026-11-30T09:00:00.000Z" });
    expect(preview.label).toBe("published 25 Nov 12:00 to 30 Nov 09:00 UTC");
    expect(await titles(preview.span)).toEqual(["Thursday outage"]);
    expect(preview.email.subject).toBe("Hindsight digest #2: 1 new post-mortem");

    const second = await sendDigest({ trigger: "schedule", now: new Date("2026-11-30T09:00:00Z"), dueSince: "2026-11-30T09:00:00.000Z" });
    expect(second).toMatchObject({ seq: 2, outcome: "queued", sent: 2 });
    expect(await itemsByTitle()).toEqual([
      { title: "Monday outage", seq: 1 },
      { title: "Thursday outage", seq: 2 },
    ]);
    const toEveryone = smtp.received.filter((m) => (m.to as { text: string }).text === "everyone@example.com");
    expect(toEveryone.map((m) => m.subject)).toEqual(["Hindsight digest #1: 1 new post-mortem", "Hindsight digest #2: 1 new post-mortem"]);
    expect(toEveryone[0].text).toContain("Monday outage");
    expect(toEveryone[1].text).toContain("Hindsight digest #2, published 25 Nov 12:00 to 30 Nov 09:00 UTC");
    expect(toEveryone[1].text).toContain("Thursday outage");
    expect(toEveryone[1].text).not.toContain("Monday outage");
    // Past digests stay viewable, with what each contained.
    const admin = await createUser({ role: "admin" });
    expect((await getSentDigest(admin, 1))?.items.map((i) => i.title)).toEqual(["Monday outage"]);
    expect((await getSentDigest(admin, 2))?.listEmail?.html).toContain("Thursday outage");
  });

  it("sends exactly what the preview showed, even if more was published before the button was pressed", async () => {
    const facilitator = await createUser();
    await publishSmall(facilitator, "Shown in the preview");
    const { span } = await previewDigest();
    await publishSmall(facilitator, "Published after the preview");
    await sendDigest({ trigger: "manual", expected: span });
    expect(await itemsByTitle()).toEqual([{ title: "Shown in the preview", seq: 1 }]);
    expect(await titles(await nextDigest())).toEqual(["Published after the preview"]);
  });

  it("leaves out republications: a post-mortem is in the digest once, when first published", async () => {
    const facilitator = await createUser({ role: "admin" });
    const incident = await publishSmall(facilitator, "Published twice");
    await sendDigest({ trigger: "manual" });
    await republish(facilitator, incident.id);
    expect(await titles(await nextDigest())).toEqual([]);
  });

  it("no post-mortem is ever in two digests or in none, over interleaved publishes and sends (seeded)", async () => {
    const seed = Number(process.env.DIGEST_SEED ?? Date.now() % 100_000);
    console.log(`digest property check: DIGEST_SEED=${seed}`);
    let state = seed;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const admin = await createUser({ role: "admin" });
    const published: string[] = [];
    let stalePreview: DigestSpan | undefined;
    let clock = new Date("2026-11-02T08:00:00Z").getTime();
    for (let step = 0; step < 40; step++) {
      clock += Math.floor(random() * 36) * 3_600_000;
      const now = new Date(clock);
      const roll = random();
      if (roll < 0.5) {
        const title = `Outage ${step}`;
        await publishSmall(admin, title, random() < 0.25 ? "restricted" : "org");
        published.push(title);
      } else if (roll < 0.6) {
        await updateSettings(admin, { digestWhenEmpty: random() < 0.5 ? "skip" : "note" });
      } else if (roll < 0.7) {
        stalePreview = await nextDigest(now);
      } else {
        const how = random();
        // A send from a preview taken earlier (maybe outdated), the schedule, or the command line.
        if (how < 0.3 && stalePreview) await sendDigest({ trigger: "manual", now, expected: stalePreview });
        else if (how < 0.6) await sendDigest({ trigger: "schedule", now, dueSince: await scheduledMoment(now) });
        else await sendDigest({ trigger: "command", now });
      }
    }
    await updateSettings(admin, { digestWhenEmpty: "note" });
    await sendDigest({ trigger: "command", now: new Date(clock + 3_600_000) });
    const items = await itemsByTitle();
    expect(items.map((i) => i.title), `seed ${seed}`).toEqual(published);
    // The list addresses got each org-wide one in exactly one email.
    const lists = smtp.received.filter((m) => (m.to as { text: string }).text === "everyone@example.com").map((m) => m.text ?? "");
    for (const title of published) {
      const emails = lists.filter((t) => t.includes(`: ${title}\n`)).length;
      const isOrg = (await db().select({ v: schema.incidents.visibility }).from(schema.incidents).where(eq(schema.incidents.title, title)).get())!.v === "org";
      expect(emails, `${title} in the list emails, seed ${seed}`).toBe(isOrg ? 1 : 0);
    }
  }, 120_000);
});

describe("sending the digest exactly once", () => {
  it("two sends of the same preview at once: one digest, one email per recipient", async () => {
    await publish("Website down", "2026-11-24T10:00:00Z");
    const { span } = await previewDigest();
    const results = await Promise.all([sendDigest({ trigger: "manual", expected: span }), sendDigest({ trigger: "manual", expected: span })]);
    expect(results.map((r) => r.outcome).sort()).toEqual(["already-sent", "queued"]);
    expect(smtp.received).toHaveLength(2);
    expect(await db().select().from(schema.digests).all()).toHaveLength(1);
  });

  it("the scheduler and an admin's send at once: one digest", async () => {
    await publish("Website down", "2026-11-24T10:00:00Z");
    const now = new Date("2026-11-30T09:00:30Z");
    const { span } = await previewDigest(now);
    const results = await Promise.all([sendDigest({ trigger: "schedule", now, dueSince: await scheduledMoment(now) }), sendDigest({ trigger: "manual", now, expected: span })]);
    expect(results.map((r) => r.outcome).sort()).toEqual(["already-sent", "queued"]);
    expect(smtp.received).toHaveLength(2);
    // The scheduler does not send again this week, however often it looks.
    expect(await sendDigest({ trigger: "schedule", now: new Date("2026-12-02T09:00:00Z"), dueSince: await scheduledMoment(new Date("2026-12-02T09:00:00Z")) })).toMatchObject({ outcome: "already-sent" });
    expect(smtp.received).toHaveLength(2);
  });

  it("the scheduled moment is the configured weekday and hour, in the time zone", async () => {
    const admin = await createUser({ role: "admin" });
    expect(await scheduledMoment(new Date("2026-11-25T12:00:00Z"))).toBe("2026-11-23T09:00:00.000Z");
    expect(await scheduledMoment(new Date("2026-11-23T08:59:00Z"))).toBe("2026-11-16T09:00:00.000Z");
    await updateSettings(admin, { timeZone: "Europe/Berlin", digestDay: 5, digestHour: 17 });
    expect(await scheduledMoment(new Date("2026-11-27T16:30:00Z"))).toBe("2026-11-27T16:00:00.000Z");
  });

  it("after a crash between writing and sending, sends each email once on the next run", async () => {
    await publish("Website down", "2026-11-24T10:00:00Z");
    const span = await nextDigest();
    // What the send writes in its transaction, without the delivery after it.
    await db().insert(schema.digests).values({ ...span, trigger: "manual" }).run();
    await enqueueEmail(await digestEmail(span, LIST));
    expect(smtp.received).toHaveLength(0);
    expect(await sendDigest({ trigger: "manual", expected: span })).toMatchObject({ outcome: "already-sent", sent: 1 });
    expect(await sendDigest({ trigger: "manual", expected: span })).toMatchObject({ sent: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it("says so when nothing was published, and can skip an empty digest without using up its span", async () => {
    const email = await digestEmail(await nextDigest(), LIST);
    expect(email.subject).toBe("Hindsight digest #1: no new post-mortems");
    expect(email.text).toContain("No new post-mortems were published since the last digest.");
    await updateSettings(await createUser({ role: "admin" }), { digestWhenEmpty: "skip" });
    expect((await sendDigest({ trigger: "command" })).outcome).toBe("skipped-empty");
    expect(smtp.received).toHaveLength(0);
    expect((await nextDigest()).seq).toBe(1);
  });
});

describe("the digest's content", () => {
  it("tells a post-mortem as its latest publication does: what a republish took out is never sent", async () => {
    const facilitator = await createUser({ role: "admin" });
    const incident = await publishSmall(facilitator, "Corrected before the digest");
    const [why] = await listWhys(incident.id);
    await updateWhy(facilitator, incident.id, why.id, why.version, { ...whyValues(why), remediationMd: "Alert on the age of the oldest message." });
    await republish(facilitator, incident.id);
    const [analysis] = (await digestContent(await nextDigest(), LIST)).analyses;
    expect(analysis.remediations).toEqual(["Alert on the age of the oldest message."]);
    await sendDigest({ trigger: "manual" });
    const sent = smtp.received.map((m) => m.text).join("\n");
    expect(sent).toContain("Alert on the age of the oldest message.");
    expect(sent).not.toContain("Alert on queue depth.");
  });

  it("has the new analyses with summary, chain, top remediations and link; never a restricted one for a list", async () => {
    const { incident } = await publish("Website down", "2026-11-24T10:00:00Z");
    await publish("Security incident", "2026-11-24T11:00:00Z", { visibility: "restricted" });
    const content = await digestContent(await nextDigest(new Date("2026-11-30T09:00:00Z")), LIST, new Date("2026-11-30T09:00:00Z"));
    expect(content.analyses).toHaveLength(1);
    const [a] = content.analyses;
    expect(a).toMatchObject({ title: "Website down", summary: "What happened in Website down.", url: `https://hindsight.example.com/learnings/INC-${incident.id}` });
    expect(a.chain).toEqual(RIES_CHAIN_ANSWERS);
    expect(a.remediations[0]).toBe("Change new-engineer orientation to include TDD.");
    expect(a.remediations).toHaveLength(3);
    expect(content.topCauses.map((t) => t.count)).toEqual([1, 1, 1, 1, 1]);
  });

  it("leaves out an analysis made restricted after it was published", async () => {
    const { facilitator, incident } = await publish("Website down", "2026-11-24T10:00:00Z");
    const { version } = await getIncident(facilitator, incident.id);
    await updateIncident(facilitator, incident.id, version, incidentFields({ title: "Website down", summaryMd: "What happened.", visibility: "restricted" }));
    expect(await titles(await nextDigest())).toEqual([]);
  });

  it("has the actions completed since the last digest and the overdue ones by team", async () => {
    const { facilitator, actionIds } = await publish("Website down", "2026-11-24T10:00:00Z");
    await changeActionStatus(facilitator, actionIds[0], "done");
    const content = await digestContent(await nextDigest(), LIST);
    expect(content.completed.map((c) => c.title)).toEqual([expect.stringMatching(/^Fix Website down/)]);
    expect(content.overdueByTeam).toEqual([{ team: "SRE", count: 4 }]);
    await sendDigest({ trigger: "command" });
    await changeActionStatus(facilitator, actionIds[1], "done");
    // The next digest has only what was completed since this one.
    const next = await digestContent(await nextDigest(), LIST);
    expect(next.completedCount).toBe(1);
    expect(next.completed[0].url).toBe(`https://hindsight.example.com/actions/${actionIds[1]}`);
  });

  it("lists at most 50 post-mortems and 50 completed actions, says how many more, and keeps summaries short", async () => {
    const facilitator = await createUser({ team: "SRE" });
    for (let i = 0; i < DIGEST_LIST_LIMIT + 2; i++) {
      const incident = await createIncident(facilitator, { title: `Outage ${i}`, summaryMd: "Long. ".repeat(500) });
      await addWhyTree(facilitator, incident.id, [{ question: "Why?", answer: "A queue filled.", remediation: "Alert on queue depth." }]);
      const action = await createAction(facilitator, incident.id, null, actionFields(facilitator.id, { title: `Fix ${i}` }));
      await db().update(schema.whys).set({ noActionReason: "Tracked below." }).where(eq(schema.whys.incidentId, incident.id)).run();
      await advanceTo(facilitator, incident.id, "published", new Date("2026-11-24T10:00:00Z"));
      await changeActionStatus(facilitator, action.id, "done");
    }
    const span = await nextDigest();
    const content = await digestContent(span, LIST);
    expect(content.analyses).toHaveLength(DIGEST_LIST_LIMIT);
    expect(content.analysesCount).toBe(DIGEST_LIST_LIMIT + 2);
    expect(Math.max(...content.analyses.map((a) => a.summary.length))).toBeLessThanOrEqual(600);
    expect(content.completed).toHaveLength(DIGEST_LIST_LIMIT);
    expect(content.completedCount).toBe(DIGEST_LIST_LIMIT + 2);
    const email = await digestEmail(span, LIST);
    expect(email.subject).toContain(`${DIGEST_LIST_LIMIT + 2} new post-mortems`);
    expect(email.text).toContain("And 2 more: https://hindsight.example.com/learnings");
    expect(email.html).toContain("And 2 more on");
  }, 60_000);

  it("names its span in the configured time zone", () => {
    expect(spanLabel({ startAt: "2026-12-03T14:02:00Z", endAt: "2026-12-04T09:00:00Z" }, "UTC")).toBe("published 3 Dec 14:02 to 4 Dec 09:00 UTC");
    expect(spanLabel({ startAt: null, endAt: "2026-12-04T09:00:00Z" }, "Europe/Berlin")).toBe("published up to 4 Dec 10:00 (Europe/Berlin)");
  });
});

describe("individual subscribers and list addresses", () => {
  it("each subscriber gets their own email with a signed one-click unsubscribe; a list address a page about leaving the list", async () => {
    const member = await createUser({ name: "Sam Member", email: "sam@example.com" });
    await subscribe(member);
    await publish("Website down", "2026-11-24T10:00:00Z");
    expect(await sendDigest({ trigger: "command" })).toMatchObject({ outcome: "queued", queued: 3, sent: 3 });

    const to = (address: string) => smtp.received.find((m) => (m.to as { text: string }).text === address)!;
    const list = to("everyone@example.com");
    expect(header(list, "list-unsubscribe")).toBe("List-Unsubscribe: <https://hindsight.example.com/digest/mailing-list>");
    expect(header(list, "list-unsubscribe-post")).toBeUndefined();
    expect(list.html).toContain('href="https://hindsight.example.com/digest/mailing-list"');

    const own = to("sam@example.com");
    const url = unsubscribeUrl(member.id);
    expect(url).toMatch(/^https:\/\/hindsight\.example\.com\/unsubscribe\/\d+\.[\w-]{43}$/);
    expect(header(own, "list-unsubscribe")).toBe(`List-Unsubscribe: <${url}>`);
    expect(header(own, "list-unsubscribe-post")).toBe("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    expect(own.text).toContain("Website down");
    expect(own.html).toContain('href="https://hindsight.example.com/account"');
  });

  it("a GET of the unsubscribe link only asks; the one-click POST unsubscribes with no sign-in; a forged link is a clear 400", async () => {
    const member = await createUser({ email: "sam@example.com" });
    const other = await createUser({ email: "kim@example.com" });
    await subscribe(member);
    await subscribe(other);
    const token = new URL(unsubscribeUrl(member.id)).pathname.split("/").pop()!;
    const call = async (method: "GET" | "POST", t: string) => {
      const request = new Request(`https://hindsight.example.com/unsubscribe/${t}`, {
        method,
        body: method === "POST" ? new URLSearchParams({ "List-Unsubscribe": "One-Click" }) : undefined,
      });
      const args = { request, params: { token: t }, context: {} } as never;
      return (method === "GET" ? await unsubscribeRoute.loader(args) : await unsubscribeRoute.action(args)) as unknown as { init: { status: number }; data: { link: unknown } };
    };
    const subscribers = async () => (await db().select({ id: schema.digestSubscriptions.userId }).from(schema.digestSubscriptions).all()).map((r) => r.id).sort();

    const shown = await call("GET", token);
    expect(shown.init.status).toBe(200);
    expect(shown.data.link).toEqual({ valid: true, email: "sam@example.com", subscribed: true });
    expect(await subscribers()).toEqual([member.id, other.id].sort());

    // Another person's id under this signature, a signature for someone else, a cut link.
    const [, mac] = token.split(".");
    for (const forged of [`${other.id}.${mac}`, `${member.id}.${"A".repeat(43)}`, token.slice(0, -1), "nonsense"]) {
      const refused = await call("POST", forged);
      expect(refused.init.status, forged).toBe(400);
      expect(refused.data.link).toEqual({ valid: false });
    }
    expect(await subscribers()).toEqual([member.id, other.id].sort());

    const done = await call("POST", token);
    expect(done.init.status).toBe(200);
    expect(done.data.link).toEqual({ valid: true, email: "sam@example.com", subscribed: false });
    expect(await subscribers()).toEqual([other.id]);
    // A signature made with another secret is not valid here.
    const secret = process.env.SESSION_SECRET;
    process.env.SESSION_SECRET = "another-secret-of-enough-length";
    const elsewhere = new URL(unsubscribeUrl(other.id)).pathname.split("/").pop()!;
    process.env.SESSION_SECRET = secret;
    expect((await call("POST", elsewhere)).init.status).toBe(400);
    expect(await subscribers()).toEqual([other.id]);
  });

  it("each subscriber gets only what they may see; a list address only what everyone may see", async () => {
    const admin = await createUser({ role: "admin", email: "admin@example.com" });
    const insider = await createUser({ email: "insider@example.com" });
    const outsider = await createUser({ email: "outsider@example.com" });
    for (const u of [admin, insider, outsider]) await subscribe(u);
    const facilitator = await createUser({ role: "admin" });
    await publishSmall(facilitator, "Org-wide outage");
    const secret = await publishSmall(facilitator, "Credential rotation", "restricted");
    await setPeople(facilitator, secret.id, facilitator.id, [insider.id]);
    const span = await nextDigest();
    expect(await titles(span, LIST)).toEqual(["Org-wide outage"]);
    expect(await titles(span, { kind: "person", subscriber: { ...admin } })).toEqual(["Org-wide outage", "Credential rotation"]);
    expect(await titles(span, { kind: "person", subscriber: { ...insider } })).toEqual(["Org-wide outage", "Credential rotation"]);
    expect(await titles(span, { kind: "person", subscriber: { ...outsider } })).toEqual(["Org-wide outage"]);

    await sendDigest({ trigger: "command" });
    const textTo = (address: string) => smtp.received.find((m) => (m.to as { text: string }).text === address)?.text ?? "";
    expect(textTo("outsider@example.com")).not.toContain("Credential rotation");
    expect(textTo("everyone@example.com")).not.toContain("Credential rotation");
    expect(textTo("insider@example.com")).toContain("Credential rotation");
    expect(textTo("admin@example.com")).toContain("Credential rotation");
  });

  it("someone removed gets no more digests", async () => {
    const admin = await createUser({ role: "admin" });
    const leaver = await createUser({ email: "leaver@example.com" });
    await subscribe(leaver);
    await removeUser(admin, leaver.id);
    await sendDigest({ trigger: "command" });
    expect(smtp.received.map((m) => (m.to as { text: string }).text).sort()).toEqual(["everyone@example.com", "leads@example.com"]);
    // Added again, they choose afresh: not subscribed behind their back.
    const back = await addUser(admin, { name: "Leaver", email: "leaver@example.com", team: "", role: "member" });
    expect(back.id).toBe(leaver.id);
    expect(await isSubscribed(back)).toBe(false);
  });
});

// A data migration brings SQLite files made by older versions up to date: SQLite's alone.
describe.runIf(engine === "sqlite")("the migration from weekly digests", () => {
  it("keeps each sent week as a numbered digest, and the next digest starts where the last one ended", async () => {
    const facilitator = await createUser();
    const inWeek = await publishSmall(facilitator, "Before the mid-week send");
    const after = await publishSmall(facilitator, "After the mid-week send");
    const set = (id: number, at: string) => db().update(schema.publications).set({ publishedAt: at }).where(eq(schema.publications.incidentId, id)).run();
    await set(inWeek.id, "2026-11-24T10:00:00.000Z");
    await set(after.id, "2026-11-26T10:00:00.000Z");
    const sqlite = sqliteOf(db());
    const old = (key: string, createdAt: string) =>
      sqlite.prepare("insert into outbox (key, kind, recipients, subject, text, html, status, created_at) values (?, 'digest', 'everyone@example.com', 's', 't', 'h', 'sent', ?)").run(key, createdAt);
    old("digest:2026-W47", "2026-11-23T09:00:00.000Z");
    // Week 48's digest was sent by hand on Wednesday: Thursday's post-mortem was never sent.
    old("digest:2026-W48", "2026-11-25T12:00:00.000Z");

    // The data migration that numbers them (0012 made the tables; the app fills them).
    const numbering = DATA_MIGRATIONS.find((step) => step.name === "numbered-digests-from-weekly-ones")!;
    await db().transaction((tx) => numbering.run(tx));

    expect(await db().select().from(schema.digests).orderBy(asc(schema.digests.seq)).all()).toMatchObject([
      { seq: 1, endAt: "2026-11-23T00:00:00.000Z", trigger: "migrated", startAt: null },
      { seq: 2, endAt: "2026-11-25T12:00:00.000Z", startAt: "2026-11-23T00:00:00.000Z" },
    ]);
    expect(await itemsByTitle()).toEqual([{ title: "Before the mid-week send", seq: 2 }]);
    expect(await nextDigest()).toMatchObject({ seq: 3, startAt: "2026-11-25T12:00:00.000Z" });
    expect(await titles(await nextDigest())).toEqual(["After the mid-week send"]);
  });
});

describe("npm run digest, against a real SMTP server", () => {
  it("sends one well-formed email per recipient, with links and the chain, nothing restricted to a list; two runs at once send once", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hindsight-digest-"));
    const file = path.join(dir, "hindsight.db");
    try {
      // A file the job opens too on SQLite; on PostgreSQL, the test's own database.
      if (engine === "sqlite") useDatabase(await openDatabase(file));
      else await freshDatabase();
      const { incident } = await publish("Website down", "2026-11-24T10:00:00Z");
      await publish("Security incident", "2026-11-24T11:00:00Z", { visibility: "restricted" });
      const run = (...extra: string[]) =>
        promisify(execFile)(path.resolve("node_modules/.bin/tsx"), ["app/cli/digest.ts", ...extra], {
          env: { ...process.env, ...databaseEnvironment(file), SMTP_URL: smtp.url },
        });
      const dry = await run("--dry-run");
      expect(dry.stdout).toMatch(/^Digest #1, published up to \d+ \w+ \d\d:\d\d UTC/);
      expect(dry.stdout).toContain("Subject: Hindsight digest #1: 1 new post-mortem");
      expect(dry.stdout).toContain("--- HTML part ---");
      expect(smtp.received).toHaveLength(0);
      // Two runs at once (two processes): one digest, one email per list address.
      const [a, b] = await Promise.all([run(), run()]);
      expect([a.stdout, b.stdout].join("\n")).toMatch(/Digest #1 \(published up to .*\): written to the outbox for 2 recipients/);
      expect([a.stdout, b.stdout].join("\n")).toMatch(/Digest #1 \(.*\): already sent; not sent again/);
      await run();
      expect(smtp.received).toHaveLength(2);

      const mail = smtp.received.find((m) => (m.to as { text: string }).text === "everyone@example.com")!;
      expect(mail.subject).toBe("Hindsight digest #1: 1 new post-mortem");
      expect(mail.text).toContain("Website down");
      expect(mail.text).toContain("5. New engineers are not trained in TDD during orientation.");
      expect(mail.html).toContain(`href="https://hindsight.example.com/learnings/INC-${incident.id}"`);
      expect(mail.html).toContain("A new bit of code contained an infinite loop.");
      expect(mail.html).not.toMatch(/<link|<script|src="http/);
      for (const part of [mail.text, mail.html]) expect(part).not.toContain("Security incident");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

const RIES_CHAIN_ANSWERS = [
  "CPU utilisation on all front-end servers went to 100%.",
  "A new bit of code contained an infinite loop.",
  "So-and-so made a mistake.",
  "The feature had no unit test.",
  "New engineers are not trained in TDD during orientation.",
];

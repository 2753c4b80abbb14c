import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { actionFields, addWhyTree, advanceTo, createIncident, createUser, incidentFields, keepFlaggedWording, RIES_CHAIN } from "../../db/factories";
import { eq } from "drizzle-orm";
import { db, openDatabase, schema, useDatabase } from "~/lib/db.server";
import { currentPeriod, parsePeriod, previousPeriod } from "~/lib/period";
import { changeActionStatus, createAction } from "~/models/action.server";
import { DIGEST_LIST_LIMIT, digestContent, digestEmail, sendDigest } from "~/models/digest.server";
import { getIncident, updateIncident } from "~/models/incident.server";
import { enqueueEmail } from "~/models/outbox.server";
import { updateSettings } from "~/models/settings.server";
import { freshDatabase } from "./helpers";
import { startSmtpServer } from "./smtp";

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  process.env.SMTP_URL = smtp.url;
  process.env.APP_URL = "https://hindsight.example.com";
  process.env.DIGEST_TO = "everyone@example.com, leads@example.com";
});

afterAll(async () => {
  delete process.env.SMTP_URL;
  delete process.env.DIGEST_TO;
  await smtp.close();
});

beforeEach(() => {
  freshDatabase();
  smtp.received.length = 0;
  smtp.state.failNext = 0;
});

/** A published analysis of Ries's chain, every remediation with an action, published at `at`. */
function publish(title: string, at: string, overrides: Parameters<typeof createIncident>[1] = {}) {
  const facilitator = createUser({ name: `Facilitator of ${title}`, team: "SRE" });
  const incident = createIncident(facilitator, { title, summaryMd: `What happened in ${title}.\n\nMore detail.`, ...overrides });
  const ids = addWhyTree(facilitator, incident.id, RIES_CHAIN);
  const actionIds = ids.map((id) => createAction(facilitator, incident.id, id, actionFields(facilitator.id, { title: `Fix ${title} ${id}`, dueDate: "2026-11-01" })).id);
  keepFlaggedWording(facilitator, incident.id, "Quoted from Ries's example");
  advanceTo(facilitator, incident.id, "published", new Date(at));
  return { facilitator, incident, actionIds };
}

describe("the digest's period", () => {
  it("is an ISO week in the configured time zone", () => {
    const now = new Date("2026-11-25T12:00:00Z");
    expect(currentPeriod("UTC", now).key).toBe("2026-W48");
    expect(previousPeriod("UTC", now).key).toBe("2026-W47");
    expect(parsePeriod("2026-W48", "Europe/Berlin")).toMatchObject({ start: "2026-11-22T23:00:00.000Z", end: "2026-11-29T23:00:00.000Z" });
    expect(() => parsePeriod("2026-W54", "UTC")).toThrow();
  });

  it("counts an analysis in the week of the time zone", () => {
    publish("Late Sunday", "2026-11-22T23:30:00Z");
    const utc = (key: string) => digestContent(parsePeriod(key, "UTC")).analyses.map((a) => a.title);
    const berlin = (key: string) => digestContent(parsePeriod(key, "Europe/Berlin")).analyses.map((a) => a.title);
    expect(utc("2026-W47")).toEqual(["Late Sunday"]);
    expect(utc("2026-W48")).toEqual([]);
    expect(berlin("2026-W48")).toEqual(["Late Sunday"]);
  });
});

describe("the digest's content", () => {
  const week = () => parsePeriod("2026-W48", "UTC");

  it("has the new analyses with summary, chain, top remediations and link; never a restricted one", () => {
    const { incident } = publish("Website down", "2026-11-24T10:00:00Z");
    publish("Security incident", "2026-11-24T11:00:00Z", { visibility: "restricted" });
    publish("Last week", "2026-11-17T11:00:00Z");
    const content = digestContent(week(), new Date("2026-11-30T09:00:00Z"));
    expect(content.analyses).toHaveLength(1);
    const [a] = content.analyses;
    expect(a).toMatchObject({ title: "Website down", summary: "What happened in Website down.", url: `https://hindsight.example.com/learnings/INC-${incident.id}` });
    expect(a.chain).toEqual(RIES_CHAIN_ANSWERS);
    expect(a.remediations[0]).toBe("Change new-engineer orientation to include TDD.");
    expect(a.remediations).toHaveLength(3);
    expect(content.topCauses.map((t) => t.count)).toEqual([1, 1, 1, 1, 1]);
  });

  it("leaves out an analysis made restricted after it was published", () => {
    const { facilitator, incident } = publish("Website down", "2026-11-24T10:00:00Z");
    const { version } = getIncident(facilitator, incident.id);
    updateIncident(facilitator, incident.id, version, incidentFields({ title: "Website down", summaryMd: "What happened.", visibility: "restricted" }));
    expect(digestContent(week()).analyses).toEqual([]);
  });

  it("has the actions completed in the week and the overdue ones by team", () => {
    const { facilitator, actionIds } = publish("Website down", "2026-11-24T10:00:00Z");
    changeActionStatus(facilitator, actionIds[0], "done");
    const content = digestContent(currentPeriod("UTC"), new Date());
    expect(content.completed.map((c) => c.title)).toEqual([expect.stringMatching(/^Fix Website down/)]);
    expect(content.overdueByTeam).toEqual([{ team: "SRE", count: 4 }]);
  });

  it("lists at most 50 post-mortems and 50 completed actions, says how many more, and keeps summaries short", () => {
    const facilitator = createUser({ team: "SRE" });
    for (let i = 0; i < DIGEST_LIST_LIMIT + 2; i++) {
      const incident = createIncident(facilitator, { title: `Outage ${i}`, summaryMd: "Long. ".repeat(500) });
      addWhyTree(facilitator, incident.id, [{ question: "Why?", answer: "A queue filled.", remediation: "Alert on queue depth." }]);
      const action = createAction(facilitator, incident.id, null, actionFields(facilitator.id, { title: `Fix ${i}` }));
      db().update(schema.whys).set({ noActionReason: "Tracked below." }).where(eq(schema.whys.incidentId, incident.id)).run();
      advanceTo(facilitator, incident.id, "published", new Date("2026-11-24T10:00:00Z"));
      changeActionStatus(facilitator, action.id, "done");
    }
    const content = digestContent(currentPeriod("UTC"), new Date());
    const published = digestContent(week(), new Date("2026-11-30T09:00:00Z"));
    expect(published.analyses).toHaveLength(DIGEST_LIST_LIMIT);
    expect(published.analysesCount).toBe(DIGEST_LIST_LIMIT + 2);
    expect(Math.max(...published.analyses.map((a) => a.summary.length))).toBeLessThanOrEqual(600);
    expect(content.completed).toHaveLength(DIGEST_LIST_LIMIT);
    expect(content.completedCount).toBe(DIGEST_LIST_LIMIT + 2);
    const email = digestEmail(week(), new Date("2026-11-30T09:00:00Z"));
    expect(email.subject).toContain(`${DIGEST_LIST_LIMIT + 2} new post-mortems`);
    expect(email.text).toContain("And 2 more: https://hindsight.example.com/learnings");
    expect(email.html).toContain("And 2 more on");
  }, 60_000);

  it("says so when nothing was published, and can skip such a week", async () => {
    const email = digestEmail(week());
    expect(email.subject).toBe("Hindsight digest, week 48 of 2026 (23 Nov – 29 Nov): no new post-mortems");
    expect(email.text).toContain("No new post-mortems were published this week.");
    updateSettings(createUser({ role: "admin" }), { digestWhenEmpty: "skip" });
    expect((await sendDigest(week())).outcome).toBe("skipped-empty");
    expect(smtp.received).toHaveLength(0);
  });
});

describe("sending the digest exactly once", () => {
  const week = () => parsePeriod("2026-W48", "UTC");

  it("sends once, and a repeat sends nothing", async () => {
    publish("Website down", "2026-11-24T10:00:00Z");
    expect(await sendDigest(week())).toMatchObject({ outcome: "queued", sent: 1 });
    expect(await sendDigest(week())).toMatchObject({ outcome: "already-queued", sent: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it("after a crash between writing and sending, sends it once on the next run", async () => {
    publish("Website down", "2026-11-24T10:00:00Z");
    enqueueEmail(digestEmail(week()));
    expect(smtp.received).toHaveLength(0);
    expect(await sendDigest(week())).toMatchObject({ outcome: "already-queued", sent: 1 });
    expect(await sendDigest(week())).toMatchObject({ sent: 0 });
    expect(smtp.received).toHaveLength(1);
  });
});

describe("npm run digest, against a real SMTP server", () => {
  it("sends one well-formed email with both parts, links and the chain, and nothing restricted", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hindsight-digest-"));
    const file = path.join(dir, "hindsight.db");
    try {
      useDatabase(openDatabase(file));
      const { incident } = publish("Website down", "2026-11-24T10:00:00Z");
      publish("Security incident", "2026-11-24T11:00:00Z", { visibility: "restricted" });
      const run = (...extra: string[]) =>
        promisify(execFile)(path.resolve("node_modules/.bin/tsx"), ["app/cli/digest.ts", "--period", "2026-W48", ...extra], {
          env: { ...process.env, DATABASE_PATH: file, SMTP_URL: smtp.url },
        });
      const dry = await run("--dry-run");
      expect(dry.stdout).toContain("Subject: Hindsight digest, week 48 of 2026 (23 Nov – 29 Nov): 1 new post-mortem");
      expect(dry.stdout).toContain("--- HTML part ---");
      expect(smtp.received).toHaveLength(0);
      const first = await run();
      expect(first.stdout).toContain("Digest 2026-W48: written to the outbox. Delivery: 1 sent, 0 failed.");
      await run();
      expect(smtp.received).toHaveLength(1);

      const mail = smtp.received[0];
      expect(mail.subject).toBe("Hindsight digest, week 48 of 2026 (23 Nov – 29 Nov): 1 new post-mortem");
      expect((mail.to as { text: string }).text).toBe("everyone@example.com, leads@example.com");
      expect(mail.headerLines.find((h) => h.key === "list-unsubscribe")?.line).toBe("List-Unsubscribe: <https://hindsight.example.com/admin/settings>");
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

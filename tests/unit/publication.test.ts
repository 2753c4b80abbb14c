import { beforeEach, describe, expect, it } from "vitest";
import { actionFields, addTimeline, addWhyTree, advanceTo, createIncident, createUser, keepFlaggedWording, RIES_CHAIN } from "../../db/factories";
import { db, engine, sqliteOf } from "~/lib/db.server";
import { Forbidden, StateConflict } from "~/models/errors";
import { DATA_MIGRATIONS } from "~/models/data-migrations.server";
import { changeActionStatus, createAction, listIncidentActions } from "~/models/action.server";
import { mergeCategories } from "~/models/category.server";
import { incidentMarkdown } from "~/models/export.server";
import { getIncident, updateIncident } from "~/models/incident.server";
import { digestContent, nextDigest } from "~/models/digest.server";
import {
  changesSincePublication,
  feedTokenFor,
  latestLearnings,
  latestPublication,
  listLearnings,
  listLearningServices,
  republish,
  userForFeedToken,
  type LearningFilters,
} from "~/models/publication.server";
import { listTimeline } from "~/models/timeline.server";
import { listWhys } from "~/models/why.server";
import { incidentFields } from "../../db/factories";
import { caught, freshDatabase, fullScans, recordQueries } from "./helpers";

beforeEach(async () => {
  await freshDatabase();
});

async function published(title: string, overrides: Parameters<typeof createIncident>[1] = {}, at?: Date) {
  const facilitator = await createUser({ name: "Avery" });
  const incident = await createIncident(facilitator, { title, summaryMd: "A loop reached production.", ...overrides });
  const ids = await addWhyTree(facilitator, incident.id, RIES_CHAIN.map((w) => w));
  for (const id of ids) await createAction(facilitator, incident.id, id, actionFields(facilitator.id, { title: `Fix ${id}` }));
  await keepFlaggedWording(facilitator, incident.id, "Quoted from Ries's example");
  await advanceTo(facilitator, incident.id, "published", at);
  return { facilitator, incident: await getIncident(facilitator, incident.id), whyIds: ids };
}

describe("publishing", () => {
  it("stores a snapshot of what was published", async () => {
    const { incident } = await published("Website down", { services: ["web"], severity: "SEV1" });
    const publication = (await latestPublication(incident.id))!;
    expect(publication.revision).toBe(1);
    expect(publication.publishedByName).toBe("Avery");
    const s = publication.snapshot;
    expect(s).toMatchObject({ title: "Website down", severity: "SEV1", services: ["web"], facilitator: "Avery", summaryHtml: "<p>A loop reached production.</p>" });
    expect(s.whys[0].children[0].children[0].answer).toBe("So-and-so made a mistake.");
    expect(s.whys[0].remediationMd).toBe("Bring the site back up.");
    expect(s.actions).toHaveLength(5);
    expect(s.actions[0]).toMatchObject({ status: "open", whyQuestion: "Why was the website down?" });
    expect(s.categories).toEqual(["capacity", "code", "knowledge", "testing", "process"]);
  });

  it("keeps the snapshot when the incident is edited, counts the changes, and republishes them", async () => {
    const { facilitator, incident } = await published("Website down");
    expect((await changesSincePublication(incident.id)).count).toBe(0);
    await updateIncident(facilitator, incident.id, incident.version, incidentFields({ title: "Website down for 49 minutes", summaryMd: "A loop reached production." }));
    expect((await latestPublication(incident.id))!.snapshot.title).toBe("Website down");
    expect((await changesSincePublication(incident.id)).count).toBe(1);
    expect(await republish(facilitator, incident.id)).toBe(2);
    expect((await latestPublication(incident.id))!.snapshot.title).toBe("Website down for 49 minutes");
    expect((await changesSincePublication(incident.id)).count).toBe(0);
  });

  it("lets only the facilitator or an admin republish, and only a published incident", async () => {
    const { incident } = await published("Website down");
    expect(await caught(async () => republish(await createUser(), incident.id))).toBeInstanceOf(Forbidden);
    const facilitator = await createUser();
    const draft = await createIncident(facilitator);
    expect(await caught(() => republish(facilitator, draft.id))).toBeInstanceOf(StateConflict);
  });

  it("does not count an action's progress as a change to the analysis", async () => {
    const { facilitator, incident } = await published("Website down");
    await changeActionStatus(facilitator, (await listIncidentActions(incident.id))[0].id, "done");
    expect((await changesSincePublication(incident.id)).count).toBe(0);
  });
});

describe("the learnings feed", () => {
  it("lists published analyses newest first, never restricted ones, and filters", async () => {
    await published("Older", { services: ["api"], severity: "SEV2" }, new Date("2026-01-01T00:00:00Z"));
    await published("Newer", { services: ["web"], severity: "SEV1" });
    const secret = await published("Secret", { visibility: "restricted" });
    await createIncident(secret.facilitator, { title: "Draft only" });

    expect((await listLearnings({}, { limit: 10 })).items.map((l) => l.title)).toEqual(["Newer", "Older"]);
    expect((await listLearnings({ service: "api" }, { limit: 10 })).items.map((l) => l.title)).toEqual(["Older"]);
    expect((await listLearnings({ severity: "SEV1" }, { limit: 10 })).items.map((l) => l.title)).toEqual(["Newer"]);
    expect((await listLearnings({ category: "knowledge" }, { limit: 10 })).total).toBe(2);
    expect((await listLearnings({ category: "dependency" }, { limit: 10 })).total).toBe(0);
    expect((await listLearnings({ period: "30d" }, { limit: 10, now: new Date() })).items.map((l) => l.title)).toEqual(["Newer"]);
  });

  it("drops an analysis made restricted after it was published", async () => {
    const { facilitator, incident } = await published("Turned secret");
    await updateIncident(facilitator, incident.id, incident.version, incidentFields({ title: "Turned secret", summaryMd: "A loop reached production.", visibility: "restricted" }));
    expect((await listLearnings({}, { limit: 10 })).total).toBe(0);
  });

  it("shows the latest revision once per incident", async () => {
    const { facilitator, incident } = await published("Website down");
    await updateIncident(facilitator, incident.id, incident.version, incidentFields({ title: "Website down (revised)", summaryMd: "x" }));
    await republish(facilitator, incident.id);
    const { items } = await listLearnings({}, { limit: 10 });
    expect(items.map((l) => [l.title, l.revision])).toEqual([["Website down (revised)", 2]]);
  });

  it("holds what a card shows, drawn from the snapshot when published", async () => {
    await published("Website down", { services: ["web"], severity: "SEV1", summaryMd: "A loop reached **production**.\n\nMore detail." });
    const [learning] = (await listLearnings({}, { limit: 10 })).items;
    expect(learning).toMatchObject({ title: "Website down", severity: "SEV1", revision: 1 });
    const c = learning.content;
    expect(c).toMatchObject({ facilitator: "Avery", services: ["web"], summaryText: "A loop reached production." });
    expect(c.summaryHtml).toBe("<p>A loop reached <strong>production</strong>.</p>\n<p>More detail.</p>");
    expect(c.whys[0].text).toBe("CPU utilisation on all front-end servers went to 100%.");
    expect(c.whys[0].children[0].children[0]).toMatchObject({ level: 3, text: "So-and-so made a mistake.", category: "knowledge" });
    expect(c.remediations.map((r) => r.level)).toEqual([1, 2, 3, 4, 5]);
    expect(c.remediations[0]).toEqual({ level: 1, html: "<p>Bring the site back up.</p>", text: "Bring the site back up." });
  });

  it("filters by what was published last, in every filter and count", async () => {
    const { facilitator, incident } = await published("Website down", { services: ["web"], severity: "SEV2" });
    await updateIncident(facilitator, incident.id, incident.version, incidentFields({ title: "Website down", summaryMd: "x", services: ["api"], severity: "SEV1" }));
    // Edited but not yet republished: the feed still shows what was published.
    expect((await listLearnings({ service: "web" }, { limit: 10 })).total).toBe(1);
    expect((await listLearnings({ service: "api" }, { limit: 10 })).total).toBe(0);
    await republish(facilitator, incident.id);
    expect((await listLearnings({ service: "web" }, { limit: 10 })).total).toBe(0);
    expect((await listLearnings({ service: "api", severity: "SEV1" }, { limit: 10 })).items.map((l) => l.revision)).toEqual([2]);
    expect((await listLearnings({ severity: "SEV2" }, { limit: 10 })).total).toBe(0);
    expect((await listLearnings({ category: "testing", service: "api" }, { limit: 10 })).total).toBe(1);
  });

  it("keeps a restricted incident out of every filter and count, and brings it back when opened again", async () => {
    const { facilitator, incident } = await published("Turned secret", { services: ["web"], severity: "SEV1" });
    const everyFilter = [{}, { service: "web" }, { severity: "SEV1" as const }, { category: "testing" }, { period: "30d" as const }, { service: "web", category: "testing", severity: "SEV1" as const }];
    const totals = async () => {
      const found: number[] = [];
      for (const f of everyFilter) found.push((await listLearnings(f, { limit: 10 })).total + (await listLearnings(f, { limit: 10 })).items.length);
      return found;
    };
    expect(await totals()).toEqual([2, 2, 2, 2, 2, 2]);
    const restricted = await updateIncident(facilitator, incident.id, incident.version, incidentFields({ title: "Turned secret", summaryMd: "x", services: ["web"], severity: "SEV1", visibility: "restricted" }));
    expect(await totals()).toEqual([0, 0, 0, 0, 0, 0]);
    await updateIncident(facilitator, incident.id, restricted.version, incidentFields({ title: "Turned secret", summaryMd: "x", services: ["web"], severity: "SEV1", visibility: "org" }));
    expect(await totals()).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it("pages newest first, by keyset both ways, and counts up to its limit", async () => {
    for (const [i, day] of ["01", "03", "02"].entries()) await published(`Analysis ${i}`, { services: ["web"] }, new Date(`2026-01-${day}T00:00:00Z`));
    for (const filters of [{}, { service: "web" }, { category: "testing" }, { severity: "SEV2" as const }]) {
      const first = await listLearnings(filters, { limit: 2 });
      expect(first).toMatchObject({ total: 3, capped: false, newer: null });
      const second = await listLearnings({ ...filters, after: first.older! }, { limit: 2 });
      expect([...first.items, ...second.items].map((l) => l.title)).toEqual(["Analysis 1", "Analysis 2", "Analysis 0"]);
      expect(second).toMatchObject({ older: null, newer: second.items[0].incidentId });
      const back = await listLearnings({ ...filters, before: second.newer! }, { limit: 2 });
      expect(back.items.map((l) => l.title)).toEqual(["Analysis 1", "Analysis 2"]);
      expect(back).toMatchObject({ newer: null, older: first.older });
    }
  });

  it("offers the services that analyses in the feed name", async () => {
    await published("Published", { services: ["web", "api"] });
    await published("Secret", { services: ["vault"], visibility: "restricted" });
    await createIncident(await createUser(), { services: ["drafts"] });
    expect(await listLearningServices()).toEqual(["api", "web"]);
  });

  it("is no cursor for an incident that is not in the feed", async () => {
    await published("Open", {}, new Date("2026-01-01T00:00:00Z"));
    const secret = await published("Secret", { visibility: "restricted" }, new Date("2026-01-02T00:00:00Z"));
    expect((await listLearnings({ after: secret.incident.id })).items).toEqual([]);
    expect((await listLearnings({ before: secret.incident.id })).items).toEqual([]);
  });
});

describe("learnings feed: queries", () => {
  const FILTERS: LearningFilters[] = [
    {},
    { service: "web" },
    { severity: "SEV2" },
    { category: "testing" },
    { period: "365d" },
    { service: "web", category: "testing", severity: "SEV2", period: "365d" },
    { category: "testing", severity: "SEV2" },
  ];

  // In one transaction: each publication's own writes commit together, and cheaply.
  async function publishMany(n: number) {
    await db().transaction(async () => {
      for (let i = 0; i < n; i++) {
        await published(`Analysis ${i}`, { services: ["web"], visibility: i % 5 === 4 ? "restricted" : "org" }, new Date(Date.UTC(2026, 10, 23, 9, i)));
      }
    });
  }

  async function statements(fn: () => Promise<unknown>) {
    const { queries } = await recordQueries(fn);
    for (const q of queries) expect({ sql: q.sql, scans: fullScans(q) }).toEqual({ sql: q.sql, scans: [] });
    return queries.length;
  }

  const digestToList = async () => digestContent(await nextDigest(), { kind: "list", address: "everyone@example.com" }, new Date("2026-11-30T09:00:00Z"));
  const now = new Date("2026-11-30T00:00:00Z");
  const runs = async () => {
    const counts: number[] = [];
    for (const f of FILTERS) {
      const cursor = (await listLearnings(f, { limit: 2, now })).items[1].incidentId;
      counts.push(
        await statements(() => listLearnings(f, { limit: 10, now })),
        await statements(() => listLearnings({ ...f, after: cursor }, { limit: 10, now })),
        await statements(() => listLearnings({ ...f, before: cursor }, { limit: 10, now })),
      );
    }
    counts.push(await statements(() => latestLearnings(50)), await statements(digestToList));
    return counts;
  };

  it("run as many statements for 30 publications as for 3, and none reads a whole table", async () => {
    await publishMany(3);
    expect((await listLearnings({ service: "web", category: "testing" })).total).toBe(3);
    const few = await runs();
    await publishMany(27);
    expect((await listLearnings({ service: "web", category: "testing" })).total).toBe(25);
    expect((await digestToList()).analyses).toHaveLength(25);
    expect(await runs()).toEqual(few);
    // Thirty publications and dozens of recorded statements: a limit that only ends a hung run.
  }, 60_000);
});

// A data migration brings SQLite files made by older versions up to date: SQLite's alone.
describe.runIf(engine === "sqlite")("the learnings migration", () => {
  it("fills what the feed shows of earlier publications exactly as publishing does", async () => {
    const admin = await createUser({ role: "admin" });
    const { facilitator, incident } = await published("Republished", { services: ["web", "api"] }, new Date("2026-01-01T00:00:00Z"));
    await updateIncident(facilitator, incident.id, incident.version, incidentFields({ title: "Republished (revised)", summaryMd: "x", services: ["api"] }));
    await republish(facilitator, incident.id);
    await published("Restricted", { visibility: "restricted" });
    await published("Plain", { services: [], summaryMd: "Only **this**.\n\nAnd that." });
    await mergeCategories(admin, "knowledge", "process");

    const tables = ["learnings", "learning_services", "learning_categories"];
    const sqlite = sqliteOf(db());
    const rows = () => tables.map((t) => sqlite.prepare(`select * from ${t} order by 1, 2`).all());
    const published_ = rows();
    expect(published_.map((r) => r.length)).toEqual([4, 2, 12]);

    // 0009 made the tables; the app's data migration fills them for earlier publications.
    const fill = DATA_MIGRATIONS.find((step) => step.name === "learnings-of-earlier-publications")!;
    for (const t of [...tables].reverse()) sqlite.prepare(`delete from ${t}`).run();
    await db().transaction((tx) => fill.run(tx));
    expect(rows()).toEqual(published_);
  });
});

describe("feed tokens", () => {
  it("are made once per person and identify them", async () => {
    const user = await createUser();
    const token = await feedTokenFor(user.id);
    expect(await feedTokenFor(user.id)).toBe(token);
    expect((await userForFeedToken(token))?.id).toBe(user.id);
    expect(await userForFeedToken("")).toBeUndefined();
    expect(await userForFeedToken(`${token}x`)).toBeUndefined();
  });
});

describe("the Markdown export", () => {
  it("holds the facts, the nested whys with remediations and actions, and the timeline", async () => {
    const { facilitator, incident } = await published("Website down", { services: ["web"] });
    await addTimeline(facilitator, incident.id, [{ at: "2026-10-06T14:09:00Z", text: "Alert: CPU at 100%" }]);
    const md = await incidentMarkdown(await getIncident(facilitator, incident.id), await listWhys(incident.id), await listIncidentActions(incident.id), await listTimeline(incident.id));
    expect(md).toContain(`# ${incident.reference}: Website down`);
    expect(md).toContain("- Severity: SEV2");
    expect(md).toContain("1. **Why was the website down?** CPU utilisation on all front-end servers went to 100%.");
    expect(md).toContain("   - Remediation (level 1): Bring the site back up.");
    expect(md).toMatch(/\n {3}1\. \*\*Why did CPU usage spike\?\*\*/);
    expect(md).toMatch(/\n {12}1\. \*\*Why was there no unit test\?\*\*/);
    expect(md).toContain("- 6 Oct 2026, 14:09 UTC: Alert: CPU at 100%");
    expect(md).toMatch(/Action: Fix \d+ \(Avery, due 7 Dec 2026, open\)/);
  });
});

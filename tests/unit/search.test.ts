import { eq, sql, type SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { beforeEach, describe, expect, it } from "vitest";
import { actionFields, addTimeline, addWhyTree, advanceTo, createIncident, createUser, RIES_CHAIN } from "../../db/factories";
import { db, engine, execute, rowsOf, schema, sqliteOf } from "~/lib/db.server";
import { createAction } from "~/models/action.server";
import type { Viewer } from "~/models/authorization";
import { fieldValues, getIncident, listServiceNames, setPeople, updateIncident } from "~/models/incident.server";
import { filterConditions, searchFor, toSegments, type SearchFilters } from "~/models/search.server";
import { rankStatement, toMatchQuery } from "~/models/sql/search-index.server";
import * as postgresSearch from "~/models/sql/postgres-search.server";
import { pageStatement, rankStatement as sqliteRankStatement, toMatchQuery as sqliteMatchQuery } from "~/models/sql/sqlite-search.server";
import type { SearchHit } from "~/models/search";
import { deleteWhy, updateWhy } from "~/models/why.server";
import { freshDatabase } from "./helpers";

beforeEach(async () => {
  await freshDatabase();
});

async function search(user: Viewer, q: string, filters: Omit<SearchFilters, "q"> = {}) {
  return await searchFor(user, { q, ...filters });
}

/** The hit's snippet as text with hits in [brackets]. */
function marked(segments: SearchHit["snippet"]): string {
  return segments.map((s) => (s.hit ? `[${s.text}]` : s.text)).join("");
}

async function setup() {
  const facilitator = await createUser({ name: "Avery" });
  const incident = await createIncident(facilitator, { title: "Website down", summaryMd: "Front-end servers **pinned** at 100% CPU." });
  const whyIds = await addWhyTree(facilitator, incident.id, RIES_CHAIN);
  return { facilitator, incident, whyIds };
}

describe("finding things", () => {
  it("finds a why by a word in its answer, and links to it", async () => {
    const { facilitator, incident, whyIds } = await setup();
    const { items, total } = await search(facilitator, "infinite");
    expect(total).toBe(1);
    const [hit] = items;
    expect(hit.kind).toBe("why");
    expect(hit.field).toBe("Answer");
    expect(hit.href).toBe(`/incidents/${incident.reference}#why-${whyIds[1]}`);
    expect(marked(hit.heading)).toBe("Why did CPU usage spike?");
    expect(marked(hit.snippet)).toBe("A new bit of code contained an [infinite] loop.");
    expect(hit.incident).toEqual({
      reference: incident.reference,
      title: "Website down",
      severity: "SEV2",
      status: "draft",
      startedAt: "2026-10-06T14:02:00.000Z",
      restricted: false,
    });
  });

  it("says when the word was in a why's remediation", async () => {
    const { facilitator, whyIds } = await setup();
    const [hit] = (await search(facilitator, "bring")).items;
    expect(hit.kind).toBe("remediation");
    expect(hit.field).toBe("Remediation");
    expect(marked(hit.snippet)).toBe("[Bring] the site back up.");
    expect(hit.href).toMatch(new RegExp(`#why-${whyIds[0]}$`));
    // In the answer as well: shown as a why, with its answer.
    const [both] = (await search(facilitator, "orientation")).items;
    expect(both.kind).toBe("why");
    expect(marked(both.snippet)).toBe("New engineers are not trained in TDD during [orientation].");
  });

  it("finds timeline entries, actions and incident titles, each linked where it lives", async () => {
    const { facilitator, incident, whyIds } = await setup();
    await addTimeline(facilitator, incident.id, [{ at: "2026-10-06T14:09:00Z", text: "Pager **alert** fired for the checkout cluster" }]);
    const action = await createAction(facilitator, incident.id, whyIds[3], actionFields(facilitator.id, { title: "Add a regression suite", descriptionMd: "Cover the checkout cluster paths." }));
    const entryId = (await db().select().from(schema.timelineEntries).get())!.id;

    const cluster = (await search(facilitator, "checkout cluster")).items;
    expect(cluster.map((h) => h.kind).sort()).toEqual(["action", "timeline"]);
    const entry = cluster.find((h) => h.kind === "timeline")!;
    expect(entry.href).toBe(`/incidents/${incident.reference}#entry-${entryId}`);
    expect(marked(entry.snippet)).toBe("Pager alert fired for the [checkout] [cluster]");
    const act = cluster.find((h) => h.kind === "action")!;
    expect(act.href).toBe(`/actions/${action.id}`);
    expect(marked(act.heading)).toBe("Add a regression suite");

    const [title] = (await search(facilitator, "website")).items;
    expect(title.kind).toBe("incident");
    expect(title.href).toBe(`/incidents/${incident.reference}`);
    expect(marked(title.heading)).toBe("[Website] down");
    expect(marked(title.snippet)).toBe("Front-end servers pinned at 100% CPU.");
  });

  it("matches other forms of a word, prefixes of the last word, and ignores accents and case", async () => {
    const facilitator = await createUser();
    const incident = await createIncident(facilitator, { title: "Café checkout outage" });
    await addWhyTree(facilitator, incident.id, [{ question: "Why did the workers hang?", answer: "A retry loop never ended during the deployment" }]);
    expect((await search(facilitator, "loops")).total).toBe(1);
    expect((await search(facilitator, "looping")).total).toBe(1);
    expect((await search(facilitator, "deplo")).total).toBe(1);
    expect((await search(facilitator, "RETRY LOOP")).total).toBe(1);
    expect((await search(facilitator, "cafe")).total).toBe(1);
    // Every word must match.
    expect((await search(facilitator, "retry giraffe")).total).toBe(0);
    // A quoted phrase keeps its order.
    expect((await search(facilitator, '"retry loop"')).total).toBe(1);
    expect((await search(facilitator, '"loop retry"')).total).toBe(0);
  });

  it("follows edits and deletions", async () => {
    const { facilitator, incident, whyIds } = await setup();
    const why = (await db().select().from(schema.whys).where(eq(schema.whys.id, whyIds[1])).get())!;
    await updateWhy(facilitator, incident.id, why.id, why.version, { ...whyValuesAsFields(why), answer: "A new bit of code contained a deadlock." });
    expect((await search(facilitator, "infinite")).total).toBe(0);
    expect((await search(facilitator, "deadlock")).total).toBe(1);
    await deleteWhy(facilitator, incident.id, why.id, true);
    expect((await search(facilitator, "deadlock")).total).toBe(0);
  });
});

function whyValuesAsFields(row: typeof schema.whys.$inferSelect) {
  const { question, answer, remediationMd, noRemediationReason, noActionReason, category, rootReached } = row;
  return { question, answer, remediationMd, noRemediationReason, noActionReason, category, rootReached };
}

describe("ranking", () => {
  it("puts a hit in a title above a hit in a body", async () => {
    const facilitator = await createUser();
    const body = await createIncident(facilitator, { title: "Slow pages", summaryMd: "The database failover took long because of replication lag." });
    const title = await createIncident(facilitator, { title: "Database failover stuck", summaryMd: "Nothing else." });
    const refs = (await search(facilitator, "failover")).items.map((h) => h.incident.reference);
    expect(refs).toEqual([title.reference, body.reference]);
    // Not just the order they were written in.
    expect(title.id).toBeGreaterThan(body.id);
  });

  it("puts more matching words first", async () => {
    const facilitator = await createUser();
    const once = await createIncident(facilitator, { title: "Queue backlog", summaryMd: "Workers stalled on the queue." });
    const twice = await createIncident(facilitator, { title: "Queue backlog", summaryMd: "Workers stalled on the queue; the queue grew and the queue dropped messages." });
    const refs = (await search(facilitator, "queue")).items.map((h) => h.incident.reference);
    expect(refs).toEqual([twice.reference, once.reference]);
  });
});

describe("what people type", () => {
  const hostile = [
    '"',
    '""',
    "*",
    "NEAR(",
    '"NEAR(',
    "NEAR(loop, code)",
    "a:b",
    "title:loop",
    "-x",
    "- loop",
    "AND",
    "loop AND",
    "OR NOT",
    "loop)",
    "(((",
    "^loop",
    "loop*",
    "{title body}: loop",
    "'; drop table incidents; --",
    "\u0002loop\u0003",
    "\\",
    "💥 сбой 障害 ",
    "naïve façade",
    "x".repeat(5000),
    Array.from({ length: 100 }, (_, i) => `w${i}`).join(" "),
  ];

  it.each(hostile.map((q) => [q.length > 40 ? `${q.slice(0, 40)}… (${q.length} characters)` : q, q]))("never throws on %j", async (_name, q) => {
    const { facilitator } = await setup();
    await expect(search(facilitator, q)).resolves.toBeDefined();
  });

  it("finds words next to FTS syntax", async () => {
    const { facilitator } = await setup();
    for (const q of ["infinite*", "-infinite", '"infinite', "(infinite)", "infinite)", "^infinite"]) {
      expect((await search(facilitator, q)).total, q).toBe(1);
    }
    // Operators are words like any other: as an operator, OR would find two whys here.
    expect((await search(facilitator, "infinite OR orientation")).total).toBe(0);
  });

  it("finds nothing, without error, for empty or punctuation-only text", async () => {
    const { facilitator } = await setup();
    for (const q of ["", "   ", '"', "*", "- : ( )", "\u0002"]) {
      expect(await search(facilitator, q), JSON.stringify(q)).toEqual({ searched: false, items: [], total: 0, more: false, page: 1, pageCount: 1 });
    }
  });

  it("quotes every word, and matches the last as a prefix only from three letters", () => {
    expect(sqliteMatchQuery("deplo")).toBe('"deplo"*');
    expect(sqliteMatchQuery("infinite lo")).toBe('"infinite" "lo"');
    expect(sqliteMatchQuery('NEAR( a:b "x y" -z')).toBe('"NEAR(" "a:b" "x y" "-z"');
    expect(sqliteMatchQuery('say "hi"')).toBe('"say" "hi"');
    expect(sqliteMatchQuery('"')).toBeNull();
    expect(sqliteMatchQuery("")).toBeNull();
  });

  it("leaves out common words, unless they are quoted", () => {
    expect(sqliteMatchQuery("the database was down")).toBe('"database" "down"*');
    expect(sqliteMatchQuery("The was")).toBeNull();
    expect(sqliteMatchQuery('"the"')).toBe('"the"');
  });

  it("turns marked snippets into plain text and hits, without Markdown marks", () => {
    expect(toSegments("## The **\u0002loop\u0003** in `worker.js`\n\n- never ended")).toEqual([
      { text: "The ", hit: false },
      { text: "loop", hit: true },
      { text: " in worker.js never ended", hit: false },
    ]);
    expect(toSegments("<script>\u0002x\u0003</script>")).toEqual([
      { text: "<script>", hit: false },
      { text: "x", hit: true },
      { text: "</script>", hit: false },
    ]);
  });
});

describe("filters", () => {
  async function fleet() {
    const facilitator = await createUser();
    const a = await createIncident(facilitator, { title: "Payments timeout", severity: "SEV1", services: ["payments", "api"], startedAt: "2026-03-01T10:00:00.000Z", detectedAt: null, resolvedAt: null });
    const b = await createIncident(facilitator, { title: "Search timeout", severity: "SEV3", services: ["search"], startedAt: "2026-05-31T23:30:00.000Z", detectedAt: null, resolvedAt: null, summaryMd: "x" });
    const c = await createIncident(facilitator, { title: "Login timeout", severity: "SEV3", services: ["api"], startedAt: "2026-07-15T08:00:00.000Z", detectedAt: null, resolvedAt: null });
    await advanceTo(facilitator, c.id, "analysis");
    return { facilitator, a, b, c };
  }
  const refs = (r: Awaited<ReturnType<typeof searchFor>>) => r.items.map((h) => h.incident.reference).sort();

  it("by severity, service, status and period, combined", async () => {
    const { facilitator, a, b, c } = await fleet();
    expect((await search(facilitator, "timeout")).total).toBe(3);
    expect(refs(await search(facilitator, "timeout", { severity: "SEV3" }))).toEqual([b.reference, c.reference].sort());
    expect(refs(await search(facilitator, "timeout", { service: "api" }))).toEqual([a.reference, c.reference].sort());
    expect(refs(await search(facilitator, "timeout", { status: "analysis" }))).toEqual([c.reference]);
    // Both dates are whole days, included.
    expect(refs(await search(facilitator, "timeout", { from: "2026-05-31", to: "2026-05-31" }))).toEqual([b.reference]);
    expect(refs(await search(facilitator, "timeout", { from: "2026-04-01" }))).toEqual([b.reference, c.reference].sort());
    expect(refs(await search(facilitator, "timeout", { to: "2026-05-30" }))).toEqual([a.reference]);
    expect(refs(await search(facilitator, "timeout", { severity: "SEV3", service: "api", from: "2026-07-01", status: "analysis" }))).toEqual([c.reference]);
    expect((await search(facilitator, "timeout", { service: "nope" })).total).toBe(0);
  });

  it("apply to whys, timeline entries and actions through their incident", async () => {
    const { facilitator, a, b } = await fleet();
    await addWhyTree(facilitator, a.id, [{ question: "Why did it hang?", answer: "The gateway retried forever" }]);
    await addWhyTree(facilitator, b.id, [{ question: "Why did it hang?", answer: "The index retried forever" }]);
    const hits = (await search(facilitator, "retried", { service: "payments" })).items;
    expect(hits.map((h) => [h.kind, h.incident.reference])).toEqual([["why", a.reference]]);
  });
});

describe("pages", () => {
  it("pages through results 20 at a time with the total, and an old link past the end shows the last page", async () => {
    const facilitator = await createUser();
    for (let i = 1; i <= 45; i++) await createIncident(facilitator, { title: `Disk full on host ${i}`, services: [] });
    const first = await search(facilitator, "disk");
    expect(first).toMatchObject({ total: 45, page: 1, pageCount: 3 });
    expect(first.items).toHaveLength(20);
    const third = await search(facilitator, "disk", { page: 3 });
    expect(third.items).toHaveLength(5);
    const all: number[] = [];
    for (const page of [1, 2, 3]) all.push(...(await search(facilitator, "disk", { page })).items.map((h) => h.key));
    expect(new Set(all).size).toBe(45);
    const beyond = await search(facilitator, "disk", { page: 99 });
    expect(beyond).toMatchObject({ total: 45, page: 3, pageCount: 3 });
    expect(beyond.items.map((h) => h.key)).toEqual(third.items.map((h) => h.key));
  });
});

describe("many results", () => {
  async function manyIncidents(facilitatorId: number, count: number, restricted: number) {
    await db().transaction(async (tx) => {
      for (let i = 1; i <= count; i++) {
        await tx.insert(schema.incidents)
          .values({
            title: `Cache stampede number ${i}`,
            summaryMd: i % 3 === 0 ? "The cache emptied twice." : "",
            severity: "SEV3",
            startedAt: "2026-10-06T14:02:00.000Z",
            visibility: i <= restricted ? "restricted" : "org",
            facilitatorId,
            reportedById: facilitatorId,
          })
          .run();
      }
    });
  }

  it("counts up to 1,000 and offers the best 1,000, still leaving out what the user may not see", async () => {
    const facilitator = await createUser();
    const admin = await createUser({ role: "admin" });
    const member = await createUser();
    await manyIncidents(facilitator.id, 1010, 15);
    expect(await search(admin, "cache")).toMatchObject({ total: 1000, more: true, page: 1, pageCount: 50 });
    expect(await search(member, "cache")).toMatchObject({ total: 995, more: false, pageCount: 50 });
    expect(await search(member, "cache", { page: 99 })).toMatchObject({ page: 50 });
    expect((await search(member, "cache", { page: 50 })).items).toHaveLength(15);
    // With a filter too (counted another way).
    expect(await search(admin, "cache", { severity: "SEV3" })).toMatchObject({ total: 1000, more: true, pageCount: 50 });
    expect(await search(member, "cache", { severity: "SEV3" })).toMatchObject({ total: 995, more: false });
  });

  it("ranks the same with and without a filter that keeps everything", async () => {
    const facilitator = await createUser();
    const member = await createUser();
    await manyIncidents(facilitator.id, 60, 5);
    for (const page of [1, 2, 3]) {
      const plain = (await search(member, "cache", { page })).items.map((h) => h.key);
      const filtered = (await search(member, "cache", { page, status: "draft" })).items.map((h) => h.key);
      expect(filtered).toEqual(plain);
      expect(plain.length).toBeGreaterThan(0);
    }
  });
});

describe("visibility", () => {
  async function restrictedCase() {
    const facilitator = await createUser({ name: "Facilitator" });
    const participant = await createUser({ name: "Participant" });
    const bystander = await createUser({ name: "Bystander" });
    const admin = await createUser({ name: "Admin", role: "admin" });
    const open = await createIncident(facilitator, { title: "Open incident", services: ["web"] });
    await addWhyTree(facilitator, open.id, [{ question: "Why did the certificate lapse?", answer: "Nobody owned the kumquat renewal" }]);
    const secret = await createIncident(facilitator, { title: "Credential leak", visibility: "restricted", services: ["vault"] });
    await setPeople(facilitator, secret.id, facilitator.id, [participant.id]);
    await addWhyTree(facilitator, secret.id, [{ question: "Why was the token printed?", answer: "The kumquat deploy script echoed its environment" }]);
    await addTimeline(facilitator, secret.id, [{ at: "2026-10-06T14:09:00Z", text: "Kumquat token revoked" }]);
    await createAction(facilitator, secret.id, null, actionFields(facilitator.id, { title: "Scrub kumquat logs" }));
    return { facilitator, participant, bystander, admin, open, secret };
  }

  it("hides a restricted incident's whys, timeline and actions from a member who does not take part, counts included", async () => {
    const { bystander, open } = await restrictedCase();
    const result = await search(bystander, "kumquat");
    expect(result.total).toBe(1);
    expect(result.pageCount).toBe(1);
    expect(result.items.map((h) => h.incident.reference)).toEqual([open.reference]);
    expect((await search(bystander, "echoed")).total).toBe(0);
    expect((await search(bystander, "credential")).total).toBe(0);
    // Not by filtering on what only the restricted incident has either.
    expect((await search(bystander, "kumquat", { service: "vault" })).total).toBe(0);
    expect(await listServiceNames(bystander)).toEqual(["web"]);
  });

  it("shows them to a participant, to the facilitator and to an admin", async () => {
    const { facilitator, participant, admin, secret } = await restrictedCase();
    for (const user of [participant, facilitator, admin]) {
      const result = await search(user, "kumquat");
      expect(result.total, `user ${user.id}`).toBe(4);
      const secretHits = result.items.filter((h) => h.incident.reference === secret.reference);
      expect(secretHits.map((h) => h.kind).sort()).toEqual(["action", "timeline", "why"]);
      expect(secretHits.every((h) => h.incident.restricted)).toBe(true);
      expect((await search(user, "echoed")).total).toBe(1);
      expect(await listServiceNames(user)).toEqual(["vault", "web"]);
    }
  });

  it("follows changes of people and of visibility", async () => {
    const { facilitator, participant, bystander, secret } = await restrictedCase();
    await setPeople(facilitator, secret.id, facilitator.id, [bystander.id]);
    expect((await search(bystander, "echoed")).total).toBe(1);
    expect((await search(participant, "echoed")).total).toBe(0);
    const incident = await getIncident(facilitator, secret.id);
    const values = fieldValues(incident);
    await updateIncident(facilitator, secret.id, incident.version, {
      title: values.title,
      severity: incident.severity,
      startedAt: incident.startedAt,
      detectedAt: incident.detectedAt,
      resolvedAt: incident.resolvedAt,
      services: incident.services,
      impactMd: incident.impactMd,
      summaryMd: incident.summaryMd,
      visibility: "org",
    });
    expect((await search(participant, "echoed")).total).toBe(1);
  });
});

// Plans are checked on SQLite (tests/unit/helpers.ts, queryPlan); PostgreSQL's index is checked below.
describe.runIf(engine === "sqlite")("query plan", () => {
  function plan(statement: SQL): string[] {
    const query = new SQLiteSyncDialect().sqlToQuery(statement);
    return sqliteOf(db())
      .prepare(`explain query plan ${query.sql}`)
      .all(...query.params)
      .map((row) => (row as { detail: string }).detail);
  }

  function expectNoTableScan(lines: string[]) {
    for (const line of lines) {
      expect(line, lines.join("\n")).not.toMatch(/^SCAN (incidents|whys|actions|timeline_entries|participants|incident_services)\b/);
      expect(line, lines.join("\n")).not.toMatch(/SEARCH incidents USING (COVERING )?INDEX/);
    }
  }

  it("starts from the full-text index and reaches incidents by primary key, never scanning a table", async () => {
    const member = await createUser();
    const filters = { q: "loop", severity: "SEV2", service: "web", status: "draft", from: "2026-01-01", to: "2026-12-31" } as const;
    const match = sqliteMatchQuery("loop")!;
    for (const ranked of [plan(sqliteRankStatement(member, filterConditions(filters), match, 0)), plan(sqliteRankStatement(member, undefined, match, 0))]) {
      const text = ranked.join("\n");
      expect(text).toMatch(/^SCAN search_index VIRTUAL TABLE INDEX \d+:M/m);
      expect(ranked).toContain("SEARCH incidents USING INTEGER PRIMARY KEY (rowid=?)");
      expect(text).toMatch(/SEARCH participants (EXISTS )?USING (COVERING )?INDEX/);
      expectNoTableScan(ranked);
    }
    expect(plan(sqliteRankStatement(member, filterConditions(filters), match, 0)).join("\n")).toMatch(/SEARCH incident_services (EXISTS )?USING (COVERING )?INDEX/);

    const details = plan(pageStatement(match, [10, 18]));
    expect(details.join("\n")).toMatch(/^SCAN search_index VIRTUAL TABLE INDEX \d+:M\d*></m);
    expect(details).toContain("SEARCH incidents USING INTEGER PRIMARY KEY (rowid=?)");
    expectNoTableScan(details);
  });

  it("without filters, sorts the scored matches once and looks up incidents only while walking them in order", async () => {
    const member = await createUser();
    const ranked = plan(sqliteRankStatement(member, undefined, sqliteMatchQuery("loop")!, 0));
    expect(ranked.slice(0, 4)).toEqual(["MATERIALIZE ranked", expect.stringMatching(/^SCAN search_index VIRTUAL TABLE/), "USE TEMP B-TREE FOR ORDER BY", "SCAN ranked"]);
    expect(ranked.filter((line) => line.includes("ORDER BY"))).toHaveLength(1);
  });

  it("does not touch incidents at all to rank for an admin without filters", async () => {
    const admin = await createUser({ role: "admin" });
    const ranked = plan(sqliteRankStatement(admin, undefined, sqliteMatchQuery("loop")!, 0));
    expect(ranked.join("\n")).toMatch(/SCAN search_index VIRTUAL TABLE INDEX \d+:M/);
    expect(ranked.join("\n")).not.toMatch(/incidents/);
  });
});

describe.runIf(engine === "postgres")("search on PostgreSQL", () => {
  it("quotes every word of what people type, so nothing is tsquery syntax, and keeps the rules of SQLite's query", () => {
    expect(postgresSearch.toMatchQuery("deplo")).toBe("'deplo':*");
    expect(postgresSearch.toMatchQuery("infinite lo")).toBe("'infinite' & 'lo'");
    expect(postgresSearch.toMatchQuery(`NEAR( a:b "x y" -z !w it's \\`)).toBe(`'NEAR(' & 'a:b' & 'x y' & '-z' & '!w' & 'it''s'`);
    expect(postgresSearch.toMatchQuery("the database was down")).toBe("'database' & 'down':*");
    expect(postgresSearch.toMatchQuery('"')).toBeNull();
  });

  it("finds matches through the GIN index, not by reading every row", async () => {
    const facilitator = await createUser();
    await addWhyTree(facilitator, (await createIncident(facilitator)).id, RIES_CHAIN);
    const statement = rankStatement(facilitator, undefined, toMatchQuery("loop")!, 0);
    const plan = await db().transaction(async (tx) => {
      // A few rows cost less to read in full, which the planner would rightly do: forbid it here
      // to see that the index serves the query.
      await execute(tx, sql`set local enable_seqscan = off`);
      return (await rowsOf<{ "QUERY PLAN": string }>(tx, sql`explain ${statement}`)).map((row) => row["QUERY PLAN"]).join("\n");
    });
    expect(plan).toMatch(/Bitmap Index Scan on search_doc_idx/);
  });
});

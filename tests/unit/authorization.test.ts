import { eq, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { beforeAll, describe, expect, it } from "vitest";
import { actionFields, addWhyTree, advanceTo, createIncident, createUser } from "../../db/factories";
import { changeActionStatus, createAction } from "~/models/action.server";
import { db, schema } from "~/lib/db.server";
import { Forbidden } from "~/models/errors";
import {
  allows,
  canChangeAction,
  canContribute,
  canManage,
  canView,
  canWidenAudience,
  EVERYONE,
  isAdmin,
  RULES,
  viewableByEveryone,
  type IncidentPeople,
  type Rule,
  type Viewer,
} from "~/models/authorization";
import {
  allowedBy,
  assertAdmin,
  hiddenFrom,
  incidentViewableBy,
  personColumns,
  VIEWER,
  viewableBy,
  viewerParams,
  type SqlPerson,
} from "~/models/authorization.server";
import { STATUSES, type Status, type Visibility } from "~/models/incident";
import { setPeople, updateIncident } from "~/models/incident.server";
import { removeUser, type User } from "~/models/user.server";
import { generator, runSeed } from "../seeded";
import { caught, freshDatabase } from "./helpers";

// Every rule is written once (RULES in app/models/authorization.ts) and read two ways: by the pure
// functions the pages and models call, and as SQL by the queries that filter incidents. These
// tests give each rule's table, then check over generated people and incidents that every SQL
// form keeps exactly what the pure rule allows.

const member = (id: number): Viewer => ({ id, role: "member" });
const admin = (id: number): Viewer => ({ id, role: "admin" });

describe("each rule's table", () => {
  // Person 1 facilitates, person 2 takes part and owns the action, person 3 is an outsider, 9 an admin.
  const people = { facilitatorId: 1, participantIds: [2] };
  const action = { ownerId: 2 };
  const who = { facilitator: member(1), participant: member(2), outsider: member(3), admin: admin(9) };
  type Who = keyof typeof who;
  const table: Record<Rule, Record<Visibility, Who[]>> = {
    view: { org: ["facilitator", "participant", "outsider", "admin"], restricted: ["facilitator", "participant", "admin"] },
    contribute: { org: ["facilitator", "participant", "admin"], restricted: ["facilitator", "participant", "admin"] },
    manage: { org: ["facilitator", "admin"], restricted: ["facilitator", "admin"] },
    widenAudience: { org: ["facilitator", "participant", "outsider", "admin"], restricted: ["facilitator", "admin"] },
    changeAction: { org: ["facilitator", "participant", "admin"], restricted: ["facilitator", "participant", "admin"] },
  };
  const named: Record<Rule, (person: Viewer, incident: IncidentPeople) => boolean> = {
    view: canView,
    contribute: canContribute,
    manage: canManage,
    widenAudience: canWidenAudience,
    changeAction: (person, incident) => canChangeAction(person, incident, action),
  };

  for (const rule of Object.keys(table) as Rule[]) {
    for (const visibility of ["org", "restricted"] as const) {
      it(`${rule}, ${visibility}: ${table[rule][visibility].join(", ")}`, () => {
        const incident = { ...people, visibility };
        for (const [name, person] of Object.entries(who) as [Who, Viewer][]) {
          const expected = table[rule][visibility].includes(name);
          expect(named[rule](person, incident), `${rule} for the ${name}`).toBe(expected);
          expect(allows(rule, person, { ...incident, ...action }), `${rule} for the ${name}`).toBe(expected);
        }
      });
    }
  }

  it("lets an action's owner change it without taking part, and nobody else outside", () => {
    const incident = { facilitatorId: 1 };
    expect(canChangeAction(member(5), incident, { ownerId: 5 })).toBe(true);
    expect(canChangeAction(member(6), incident, { ownerId: 5 })).toBe(false);
  });

  it("shows everyone the org-wide incidents only", () => {
    expect(viewableByEveryone({ visibility: "org" })).toBe(true);
    expect(viewableByEveryone({ visibility: "restricted" })).toBe(false);
    expect(canView(EVERYONE, { ...people, visibility: "restricted" })).toBe(false);
  });

  it("knows an admin, and refuses anyone else where only an admin may act", async () => {
    expect(isAdmin(admin(1))).toBe(true);
    expect(isAdmin(member(1))).toBe(false);
    expect(() => assertAdmin(admin(1))).not.toThrow();
    const refused = await caught(() => assertAdmin(member(1)));
    expect(refused).toBeInstanceOf(Forbidden);
  });

  it("has a SQL form only for the rules a query filters by", () => {
    expect(() => allowedBy("changeAction", member(1))).toThrow(/no SQL form/);
    expect(viewableBy(admin(1))).toBeUndefined();
    expect(viewableBy(EVERYONE, { visibility: schema.learnings.visibility })).toBeDefined();
    expect(() => viewableBy(member(1), { visibility: schema.learnings.visibility })).toThrow(/only an incident's visibility/);
  });
});

describe("the pure rules and their SQL agree", () => {
  const { seed, replay } = runSeed("authorization");
  const random = generator(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

  type Generated = { id: number; facts: IncidentPeople; status: Status };
  let persons: (User & { removed: boolean })[];
  let generated: Generated[];

  beforeAll(async () => {
    console.log(`authorization agreement: ${replay}`);
    await freshDatabase();
    const admins = [await createUser({ role: "admin" }), await createUser({ role: "admin" })];
    const members: User[] = [];
    for (let i = 0; i < 10; i++) members.push(await createUser());
    const everyone = [...admins, ...members];
    generated = [];
    // Every status in both visibilities, then as many again drawn at random.
    const plans: [Status, Visibility][] = STATUSES.flatMap((status) => (["org", "restricted"] as const).map((v): [Status, Visibility] => [status, v]));
    for (let i = 0; i < 10; i++) plans.push([pick(STATUSES), pick(["org", "restricted"] as const)]);
    for (const [status, visibility] of plans) {
      const facilitator = pick(everyone);
      const incident = await createIncident(facilitator, { title: `Generated ${generated.length}`, summaryMd: "What happened.", visibility, services: [pick(["web", "db", "queue"])] });
      const participantIds = members.filter((m) => m.id !== facilitator.id && random() < 0.3).map((m) => m.id);
      await setPeople(facilitator, incident.id, facilitator.id, participantIds);
      if (status !== "draft") {
        if (status === "published" || status === "closed") {
          await addWhyTree(facilitator, incident.id, [{ question: "Why?", answer: "A queue filled.", remediation: "Alert on queue depth.", noActionReason: "Done in the response.", category: "capacity" }]);
        }
        // A published incident closes when its last follow-up action is finished.
        const action = status === "closed" ? await createAction(facilitator, incident.id, null, actionFields(facilitator.id)) : undefined;
        await advanceTo(facilitator, incident.id, status === "closed" ? "published" : status);
        if (action) await changeActionStatus(facilitator, action.id, "done");
      }
      generated.push({ id: incident.id, status, facts: { visibility, facilitatorId: facilitator.id, participantIds } });
    }
    // Some visibilities change after the fact (after publishing, too: the learnings follow by trigger).
    for (const g of generated) {
      if (random() >= 0.3) continue;
      const row = (await db().select().from(schema.incidents).where(eq(schema.incidents.id, g.id)).get())!;
      const visibility: Visibility = g.facts.visibility === "org" ? "restricted" : "org";
      await updateIncident(admins[0], g.id, row.version, {
        title: row.title,
        severity: row.severity,
        startedAt: row.startedAt,
        detectedAt: row.detectedAt,
        resolvedAt: row.resolvedAt,
        services: (await db().select().from(schema.incidentServices).where(eq(schema.incidentServices.incidentId, g.id)).all()).map((s) => s.service),
        impactMd: row.impactMd,
        summaryMd: row.summaryMd,
        visibility,
      });
      g.facts = { ...g.facts, visibility };
    }
    // Removed people keep their part in the incidents; the rule itself does not change for them.
    // At least one, whatever the seed draws: the agreement must hold for removed people too.
    const removed = new Set([members[members.length - 1].id, ...members.filter(() => random() < 0.25).map((m) => m.id)]);
    for (const id of removed) await removeUser(admins[0], id);
    persons = everyone.map((p) => ({ ...p, removed: removed.has(p.id) }));
  });

  const ids = (rows: { id: number }[]) => rows.map((r) => r.id).sort((a, b) => a - b);
  const expected = (keep: (g: Generated) => boolean) => ids(generated.filter(keep));
  const incidentsWhere = async (condition: SQL | undefined) => ids(await db().select({ id: schema.incidents.id }).from(schema.incidents).where(condition).all());

  it("generated every kind of person and incident", async () => {
    const statuses = await db().select({ id: schema.incidents.id, status: schema.incidents.status }).from(schema.incidents).orderBy(schema.incidents.id).all();
    expect(statuses.map((r) => r.status)).toEqual(generated.map((g) => g.status));
    expect(new Set(generated.map((g) => g.status))).toEqual(new Set(STATUSES));
    expect(persons.some((p) => p.removed)).toBe(true);
    const facts = generated.map((g) => g.facts);
    expect(persons.some((p) => facts.some((f) => f.facilitatorId === p.id))).toBe(true);
    expect(persons.some((p) => facts.some((f) => f.participantIds.includes(p.id)))).toBe(true);
  });

  it("canView, for each person and incident, is whether viewableBy keeps the incident", async () => {
    for (const person of persons) {
      expect(await incidentsWhere(viewableBy(person)), `person ${person.id} (${replay})`).toEqual(expected((g) => canView(person, g.facts)));
    }
  });

  it("agrees with a prepared statement's viewer", async () => {
    const statement = db().select({ id: schema.incidents.id }).from(schema.incidents).where(viewableBy(VIEWER)).prepare();
    for (const person of persons) {
      expect(ids(await statement.all(viewerParams(person))), `person ${person.id} (${replay})`).toEqual(expected((g) => canView(person, g.facts)));
    }
  });

  it("agrees with each row's own viewer, a person named by the query", async () => {
    const pairs = (await db()
      .select({ userId: schema.users.id, incidentId: schema.incidents.id })
      .from(schema.users)
      .crossJoin(schema.incidents)
      .where(viewableBy(personColumns(schema.users)))
      .all())
      .map((r) => `${r.userId}:${r.incidentId}`)
      .sort();
    const allowed = persons.flatMap((p) => generated.filter((g) => canView(p, g.facts)).map((g) => `${p.id}:${g.id}`)).sort();
    expect(pairs, replay).toEqual(allowed);
  });

  it("agrees for a row of another table by its incident id, and for the hidden incidents", async () => {
    // An alias, so that the incident id is read as another table's column would be.
    const i = alias(schema.incidents, "i");
    const shown = (person: SqlPerson) => db().select({ id: i.id }).from(i).where(incidentViewableBy(person, sql.raw("i.id")));
    const hidden = (person: SqlPerson) => db().select({ id: i.id }).from(i).where(sql`i.id in (${hiddenFrom(person)})`);
    const shownToViewer = shown(VIEWER).prepare();
    const hiddenFromViewer = hidden(VIEWER).prepare();
    for (const person of persons) {
      const seen = expected((g) => canView(person, g.facts));
      const unseen = expected((g) => !canView(person, g.facts));
      const why = `person ${person.id} (${replay})`;
      expect(ids(await shownToViewer.all(viewerParams(person))), why).toEqual(seen);
      expect(ids(await hiddenFromViewer.all(viewerParams(person))), why).toEqual(unseen);
      // The same forms for a person known when the query is built.
      expect(ids(await shown(person).all()), why).toEqual(seen);
      expect(ids(await hidden(person).all()), why).toEqual(unseen);
    }
  });

  it("agrees for everyone: the learnings feed, the Atom feed and a list address's digest", async () => {
    expect(await incidentsWhere(viewableBy(EVERYONE)), replay).toEqual(expected((g) => viewableByEveryone(g.facts)));
  });

  it("agrees for the other rules with a SQL form: contribute and manage", async () => {
    for (const rule of ["contribute", "manage"] as const) {
      const statement = db().select({ id: schema.incidents.id }).from(schema.incidents).where(allowedBy(rule, VIEWER)).prepare();
      for (const person of persons) {
        const want = expected((g) => allows(rule, person, g.facts));
        expect(await incidentsWhere(allowedBy(rule, person)), `${rule}, person ${person.id} (${replay})`).toEqual(want);
        expect(ids(await statement.all(viewerParams(person))), `${rule}, person ${person.id} (${replay})`).toEqual(want);
      }
    }
  });

  it("keeps the learnings' copy of the visibility (the trigger of 0009_learnings.sql) in step with the incident", async () => {
    const published = generated.filter((g) => g.status === "published" || g.status === "closed");
    expect(published.length).toBeGreaterThan(0);
    for (const table of [schema.learnings, schema.learningServices, schema.learningCategories]) {
      const rows = await db().select({ incidentId: table.incidentId, visibility: table.visibility }).from(table).all();
      expect(new Set(rows.map((r) => r.incidentId)), replay).toEqual(new Set(published.map((g) => g.id)));
      for (const row of rows) expect(row.visibility, `incident ${row.incidentId} (${replay})`).toBe(generated.find((g) => g.id === row.incidentId)!.facts.visibility);
      const feed = await db().selectDistinct({ id: table.incidentId }).from(table).where(viewableBy(EVERYONE, table)).all();
      expect(ids(feed), replay).toEqual(ids(published.filter((g) => viewableByEveryone(g.facts))));
    }
  });

  it("lets everyone view an org-wide incident, which hiddenFrom relies on to read only restricted ones", () => {
    expect(RULES.view).toContain("orgWide");
  });
});

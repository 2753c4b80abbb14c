import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { Forbidden } from "./errors";
import { EVERYONE, FACTS, holds, isAdmin, RULES, type Audience, type Fact, type Rule, type Viewer } from "./authorization";

// The SQL form of the rules in authorization.ts, written from the same descriptions (RULES): the
// one place a query learns which incidents someone may see. tests/unit/authorization.test.ts
// checks, over generated people and incidents, that every form here keeps exactly the incidents
// the pure functions allow.

/**
 * Who the SQL is for: a person known when the query is built (their own facts are then decided
 * here, so an admin's queries carry no condition at all), everyone (EVERYONE), or a person the
 * statement itself names (VIEWER's placeholders, or personColumns() of a row of users).
 */
export type SqlPerson = Audience | { id: SQLWrapper; isAdmin: SQL };

/** The viewer of a prepared statement, filled by viewerParams(): one compiled statement serves every user. */
export const VIEWER: SqlPerson = { id: sql.placeholder("viewerId"), isAdmin: sql`${sql.placeholder("viewerIsAdmin")} = 1` };

export function viewerParams(user: Viewer): { viewerId: number; viewerIsAdmin: 0 | 1 } {
  return { viewerId: user.id, viewerIsAdmin: isAdmin(user) ? 1 : 0 };
}

/** A person named by the query itself, each row its own viewer: their id and role as columns (of users). */
export function personColumns(person: { id: SQLWrapper; role: SQLWrapper }): SqlPerson {
  return { id: person.id, isAdmin: sql`${person.role} = 'admin'` };
}

/**
 * The incident a condition is about: the name of an incidents row in the query (the table or an
 * alias; written out, because drizzle leaves a column unqualified when a query reads one table,
 * and in a subquery that would mean the subquery's own), or a row that only carries an
 * incident's visibility (learnings and their facets, kept in step by a trigger: ADR 0016).
 */
export type IncidentRow = string | { visibility: SQLWrapper };

function column(row: IncidentRow, name: "id" | "visibility" | "facilitator_id"): SQLWrapper {
  if (typeof row === "string") return sql.raw(`${row}.${name}`);
  if (name === "visibility") return row.visibility;
  throw new Error(`This row carries only an incident's visibility; the rule needs its ${name}.`);
}

/** A fact in SQL, or true or false when it is decided before the query runs. */
function factSql(fact: Fact, person: SqlPerson, row: IncidentRow): SQL | boolean {
  // What is decided before the query runs is the pure rule's own answer: a known person's own
  // facts, and nobody in particular's part in anything (none).
  if (person === EVERYONE) {
    if (FACTS[fact] !== "incident") return holds(fact, EVERYONE, {});
  } else if ("role" in person && FACTS[fact] === "person") {
    return holds(fact, person, {});
  }
  const id = () => sql`${(person as Exclude<SqlPerson, typeof EVERYONE>).id}`;
  switch (fact) {
    case "admin":
      return sql`${(person as { isAdmin: SQL }).isAdmin}`;
    case "orgWide":
      return sql`${column(row, "visibility")} = 'org'`;
    case "facilitator":
      return sql`${column(row, "facilitator_id")} = ${id()}`;
    case "participant":
      return sql`exists (select 1 from participants where participants.incident_id = ${column(row, "id")} and participants.user_id = ${id()})`;
    case "actionOwner":
      throw new Error("An action's owner has no SQL form: no query filters actions by who may change them.");
  }
}

/** The facts of a rule in SQL, simplified: true when one is already known to hold. */
function disjunction(parts: (SQL | boolean)[]): SQL | true {
  if (parts.includes(true)) return true;
  const open = parts.filter((p): p is SQL => p !== false);
  if (open.length === 0) return sql`false`;
  return sql`(${sql.join(open, sql` or `)})`;
}

/**
 * The condition under which `person` may do `rule` with the incident `row`; undefined when it
 * always may (an admin viewing), which drizzle's and()/where() read as no condition at all.
 */
export function allowedBy(rule: Rule, person: SqlPerson, row: IncidentRow = "incidents"): SQL | undefined {
  const condition = disjunction(RULES[rule].map((fact) => factSql(fact, person, row)));
  return condition === true ? undefined : condition;
}

/** canView in SQL: keeps the incidents `person` may see (no condition for admins). */
export function viewableBy(person: SqlPerson, row: IncidentRow = "incidents"): SQL | undefined {
  return allowedBy("view", person, row);
}

/**
 * viewableBy for a row of another table, by its incident id: the person's own facts first (an
 * admin's rows skip the look-up), then one look-up of that incident per row. Cheaper than
 * hiddenFrom when a statement reads only a few rows.
 */
export function incidentViewableBy(person: SqlPerson, incidentId: SQLWrapper): SQL | undefined {
  const facts = RULES.view;
  const own = facts.filter((fact) => FACTS[fact] === "person").map((fact) => factSql(fact, person, "v"));
  const rest = disjunction(facts.filter((fact) => FACTS[fact] !== "person").map((fact) => factSql(fact, person, "v")));
  const lookUp = rest === true ? true : sql`exists (select 1 from incidents v where v.id = ${incidentId} and ${rest})`;
  const condition = disjunction([...own, lookUp]);
  return condition === true ? undefined : condition;
}

/**
 * The ids of the incidents `person` may not see, as a subquery. Org-wide incidents are seen by
 * everyone (the view rule holds for orgWide), so only restricted ones are read: a list of other
 * rows (actions) keeps the rows whose incident is not among these few, instead of looking up
 * every row's incident.
 */
export function hiddenFrom(person: SqlPerson): SQL {
  const seen = viewableBy(person, "h");
  return sql`select h.id from incidents h where h.visibility = 'restricted' and ${seen ? sql`not ${seen}` : sql`false`}`;
}

/** Refuses anyone but an administrator. */
export function assertAdmin(actor: Viewer, message = "Only an administrator can do this."): void {
  if (!isAdmin(actor)) throw new Forbidden(message);
}

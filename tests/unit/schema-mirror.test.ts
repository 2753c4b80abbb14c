// The PostgreSQL schema (db/schema.pg.ts) mirrors the SQLite one (db/schema.ts): the same tables,
// columns, keys, indexes and foreign keys under the same names, so the models run unchanged on
// either engine. tests/types/schema-mirror.ts checks the rows' types; this checks what types
// cannot see, first in the two schemas, then in the databases their migrations make, on the test
// run's PostgreSQL cluster (or HINDSIGHT_PG_URL, an administrator's URL: a database is made and
// dropped).
import { getTableName, is, SQL, type Column, type Table } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { getTableConfig as pgTableConfig, PgDialect, PgTable } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteTableConfig, SQLiteSyncDialect, SQLiteTable } from "drizzle-orm/sqlite-core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openDatabase, sqliteOf } from "~/lib/db.server";
import * as pgSchema from "../../db/schema.pg";
import * as sqliteSchema from "../../db/schema";

/** What both engines' table configs have in common, as drizzle gives them. */
type TableConfig = {
  name: string;
  columns: Column[];
  indexes: { config: { name: string; columns: readonly (SQL | { name: string })[]; unique: boolean; where?: SQL } }[];
  foreignKeys: { reference(): { columns: Column[]; foreignTable: Table; foreignColumns: Column[] }; onDelete?: string; onUpdate?: string }[];
  primaryKeys: { columns: Column[] }[];
  uniqueConstraints: { getName(): string | undefined; columns: Column[] }[];
};

/**
 * How SQLite stores a column's values, whatever the PostgreSQL type: booleans are integers there,
 * and timestamps, dates and JSON are text.
 */
const STORED_AS: Record<string, string> = {
  SQLiteInteger: "integer",
  SQLiteBoolean: "integer",
  SQLiteText: "text",
  SQLiteReal: "real",
  PgInteger: "integer",
  PgBigInt53: "integer",
  PgBoolean: "integer",
  PgText: "text",
  PgDateString: "text",
  PgCustomColumn: "text",
  PgDoublePrecision: "real",
};

/** A table as the schema declares it, in terms both engines share. */
function declared(config: TableConfig, render: (sql: SQL) => string) {
  const expression = (c: SQL | { name: string }) => (is(c, SQL) ? render(c) : c.name);
  const indexes: Record<string, { columns: string[]; unique: boolean; where: string | null }> = {};
  for (const { config: index } of config.indexes) {
    indexes[index.name] = { columns: index.columns.map(expression), unique: index.unique, where: index.where ? render(index.where) : null };
  }
  // A unique column or constraint is a unique index of that name on SQLite, a constraint and its index on PostgreSQL.
  for (const column of config.columns.filter((c) => c.isUnique)) indexes[column.uniqueName!] = { columns: [column.name], unique: true, where: null };
  for (const unique of config.uniqueConstraints) indexes[unique.getName()!] = { columns: unique.columns.map((c) => c.name), unique: true, where: null };
  return {
    columns: Object.fromEntries(
      config.columns.map((c) => [c.name, { storedAs: STORED_AS[c.columnType] ?? c.columnType, notNull: c.notNull, hasDefault: c.hasDefault, enum: c.enumValues ?? null }]),
    ),
    primaryKey: config.columns.filter((c) => c.primary).map((c) => c.name).concat(config.primaryKeys.flatMap((k) => k.columns.map((c) => c.name))),
    indexes,
    foreignKeys: config.foreignKeys
      .map((fk) => {
        const { columns, foreignTable, foreignColumns } = fk.reference();
        const to = `${getTableName(foreignTable)}(${foreignColumns.map((c) => c.name).join(", ")})`;
        return `(${columns.map((c) => c.name).join(", ")}) → ${to} on delete ${fk.onDelete ?? "no action"} on update ${fk.onUpdate ?? "no action"}`;
      })
      .sort(),
  };
}

const sqliteDialect = new SQLiteSyncDialect();
const pgDialect = new PgDialect();

const sqliteTables = new Map(
  Object.entries(sqliteSchema).flatMap(([key, value]) => (is(value, SQLiteTable) ? [[key, sqliteTableConfig(value) as TableConfig] as const] : [])),
);
const pgTables = new Map(Object.entries(pgSchema).flatMap(([key, value]) => (is(value, PgTable) ? [[key, pgTableConfig(value) as TableConfig] as const] : [])));

describe("the PostgreSQL schema", () => {
  it("has every table of the SQLite schema, under the same names, and no other", () => {
    const names = (tables: Map<string, TableConfig>) => [...tables].map(([key, config]) => `${key}: ${config.name}`).sort();
    expect(names(pgTables)).toEqual(names(sqliteTables));
  });

  it.each([...sqliteTables.keys()])("declares %s as the SQLite schema does", (key) => {
    const sqlite = sqliteTables.get(key)!;
    const postgres = pgTables.get(key);
    expect(postgres, `${key} is missing from db/schema.pg.ts`).toBeDefined();
    const render = { sqlite: (s: SQL) => sqliteDialect.sqlToQuery(s).sql, pg: (s: SQL) => pgDialect.sqlToQuery(s).sql };
    expect(declared(postgres!, render.pg)).toEqual(declared(sqlite, render.sqlite));
  });

  // Named for a moment ("created_at", "present_until", a timeline entry's "at"): a timestamp, and nothing else is.
  it("stores every timestamp as a timestamptz", () => {
    const misnamed: string[] = [];
    for (const config of pgTables.values()) {
      for (const column of config.columns) {
        const timestamp = column.getSQLType() === "timestamp(3) with time zone";
        if (/(^|_)(at|until)$/.test(column.name) !== timestamp) misnamed.push(`${config.name}.${column.name}: ${column.getSQLType()}`);
      }
    }
    expect(misnamed).toEqual([]);
  });
});

// The run's throw-away cluster (tests/postgres/vitest-setup.ts), or one given by hand.
const PG_URL = process.env.HINDSIGHT_PG_URL ?? inject("postgresAdminUrl");

/** Tables of one engine that the other has in another form or not at all. */
const BESIDE_THE_SCHEMA = /^(search_index(_.*)?|__drizzle_migrations|__data_migrations|sqlite_.*)$/;

type ColumnRow = { table: string; name: string; storedAs: string; notNull: boolean; hasDefault: boolean; numbered: boolean };
type IndexRow = { table: string; name: string; unique: boolean; partial: boolean; columns: string[] };
type ForeignKeyRow = { table: string; from: string[]; to: string; onDelete: string; onUpdate: string };
type TriggerRow = { table: string; name: string };
type Described = { tables: string[]; columns: ColumnRow[]; indexes: IndexRow[]; foreignKeys: ForeignKeyRow[]; triggers: TriggerRow[] };

/** Sorted, so that two engines' lists compare whatever order they were read in. */
const sorted = <T>(rows: T[]) => rows.map((row) => JSON.stringify(row)).sort().map((row) => JSON.parse(row) as T);

/** What SQLite's own migrations make, read from its catalogue. */
function describeSqlite(sqlite: ReturnType<typeof sqliteOf>): Described {
  const all = <T>(query: string, ...params: unknown[]) => sqlite.prepare(query).all(...params) as T[];
  const tables = all<{ name: string; sql: string }>("select name, sql from sqlite_master where type = 'table'").filter((t) => !BESIDE_THE_SCHEMA.test(t.name));
  const columns: ColumnRow[] = [];
  const indexes: IndexRow[] = [];
  const foreignKeys: ForeignKeyRow[] = [];
  for (const { name: table } of tables) {
    const info = all<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>(`pragma table_info("${table}")`);
    const keyColumns = info.filter((c) => c.pk > 0);
    for (const c of info) {
      // An integer primary key of its own is the rowid: SQLite numbers the rows that come without one.
      const numbered = keyColumns.length === 1 && c.pk === 1 && c.type.toLowerCase() === "integer";
      columns.push({ table, name: c.name, storedAs: c.type.toLowerCase(), notNull: c.notnull === 1, hasDefault: c.dflt_value !== null, numbered });
    }
    for (const index of all<{ name: string; unique: number; origin: string; partial: number }>(`pragma index_list("${table}")`)) {
      if (index.origin === "pk") continue;
      const parts = all<{ seqno: number; name: string | null }>(`pragma index_info("${index.name}")`).sort((a, b) => a.seqno - b.seqno);
      indexes.push({ table, name: index.name, unique: index.unique === 1, partial: index.partial === 1, columns: parts.map((p) => p.name ?? "(expression)") });
    }
    const references = new Map<number, { table: string; from: string; to: string; on_delete: string; on_update: string }[]>();
    for (const fk of all<{ id: number; table: string; from: string; to: string; on_delete: string; on_update: string }>(`pragma foreign_key_list("${table}")`)) {
      references.set(fk.id, [...(references.get(fk.id) ?? []), fk]);
    }
    for (const parts of references.values()) {
      const to = `${parts[0].table}(${parts.map((p) => p.to).join(", ")})`;
      foreignKeys.push({ table, from: parts.map((p) => p.from), to, onDelete: parts[0].on_delete.toLowerCase(), onUpdate: parts[0].on_update.toLowerCase() });
    }
  }
  const triggers = all<TriggerRow>("select tbl_name as \"table\", name from sqlite_master where type = 'trigger'");
  return { tables: tables.map((t) => t.name).sort(), columns: sorted(columns), indexes: sorted(indexes), foreignKeys: sorted(foreignKeys), triggers: sorted(triggers) };
}

const PG_STORED_AS: Record<string, string> = {
  integer: "integer",
  bigint: "integer",
  boolean: "integer",
  "double precision": "real",
  text: "text",
  "timestamp with time zone": "text",
  date: "text",
  json: "text",
};

const PG_FK_ACTIONS: Record<string, string> = { a: "no action", r: "restrict", c: "cascade", n: "set null", d: "set default" };

/** What the PostgreSQL migrations make, read from its catalogue. */
async function describePostgres(client: pg.Client): Promise<Described> {
  const rows = async <T extends object>(query: string) => (await client.query<T>(query)).rows;
  const tables = (await rows<{ name: string }>("select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'"))
    .map((t) => t.name)
    .filter((name) => !BESIDE_THE_SCHEMA.test(name));
  const inSchema = (table: string) => tables.includes(table);
  const columns = (
    await rows<{ table: string; name: string; type: string; nullable: string; default: string | null; identity: string }>(`
      select table_name as "table", column_name as name, data_type as type, is_nullable as nullable, column_default as default, is_identity as identity
      from information_schema.columns where table_schema = 'public'`)
  )
    .filter((c) => inSchema(c.table))
    .map((c) => ({ table: c.table, name: c.name, storedAs: PG_STORED_AS[c.type] ?? c.type, notNull: c.nullable === "NO", hasDefault: c.default !== null, numbered: c.identity === "YES" }));
  const indexes = (
    await rows<{ table: string; name: string; unique: boolean; partial: boolean; columns: (string | null)[] }>(`
      select t.relname as "table", i.relname as name, x.indisunique as unique, x.indpred is not null as partial,
        array(select case when k.attnum = 0 then null else a.attname::text end
              from unnest(x.indkey) with ordinality as k(attnum, n)
              left join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum
              order by k.n) as columns
      from pg_index x
      join pg_class i on i.oid = x.indexrelid
      join pg_class t on t.oid = x.indrelid
      join pg_namespace s on s.oid = t.relnamespace
      where s.nspname = 'public' and not x.indisprimary`)
  )
    .filter((i) => inSchema(i.table))
    .map((i) => ({ ...i, columns: i.columns.map((c) => c ?? "(expression)") }));
  const foreignKeys = (
    await rows<{ table: string; from: string[]; foreignTable: string; to: string[]; onDelete: string; onUpdate: string }>(`
      select t.relname as "table", f.relname as "foreignTable", c.confdeltype as "onDelete", c.confupdtype as "onUpdate",
        array(select a.attname::text from unnest(c.conkey) with ordinality as k(attnum, n) join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum order by k.n) as "from",
        array(select a.attname::text from unnest(c.confkey) with ordinality as k(attnum, n) join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum order by k.n) as "to"
      from pg_constraint c
      join pg_class t on t.oid = c.conrelid
      join pg_class f on f.oid = c.confrelid
      join pg_namespace s on s.oid = t.relnamespace
      where s.nspname = 'public' and c.contype = 'f'`)
  ).map((fk) => ({ table: fk.table, from: fk.from, to: `${fk.foreignTable}(${fk.to.join(", ")})`, onDelete: PG_FK_ACTIONS[fk.onDelete], onUpdate: PG_FK_ACTIONS[fk.onUpdate] }));
  const triggers = await rows<TriggerRow>(`
    select t.relname as "table", g.tgname as name
    from pg_trigger g join pg_class t on t.oid = g.tgrelid join pg_namespace s on s.oid = t.relnamespace
    where s.nspname = 'public' and not g.tgisinternal`);
  return { tables: tables.sort(), columns: sorted(columns), indexes: sorted(indexes), foreignKeys: sorted(foreignKeys), triggers: sorted(triggers) };
}

describe.runIf(PG_URL)("the databases both engines' migrations make", () => {
  const name = `hindsight_mirror_${process.pid}_${Date.now()}`;
  let admin: pg.Client;
  let client: pg.Client;
  let sqlite: Described;
  let postgres: Described;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    const url = new URL(PG_URL!);
    url.pathname = `/${name}`;
    client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    await migrate(drizzle(client), { migrationsFolder: "db/migrations-pg" });
    postgres = await describePostgres(client);
    const database = await openDatabase(":memory:");
    sqlite = describeSqlite(sqliteOf(database));
    sqliteOf(database).close();
  });

  afterAll(async () => {
    await client?.end();
    await admin?.query(`drop database if exists "${name}"`);
    await admin?.end();
  });

  it("have the same tables", () => {
    expect(postgres.tables).toEqual(sqlite.tables);
  });

  it("have the same columns, as nullable, defaulted and numbered on both", () => {
    expect(postgres.columns).toEqual(sqlite.columns);
  });

  it("have the same indexes, on the same columns", () => {
    expect(postgres.indexes).toEqual(sqlite.indexes);
  });

  it("have the same foreign keys", () => {
    expect(postgres.foreignKeys).toEqual(sqlite.foreignKeys);
  });

  it("have the same triggers, on the same tables", () => {
    expect(postgres.triggers).toEqual(sqlite.triggers);
  });

  it("keep the search index and the feed's visibility in step with what they are drawn from", async () => {
    const run = (query: string) => client.query(query);
    const found = async (words: string) =>
      (await client.query<{ rid: string }>("select rid from search_index where doc @@ to_tsquery('english', $1) order by rid", [words])).rows.map((r) => Number(r.rid));
    await run("insert into users (id, email, name) values (1, 'ana@example.com', 'Ana')");
    await run(`insert into incidents (id, title, severity, started_at, summary_md, impact_md, facilitator_id, reported_by_id)
      values (1, 'Checkout outage', 'SEV1', '2026-10-06T14:02:00.000Z', 'The connection pool was exhausted', 'Customers could not pay', 1, 1)`);
    await run("insert into whys (id, incident_id, position, question, answer, remediation_md, created_by_id) values (1, 1, 0, 'Why did checkout fail?', 'Retries stormed the primary', 'Add jittered backoff', 1)");
    await run("insert into timeline_entries (id, incident_id, at, body_md, body_html, created_by_id) values (1, 1, '2026-10-06T14:05:00.000Z', 'The pager fired', '', 1)");
    await run("insert into actions (id, incident_id, why_id, title, description_md, owner_id, due_date, priority, created_by_id) values (1, 1, 1, 'Cap the pool', 'Limit connections', 1, '2026-12-07', 'P1', 1)");
    // id * 8 + kind: incident 1, why 2, timeline entry 3, action 4.
    expect(await found("pool")).toEqual([9, 12]);
    expect(await found("backoff")).toEqual([10]);
    expect(await found("pager")).toEqual([11]);
    expect(await found("custom")).toEqual([9]);

    await run("update incidents set summary_md = 'A deadlock in the ledger' where id = 1");
    await run("update whys set answer = 'A thundering herd' where id = 1");
    await run("update timeline_entries set body_md = 'The error budget alert fired' where id = 1");
    await run("update actions set title = 'Shard the ledger' where id = 1");
    expect(await found("pool")).toEqual([]);
    expect(await found("ledger")).toEqual([9, 12]);
    expect(await found("herd")).toEqual([10]);
    expect(await found("budget")).toEqual([11]);

    await run("delete from actions where id = 1");
    await run("delete from timeline_entries where id = 1");
    expect(await found("ledger")).toEqual([9]);
    await run("delete from incidents where id = 1");
    expect((await client.query("select rid from search_index")).rows).toEqual([]);

    await run("insert into incidents (id, title, severity, started_at, facilitator_id, reported_by_id) values (2, 'Two', 'SEV3', '2026-10-07T00:00:00.000Z', 1, 1)");
    await run("insert into publications (id, incident_id, revision, published_at, published_by_id, snapshot) values (1, 2, 1, '2026-10-08T00:00:00.000Z', 1, '{}')");
    await run(`insert into learnings (publication_id, incident_id, revision, latest, visibility, first_published_at, published_at, title, severity, content)
      values (1, 2, 1, true, 'org', '2026-10-08T00:00:00.000Z', '2026-10-08T00:00:00.000Z', 'Two', 'SEV3', '{}')`);
    await run("insert into learning_services values (2, 'checkout', 1, 'org', '2026-10-08T00:00:00.000Z')");
    await run("insert into learning_categories values (2, 'capacity', 1, 'org', '2026-10-08T00:00:00.000Z')");
    const visibilities = async () =>
      (
        await client.query<{ visibility: string }>(
          "select visibility from learnings union all select visibility from learning_services union all select visibility from learning_categories",
        )
      ).rows.map((r) => r.visibility);
    await run("update incidents set visibility = 'restricted' where id = 2");
    expect(await visibilities()).toEqual(["restricted", "restricted", "restricted"]);
    await run("update incidents set visibility = 'org' where id = 2");
    expect(await visibilities()).toEqual(["org", "org", "org"]);
  });
});

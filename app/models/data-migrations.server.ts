import { sql } from "drizzle-orm";
import { execute, rowOf, rowsOf, type DataMigration, type Tx } from "~/lib/db.server";
import { newToken } from "~/lib/password.server";
import { parsePeriod, periodProblem } from "~/lib/period";
import { learningContentJson } from "./learning.server";

// Stored data that only the app's own code can compute, brought up to date after the SQL
// migrations (runDataMigrations in app/lib/db.server.ts). Each step runs once per database, in a
// transaction, and is recorded by name in __data_migrations; a new step goes at the end and an
// old one is never renamed. A step finds what is missing and fills it: a database made by an
// older version may already hold what the step computes (SQL migrations once called app code
// to fill it), and a new database holds nothing to fill.
// Why: docs/decisions/0013-data-migrations-run-by-the-app.md.

/**
 * What the learnings feed shows of publications made before learnings were stored (0009): the
 * row publishing writes (recordPublication), its content drawn from the snapshot by the same
 * code, and the latest publication's services and causes for the feed's filters.
 */
const learningsOfEarlierPublications: DataMigration = {
  name: "learnings-of-earlier-publications",
  async run(tx) {
    const missing = await rowsOf<{ id: number; incidentId: number; snapshot: string }>(tx, sql`
      select p.id, p.incident_id as incidentId, p.snapshot from publications p
      where not exists (select 1 from learnings l where l.publication_id = p.id) order by p.id`);
    if (missing.length === 0) return;
    for (const p of missing) {
      await execute(tx, sql`insert into learnings (publication_id, incident_id, revision, latest, visibility, first_published_at, published_at, title, severity, content)
        select p.id, p.incident_id, p.revision, 0, i.visibility, coalesce(i.published_at, p.published_at), p.published_at,
          json_extract(p.snapshot, '$.title'), json_extract(p.snapshot, '$.severity'), ${learningContentJson(p.snapshot)}
        from publications p join incidents i on i.id = p.incident_id where p.id = ${p.id}`);
    }
    const incidents = JSON.stringify([...new Set(missing.map((p) => p.incidentId))]);
    await execute(tx, sql`update learnings set latest = (revision = (select max(l2.revision) from learnings l2 where l2.incident_id = learnings.incident_id))
      where incident_id in (select value from json_each(${incidents}))`);
    // The feed's filters follow each incident's latest publication.
    await execute(tx, sql`delete from learning_services where incident_id in (select value from json_each(${incidents}))`);
    await execute(tx, sql`delete from learning_categories where incident_id in (select value from json_each(${incidents}))`);
    await execute(tx, sql`insert into learning_services (incident_id, service, publication_id, visibility, first_published_at)
      select distinct l.incident_id, s.value, l.publication_id, l.visibility, l.first_published_at
      from learnings l, json_each(l.content, '$.services') s
      where l.latest and l.incident_id in (select value from json_each(${incidents}))`);
    // A category merged since publishing counts as the one it went into.
    await execute(tx, sql`insert into learning_categories (incident_id, category, publication_id, visibility, first_published_at)
      select distinct l.incident_id, coalesce(cc.merged_into, c.value), l.publication_id, l.visibility, l.first_published_at
      from learnings l, json_each(l.content, '$.categories') c
      left join cause_categories cc on cc.slug = c.value
      where l.latest and l.incident_id in (select value from json_each(${incidents}))`);
  },
};

/** When a weekly digest's week ("2026-W48") ended in the time zone; undefined for a key that names no week. */
function weekEnd(key: string, timeZone: string): string | undefined {
  try {
    return periodProblem(key) ? undefined : parsePeriod(key, timeZone).end;
  } catch {
    return undefined;
  }
}

/**
 * The weekly digests sent before digests were numbered (0012; outbox keys "digest:2026-W48")
 * become digests #1, #2, … in the order they ended. Each ended with its week, or when it was
 * written if that was earlier (a digest sent mid-week): what was published after that went out
 * in no digest, so the next digest starts there and carries it. Only while no digest is
 * numbered: once one is, the weekly ones were numbered before it.
 */
const numberedDigestsFromWeeklyOnes: DataMigration = {
  name: "numbered-digests-from-weekly-ones",
  async run(tx) {
    if ((await rowOf<{ n: number }>(tx, sql`select count(*) as n from digests`))!.n > 0) return;
    const weekly = await rowsOf<{ id: number; key: string; createdAt: string }>(tx, sql`
      select id, key, created_at as createdAt from outbox
      where kind = 'digest' and key glob 'digest:[0-9][0-9][0-9][0-9]-W[0-9][0-9]'`);
    if (weekly.length === 0) return;
    const setting = await rowOf<{ timeZone: string | null }>(tx, sql`select json_extract(value, '$') as timeZone from settings where key = 'timeZone'`);
    const timeZone = setting?.timeZone ?? "UTC";
    const ended = weekly
      .map((d) => {
        const end = weekEnd(d.key.slice("digest:".length), timeZone);
        return { ...d, endAt: end !== undefined && end < d.createdAt ? end : d.createdAt };
      })
      .sort((a, b) => (a.endAt < b.endAt ? -1 : a.endAt > b.endAt ? 1 : a.id - b.id));
    for (const [i, d] of ended.entries()) {
      await execute(tx, sql`insert into digests (seq, after_publication_id, through_publication_id, start_at, end_at, trigger, created_at)
        values (${i + 1}, 0, 0, null, ${d.endAt}, 'migrated', ${d.createdAt})`);
    }
    await execute(tx, sql`update digests set through_publication_id = coalesce((select max(p.id) from publications p where p.revision = 1 and p.published_at < digests.end_at), 0)`);
    await execute(tx, sql`update digests set through_publication_id = (select max(d.through_publication_id) from digests d where d.seq <= digests.seq)`);
    await execute(tx, sql`update digests set
      after_publication_id = coalesce((select d.through_publication_id from digests d where d.seq = digests.seq - 1), 0),
      start_at = (select d.end_at from digests d where d.seq = digests.seq - 1)`);
    await execute(tx, sql`insert into digest_items (publication_id, digest_seq)
      select p.id, d.seq from digests d join publications p on p.revision = 1 and p.id > d.after_publication_id and p.id <= d.through_publication_id`);
  },
};

/** The private feed link is made with the account (insertUser); people added before that get theirs here. */
const feedLinkForEveryone: DataMigration = {
  name: "feed-link-for-everyone",
  async run(tx: Tx) {
    const without = await rowsOf<{ id: number }>(tx, sql`select id from users where feed_token is null and removed_at is null`);
    for (const { id } of without) await execute(tx, sql`update users set feed_token = ${newToken().token} where id = ${id}`);
  },
};

/**
 * The wording check now reads sentence structure (ADR 0026): every why's stored findings are
 * cleared, and the start-up check stores the new ones a batch at a time, carrying each
 * acknowledgement over to the new findings of the words it covered (checkUncheckedWhys).
 */
const wordingCheckReadsStructure: DataMigration = {
  name: "wording-check-reads-sentence-structure",
  async run(tx: Tx) {
    await execute(tx, sql`update whys set blame_findings = null where blame_findings is not null`);
  },
};

/** Every step, in the order they run. Append only. */
export const DATA_MIGRATIONS: readonly DataMigration[] = [learningsOfEarlierPublications, numberedDigestsFromWeeklyOnes, feedLinkForEveryone, wordingCheckReadsStructure];

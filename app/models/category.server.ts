import { and, asc, count, eq, exists, isNull, max, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { db, prepared, schema } from "~/lib/db.server";
import { Invalid, LimitReached, NotFound } from "./errors";
import type { Viewer } from "./authorization";
import { assertAdmin } from "./authorization.server";
import { recordEvent } from "./audit.server";
import { idList, inIdList } from "./sql/index.server";

// Cause categories are a managed list: admins add, rename and merge them. Whys store the slug,
// so a rename changes no why, and a merge moves every why of one category to another. A merged
// category stays as an alias of the one it went into, because published snapshots keep its slug.

const { causeCategories, learningCategories, whys } = schema;

/** Categories whys can be filed under at once: every why form offers them all. */
export const CATEGORY_LIMIT = 100;

export type Category = { slug: string; label: string; position: number };
export type CategoryWithUse = Category & { whyCount: number };

const currentCategories = prepared((d) =>
  d
    .select({ slug: causeCategories.slug, label: causeCategories.label, position: causeCategories.position })
    .from(causeCategories)
    .where(isNull(causeCategories.mergedInto))
    .orderBy(asc(causeCategories.position), asc(causeCategories.label))
    .prepare(),
);

export async function listCategories(): Promise<Category[]> {
  return await currentCategories().all();
}

/** The categories with how many whys are filed under each, for the admin page. */
export async function listCategoriesWithUse(actor: Viewer): Promise<CategoryWithUse[]> {
  requireAdmin(actor);
  const uses = await db()
    .select({ slug: whys.category, n: count() })
    .from(whys)
    .where(sql`${whys.category} <> ''`)
    .groupBy(whys.category)
    .all();
  const used = new Map(uses.map((r) => [r.slug, r.n]));
  return (await listCategories()).map((c) => ({ ...c, whyCount: used.get(c.slug) ?? 0 }));
}

/** Labels by slug, merged categories under the label of the one they went into. */
const allCategories = prepared((d) => d.select({ slug: causeCategories.slug, label: causeCategories.label, mergedInto: causeCategories.mergedInto }).from(causeCategories).prepare());

export async function categoryLabels(): Promise<Record<string, string>> {
  const rows = await allCategories().all();
  const bySlug = new Map(rows.map((c) => [c.slug, c]));
  return Object.fromEntries(rows.map((c) => [c.slug, bySlug.get(c.mergedInto ?? c.slug)?.label ?? c.label]));
}

/** A category whys can be filed under now (not one merged away). */
export async function isCategory(slug: string): Promise<boolean> {
  return Boolean(
    await db()
      .select({ slug: causeCategories.slug })
      .from(causeCategories)
      .where(and(eq(causeCategories.slug, slug), isNull(causeCategories.mergedInto)))
      .get(),
  );
}

/**
 * The category to file a why under for `slug`: itself, or the one it was merged into (a form
 * opened before a merge still saves); undefined when there is no such category.
 */
export async function resolveCategory(slug: string): Promise<string | undefined> {
  const row = await db().select({ mergedInto: causeCategories.mergedInto }).from(causeCategories).where(eq(causeCategories.slug, slug)).get();
  if (!row) return undefined;
  return row.mergedInto ?? slug;
}

async function slugTaken(slug: string): Promise<boolean> {
  return Boolean(await db().select({ slug: causeCategories.slug }).from(causeCategories).where(eq(causeCategories.slug, slug)).get());
}

function requireAdmin(actor: Viewer) {
  assertAdmin(actor, "Only admins can change the cause categories.");
}

async function slugFor(label: string): Promise<string> {
  const base =
    label
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^\w\s-]/g, "")
      .trim()
      .replace(/[\s_]+/g, "-")
      .replace(/-+/g, "-")
      .slice(0, 40) || "category";
  let slug = base;
  for (let n = 2; await slugTaken(slug); n += 1) slug = `${base}-${n}`;
  return slug;
}

async function assertLabelFree(label: string, except?: string): Promise<void> {
  const taken = await db()
    .select({ slug: causeCategories.slug })
    .from(causeCategories)
    .where(sql`lower(${causeCategories.label}) = lower(${label})`)
    .get();
  if (taken && taken.slug !== except) throw new Invalid(`There is already a category called “${label}”.`, "label");
}

export async function addCategory(actor: Viewer, label: string): Promise<Category> {
  requireAdmin(actor);
  return await db().transaction(async (tx) => {
    await assertLabelFree(label);
    const current = await tx.select({ n: count() }).from(causeCategories).where(isNull(causeCategories.mergedInto)).get();
    if ((current?.n ?? 0) >= CATEGORY_LIMIT) {
      throw new LimitReached(`There are ${CATEGORY_LIMIT} categories, the most there may be. Merge categories that mean the same first.`, "label");
    }
    const last = await tx.select({ position: max(causeCategories.position) }).from(causeCategories).get();
    return await tx
      .insert(causeCategories)
      .values({ slug: await slugFor(label), label, position: (last?.position ?? 0) + 1 })
      .returning({ slug: causeCategories.slug, label: causeCategories.label, position: causeCategories.position })
      .get();
  });
}

export async function renameCategory(actor: Viewer, slug: string, label: string): Promise<void> {
  requireAdmin(actor);
  // The checks and the rename are one step: a merge or another rename in between would slip past them.
  await db().transaction(async (tx) => {
    if (!(await isCategory(slug))) throw new NotFound("category", "That category no longer exists.");
    await assertLabelFree(label, slug);
    await tx.update(causeCategories).set({ label }).where(eq(causeCategories.slug, slug)).run();
  });
}

/**
 * Files every why of `from` under `into` and removes `from`. Each incident whose whys moved
 * records it in its history, so the change is visible where the whys live.
 */
export async function mergeCategories(actor: Viewer, from: string, into: string): Promise<number> {
  requireAdmin(actor);
  if (from === into) throw new Invalid("Choose two different categories to merge.", "into");
  return await db().transaction(async (tx) => {
    const current = await tx
      .select({ slug: causeCategories.slug, label: causeCategories.label })
      .from(causeCategories)
      .where(isNull(causeCategories.mergedInto))
      .all();
    const labels = new Map(current.map((c) => [c.slug, c.label]));
    if (!labels.has(from)) throw new NotFound("category", "That category no longer exists.");
    if (!labels.has(into)) throw new Invalid("Choose a category to merge into.", "into");
    // A new version: an edit form opened before the merge is then refused as a conflict, showing
    // the new category, rather than saving the old one back.
    const moved = await tx
      .update(whys)
      .set({ category: into, version: sql`${whys.version} + 1`, updatedAt: new Date().toISOString() })
      .where(eq(whys.category, from))
      .returning({ incidentId: whys.incidentId })
      .all();
    const affected = await tx
      .select({ id: schema.incidents.id, publishedAt: schema.incidents.publishedAt })
      .from(schema.incidents)
      .where(inIdList(schema.incidents.id, idList([...new Set(moved.map((m) => m.incidentId))])))
      .all();
    for (const incident of affected) {
      await recordEvent(tx, {
        incident,
        actorId: actor.id,
        kind: "category.merged",
        summary: `Cause category “${labels.get(from)}” merged into “${labels.get(into)}”`,
        changes: { category: [labels.get(from), labels.get(into)] },
      });
    }
    // The feed filters by today's categories: what was filed under `from` is now under `into`.
    const other = alias(learningCategories, "other");
    await tx
      .delete(learningCategories)
      .where(
        and(
          eq(learningCategories.category, from),
          exists(tx.select({ one: sql`1` }).from(other).where(and(eq(other.incidentId, learningCategories.incidentId), eq(other.category, into)))),
        ),
      )
      .run();
    await tx.update(learningCategories).set({ category: into }).where(eq(learningCategories.category, from)).run();
    await tx.update(causeCategories).set({ mergedInto: into }).where(eq(causeCategories.mergedInto, from)).run();
    // Its label is free again for a new category; it is shown under the merged-into label anyway.
    await tx.update(causeCategories).set({ mergedInto: into, label: `merged:${from}` }).where(eq(causeCategories.slug, from)).run();
    return moved.length;
  });
}

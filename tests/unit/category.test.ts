import { beforeEach, describe, expect, it } from "vitest";
import { addWhyTree, advanceTo, createIncident, createUser, whyFields } from "../../db/factories";
import { DomainError, Forbidden, Invalid } from "~/models/errors";
import { addCategory, categoryLabels, isCategory, listCategories, listCategoriesWithUse, mergeCategories, renameCategory } from "~/models/category.server";
import { listLearnings } from "~/models/publication.server";
import { addWhy, listWhys } from "~/models/why.server";
import { caught, freshDatabase } from "./helpers";

beforeEach(async () => {
  await freshDatabase();
});

describe("cause categories", () => {
  it("start with the usual list, in order", async () => {
    expect((await listCategories()).map((c) => c.label)).toEqual([
      "Code defect",
      "Testing gap",
      "Configuration",
      "Capacity",
      "Dependency",
      "Architecture",
      "Observability",
      "Process",
      "Knowledge",
    ]);
  });

  it("are added and renamed by admins only, with unique names", async () => {
    const admin = await createUser({ role: "admin" });
    const member = await createUser();
    const flags = await addCategory(admin, "Feature flags");
    expect(flags).toMatchObject({ slug: "feature-flags", label: "Feature flags", position: 10 });
    expect(await caught(() => addCategory(member, "Vendors"))).toBeInstanceOf(Forbidden);
    expect((await caught(() => addCategory(admin, "feature FLAGS")) as DomainError).message).toBe("There is already a category called “feature FLAGS”.");
    await renameCategory(admin, "config", "Configuration change");
    expect((await categoryLabels()).config).toBe("Configuration change");
  });

  it("refuse a why filed under a category that is not on the list", async () => {
    const admin = await createUser({ role: "admin" });
    const incident = await createIncident(admin);
    const error = await caught(() => addWhy(admin, incident.id, null, whyFields({ question: "Why?", category: "astrology" }))) as DomainError;
    expect(error).toBeInstanceOf(Invalid);
    expect(error.field).toBe("category");
  });

  it("merge: every why moves, the old name points to the new one, and the feed filter still finds old publications", async () => {
    const admin = await createUser({ role: "admin" });
    const incident = await createIncident(admin, { summaryMd: "Summary." });
    await addWhyTree(admin, incident.id, [
      { question: "Why?", answer: "A.", category: "knowledge", noRemediationReason: "n/a" },
      { question: "Why else?", answer: "B.", category: "process", noRemediationReason: "n/a" },
    ]);
    await advanceTo(admin, incident.id, "published");
    const before = await listWhys(incident.id);
    expect(await mergeCategories(admin, "knowledge", "process")).toBe(1);
    const after = await listWhys(incident.id);
    expect(after.map((w) => w.category)).toEqual(["process", "process"]);
    // The moved why has a new version: an edit form opened before the merge is refused as a conflict.
    expect(after[0].version).toBe(before[0].version + 1);
    expect(after[1].version).toBe(before[1].version);
    // A form that still offers the old category files the why under the new one.
    const added = await addWhy(admin, incident.id, null, whyFields({ question: "Why again?", category: "knowledge" }));
    expect(added.category).toBe("process");
    expect(await isCategory("knowledge")).toBe(false);
    expect((await listCategories()).map((c) => c.slug)).not.toContain("knowledge");
    expect((await categoryLabels()).knowledge).toBe("Process");
    expect((await listCategoriesWithUse(admin)).find((c) => c.slug === "process")?.whyCount).toBe(3);
    // The published snapshot still says "knowledge"; filtering by the merged-into category finds it.
    expect((await listLearnings({ category: "process" }, { limit: 10 })).total).toBe(1);
    // So does a link made before the merge.
    expect((await listLearnings({ category: "knowledge" }, { limit: 10 })).items.map((l) => l.title)).toEqual(["Website down"]);
    // The old name is free for a new category.
    expect((await addCategory(admin, "Knowledge")).slug).toBe("knowledge-2");
    expect(await caught(() => mergeCategories(admin, "process", "process"))).toBeInstanceOf(Invalid);
  });

  it("merge: an analysis filed only under the merged category is found under the one it went into", async () => {
    const admin = await createUser({ role: "admin" });
    const incident = await createIncident(admin, { summaryMd: "Summary." });
    await addWhyTree(admin, incident.id, [{ question: "Why?", answer: "A.", category: "knowledge", noRemediationReason: "n/a" }]);
    await advanceTo(admin, incident.id, "published");
    expect((await listLearnings({ category: "process" }, { limit: 10 })).total).toBe(0);
    await mergeCategories(admin, "knowledge", "process");
    expect((await listLearnings({ category: "process" }, { limit: 10 })).total).toBe(1);
    const [learning] = (await listLearnings({ category: "process" }, { limit: 10 })).items;
    // The card names the cause by today's label; the stored snapshot keeps the slug it was published with.
    expect(learning.content.categories).toEqual(["knowledge"]);
    expect((await categoryLabels())[learning.content.categories[0]]).toBe("Process");
  });
});

import { beforeEach, describe, expect, it } from "vitest";
import { addWhyTree, advanceTo, createIncident, createUser, whyFields } from "../../db/factories";
import { DomainError, Forbidden, Invalid } from "~/models/errors";
import { addCategory, categoryLabels, isCategory, listCategories, listCategoriesWithUse, mergeCategories, renameCategory } from "~/models/category.server";
import { listLearnings } from "~/models/publication.server";
import { addWhy, listWhys } from "~/models/why.server";
import { caught, freshDatabase } from "./helpers";

beforeEach(() => {
  freshDatabase();
});

describe("cause categories", () => {
  it("start with the usual list, in order", () => {
    expect(listCategories().map((c) => c.label)).toEqual([
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

  it("are added and renamed by admins only, with unique names", () => {
    const admin = createUser({ role: "admin" });
    const member = createUser();
    const flags = addCategory(admin, "Feature flags");
    expect(flags).toMatchObject({ slug: "feature-flags", label: "Feature flags", position: 10 });
    expect(caught(() => addCategory(member, "Vendors"))).toBeInstanceOf(Forbidden);
    expect((caught(() => addCategory(admin, "feature FLAGS")) as DomainError).message).toBe("There is already a category called “feature FLAGS”.");
    renameCategory(admin, "config", "Configuration change");
    expect(categoryLabels().config).toBe("Configuration change");
  });

  it("refuse a why filed under a category that is not on the list", () => {
    const admin = createUser({ role: "admin" });
    const incident = createIncident(admin);
    const error = caught(() => addWhy(admin, incident.id, null, whyFields({ question: "Why?", category: "astrology" }))) as DomainError;
    expect(error).toBeInstanceOf(Invalid);
    expect(error.field).toBe("category");
  });

  it("merge: every why moves, the old name points to the new one, and the feed filter still finds old publications", () => {
    const admin = createUser({ role: "admin" });
    const incident = createIncident(admin, { summaryMd: "Summary." });
    addWhyTree(admin, incident.id, [
      { question: "Why?", answer: "A.", category: "knowledge", noRemediationReason: "n/a" },
      { question: "Why else?", answer: "B.", category: "process", noRemediationReason: "n/a" },
    ]);
    advanceTo(admin, incident.id, "published");
    const before = listWhys(incident.id);
    expect(mergeCategories(admin, "knowledge", "process")).toBe(1);
    const after = listWhys(incident.id);
    expect(after.map((w) => w.category)).toEqual(["process", "process"]);
    // The moved why has a new version: an edit form opened before the merge is refused as a conflict.
    expect(after[0].version).toBe(before[0].version + 1);
    expect(after[1].version).toBe(before[1].version);
    // A form that still offers the old category files the why under the new one.
    const added = addWhy(admin, incident.id, null, whyFields({ question: "Why again?", category: "knowledge" }));
    expect(added.category).toBe("process");
    expect(isCategory("knowledge")).toBe(false);
    expect(listCategories().map((c) => c.slug)).not.toContain("knowledge");
    expect(categoryLabels().knowledge).toBe("Process");
    expect(listCategoriesWithUse().find((c) => c.slug === "process")?.whyCount).toBe(3);
    // The published snapshot still says "knowledge"; filtering by the merged-into category finds it.
    expect(listLearnings({ category: "process" }, { limit: 10 }).total).toBe(1);
    // So does a link made before the merge.
    expect(listLearnings({ category: "knowledge" }, { limit: 10 }).items.map((l) => l.title)).toEqual(["Website down"]);
    // The old name is free for a new category.
    expect(addCategory(admin, "Knowledge").slug).toBe("knowledge-2");
    expect(caught(() => mergeCategories(admin, "process", "process"))).toBeInstanceOf(Invalid);
  });

  it("merge: an analysis filed only under the merged category is found under the one it went into", () => {
    const admin = createUser({ role: "admin" });
    const incident = createIncident(admin, { summaryMd: "Summary." });
    addWhyTree(admin, incident.id, [{ question: "Why?", answer: "A.", category: "knowledge", noRemediationReason: "n/a" }]);
    advanceTo(admin, incident.id, "published");
    expect(listLearnings({ category: "process" }, { limit: 10 }).total).toBe(0);
    mergeCategories(admin, "knowledge", "process");
    expect(listLearnings({ category: "process" }, { limit: 10 }).total).toBe(1);
    const [learning] = listLearnings({ category: "process" }, { limit: 10 }).items;
    // The card names the cause by today's label; the stored snapshot keeps the slug it was published with.
    expect(learning.content.categories).toEqual(["knowledge"]);
    expect(categoryLabels()[learning.content.categories[0]]).toBe("Process");
  });
});
